// cluster.test.mjs — several servers on one PostgreSQL that fails over:
// a primary with a synchronous standby under pg_auto_failover
// (tests/cluster/cluster.sh), two and then three `tradeflow serve`
// processes on its multi-host URL (target_session_attrs=read-write), and
// HAProxy in front of them, all on loopback and all stopped at the end.
// It checks that a session made on one server works on the others and a
// user disabled on one is refused on all at once; that the reminder mails
// go out exactly once however many servers race for the job; that an
// import whose server is killed mid-run is finished by another without a
// lost or doubled row; and that when the primary is killed under write
// load the standby takes over, the servers reconnect by themselves, the
// clients see errors for a few seconds only, and every write acknowledged
// with a 201 is found afterwards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run, startServer, freePort, Client } from '../lib/server.mjs';
import { smtpSink, parseMail } from '../lib/smtp.mjs';
import { upload, waitJob } from '../fixtures/io-helpers.mjs';

const CLUSTER = resolve(import.meta.dirname, 'cluster.sh');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

describe('several servers on one PostgreSQL that fails over', () => {
  let dir, url, sink, haproxy, lb;
  const servers = [];
  const env = {};
  const db = { url: '', cleanup() {} };
  const psql = (q) => execFileSync('psql', [url, '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', q],
    { encoding: 'utf8' }).trim();
  const serve = async () => {
    const s = await startServer({ engine: 'pg', db, env, threads: 2 });
    servers.push(s);
    return s;
  };
  /** The same session (cookie and CSRF token) on another server. */
  const on = (c, srv) => Object.assign(new Client(srv.url), { cookie: c.cookie, csrf: c.csrf });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tf-cluster-'));
    chmodSync(dir, 0o755);
    const base = 26000 + Math.floor(Math.random() * 3000);
    url = execFileSync(CLUSTER, ['start', join(dir, 'pg'), String(base)], { encoding: 'utf8' }).trim();
    db.url = url;
    sink = await smtpSink();
    Object.assign(env, { TRADEFLOW_SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
                         TRADEFLOW_SMTP_FROM: 'reminders@huayang.test' });
    run(['demo', '--db', url]);
    await serve();
    await serve();
    // HAProxy in front: round robin over the servers that answer /healthz
    const port = await freePort();
    lb = `http://127.0.0.1:${port}`;
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, [
      'global', '  maxconn 512',
      'defaults', '  mode http', '  timeout connect 2s', '  timeout client 30s', '  timeout server 30s',
      '  retries 2', '  option redispatch',
      'frontend web', `  bind 127.0.0.1:${port}`, '  default_backend tradeflow',
      'backend tradeflow', '  balance roundrobin', '  option httpchk GET /healthz',
      '  default-server inter 500ms fall 2 rise 1',
      ...servers.map((s, i) => `  server s${i} ${s.url.replace('http://', '')} check`),
      '',
    ].join('\n'));
    haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try { if ((await fetch(`${lb}/healthz`)).ok) break; } catch { /* not up yet */ }
      if (i > 100) throw new Error('haproxy did not start');
      await sleep(100);
    }
  });

  after(async () => {
    if (haproxy) haproxy.kill('SIGTERM');
    for (const s of servers) {
      if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop();
    }
    if (sink) await sink.close();
    if (dir) {
      execFileSync(CLUSTER, ['stop', join(dir, 'pg')]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a session made on one server works on the others; a user disabled on one is refused on all at once', async () => {
    const [a, b] = servers;
    const zhang = await a.login('zhang');
    const onB = on(zhang, b);
    assert.equal((await onB.get('/api/v1/me')).body.login, 'zhang');
    // through the balancer every request lands on one server or the other
    const viaLb = on(zhang, { url: lb });
    for (let i = 0; i < 10; i++) assert.equal((await viaLb.get('/api/v1/me')).status, 200);
    const r = await onB.post('/api/v1/reminders', { kind: 'task', title: '集群 A cluster task', due_at: '2031-01-01' });
    assert.equal(r.status, 201, r.text);
    assert.ok((await zhang.get('/api/v1/reminders')).body.items.some((x) => x.id === r.body.id));

    const admin = await b.login('admin');
    const u = (await admin.get('/api/v1/users?limit=500')).body.items.find((x) => x.login === 'zhang');
    const off = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, active: false });
    assert.equal(off.status, 200, off.text);
    assert.equal((await zhang.get('/api/v1/me')).status, 401);
    assert.equal((await onB.get('/api/v1/me')).status, 401);
    assert.equal((await viaLb.get('/api/v1/me')).status, 401);
    const back = await admin.patch(`/api/v1/users/${u.id}`, { version: off.body.version, active: true });
    assert.equal(back.status, 200, back.text);
  });

  it('the reminder mails go out exactly once while two servers race for the job', async () => {
    const [a] = servers;
    const admin = await a.login('admin');
    const us = (await admin.get('/api/v1/users?limit=500')).body.items;
    const chen = us.find((x) => x.login === 'chen');
    assert.equal((await admin.patch(`/api/v1/users/${chen.id}`, { version: chen.version, email: 'chen@huayang.test' })).status, 200);
    const c = await a.login('chen');
    const past = new Date(Date.now() - 60000).toISOString();
    const titles = [];
    for (let i = 0; i < 5; i++) {
      titles.push(`CLUSTER-MAIL-${i}`);
      assert.equal((await c.post('/api/v1/reminders', { kind: 'task', title: titles[i], due_at: past })).status, 201);
    }
    // the job's next round is now, on every server at once
    for (let round = 0; round < 3; round++) {
      psql("UPDATE job_leases SET until = NULL, last_run_at = NULL WHERE name = 'reminders_fire'");
      await sleep(6000);
    }
    for (let i = 0; i < 200 && sink.mails.length < titles.length; i++) await sleep(100);
    const got = titles.map((t) => sink.mails.filter((m) => {
      const x = parseMail(m.data);
      return x.subject.includes(t) || x.body.includes(t);
    }).length);
    assert.deepEqual(got, titles.map(() => 1),
      `each due reminder mailed exactly once (${sink.mails.length} mails: ${sink.mails.map((m) => m.rcpt).join(' ')})\n` +
      servers.map((s) => s.stderr.split('\n').filter((l) => /job|remind|mail|smtp/i.test(l) && !/access/.test(l)).slice(-12).join('\n')).join('\n--\n'));
  });

  it('an import whose server is killed mid-run is finished by another, without a lost or doubled row', async () => {
    const zhang = await servers[0].login('zhang');
    const n = 6000; // six batches
    const rows = ['客户名称,手机,地址'];
    for (let i = 0; i < n; i++) rows.push(`集群导入客户${i}号,178${String(i).padStart(8, '0')},郑州市 ${i} 号`);
    const up = await upload(zhang, rows.join('\n') + '\n', { filename: 'cluster.csv' });
    assert.equal(up.status, 201, up.text);
    const id = up.body.id;
    assert.equal((await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
    assert.equal((await zhang.post(`/api/v1/imports/${id}/run`, {})).status, 202);
    // the server whose worker runs it is killed once a batch is in
    let runner;
    for (let i = 0; ; i++) {
      const [state, who, done] = psql(`SELECT state, runner, done_rows FROM import_jobs WHERE id = ${id}`).split('|');
      if (state === 'running' && Number(done) >= 1000) {
        assert.ok(Number(done) < n, `the import ended before the kill (${done})`);
        runner = servers.find((s) => who.includes(`:${s.proc.pid}:`));
        break;
      }
      assert.ok(i < 6000, `the import did not start (${state})`);
      await sleep(20);
    }
    assert.ok(runner, 'the runner is one of the servers');
    runner.proc.kill('SIGKILL');
    await new Promise((ok) => runner.proc.once('exit', ok));
    const other = servers.find((s) => s !== runner);
    // the imports job's next round (every minute) is now: it finds the job
    // whose runner is gone and wakes the living server's import worker
    psql("UPDATE job_leases SET until = NULL, last_run_at = NULL WHERE name = 'imports'");
    let done;
    try {
      done = await waitJob(on(zhang, other), id, 180000);
    } catch (e) {
      throw new Error(`${e.message}; jobs: ${psql('SELECT id, state, runner, heartbeat_at, done_rows FROM import_jobs')}` +
        `; the other server said:\n` +
        other.stderr.split('\n').filter((l) => !/msg=access/.test(l)).slice(-20).join('\n'));
    }
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.ok(done.runner === undefined || !String(done.runner).includes(`:${runner.proc.pid}:`));
    assert.equal(Number(psql("SELECT COUNT(*) FROM customers WHERE name LIKE '集群导入客户%'")), n);
    assert.equal(Number(psql("SELECT COUNT(DISTINCT name) FROM customers WHERE name LIKE '集群导入客户%'")), n);
  });

  it('the primary killed under write load: the standby takes over, errors last seconds, no acknowledged write is lost', async () => {
    await serve(); // a third server in place of the killed one, on the same URL
    const alive = servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null);
    const b = alive[0];
    const zhang = await b.login('zhang');
    const writer = on(zhang, b);
    const acked = [];
    let errors = 0, firstError = 0, lastError = 0, stop = false;
    const loop = async (w) => {
      for (let i = 0; !stop; i++) {
        const name = `故障切换客户 W${w}-${i}`;
        try {
          const r = await writer.post('/api/v1/customers', { name, phone: `139${String(w)}${String(i).padStart(7, '0')}` });
          if (r.status === 201) { acked.push(r.body.id); continue; }
          errors++;
        } catch { errors++; }
        const t = Date.now();
        if (!firstError) firstError = t;
        lastError = t;
        await sleep(100);
      }
    };
    const loops = [0, 1, 2, 3].map(loop);
    await sleep(2000);
    const before = acked.length;
    const primary = execFileSync(CLUSTER, ['primary', join(dir, 'pg')], { encoding: 'utf8' }).trim();
    const killedAt = Date.now();
    execFileSync(CLUSTER, ['crash', join(dir, 'pg'), primary]);
    // writes go on once the standby is promoted
    for (;;) {
      await sleep(500);
      if (lastError && Date.now() - lastError > 5000 && acked.length > before + 20) break;
      assert.ok(Date.now() - killedAt < 90000, `writes did not come back (${errors} errors, ${acked.length} acknowledged)`);
    }
    stop = true;
    await Promise.all(loops);
    assert.ok(before > 0, 'writes went through before the crash');
    assert.ok(errors > 0 || acked.length > before, 'the crash was seen');
    const window = lastError ? lastError - killedAt : 0;
    assert.ok(window < 30000, `clients saw errors for ${window} ms`);
    const promoted = execFileSync(CLUSTER, ['primary', join(dir, 'pg')], { encoding: 'utf8' }).trim();
    assert.notEqual(promoted, primary);
    // every 201 is there, on the new primary
    const found = Number(psql(`SELECT COUNT(*) FROM customers WHERE id IN (${acked.join(',')})`));
    assert.equal(found, acked.length, `${acked.length - found} acknowledged writes lost`);
    // and every server answers again, without a restart
    for (const s of alive) {
      const c = await s.login('admin');
      assert.equal((await c.get('/api/v1/customers?limit=1')).status, 200);
    }
    console.log(`# failover: ${acked.length} writes acknowledged, ${errors} refused, errors for ${window} ms`);
  });
});
