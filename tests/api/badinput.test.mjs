// badinput.test.mjs — hostile and broken input: malformed and oversized
// bodies, wrong types, unknown fields, invalid UTF-8, deep nesting, wrong
// content types, SQL metacharacters, path traversal, odd ids and paging
// parameters. Every bad request gets a clean 4xx, the server stays healthy,
// and nothing is created or changed. Inputs that once broke the server stay
// here as regression cases (marked "Regression").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem, rawRequest } from '../lib/server.mjs';

const JSON_CT = { 'Content-Type': 'application/json' };

function fieldErrors(r) {
  return (r.body?.errors || []).map((e) => `${e.field}/${e.code}`);
}

/** The write endpoints under test: a valid body and its fields' types and limits. */
function endpoints(ctx) {
  return [
    {
      name: 'POST /api/v1/users', method: 'post', path: () => '/api/v1/users', client: () => ctx.admin,
      valid: () => ({ login: 'bad.input', name: 'Bad Input', password: 'secret77', role: 'salesperson' }),
      fields: { login: ['str', 64], name: ['str', 100], password: ['str', 200], role: ['str', 20],
                department_id: ['int'], email: ['str', 200], locale: ['str', 10] },
    },
    {
      name: 'POST /api/v1/departments', method: 'post', path: () => '/api/v1/departments', client: () => ctx.admin,
      valid: () => ({ name: 'Bad input dept' }),
      fields: { name: ['str', 100], parent_id: ['int'], manager_id: ['int'] },
    },
    {
      name: 'PATCH /api/v1/users/{id}', method: 'patch', path: () => `/api/v1/users/${ctx.victim.id}`,
      client: () => ctx.admin,
      valid: () => ({ version: ctx.victim.version, name: 'Changed by bad input' }),
      fields: { version: ['int'], name: ['str', 100], password: ['str', 200], role: ['str', 20],
                department_id: ['int'], email: ['str', 200], locale: ['str', 10], active: ['bool'] },
    },
    {
      name: 'POST /api/v1/session', method: 'post', path: () => '/api/v1/session', client: () => ctx.anon,
      valid: () => ({ login: 'chen', password: 'demo123' }),
      fields: { login: ['str', 64], password: ['str', 200] },
    },
  ];
}

