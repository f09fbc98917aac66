// session.test.mjs — signing in and out, /me, CSRF, API tokens, throttling,
// on every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, Client, assertProblem } from '../lib/server.mjs';

/** Runs one SQL statement on the server's own database, as an operator would. */
function sql(srv, statement) {
  if (srv.engine === 'pg') execFileSync('psql', [srv.db.url, '-q', '-c', statement]);
  else execFileSync('sqlite3', [srv.db.path, statement]);
}

for (const engine of engines()) {
  describe(`session [${engine}]`, () => {
    let srv;
    before(async () => { srv = await startServer({ engine }); });
    after(async () => { await srv.stop(); });

    it('healthz answers 200 when the database is reachable', async () => {
      const r = await srv.client().get('/healthz');
      assert.equal(r.status, 200);
      assert.equal(r.body.status, 'ok');
    });

    it('login sets an HttpOnly SameSite cookie and returns a CSRF token', async () => {
      const c = new Client(srv.url);
      const r = await c.post('/api/v1/session', { login: 'admin', password: 'demo123' });
      assert.equal(r.status, 200);
      assert.match(r.body.csrf_token, /^[0-9a-f]{32,}$/);
      const cookie = r.headers.get('set-cookie');
      assert.match(cookie, /tf_session=[0-9a-f]{64}/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.equal(r.body.user.login, 'admin');
      const me = await c.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.role, 'admin');
      assert.ok(me.body.permissions.includes('users.manage'));
    });

    it('login is case-insensitive on the login name, not on the password', async () => {
      assert.equal((await srv.client().post('/api/v1/session', { login: 'ZHANG', password: 'demo123' })).status, 200);
      assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'zhang', password: 'DEMO123' }), 401, 'unauthorized');
    });

    it('without a session /me is 401', async () => {
      assertProblem(assert, await srv.client().get('/api/v1/me'), 401, 'unauthorized');
    });

    it('a forged session cookie is 401', async () => {
      const c = srv.client();
      c.cookie = 'tf_session=' + 'ab'.repeat(32);
      assertProblem(assert, await c.get('/api/v1/me'), 401);
      c.cookie = 'tf_session=' + 'x'.repeat(5000);
      const r = await c.get('/api/v1/me');
      assert.ok(r.status === 401 || r.status === 431 || r.status === 400, `got ${r.status}`);
    });

    it('unsafe requests need the CSRF token and change nothing without it', async () => {
      const c = await srv.login('admin');
      const noCsrf = new Client(srv.url, { csrf: false });
      noCsrf.cookie = c.cookie;
      const r = await noCsrf.post('/api/v1/departments', { name: 'CSRF test' });
      assertProblem(assert, r, 403, 'csrf_missing');
      const wrong = await noCsrf.post('/api/v1/departments', { name: 'CSRF test' }, { 'X-CSRF-Token': 'f'.repeat(48) });
      assertProblem(assert, wrong, 403, 'csrf_missing');
      const list = await c.get('/api/v1/departments');
      assert.ok(!list.body.items.some((d) => d.name === 'CSRF test'));
      const ok = await c.post('/api/v1/departments', { name: 'CSRF test' });
      assert.equal(ok.status, 201);
    });

    it('an expired session is refused, and so is its CSRF token', async () => {
      const c = await srv.login('huang');
      assert.equal((await c.get('/api/v1/me')).status, 200);
      sql(srv, "UPDATE sessions SET expires_at = '2000-01-01T00:00:00Z' WHERE user_id = (SELECT id FROM users WHERE login = 'huang')");
      assertProblem(assert, await c.get('/api/v1/me'), 401, 'unauthorized');
      assertProblem(assert, await c.post('/api/v1/departments', { name: 'after expiry' }), 401, 'unauthorized');
    });

    it('logout ends the session on the server', async () => {
      const c = await srv.login('chen');
      const saved = c.cookie;
      assert.equal((await c.delete('/api/v1/session')).status, 204);
      const again = srv.client();
      again.cookie = saved;
      assertProblem(assert, await again.get('/api/v1/me'), 401);
    });

    it('API tokens work as Bearer without CSRF, are shown once and can be revoked', async () => {
      const c = await srv.login('liu');
      const t = await c.post('/api/v1/tokens', { name: 'ERP sync' });
      assert.equal(t.status, 201);
      assert.match(t.body.token, /^tf_[0-9a-f]{64}$/);
      const b = srv.client();
      b.bearer = t.body.token;
      const me = await b.get('/api/v1/me');
      assert.equal(me.status, 200);
      assert.equal(me.body.login, 'liu');
      assert.equal(me.body.csrf_token, undefined);
      const list = await c.get('/api/v1/tokens');
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.items[0].token, undefined, 'the token itself is never listed');
      assert.equal((await c.delete(`/api/v1/tokens/${t.body.id}`)).status, 204);
      assertProblem(assert, await b.get('/api/v1/me'), 401);
      const forged = srv.client();
      forged.bearer = 'tf_' + '0'.repeat(64);
      assertProblem(assert, await forged.get('/api/v1/me'), 401);
    });

    it('repeated failures throttle the login, even with the right password', async () => {
      const c = srv.client();
      for (let i = 0; i < 5; i++) {
        assertProblem(assert, await c.post('/api/v1/session', { login: 'zheng', password: 'wrong' + i }), 401);
      }
      const r = await c.post('/api/v1/session', { login: 'zheng', password: 'demo123' });
      assertProblem(assert, r, 429, 'throttled');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      // another user is not affected
      assert.equal((await c.post('/api/v1/session', { login: 'wu', password: 'demo123' })).status, 200);
    });

    it('a disabled user cannot sign in and loses their sessions', async () => {
      const admin = await srv.login('admin');
      const z = await srv.login('zhao');
      const u = (await admin.get('/api/v1/users?q=zhao')).body.items[0];
      const r = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, active: false });
      assert.equal(r.status, 200);
      assertProblem(assert, await z.get('/api/v1/me'), 401);
      assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'zhao', password: 'demo123' }), 401);
    });
  });
}
