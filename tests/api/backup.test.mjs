// backup.test.mjs — `tradeflow backup` of a live database while the server
// keeps writing: on SQLite a consistent standalone file that the sqlite3 CLI
// opens and checks, on PostgreSQL a pg_dump archive that pg_restore reads
// back; and a backup never harms the database it copies.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, engines, startServer } from '../lib/server.mjs';

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

/** Runs `tradeflow backup` in the background: resolves to { code, stdout, stderr, ms }. */
function backup(dbUrl, to) {
  const t0 = Date.now();
  return new Promise((ok) => {
    const p = spawn(BIN, ['backup', '--db', dbUrl, '--to', to], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('exit', (code) => ok({ code, stdout, stderr, ms: Date.now() - t0 }));
  });
}

const sqlite = (path, q) => execFileSync('sqlite3', ['-bail', path, q], { encoding: 'utf8' }).trim();

/**
 * Creates departments as fast as the API takes them until stop() is called;
 * every one must be created (201). Returns the names in creation order.
 */
function writeLoop(admin, prefix) {
  const names = [];
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i++) {
      const name = `${prefix} ${i}`;
      const r = await admin.post('/api/v1/departments', { name });
      assert.equal(r.status, 201, `write ${i} during the backup: ${r.text}`);
      names.push(name);
    }
  })();
  return { names, async stop() { running = false; await done; } };
}

for (const engine of engines()) {
  describe(`backup [${engine}]`, () => {
    let srv, admin, dir;
    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
      dir = mkdtempSync(join(process.env.TF_TMP || tmpdir(), 'tf-backup-'));
    });
    after(async () => {
      await srv.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('copies a live database while writes go on, consistent and complete up to its start', async () => {
      if (engine === 'sqlite') {
        // Regression: the copy went in steps of 256 pages, and every write
        // from the server restarted it; on a database of some size under a
        // steady load it never finished. About 40 MB of history does it.
        execFileSync('sqlite3', [srv.db.path],
          { input: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
                    INSERT INTO audit_log(at, entity, entity_id, action, after_json)
                    SELECT '2026-01-01T00:00:00Z', 'padding', i, 'create', '"' || hex(randomblob(500)) || '"' FROM n;` });
      }
      const loop = writeLoop(admin, `写入 write ${engine}`);
      await new Promise((ok) => setTimeout(ok, 500));
      const before = [...loop.names];
      assert.ok(before.length > 0, 'writes were going on before the backup began');
      const to = join(dir, engine === 'pg' ? 'live.dump' : 'live.db');
      const running = backup(srv.db.url, to);
      // keep writing for about 3 s in all, and until the backup is done
      const [res] = await Promise.all([
        Promise.race([running, new Promise((ok) => setTimeout(ok, 60000).unref())]),
        new Promise((ok) => setTimeout(ok, 2500)),
      ]);
      await loop.stop();
      assert.ok(res, 'the backup finished within a minute while the writes went on');
      assert.doesNotMatch(res.stderr, SANITIZER, res.stderr);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, /written to/);
      assert.ok(loop.names.length > before.length, 'writes went on during the backup');
      assert.ok(existsSync(to) && statSync(to).size > 0);

      let names;
      if (engine === 'sqlite') {
        assert.equal(sqlite(to, 'PRAGMA integrity_check'), 'ok');
        assert.equal(sqlite(to, 'PRAGMA journal_mode'), 'delete', 'a standalone file, no WAL needed');
        assert.equal(sqlite(to, 'PRAGMA foreign_key_check'), '');
        names = sqlite(to, 'SELECT name FROM departments ORDER BY id').split('\n');
        assert.equal(Number(sqlite(to, 'SELECT COUNT(*) FROM users')), 12);
      } else {
        const list = execFileSync('pg_restore', ['--list', to], { encoding: 'utf8' });
        assert.match(list, /TABLE DATA public departments/);
        assert.match(list, /TABLE DATA public users/);
        // restore it into a new database and look inside
        const admin = process.env.TF_PG_URL;
        const name = `tf_restore_${process.pid}_${Date.now()}`;
        execFileSync('psql', [admin, '-q', '-c', `CREATE DATABASE ${name}`]);
        const url = admin.replace(/\/[^/]*$/, `/${name}`);
        execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', url, to]);
        names = execFileSync('psql', [url, '-X', '-A', '-t', '-c', 'SELECT name FROM departments ORDER BY id'], { encoding: 'utf8' }).trim().split('\n');
        assert.equal(execFileSync('psql', [url, '-X', '-A', '-t', '-c', 'SELECT COUNT(*) FROM users'], { encoding: 'utf8' }).trim(), '12');
      }
      for (const n of before) assert.ok(names.includes(n), `"${n}", written before the backup began, is in it`);
      // a consistent snapshot: the writes it holds are a prefix of the writes made
      const copied = names.filter((n) => n.startsWith(`写入 write ${engine}`));
      assert.deepEqual(copied, loop.names.slice(0, copied.length));
      // and the live database is unharmed
      assert.equal((await srv.client().get('/healthz')).status, 200);
      const live = (await admin.get('/api/v1/departments')).body.items.map((d) => d.name);
      for (const n of loop.names) assert.ok(live.includes(n));
    });

    it('a backup onto the database itself is refused and harms nothing', async () => {
      if (engine !== 'sqlite') return; // pg_dump writes a separate archive file
      const d = await admin.post('/api/v1/departments', { name: 'Before the self-backup' });
      assert.equal(d.status, 201);
      // Regression: the copy began by deleting its target, so --to the
      // database's own file deleted the live database under the server.
      for (const to of [srv.db.path, join(srv.db.dir, '.', 'test.db')]) {
        const res = await backup(srv.db.url, to);
        assert.notEqual(res.code, 0, 'refused');
        assert.match(res.stderr, /itself/, res.stderr);
      }
      const after = await admin.post('/api/v1/departments', { name: 'After the self-backup' });
      assert.equal(after.status, 201);
      // the file on disk (not just the server's open handle) has both
      const onDisk = sqlite(srv.db.path, "SELECT name FROM departments WHERE name LIKE '%self-backup' ORDER BY id");
      assert.equal(onDisk, 'Before the self-backup\nAfter the self-backup');
      assert.equal(sqlite(srv.db.path, 'PRAGMA integrity_check'), 'ok');
    });

    it('a backup to a folder that does not exist fails clearly', async () => {
      const res = await backup(srv.db.url, join(dir, 'no', 'such', 'folder', 'x.bak'));
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /backup|pg_dump/);
      assert.doesNotMatch(res.stderr, SANITIZER);
      assert.equal((await srv.client().get('/healthz')).status, 200);
    });
  });
}