for (const engine of engines()) {
  describe(`bad input [${engine}]`, () => {
    let srv;
    const ctx = {};
    let baseline;

    async function counts() {
      const u = await ctx.admin.get('/api/v1/users?limit=500');
      const d = await ctx.admin.get('/api/v1/departments');
      const s = await ctx.admin.get(`/api/v1/users/${ctx.victim.id}`);
      return { users: u.body.items.length, departments: d.body.items.length, victim: s.body };
    }
    async function assertHealthyAndUnchanged() {
      const h = await srv.client().get('/healthz');
      assert.equal(h.status, 200, 'server still healthy');
      assert.deepEqual(await counts(), baseline, 'nothing was created or changed');
    }

    before(async () => {
      srv = await startServer({ engine });
      ctx.admin = await srv.login('admin');
      ctx.anon = srv.client();
      ctx.victim = (await ctx.admin.get('/api/v1/users?q=chen')).body.items[0];
      baseline = await counts();
    });
    after(async () => { await srv.stop(); });

    for (const ep of endpoints(ctx)) {
      describe(ep.name, () => {
        const send = async (body, headers) => {
          const r = await ep.client().request(ep.method.toUpperCase(), ep.path(), body, headers);
          assert.equal((await srv.client().get('/healthz')).status, 200, 'healthy after every bad request');
          return r;
        };

        it('malformed JSON, a JSON array, a scalar, duplicate keys and an empty body are 400', async () => {
          const cases = [
            ['{"login": "x",', 'invalid_json'],
            ['{"name": }', 'invalid_json'],
            ["{'name': 'single quotes'}", 'invalid_json'],
            ['{"name": "x"} trailing', 'invalid_json'],
            ['[1, 2, 3]', 'invalid_json'],
            ['[{"name": "in an array"}]', 'invalid_json'],
            ['"just a string"', 'invalid_json'],
            ['null', 'invalid_json'],
            ['{"name": "a", "name": "b"}', 'invalid_json'],
            ['{"name": "nul \\u0000 inside"}', 'invalid_json'],
            ['{"name": "lone surrogate \\ud800"}', 'invalid_json'],
            ['{"department_id": 99999999999999999999999}', 'invalid_json'],
            ['{"version": 1e999}', 'invalid_json'],
            // the parser's error text quotes the input: it must stay UTF-8
            ['{"name": "' + '华阳电工'.repeat(40), 'invalid_json'],
            ['{"name": 华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工华阳电工}', 'invalid_json'],
          ];
          for (const [body, code] of cases) {
            const r = await send(body);
            assertProblem(assert, r, 400, code);
            assert.ok(typeof r.body.detail === 'string');
          }
          assertProblem(assert, await send(''), 400, 'bad_request');
          await assertHealthyAndUnchanged();
        });

        it('wrong types are 422 wrong_type on the field', async () => {
          for (const [f, [type]] of Object.entries(ep.fields)) {
            const bad = type === 'str' ? [12345, true, ['x'], { a: 1 }]
              : type === 'int' ? ['12', 1.5, true, [1], { id: 1 }]
                : ['yes', 1, [true]];
            for (const v of bad) {
              const r = await send({ ...ep.valid(), [f]: v });
              assertProblem(assert, r, 422, 'validation_failed');
              assert.deepEqual(fieldErrors(r), [`${f}/wrong_type`], `${f} = ${JSON.stringify(v)}: ${r.text}`);
            }
          }
          await assertHealthyAndUnchanged();
        });

        it('unknown fields are 422 unknown_field', async () => {
          for (const k of ['is_admin', 'id', 'password_hash', 'Name', '', '名字', 'x'.repeat(300)]) {
            const r = await send({ ...ep.valid(), [k]: true });
            assertProblem(assert, r, 422, 'validation_failed');
            assert.deepEqual(fieldErrors(r).map((e) => e.split('/')[1]), ['unknown_field'], `${k}: ${r.text}`);
          }
          // Regression: an unknown key longer than 120 bytes was cut inside a
          // UTF-8 character for the error's "field"; the error could not be
          // built and was dropped, so the unknown field was silently accepted
          // and the record created.
          for (const k of ['a' + '字'.repeat(60), '字'.repeat(41), 'ab' + '😀'.repeat(40)]) {
            const r = await send({ ...ep.valid(), [k]: 1 });
            assertProblem(assert, r, 422, 'validation_failed');
            assert.deepEqual(fieldErrors(r).map((e) => e.split('/')[1]), ['unknown_field'], r.text);
          }
          await assertHealthyAndUnchanged();
        });

        it('too-long strings are 422 too_long (counted in characters, not bytes)', async () => {
          for (const [f, [type, max]] of Object.entries(ep.fields)) {
            if (type !== 'str') continue;
            const r = await send({ ...ep.valid(), [f]: '字'.repeat(max + 1) });
            assertProblem(assert, r, 422, 'validation_failed');
            assert.ok(fieldErrors(r).includes(`${f}/too_long`), `${f}: ${r.text}`);
          }
          await assertHealthyAndUnchanged();
        });

        it('invalid UTF-8 in the body is 400', async () => {
          const bodies = [
            Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
            Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xc3]), Buffer.from('"}')]), // truncated sequence
            Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), // overlong '/'
            Buffer.concat([Buffer.from('{"name": "'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), // surrogate
            Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from('": 1}')]), // in a key
            Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0xff]),
          ];
          for (const b of bodies) {
            const r = await send(new Uint8Array(b), JSON_CT);
            assertProblem(assert, r, 400);
          }
          await assertHealthyAndUnchanged();
        });

        it('JSON nested 100 levels is 400 too_deep', async () => {
          const arr = '['.repeat(100) + ']'.repeat(100);
          const obj = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
          const inField = JSON.stringify(ep.valid()).slice(0, -1) + ', "extra": ' + arr + '}';
          for (const b of [arr, obj, inField]) assertProblem(assert, await send(b), 400, 'too_deep');
          // brackets inside strings are not nesting
          const r = await send({ ...ep.valid(), junk: '[[[[[[[[[['.repeat(10) });
          assert.notEqual(r.body?.code, 'too_deep');
          await assertHealthyAndUnchanged();
        });

        it('a body over the route limit (1 MB) is 413 payload_too_large', async () => {
          const big = JSON.stringify({ ...ep.valid(), name: 'x'.repeat(1024 * 1024) });
          assertProblem(assert, await send(big), 413, 'payload_too_large');
          assertProblem(assert, await send('[' + '1,'.repeat(512 * 1024) + '1]'), 413, 'payload_too_large');
          await assertHealthyAndUnchanged();
        });

        it('a wrong or missing Content-Type is 415', async () => {
          const body = JSON.stringify(ep.valid());
          for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
            assertProblem(assert, await send(body, { 'Content-Type': ct }), 415, 'unsupported_media_type');
          }
          // fetch sends a Uint8Array without a Content-Type
          const c = ep.client();
          const h = { ...(c.cookie ? { Cookie: c.cookie } : {}), ...(c.csrf ? { 'X-CSRF-Token': c.csrf } : {}) };
          const r = await fetch(srv.url + ep.path(), { method: ep.method.toUpperCase(), headers: h, body: new TextEncoder().encode(body) });
          assert.equal(r.status, 415);
          await assertHealthyAndUnchanged();
        });
      });
    }

    it('a valid body with "application/json; charset=utf-8" is accepted (the control case)', async () => {
      const r = await ctx.admin.post('/api/v1/departments', { name: 'Charset ok' },
        { 'Content-Type': 'application/json; charset=utf-8' });
      assert.equal(r.status, 201, r.text);
      assert.equal((await ctx.admin.delete(`/api/v1/departments/${r.body.id}`)).status, 204);
      await assertHealthyAndUnchanged();
    });

    describe('SQL metacharacters', () => {
      const names = [
        "'; DROP TABLE users; --",
        '" OR 1=1 --',
        "Robert'); DELETE FROM departments WHERE ('1'='1",
        'back\\slash \\\' \\" \\\\ end\\',
        '100% off_under_score %% __ %_',
        '$1 ? ?? :name @p {{ID}} ` ; /* */ --',
        "O'Brien \"The Wire\" 王'建\"国",
      ];
      const created = [];

      it('names are stored and read back verbatim', async () => {
        for (const [i, name] of names.entries()) {
          const d = await ctx.admin.post('/api/v1/departments', { name });
          assert.equal(d.status, 201, d.text);
          assert.equal(d.body.name, name);
          assert.equal((await ctx.admin.get(`/api/v1/departments/${d.body.id}`)).body.name, name);
          const u = await ctx.admin.post('/api/v1/users', {
            login: `meta${i}`, name, password: 'secret77', role: 'salesperson', department_id: d.body.id,
          });
          assert.equal(u.status, 201, u.text);
          assert.equal(u.body.name, name);
          assert.equal(u.body.department_name, name);
          assert.equal((await ctx.admin.get(`/api/v1/users/${u.body.id}`)).body.name, name);
          const p = await ctx.admin.patch(`/api/v1/users/${u.body.id}`, { version: 1, email: name.slice(0, 50) });
          assert.equal(p.status, 200, p.text);
          assert.equal(p.body.email, name.slice(0, 50));
          created.push({ dept: d.body, user: u.body });
        }
        const list = (await ctx.admin.get('/api/v1/departments')).body.items.map((d) => d.name);
        for (const n of names) assert.ok(list.includes(n));
        // the tables are all still there
        assert.ok((await ctx.admin.get('/api/v1/users?limit=500')).body.items.length >= 12 + names.length);
        // a login with metacharacters is refused as a login, not run as SQL
        const r = await ctx.admin.post('/api/v1/users', { login: "x' OR '1'='1", name: 'x', password: 'secret77', role: 'admin' });
        assert.deepEqual(fieldErrors(r), ['login/invalid']);
        assertProblem(assert, await ctx.anon.post('/api/v1/session', { login: "admin' --", password: 'x' }), 401);
        assertProblem(assert, await ctx.anon.post('/api/v1/session', { login: "' OR 1=1 --", password: "' OR 1=1 --" }), 401);
      });

      it('search takes %, _, quotes and backslashes literally and never errors', async () => {
        for (const { user } of created) {
          const r = await ctx.admin.get(`/api/v1/users?q=${encodeURIComponent(user.name)}`);
          assert.equal(r.status, 200, r.text);
          assert.deepEqual(r.body.items.map((u) => u.login), [user.login], `q=${user.name}`);
        }
        for (const q of ['%', '_', '%%', '__', "'", '"', '\\', '\\%', '%_', "'%", '--', ';', '?', '$1']) {
          const r = await ctx.admin.get(`/api/v1/users?limit=500&q=${encodeURIComponent(q)}`);
          assert.equal(r.status, 200, `q=${q}: ${r.text}`);
          for (const u of r.body.items) {
            assert.ok(u.login.toLowerCase().includes(q.toLowerCase()) || u.name.toLowerCase().includes(q.toLowerCase()),
              `q=${q} matched ${u.login} "${u.name}"`);
          }
        }
        const pct = await ctx.admin.get(`/api/v1/users?q=${encodeURIComponent('100%')}`);
        assert.deepEqual(pct.body.items.map((u) => u.login), ['meta4']);
        const und = await ctx.admin.get('/api/v1/users?q=_');
        assert.deepEqual(und.body.items.map((u) => u.login), ['meta4']);
        assert.equal((await srv.client().get('/healthz')).status, 200);
      });

      after(async () => {
        // back to the baseline for the tests that count
        for (const { dept, user } of created) {
          const u = (await ctx.admin.get(`/api/v1/users/${user.id}`)).body;
          await ctx.admin.patch(`/api/v1/users/${user.id}`, { version: u.version, department_id: null });
          await ctx.admin.delete(`/api/v1/departments/${dept.id}`);
        }
        baseline = await counts();
      });
    });

    it('path traversal never returns a file from disk', async () => {
      const shell = await rawRequest(srv.url, '/');
      assert.equal(shell.status, 200);
      const paths = [
        '/../../etc/passwd',
        '/%2e%2e/%2e%2e/etc/passwd',
        '/assets/..%2fmigrations',
        '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/assets/../../../../etc/passwd',
        '/assets/%2e%2e/%2e%2e/migrations/001_core.sql',
        '/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/%252e%252e/%252e%252e/etc/passwd',
        '/..\\..\\..\\etc\\passwd',
        '/assets/..%5c..%5cetc%5cpasswd',
        '//etc/passwd',
        '/etc/passwd',
        '/migrations/001_core.sql',
        '/src/main.c',
        '/index.html%00.js',
        '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
        '/api/../../etc/passwd',
        '/api/v1/../../../etc/passwd',
      ];
      for (const p of paths) {
        const r = await rawRequest(srv.url, p);
        const text = r.body.toString('latin1');
        assert.doesNotMatch(text, /root:|CREATE TABLE|#include/, `${p} leaked a file`);
        if (r.status === 200) assert.ok(r.body.equals(shell.body), `${p}: 200 but not the app shell`);
        else assert.ok(r.status >= 400 && r.status < 500, `${p}: ${r.status}`);
      }
      assert.equal((await srv.client().get('/healthz')).status, 200);
    });

    it('an unknown endpoint is 404 and a wrong method 405, as problem+json', async () => {
      for (const p of ['/api/v1/nope', '/api/v2/users', '/api/v1/users/1/nope', '/api/v1/users/', '/api/', '/api/v1/users/1/history/2']) {
        assertProblem(assert, await ctx.admin.get(p), 404, 'not_found');
      }
      const put = await ctx.admin.put('/api/v1/users', {});
      assertProblem(assert, put, 405, 'method_not_allowed');
      assert.equal(put.headers.get('allow'), 'GET, POST', 'a 405 names the allowed methods');
      assert.equal((await ctx.admin.delete('/api/v1/departments')).headers.get('allow'), 'GET, POST');
      assert.equal((await ctx.admin.post('/favicon.ico', {})).headers.get('allow'), 'GET, HEAD');
      assertProblem(assert, await ctx.admin.delete('/api/v1/users'), 405, 'method_not_allowed');
      assertProblem(assert, await ctx.admin.delete(`/api/v1/users/${ctx.victim.id}`), 405, 'method_not_allowed');
      assertProblem(assert, await ctx.admin.post('/api/v1/me', {}), 405, 'method_not_allowed');
      assertProblem(assert, await ctx.admin.post('/healthz', {}), 405, 'method_not_allowed');
      assertProblem(assert, await ctx.admin.post('/', {}), 405, 'method_not_allowed');
      const odd = await rawRequest(srv.url, '/api/v1/users', { method: 'BREW', headers: ctx.admin.cookie ? { Cookie: ctx.admin.cookie } : {} });
      assert.ok(odd.status === 405 || odd.status === 400 || odd.status === 501, `BREW: ${odd.status}`);
      await assertHealthyAndUnchanged();
    });

    it('non-numeric, zero, negative and huge ids are 404', async () => {
      const ids = ['abc', '-1', '0', '99999999999999999999', '9223372036854775807', '1.5', '1e3', '0x10', '%20', '+1', "1'", '1;', '1%20OR%201=1'];
      for (const id of ids) {
        for (const p of [`/api/v1/users/${id}`, `/api/v1/departments/${id}`, `/api/v1/users/${id}/history`, `/api/v1/departments/${id}/history`]) {
          const r = await ctx.admin.get(p);
          // a deleted department keeps its history, so a well-formed id there
          // is an empty list rather than a 404
          if (id === '9223372036854775807' && p.startsWith('/api/v1/departments/') && p.endsWith('/history')) {
            assert.equal(r.status, 200, r.text);
            assert.deepEqual(r.body.items, []);
            continue;
          }
          assertProblem(assert, r, 404, 'not_found');
        }
        assertProblem(assert, await ctx.admin.patch(`/api/v1/users/${id}`, { version: 1, name: 'x' }), 404, 'not_found');
        assertProblem(assert, await ctx.admin.patch(`/api/v1/departments/${id}`, { version: 1, name: 'x' }), 404, 'not_found');
        assertProblem(assert, await ctx.admin.delete(`/api/v1/departments/${id}`), 404, 'not_found');
      }
      // a path that is not UTF-8 once decoded is a bad request
      for (const p of ['/api/v1/users/%ff', '/api/v1/%c3/users', '/%ff%fe']) {
        assertProblem(assert, await ctx.admin.get(p), 400, 'bad_request');
      }
      await assertHealthyAndUnchanged();
    });

    it('bad paging and search parameters are 400', async () => {
      const bad = ['limit=0', 'limit=100000', 'limit=-1', 'limit=abc', 'limit=1.5', 'limit=99999999999999999999',
        'cursor=abc', 'cursor=-1', 'cursor=1e3', 'cursor=99999999999999999999',
        `q=${'x'.repeat(101)}`,
        // Regression: a q that is not UTF-8 reached PostgreSQL, which refused
        // the parameter: 500 instead of 400.
        'q=%ff', 'q=%c3', 'q=a%ed%a0%80b', 'q=%e5%ad'];
      for (const qs of bad) {
        for (const p of ['/api/v1/users', `/api/v1/users/${ctx.victim.id}/history`]) {
          if (p.includes('history') && qs.startsWith('q=')) continue;
          assertProblem(assert, await ctx.admin.get(`${p}?${qs}`), 400, 'bad_request');
        }
      }
      // the limits themselves are fine
      assert.equal((await ctx.admin.get('/api/v1/users?limit=1')).body.items.length, 1);
      assert.equal((await ctx.admin.get('/api/v1/users?limit=500&cursor=0')).status, 200);
      assert.equal((await ctx.admin.get(`/api/v1/users?q=${'x'.repeat(100)}`)).status, 200);
      await assertHealthyAndUnchanged();
    });
  });
}

// A media type that only starts like JSON is not JSON.
describe('content type prefixes', () => {
  let srv;
  before(async () => { srv = await startServer({}); });
  after(async () => { await srv.stop(); });
  it('application/jsonfoo is 415, application/json; charset=utf-8 is fine', async () => {
    const bad = await srv.client().post('/api/v1/session', { login: 'admin', password: 'demo123' }, { 'Content-Type': 'application/jsonfoo' });
    assertProblem(assert, bad, 415, 'unsupported_media_type');
    const ok = await srv.client().post('/api/v1/session', { login: 'admin', password: 'demo123' }, { 'Content-Type': 'application/json; charset=utf-8' });
    assert.equal(ok.status, 200);
  });
});
