// system.test.mjs — the operational side: the route table and the OpenAPI
// document agree, /metrics (admin only), gzip of large replies and of the
// front end's assets, graceful shutdown on SIGTERM, and the access log.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { engines, startServer, assertProblem, rawRequest, run } from '../lib/server.mjs';

/** Waits until the server's stderr matches re (the log is written after the reply). */
async function waitForLog(srv, re, ms = 5000) {
  const end = Date.now() + ms;
  while (!re.test(srv.stderr)) {
    if (Date.now() > end) return false;
    await new Promise((ok) => setTimeout(ok, 20));
  }
  return true;
}

function metricValue(text, name, labels) {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const lbl = line.slice(name.length + 1, line.lastIndexOf('}'));
    const have = lbl.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

for (const engine of engines()) {
  describe(`system [${engine}]`, () => {
    let srv, admin;
    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
    });
    after(async () => { await srv.stop(); });

    it('`tradeflow routes` and the OpenAPI document list the same operations', async () => {
      const lines = run(['routes']).trim().split('\n');
      assert.ok(lines.length >= 15, 'a real route table');
      const routes = new Map();
      for (const l of lines) {
        const [method, path, perm, kind, ...rest] = l.split(' ');
        assert.equal(rest.length, 0, `one route per line: ${l}`);
        // the kind of record the route's path names (route_matrix.test.mjs), - for none
        assert.match(kind, /^([a-z_]+|-)$/, l);
        if (path.includes('{id}')) assert.notEqual(kind, '-', `a route with an id names its kind: ${l}`);
        if (!path.includes('{')) assert.equal(kind, '-', `a route without a record names no kind: ${l}`);
        assert.match(method, /^(GET|POST|PATCH|PUT|DELETE)$/);
        assert.ok(path.startsWith('/'), l);
        const key = `${method} ${path}`;
        assert.ok(!routes.has(key), `duplicate route ${key}`);
        routes.set(key, perm);
      }
      const doc = await srv.client().get('/api/v1/openapi.json');
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, '3.1.0');
      const ops = new Map();
      const ids = new Set();
      for (const [path, item] of Object.entries(doc.body.paths)) {
        for (const [m, op] of Object.entries(item)) {
          ops.set(`${m.toUpperCase()} ${path}`, op);
          assert.ok(op.summary, `${m} ${path} has a summary`);
          assert.ok(!ids.has(op.operationId), `operationId ${op.operationId} is unique`);
          ids.add(op.operationId);
          for (const name of path.match(/\{[^}]+\}/g) || []) {
            assert.ok((op.parameters || []).some((p) => p.in === 'path' && `{${p.name}}` === name),
              `${m} ${path} documents ${name}`);
          }
        }
      }
      for (const k of routes.keys()) assert.ok(ops.has(k), `${k} is in the OpenAPI document`);
      for (const k of ops.keys()) assert.ok(routes.has(k), `${k} of the OpenAPI document is a route`);
      // the permissions agree too
      for (const [k, perm] of routes) {
        const op = ops.get(k);
        if (perm === 'public') assert.deepEqual(op.security, [], `${k} is public`);
        else if (perm === 'signed-in') assert.equal(op['x-permission'], undefined, k);
        else assert.equal(op['x-permission'], perm, k);
      }
      // the fixed interface points are there
      for (const k of ['POST /api/v1/session', 'DELETE /api/v1/session', 'GET /api/v1/me', 'GET /healthz',
        'GET /api/v1/openapi.json', 'POST /api/v1/users', 'GET /api/v1/users', 'PATCH /api/v1/users/{id}']) {
        assert.ok(routes.has(k), `${k} exists`);
      }
    });

    it('/metrics needs an administrator', async () => {
      assertProblem(assert, await srv.client().get('/metrics'), 401, 'unauthorized');
      for (const login of ['zhang', 'wang', 'sun']) {
        assertProblem(assert, await (await srv.login(login)).get('/metrics'), 403, 'forbidden');
      }
    });

    it('/metrics counts requests by route and status, with a latency histogram and the pool gauge', async () => {
      const m0 = await admin.get('/metrics');
      assert.equal(m0.status, 200);
      assert.match(m0.headers.get('content-type'), /^text\/plain/);
      const before = metricValue(m0.text, 'tradeflow_requests_total', { method: 'GET', route: '/api/v1/users/{id}', status: '2xx' }) || 0;
      const nf = metricValue(m0.text, 'tradeflow_requests_total', { route: 'other', status: '4xx' }) || 0;
      const me = (await admin.get('/api/v1/me')).body;
      for (let i = 0; i < 3; i++) assert.equal((await admin.get(`/api/v1/users/${me.id}`)).status, 200);
      await admin.get('/api/v1/no-such-thing');
      await admin.get('/api/v1/users/987654'); // 404 of a known route
      // the counters are updated when a request completes: poll briefly
      let text;
      for (let i = 0; i < 50; i++) {
        text = (await admin.get('/metrics')).text;
        // every counter the assertions read must have caught up, not only the first
        if (metricValue(text, 'tradeflow_requests_total', { method: 'GET', route: '/api/v1/users/{id}', status: '2xx' }) === before + 3 &&
            metricValue(text, 'tradeflow_requests_total', { method: 'GET', route: '/api/v1/users/{id}', status: '4xx' }) >= 1 &&
            metricValue(text, 'tradeflow_requests_total', { route: 'other', status: '4xx' }) === nf + 1) break;
        await new Promise((ok) => setTimeout(ok, 20));
      }
      assert.match(text, /# TYPE tradeflow_requests_total counter/);
      assert.equal(metricValue(text, 'tradeflow_requests_total', { method: 'GET', route: '/api/v1/users/{id}', status: '2xx' }), before + 3);
      assert.ok(metricValue(text, 'tradeflow_requests_total', { method: 'GET', route: '/api/v1/users/{id}', status: '4xx' }) >= 1);
      assert.equal(metricValue(text, 'tradeflow_requests_total', { route: 'other', status: '4xx' }), nf + 1);
      assert.match(text, /# TYPE tradeflow_request_duration_seconds histogram/);
      const inf = metricValue(text, 'tradeflow_request_duration_seconds_bucket', { method: 'GET', route: '/api/v1/users/{id}', le: '+Inf' });
      const count = metricValue(text, 'tradeflow_request_duration_seconds_count', { method: 'GET', route: '/api/v1/users/{id}' });
      const sum = metricValue(text, 'tradeflow_request_duration_seconds_sum', { method: 'GET', route: '/api/v1/users/{id}' });
      assert.ok(inf >= 4 && inf === count, `+Inf bucket ${inf} equals the count ${count}`);
      assert.ok(sum > 0);
      const le1 = metricValue(text, 'tradeflow_request_duration_seconds_bucket', { method: 'GET', route: '/api/v1/users/{id}', le: '0.001' });
      assert.ok(le1 <= inf, 'buckets are cumulative');
      assert.match(text, /# TYPE tradeflow_db_pool_connections gauge/);
      // a connection for each of the 4 workers of both lines, and one for the upload check
      assert.equal(metricValue(text, 'tradeflow_db_pool_connections', { state: 'max' }), 2 * 4 + 1);
      assert.ok(metricValue(text, 'tradeflow_db_pool_connections', { state: 'open' }) >= 1);
      assert.ok(metricValue(text, 'tradeflow_db_pool_connections', { state: 'in_use' }) >= 1, 'the metrics request holds one');
    });

    it('a large JSON reply is gzipped when the client accepts it, and only then', async () => {
      const plain = await rawRequest(srv.url, '/api/v1/openapi.json');
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.ok(plain.body.length > 1024);
      const gz = await rawRequest(srv.url, '/api/v1/openapi.json', { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.match(gz.headers.vary || '', /Accept-Encoding/i);
      assert.ok(gz.body.length < plain.body.length / 2, 'compressed');
      assert.deepEqual(JSON.parse(gunzipSync(gz.body)), JSON.parse(plain.body));
      // a signed-in collection too
      const users = await rawRequest(srv.url, '/api/v1/users?limit=500', { headers: { Cookie: admin.cookie, 'Accept-Encoding': 'gzip' } });
      assert.equal(users.headers['content-encoding'], 'gzip');
      assert.ok(JSON.parse(gunzipSync(users.body)).items.length >= 12);
      // small replies are not worth it
      const small = await rawRequest(srv.url, '/healthz', { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(small.headers['content-encoding'], undefined);
      assert.deepEqual(JSON.parse(small.body), { status: 'ok' });
    });

    it('the embedded front end: the app shell and its JS assets, gzipped and cached', async () => {
      const shell = await rawRequest(srv.url, '/');
      assert.equal(shell.status, 200);
      assert.match(shell.headers['content-type'], /^text\/html/);
      const html = shell.body.toString();
      const js = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
      assert.ok(js.length >= 1, `index.html links a JS asset: ${html.slice(0, 400)}`);
      const plain = await rawRequest(srv.url, js[0]);
      assert.equal(plain.status, 200);
      assert.match(plain.headers['content-type'], /javascript/);
      assert.match(plain.headers['cache-control'], /immutable/);
      const gz = await rawRequest(srv.url, js[0], { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(gz.status, 200);
      assert.equal(gz.headers['content-encoding'], 'gzip');
      assert.ok(gunzipSync(gz.body).equals(plain.body), 'the gzip is of the same file');
      // a second time comes from the cache of gzipped assets: same bytes
      const gz2 = await rawRequest(srv.url, js[0], { headers: { 'Accept-Encoding': 'gzip' } });
      assert.ok(gz2.body.equals(gz.body));
      // client-side routes get the app shell; a missing asset is a 404
      const route = await rawRequest(srv.url, '/customers/42');
      assert.equal(route.status, 200);
      assert.ok(route.body.equals(shell.body));
      assert.equal((await rawRequest(srv.url, '/assets/no-such-file.js')).status, 404);
    });

    it('the access log has one line per request with status and duration', async () => {
      const tag = `probe${Date.now()}`;
      await srv.client().get(`/healthz?${tag}=1`);
      await admin.get(`/api/v1/users/987654?${tag}=2`);
      await srv.client().get(`/api/v1/me?${tag}=3`);
      await admin.post(`/api/v1/departments?${tag}=4`, { name: '' });
      const expect = [
        ['GET', '/healthz', 200],
        ['GET', '/api/v1/users/987654', 404],
        ['GET', '/api/v1/me', 401],
        ['POST', '/api/v1/departments', 422],
      ];
      for (const [method, path, status] of expect) {
        const re = new RegExp(`msg=access method=${method} path="${path.replace(/[/{}]/g, '\\$&')}"[^\\n]* status=${status} dur_us=\\d+`);
        assert.ok(await waitForLog(srv, re), `access line for ${method} ${path} ${status}:\n${srv.stderr.slice(-2000)}`);
      }
      // Regression: the decoded path went into the line as it was, so %0A
      // in a URL forged whole log lines and %22 ended the quoted value.
      await srv.client().get('/api/v1/nope%0Ats=2000-01-01T00:00:00Z%20level=error%20msg=forged%22%20x=%22');
      assert.ok(await waitForLog(srv, /msg=access method=GET path="\/api\/v1\/nope\?ts=2000[^"\n]*msg=forged\?[^"\n]*" route="" status=404/),
        srv.stderr.slice(-1000));
      assert.doesNotMatch(srv.stderr, /^ts=2000-01-01T00:00:00Z level=error msg=forged/m);
      // the signed-in user is named in the line
      const me = (await admin.get('/api/v1/me')).body;
      assert.ok(await waitForLog(srv, new RegExp(`path="/api/v1/me"[^\\n]* status=200 dur_us=\\d+ user=${me.id}`)));
    });
  });

  describe(`request workers [${engine}]`, () => {
    it('ordinary requests do not wait behind slow ones (sign-ins have their own line)', async () => {
      const srv = await startServer({ engine, threads: 1 });
      try {
        const body = JSON.stringify({ login: 'admin', password: 'demo123' });
        const done = [];
        const signIns = [0, 1, 2].map((i) => rawRequest(srv.url, '/api/v1/session', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
        }).then((r) => { done.push(`session${i}`); return r; }));
        await new Promise((ok) => setTimeout(ok, 30)); // the sign-ins are in line
        const health = await rawRequest(srv.url, '/healthz');
        done.push('healthz');
        assert.equal(health.status, 200);
        for (const r of await Promise.all(signIns)) assert.equal(r.status, 200);
        // one worker per line: three argon2id hashes take several times
        // longer than the health check, which does not wait for them
        assert.ok(done.indexOf('healthz') < 2, done.join(' '));
      } finally {
        await srv.stop();
      }
    });

    it('a request whose client left while it waited in line is not computed (499 in the log)', async () => {
      // one worker per line: sign-ins (argon2id) wait for each other
      const srv = await startServer({ engine, threads: 1 });
      try {
        const body = JSON.stringify({ login: 'admin', password: 'demo123' });
        const first = rawRequest(srv.url, '/api/v1/session', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
        });
        // a second sign-in whose client hangs up at once, while the first computes
        const { port } = new URL(srv.url);
        const net = await import('node:net');
        await new Promise((ok, fail) => {
          const s = net.connect(Number(port), '127.0.0.1', () => {
            s.end('POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
            setTimeout(() => { s.destroy(); ok(); }, 20);
          });
          s.on('error', fail);
        });
        const third = await rawRequest(srv.url, '/api/v1/session', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
        });
        assert.equal((await first).status, 200);
        assert.equal(third.status, 200, 'the line goes on after the request nobody waits for');
        assert.ok(await waitForLog(srv, /method=POST path="\/api\/v1\/session"[^\n]* status=499/), srv.stderr.slice(-2000));
        // the access log is written once a reply is sent: wait for both lines
        const served = () => srv.stderr.split('\n').filter((l) => /path="\/api\/v1\/session"[^\n]* status=200/.test(l)).length;
        for (let i = 0; i < 100 && served() < 2; i++) await new Promise((ok) => setTimeout(ok, 20));
        assert.equal(served(), 2, 'only the two waiting clients were signed in');
      } finally {
        await srv.stop();
      }
    });
  });

  describe(`graceful shutdown [${engine}]`, () => {
    it('SIGTERM lets requests in flight finish with 200 and exits 0', async () => {
      const srv = await startServer({ engine, threads: 4 });
      const body = JSON.stringify({ login: 'admin', password: 'demo123' });
      // Sign-ins are the slowest requests (argon2id), more of them than
      // there are worker threads; each on its own connection.
      const pending = [];
      for (let i = 0; i < 10; i++) {
        pending.push(rawRequest(srv.url, '/api/v1/session', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
        }));
      }
      pending.push(rawRequest(srv.url, '/api/v1/openapi.json'));
      // Regression: requests on connections that were accepted but not yet
      // read were dropped (connection reset) when SIGTERM came within a few
      // milliseconds: the stop waited only for requests already started.
      await new Promise((ok) => setTimeout(ok, 10));
      srv.proc.kill('SIGTERM');
      const replies = await Promise.all(pending);
      for (const r of replies) assert.equal(r.status, 200, r.body.toString());
      for (const r of replies.slice(0, 10)) assert.ok(JSON.parse(r.body).csrf_token);
      await srv.stop(); // exit code 0, no sanitizer report
      assert.match(srv.stderr, /msg=stopping/);
      assert.match(srv.stderr, /msg=stopped/);
      const lines = srv.stderr.split('\n').filter((l) => /msg=access method=POST path="\/api\/v1\/session"/.test(l));
      assert.equal(lines.length, 10, 'every sign-in was served and logged');
    });

    it('after SIGTERM the server accepts no new connections', async () => {
      const srv = await startServer({ engine, threads: 2 });
      srv.proc.kill('SIGTERM');
      await new Promise((ok) => srv.proc.on('exit', ok));
      await assert.rejects(fetch(`${srv.url}/healthz`));
      await srv.stop();
    });
  });
}
