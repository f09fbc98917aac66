// users.test.mjs — the users resource as a user relies on it: administrators
// create and edit users (validation, unique logins, optimistic versions),
// nobody else may, search and cursor paging, and the history of a user.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

/** Every user, walking the pages. */
async function allUsers(c) {
  const r = await c.get('/api/v1/users?limit=500');
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

function fieldErrors(r) {
  return (r.body?.errors || []).map((e) => `${e.field}/${e.code}`);
}

for (const engine of engines()) {
  describe(`users [${engine}]`, () => {
    let srv, admin;
    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
    });
    after(async () => { await srv.stop(); });

    it('an administrator creates a user: 201 with the record, and the user can sign in', async () => {
      const deps = (await admin.get('/api/v1/departments')).body.items;
      const dep = deps.find((d) => d.name.includes('Finance'));
      const r = await admin.post('/api/v1/users', {
        login: 'qian', name: '钱多多 Qian Duoduo', password: 'secret77', role: 'finance',
        department_id: dep.id, email: 'qian@example.com', locale: 'zh-CN',
      });
      assert.equal(r.status, 201, r.text);
      const u = r.body;
      assert.ok(Number.isInteger(u.id) && u.id > 0);
      assert.equal(u.login, 'qian');
      assert.equal(u.name, '钱多多 Qian Duoduo');
      assert.equal(u.role, 'finance');
      assert.equal(u.department_id, dep.id);
      assert.equal(u.department_name, dep.name);
      assert.equal(u.email, 'qian@example.com');
      assert.equal(u.locale, 'zh-CN');
      assert.equal(u.active, true);
      assert.equal(u.version, 1);
      assert.ok(!('password' in u) && !('password_hash' in u), 'no password in the reply');
      const got = await admin.get(`/api/v1/users/${u.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, u);
      const me = await (await srv.login('qian', 'secret77')).get('/api/v1/me');
      assert.equal(me.body.login, 'qian');
      assert.equal(me.body.role, 'finance');
    });

    it('refuses a taken login, an unknown role, a missing department and a short password, creating nothing', async () => {
      const before = (await allUsers(admin)).length;
      const base = { login: 'newbie', name: 'New Bie', password: 'secret77', role: 'salesperson' };

      let r = await admin.post('/api/v1/users', { ...base, login: 'zhang' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['login/taken']);

      r = await admin.post('/api/v1/users', { ...base, role: 'boss' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['role/invalid']);

      r = await admin.post('/api/v1/users', { ...base, department_id: 987654 });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['department_id/not_found']);

      r = await admin.post('/api/v1/users', { ...base, password: '12345' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['password/too_short']);

      r = await admin.post('/api/v1/users', { ...base, login: 'New Bie' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['login/invalid']);

      r = await admin.post('/api/v1/users', { name: 'x' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r).sort(), ['login/required', 'password/required', 'role/required']);

      assert.equal((await allUsers(admin)).length, before, 'nothing was created');
      assert.ok(!(await allUsers(admin)).some((u) => u.login === 'newbie'));
    });

    it('PATCH with a stale version is 409 version_conflict with current_version, and changes nothing', async () => {
      const u = (await admin.post('/api/v1/users', {
        login: 'stale', name: 'Stale One', password: 'secret77', role: 'salesperson',
      })).body;
      const ok = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, name: 'Fresh One' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.version, u.version + 1);
      assert.equal(ok.body.name, 'Fresh One');

      const r = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, name: 'Overwritten', role: 'admin' });
      assertProblem(assert, r, 409, 'version_conflict');
      assert.equal(r.body.current_version, u.version + 1);
      const now = (await admin.get(`/api/v1/users/${u.id}`)).body;
      assert.equal(now.name, 'Fresh One');
      assert.equal(now.role, 'salesperson');
      assert.equal(now.version, u.version + 1);
    });

    it('PATCH changes the password, role and department; the old password stops working', async () => {
      const deps = (await admin.get('/api/v1/departments')).body.items;
      const u = (await admin.post('/api/v1/users', {
        login: 'mover', name: 'Mover', password: 'first-pass', role: 'salesperson',
      })).body;
      const r = await admin.patch(`/api/v1/users/${u.id}`, {
        version: 1, password: 'second-pass', role: 'warehouse', department_id: deps[0].id,
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.role, 'warehouse');
      assert.equal(r.body.department_id, deps[0].id);
      assert.ok(!('password_changed' in r.body) && !('password_hash' in r.body));
      assertProblem(assert, await srv.client().post('/api/v1/session', { login: 'mover', password: 'first-pass' }), 401);
      await srv.login('mover', 'second-pass');
      const cleared = await admin.patch(`/api/v1/users/${u.id}`, { version: 2, department_id: null });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal(cleared.body.department_id, null);
      assert.equal(cleared.body.role, 'warehouse', 'fields left out are kept');
    });

    for (const login of ['zhang', 'wang']) {
      it(`a ${login === 'zhang' ? 'salesperson' : 'sales manager'} cannot create or edit users (403) and nothing changes`, async () => {
        const c = await srv.login(login);
        const count = (await allUsers(admin)).length;
        const victim = (await admin.get('/api/v1/users?q=chen')).body.items[0];
        assertProblem(assert, await c.post('/api/v1/users', {
          login: `by${login}`, name: 'Sneaky', password: 'secret77', role: 'admin',
        }), 403, 'forbidden');
        assertProblem(assert, await c.patch(`/api/v1/users/${victim.id}`, {
          version: victim.version, role: 'admin', name: 'Hacked',
        }), 403, 'forbidden');
        const self = (await c.get('/api/v1/me')).body;
        const selfRec = (await admin.get(`/api/v1/users/${self.id}`)).body;
        assertProblem(assert, await c.patch(`/api/v1/users/${self.id}`, {
          version: selfRec.version, role: 'admin',
        }), 403, 'forbidden');
        assertProblem(assert, await c.get(`/api/v1/users/${victim.id}/history`), 403, 'forbidden');
        assert.equal((await allUsers(admin)).length, count);
        assert.deepEqual((await admin.get(`/api/v1/users/${victim.id}`)).body, victim);
        assert.equal((await admin.get(`/api/v1/users/${self.id}`)).body.role, selfRec.role);
      });
    }

    it('search finds a Chinese substring of the name, and login fragments case-insensitively', async () => {
      let r = await admin.get(`/api/v1/users?q=${encodeURIComponent('建国')}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.items.map((u) => u.login), ['wang']);
      r = await admin.get('/api/v1/users?q=WANG');
      assert.ok(r.body.items.some((u) => u.login === 'wang'));
      r = await admin.get('/api/v1/users?q=zhe');
      assert.deepEqual(r.body.items.map((u) => u.login), ['zheng']);
      r = await admin.get(`/api/v1/users?q=${encodeURIComponent('没有这个人')}`);
      assert.deepEqual(r.body.items, []);
      assert.equal(r.body.next_cursor, null);
      // every signed-in user may search colleagues
      const z = await srv.login('zhao');
      r = await z.get(`/api/v1/users?q=${encodeURIComponent('建国')}`);
      assert.deepEqual(r.body.items.map((u) => u.login), ['wang']);
    });

    it('cursor paging with limit=2 walks every user once, in order', async () => {
      const all = await allUsers(admin);
      assert.ok(all.length >= 12);
      const seen = [];
      let cursor = null, pages = 0;
      do {
        const r = await admin.get(`/api/v1/users?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.items.length <= 2 && r.body.items.length > 0);
        seen.push(...r.body.items.map((u) => u.id));
        cursor = r.body.next_cursor;
        assert.ok(++pages < 100, 'paging ends');
      } while (cursor);
      assert.equal(new Set(seen).size, seen.length, 'no duplicates');
      assert.deepEqual(seen, all.map((u) => u.id));
      // paging also works with a search
      const q = [];
      cursor = null;
      do {
        const r = await admin.get(`/api/v1/users?q=a&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        q.push(...r.body.items.map((u) => u.login));
        cursor = r.body.next_cursor;
      } while (cursor);
      const expected = all.filter((u) => /a/i.test(u.login) || /a/i.test(u.name)).map((u) => u.login);
      assert.deepEqual(q, expected);
    });

    it('the history lists create and update with before/after and never a password hash', async () => {
      const u = (await admin.post('/api/v1/users', {
        login: 'hist', name: 'History Old', password: 'secret77', role: 'salesperson',
      })).body;
      assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: 1, name: 'History New' })).status, 200);
      assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: 2, password: 'another77' })).status, 200);
      const r = await admin.get(`/api/v1/users/${u.id}/history`);
      assert.equal(r.status, 200, r.text);
      const items = r.body.items;
      assert.deepEqual(items.map((h) => h.action), ['update', 'update', 'create'], 'newest first');
      const [pw, rename, create] = items;
      assert.equal(create.before, null);
      assert.equal(create.after.login, 'hist');
      assert.equal(create.after.name, 'History Old');
      assert.equal(create.user_name, '系统管理员 Admin');
      assert.equal(rename.before.name, 'History Old');
      assert.equal(rename.after.name, 'History New');
      assert.equal(rename.before.version, 1);
      assert.equal(rename.after.version, 2);
      assert.equal(pw.after.password_changed, true, 'a password change is recorded as such');
      assert.doesNotMatch(r.text, /\$argon2|password_hash|another77|secret77/);
      // paging the history
      const p1 = await admin.get(`/api/v1/users/${u.id}/history?limit=2`);
      assert.equal(p1.body.items.length, 2);
      const p2 = await admin.get(`/api/v1/users/${u.id}/history?limit=2&cursor=${p1.body.next_cursor}`);
      assert.deepEqual(p2.body.items.map((h) => h.action), ['create']);
      assert.equal(p2.body.next_cursor, null);
      assertProblem(assert, await admin.get('/api/v1/users/987654/history'), 404, 'not_found');
    });

    it('an administrator can neither disable nor demote themselves', async () => {
      const me = (await admin.get('/api/v1/me')).body;
      const rec = (await admin.get(`/api/v1/users/${me.id}`)).body;
      let r = await admin.patch(`/api/v1/users/${me.id}`, { version: rec.version, active: false });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['active/self']);
      r = await admin.patch(`/api/v1/users/${me.id}`, { version: rec.version, role: 'salesperson' });
      assert.deepEqual(fieldErrors(r), ['role/self']);
      assert.deepEqual((await admin.get(`/api/v1/users/${me.id}`)).body, rec);
    });
  });
}
