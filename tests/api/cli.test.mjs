// cli.test.mjs — the tradeflow command line: help and exit codes, clear
// errors for bad flags, where settings come from (flags > environment >
// config file), the demo company, user administration from the shell, and
// upgrading an old database with `init`.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN, engines, newDatabase, startServer, freePort, assertProblem } from '../lib/server.mjs';

const MIGRATIONS = resolve(import.meta.dirname, '../../migrations');
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

/** The environment without any TRADEFLOW_* setting, plus extra. */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TRADEFLOW_')) env[k] = v;
  return { ...env, ...extra };
}

/** Runs the binary: { status, stdout, stderr }; fails on a sanitizer report. */
function cli(args, { env = {}, cwd } = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: cleanEnv(env), cwd: cwd || tmpdir(), timeout: 120000 });
  assert.doesNotMatch(r.stderr, SANITIZER, `sanitizer report from ${args.join(' ')}:\n${r.stderr}`);
  return r;
}

/** One SQL statement on a database of either engine; rows as arrays of strings. */
function sql(db, query) {
  const out = db.url.startsWith('sqlite:')
    ? execFileSync('sqlite3', ['-bail', '-separator', '|', db.url.slice(7), query], { encoding: 'utf8' })
    : execFileSync('psql', [db.url, '-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-c', query], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}
const userCount = (db) => Number(sql(db, 'SELECT COUNT(*) FROM users')[0][0]);

/** `tradeflow serve` with the given args/env; resolves once /healthz answers on port. */
async function serveOn(port, args, { env = {}, cwd } = {}) {
  const proc = spawn(BIN, ['serve', ...args], { env: cleanEnv(env), cwd: cwd || tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch { /* not yet */ }
    if (proc.exitCode !== null || i > 200) {
      proc.kill('SIGKILL');
      throw new Error(`serve did not answer on ${port}:\n${stderr}`);
    }
    await new Promise((ok) => setTimeout(ok, 50));
  }
  return {
    async stop() {
      proc.kill('SIGTERM');
      const { code } = await exited;
      assert.doesNotMatch(stderr, SANITIZER, stderr);
      assert.equal(code, 0, stderr);
    },
  };
}

async function answers(port) {
  try { return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok; } catch { return false; }
}

/** Migration files of an engine for one version number, common part first. */
function migrationFiles(version, engine) {
  const suffix = engine === 'pg' ? '.pg.sql' : '.sqlite.sql';
  const files = readdirSync(MIGRATIONS).filter((f) => parseInt(f, 10) === version).sort();
  const common = files.filter((f) => !f.endsWith('.pg.sql') && !f.endsWith('.sqlite.sql'));
  return [...common, ...files.filter((f) => f.endsWith(suffix))];
}
const latestVersion = () => Math.max(...readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).map((f) => parseInt(f, 10)));

/** Table and column names of a database, sorted: its schema's shape. */
function columns(db) {
  const rows = db.url.startsWith('sqlite:')
    ? sql(db, "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'")
    : sql(db, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'");
  return rows.map((r) => r.join('.')).sort();
}

const scratch = mkdtempSync(join(process.env.TF_TMP || tmpdir(), 'tf-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const scratchFile = (name) => join(scratch, `${n++}-${name}`);

describe('cli: help and errors', () => {
  it('--help and serve --help exit 0 and name --db and --listen', () => {
    for (const args of [['--help'], ['help'], ['serve', '--help'], ['demo', '--help'], ['backup', '--help']]) {
      const r = cli(args);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /--db/);
      if (args[0] !== 'demo' && args[0] !== 'backup') assert.match(r.stdout, /--listen/);
    }
    assert.match(cli(['--help']).stdout, /TRADEFLOW_DB/);
    assert.match(cli(['version']).stdout, /^tradeflow \d+\.\d+/);
  });

  it('an unknown command exits 2 and says so', () => {
    const r = cli(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
    const f = cli(['init', '--frob']);
    assert.equal(f.status, 2);
    assert.match(f.stderr, /--frob/);
    const v = cli(['init', '--db']);
    assert.equal(v.status, 2);
    assert.match(v.stderr, /--db needs a value/);
  });

  it('a bad --listen value exits non-zero with a clear message', async () => {
    const db = `sqlite:${scratchFile('listen.db')}`;
    for (const listen of ['nonsense', '127.0.0.1:99999', '127.0.0.1:', ':8080', '127.0.0.1:http', '999.1.1.1:8080', '127.0.0.1:-5']) {
      const r = cli(['serve', '--db', db, '--listen', listen]);
      assert.notEqual(r.status, 0, `--listen ${listen} was accepted`);
      assert.match(r.stderr, /--listen/, `${listen}: ${r.stderr}`);
      assert.ok(r.stderr.includes(listen.split(':')[0]) || r.stderr.includes(listen), `names the value: ${r.stderr}`);
    }
    // a port that is taken
    const busy = createServer();
    await new Promise((ok) => busy.listen(0, '127.0.0.1', ok));
    try {
      const r = cli(['serve', '--db', db, '--listen', `127.0.0.1:${busy.address().port}`]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /cannot listen/);
    } finally {
      busy.close();
    }
    const t = cli(['serve', '--db', db, '--threads', 'many']);
    assert.notEqual(t.status, 0);
    assert.match(t.stderr, /threads/);
  });

  it('a bad --db URL fails clearly', () => {
    for (const [url, re] of [
      ['mysql://x', /sqlite:PATH or postgresql/],
      ['tradeflow.db', /sqlite:PATH or postgresql/],
      ['sqlite:', /empty path/],
      [`sqlite:${join(scratch, 'no', 'such', 'dir', 'x.db')}`, /cannot open/],
      ['postgresql://nobody@127.0.0.1:1/none', /cannot connect to PostgreSQL/],
    ]) {
      for (const cmd of ['init', 'serve', 'demo']) {
        const r = cli([cmd, '--db', url]);
        assert.notEqual(r.status, 0, `${cmd} --db ${url}`);
        assert.match(r.stderr, re, `${cmd} --db ${url}: ${r.stderr}`);
      }
    }
  });

  it('a bad config file is refused with its file and line', () => {
    const cfg = scratchFile('bad.conf');
    writeFileSync(cfg, '# settings\ndb = sqlite:x.db\nthreads = lots\n');
    let r = cli(['init', '--config', cfg]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`${cfg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: threads`));
    writeFileSync(cfg, 'colour = blue\n');
    r = cli(['init', '--config', cfg]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown setting "colour"/);
    r = cli(['init', '--config', join(scratch, 'missing.conf')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cannot read config file/);
  });
});

for (const engine of engines()) {
  describe(`cli [${engine}]`, () => {
    it('settings: flags beat TRADEFLOW_DB, which beats the config file', () => {
      const fileDb = scratchFile('from-file.db');
      const envDb = scratchFile('from-env.db');
      const env2Db = scratchFile('from-env2.db');
      const cfg = scratchFile('tradeflow.conf');
      writeFileSync(cfg, `# test config\ndb = sqlite:${fileDb}\n`);

      let r = cli(['demo', '--config', cfg]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(userCount({ url: `sqlite:${fileDb}` }), 12, 'the config file chose the database');

      r = cli(['demo', '--config', cfg], { env: { TRADEFLOW_DB: `sqlite:${envDb}` } });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(userCount({ url: `sqlite:${envDb}` }), 12, 'TRADEFLOW_DB beat the file');

      const flagDb = newDatabase(engine);
      try {
        r = cli(['demo', '--config', cfg, '--db', flagDb.url], { env: { TRADEFLOW_DB: `sqlite:${env2Db}` } });
        assert.equal(r.status, 0, r.stderr);
        assert.equal(userCount(flagDb), 12, '--db beat TRADEFLOW_DB');
        assert.ok(!existsSync(env2Db), 'the database named in the environment was not touched');
      } finally {
        flagDb.cleanup();
      }

      // TRADEFLOW_CONFIG names the file; ./tradeflow.conf is read when there is none
      const viaEnv = scratchFile('via-env.db');
      writeFileSync(cfg, `db = sqlite:${viaEnv}\n`);
      r = cli(['init'], { env: { TRADEFLOW_CONFIG: cfg } });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(viaEnv));
      const dir = mkdtempSync(join(scratch, 'cwd-'));
      writeFileSync(join(dir, 'tradeflow.conf'), 'db = sqlite:cwd.db\n');
      r = cli(['init'], { cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'cwd.db')));
    });

    it('serve: --listen beats TRADEFLOW_LISTEN, which beats the config file', async () => {
      const db = newDatabase(engine);
      try {
        cli(['init', '--db', db.url]);
        const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
        const cfg = scratchFile('listen.conf');
        writeFileSync(cfg, `listen = 127.0.0.1:${p1}\ndb = ${db.url}\nthreads = 2\n`);
        let s = await serveOn(p2, ['--config', cfg], { env: { TRADEFLOW_LISTEN: `127.0.0.1:${p2}` } });
        assert.equal(await answers(p1), false);
        await s.stop();
        s = await serveOn(p3, ['--config', cfg, '--listen', `127.0.0.1:${p3}`], { env: { TRADEFLOW_LISTEN: `127.0.0.1:${p2}` } });
        assert.equal(await answers(p2), false);
        await s.stop();
        s = await serveOn(p1, ['--config', cfg]);
        await s.stop();
        // TRADEFLOW_DB is used by serve too
        s = await serveOn(p2, ['--listen', `127.0.0.1:${p2}`, '--threads', '2'], { env: { TRADEFLOW_DB: db.url } });
        await s.stop();
      } finally {
        db.cleanup();
      }
    });

    it('demo twice is idempotent and prints the logins, admin among them', () => {
      const db = newDatabase(engine);
      try {
        const first = cli(['demo', '--db', db.url]);
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout, /^\s+admin\s/m);
        assert.match(first.stdout, /demo123/);
        const users = userCount(db);
        const depts = sql(db, 'SELECT COUNT(*) FROM departments')[0][0];
        const second = cli(['demo', '--db', db.url]);
        assert.equal(second.status, 0, second.stderr);
        assert.match(second.stdout, /already/);
        assert.match(second.stdout, /^\s+admin\s/m);
        assert.equal(userCount(db), users);
        assert.equal(sql(db, 'SELECT COUNT(*) FROM departments')[0][0], depts);
      } finally {
        db.cleanup();
      }
    });

    it('demo --password sets the demo password', async () => {
      const db = newDatabase(engine);
      const short = cli(['demo', '--db', db.url, '--password', 'abc']);
      assert.equal(short.status, 2);
      assert.match(short.stderr, /at least 6/);
      const r = cli(['demo', '--db', db.url, '--password', 'secret9']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /secret9/);
      const srv = await startServer({ engine, db });
      try {
        const c = await srv.login('admin', 'secret9');
        assert.equal((await c.get('/api/v1/me')).body.login, 'admin');
        await srv.login('zhang', 'secret9');
        assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'wang', password: 'demo123' }), 401);
      } finally {
        await srv.stop();
      }
    });

    it(engine === 'sqlite'
      ? 'serve: a second server on the same SQLite file is refused and says why; the first goes on'
      : 'serve: a second server on the same PostgreSQL database starts beside the first', async () => {
      const db = newDatabase(engine);
      cli(['demo', '--db', db.url]);
      const srv = await startServer({ engine, db });
      try {
        if (engine === 'sqlite') {
          const r = cli(['serve', '--db', db.url, '--listen', `127.0.0.1:${await freePort()}`]);
          assert.equal(r.status, 1, r.stderr);
          assert.match(r.stderr, /another server is already serving .*test\.db.*PostgreSQL/);
        } else {
          const second = await startServer({ engine, db });
          try {
            const me = await second.login('admin', 'demo123');
            assert.equal((await me.get('/api/v1/me')).body.login, 'admin');
          } finally {
            await second.stop();
          }
        }
        const admin = await srv.login('admin', 'demo123');
        assert.equal((await admin.get('/api/v1/me')).status, 200);
        // the other commands still work beside the server
        assert.equal(cli(['user', 'list', '--db', db.url]).status, 0);
      } finally {
        await srv.stop();
        db.cleanup();
      }
    });

    it('user add / passwd / disable / list work on a live database and are recorded in the history', async () => {
      const db = newDatabase(engine);
      cli(['demo', '--db', db.url]);
      const srv = await startServer({ engine, db });
      try {
        const dep = sql(db, "SELECT id FROM departments WHERE name LIKE '%Finance%'")[0][0];
        let r = cli(['user', 'add', 'boss', '--db', db.url, '--password', 'bosspass1', '--role', 'admin',
          '--name', '老板 Big Boss', '--department', dep]);
        assert.equal(r.status, 0, r.stderr);
        let list = cli(['user', 'list', '--db', db.url]);
        assert.equal(list.status, 0);
        assert.match(list.stdout, /^boss\s+admin\s+老板 Big Boss$/m);
        const boss = await srv.login('boss', 'bosspass1');
        const me = (await boss.get('/api/v1/me')).body;
        assert.equal(me.role, 'admin');
        assert.equal(String(me.department_id), dep);

        // refusals: taken, bad login, short password, unknown role, unknown department
        for (const [args, re] of [
          [['user', 'add', 'boss', '--password', 'another1'], /taken/],
          // Regression: the shell took logins the API refuses (upper case,
          // spaces); sign-in lower-cases the login, so such a user could
          // never sign in.
          [['user', 'add', 'Bob', '--password', 'bobpass1'], /lower-case/],
          [['user', 'add', 'bob smith', '--password', 'bobpass1'], /lower-case/],
          [['user', 'add', 'bob', '--password', 'short'], /at least 6/],
          [['user', 'add', 'bob', '--password', 'bobpass1', '--role', 'king'], /--role/],
          [['user', 'add', 'bob', '--password', 'bobpass1', '--department', '987654'], /cannot add bob/],
          [['user', 'add', 'bob', '--password', 'bobpass1', '--department', 'x'], /--department/],
          [['user', 'add', 'bob'], /--password is required/],
        ]) {
          r = cli([...args, '--db', db.url]);
          assert.notEqual(r.status, 0, args.join(' '));
          assert.match(r.stderr, re, `${args.join(' ')}: ${r.stderr}`);
        }
        assert.doesNotMatch(cli(['user', 'list', '--db', db.url]).stdout, /^bob/im);

        // passwd: the new password works, the old one and old sessions do not
        r = cli(['user', 'passwd', 'boss', '--db', db.url, '--password', 'newpass22']);
        assert.equal(r.status, 0, r.stderr);
        assertProblem(assert, await boss.get('/api/v1/me'), 401);
        assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'boss', password: 'bosspass1' }), 401);
        const boss2 = await srv.login('boss', 'newpass22');
        r = cli(['user', 'passwd', 'ghost', '--db', db.url, '--password', 'newpass22']);
        assert.equal(r.status, 1);
        assert.match(r.stderr, /no user ghost/);

        // disable: signed out, cannot sign in, listed as disabled
        r = cli(['user', 'disable', 'boss', '--db', db.url]);
        assert.equal(r.status, 0, r.stderr);
        assertProblem(assert, await boss2.get('/api/v1/me'), 401);
        assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'boss', password: 'newpass22' }), 401);
        list = cli(['user', 'list', '--db', db.url]);
        assert.match(list.stdout, /^boss\s+admin\s+老板 Big Boss \(disabled\)$/m);
        assert.match(list.stdout, /^admin\s+admin\s/m);

        const admin = await srv.login('admin');
        const h = await admin.get(`/api/v1/users/${me.id}/history`);
        assert.deepEqual(h.body.items.map((x) => x.action), ['disable', 'password_reset', 'create']);
        assert.doesNotMatch(h.text, /\$argon2|newpass22|bosspass1/);

        for (const args of [['user'], ['user', 'frob', 'x'], ['user', 'add']]) {
          r = cli([...args, '--db', db.url]);
          assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
        }
      } finally {
        await srv.stop();
      }
    });

    it('init upgrades an old database to the current schema and keeps its data', async () => {
      // An "old" database: the schema as the first release made it
      // (001_core.sql only, ids as that release declared them), with data.
      const old = newDatabase(engine);
      const id = engine === 'pg' ? 'BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY' : 'INTEGER PRIMARY KEY';
      const script = migrationFiles(1, engine)
        .map((f) => readFileSync(join(MIGRATIONS, f), 'utf8').replaceAll('{{ID}}', id)).join('\n') +
        '\nCREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);' +
        "\nINSERT INTO schema_migrations VALUES (1, '001_core.sql', '2026-01-01T00:00:00Z');" +
        "\nINSERT INTO departments(name, created_at) VALUES ('旧部门 Old times', '2026-01-01T00:00:00Z');";
      if (engine === 'pg') execFileSync('psql', [old.url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', script]);
      else execFileSync('sqlite3', ['-bail', old.path], { input: script });
      const fresh = newDatabase(engine);
      try {
        assert.equal(cli(['init', '--db', fresh.url]).status, 0);
        assert.notDeepEqual(columns(old), columns(fresh), 'the old database really is older');

        const r = cli(['init', '--db', old.url]);
        assert.equal(r.status, 0, r.stderr);
        const latest = latestVersion();
        assert.match(r.stdout, new RegExp(`schema version ${latest}\\b`));
        assert.deepEqual(columns(old), columns(fresh), 'same tables and columns as a new database');
        const versions = sql(old, 'SELECT version FROM schema_migrations ORDER BY version').map((x) => Number(x[0]));
        assert.deepEqual(versions, [...new Set(readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).map((f) => parseInt(f, 10)))].sort((a, b) => a - b));
        assert.deepEqual(sql(old, "SELECT name FROM departments WHERE name LIKE '%Old times%'"), [['旧部门 Old times']]);
        // a second init has nothing to do
        const again = cli(['init', '--db', old.url]);
        assert.equal(again.status, 0);
        assert.match(again.stdout, new RegExp(`schema version ${latest}\\b`));
        // and the upgraded database works: the demo loads and serves
        assert.equal(cli(['demo', '--db', old.url]).status, 0);
        const srv = await startServer({ engine, db: old });
        try {
          const admin = await srv.login('admin');
          const d = await admin.get('/api/v1/departments');
          assert.ok(d.body.items.some((x) => x.name === '旧部门 Old times'));
          assert.equal((await admin.post('/api/v1/departments', { name: 'After the upgrade' })).status, 201);
        } finally {
          await srv.stop();
        }
      } finally {
        fresh.cleanup();
      }
    });
  });
}
