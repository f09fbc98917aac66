// departments.test.mjs — the department tree: create, rename, move, no
// cycles, delete only when empty, optimistic versions, history; only
// administrators change it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

function fieldErrors(r) {
  return (r.body?.errors || []).map((e) => `${e.field}/${e.code}`);
}

for (const engine of engines()) {
  describe(`departments [${engine}]`, () => {
    let srv, admin;
    const tree = async () => (await admin.get('/api/v1/departments')).body.items;
    const create = async (body) => {
      const r = await admin.post('/api/v1/departments', body);
      assert.equal(r.status, 201, r.text);
      return r.body;
    };

    before(async () => {
      srv = await startServer({ engine });
      admin = await srv.login('admin');
    });
    after(async () => { await srv.stop(); });

    it('creates a department under a parent, with a manager: 201 with the record', async () => {
      const root = (await tree()).find((d) => d.parent_id === null);
      const wang = (await admin.get('/api/v1/users?q=wang')).body.items[0];
      const d = await create({ name: '华南销售组 South China Sales', parent_id: root.id, manager_id: wang.id });
      assert.ok(d.id > 0);
      assert.equal(d.name, '华南销售组 South China Sales');
      assert.equal(d.parent_id, root.id);
      assert.equal(d.manager_id, wang.id);
      assert.equal(d.manager_name, wang.name);
      assert.equal(d.version, 1);
      assert.deepEqual((await admin.get(`/api/v1/departments/${d.id}`)).body, d);
      assert.ok((await tree()).some((x) => x.id === d.id));
      // every signed-in user reads the tree
      const z = await srv.login('zhang');
      assert.ok((await z.get('/api/v1/departments')).body.items.some((x) => x.id === d.id));
    });

    it('refuses an unknown parent or manager and an empty name, creating nothing', async () => {
      const n = (await tree()).length;
      let r = await admin.post('/api/v1/departments', { name: 'Orphan', parent_id: 987654 });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['parent_id/not_found']);
      r = await admin.post('/api/v1/departments', { name: 'Nobody leads', manager_id: 987654 });
      assert.deepEqual(fieldErrors(r), ['manager_id/not_found']);
      r = await admin.post('/api/v1/departments', { name: '' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(fieldErrors(r), ['name/required']);
      assert.equal((await tree()).length, n);
    });

    it('renames and moves a department; a stale version is 409 and changes nothing', async () => {
      const a = await create({ name: 'Move A' });
      const b = await create({ name: 'Move B' });
      let r = await admin.patch(`/api/v1/departments/${a.id}`, { version: 1, name: 'Moved A', parent_id: b.id });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.name, 'Moved A');
      assert.equal(r.body.parent_id, b.id);
      assert.equal(r.body.version, 2);
      r = await admin.patch(`/api/v1/departments/${a.id}`, { version: 1, name: 'Lost update' });
      assertProblem(assert, r, 409, 'version_conflict');
      assert.equal(r.body.current_version, 2);
      assert.equal((await admin.get(`/api/v1/departments/${a.id}`)).body.name, 'Moved A');
      // back to the top level
      r = await admin.patch(`/api/v1/departments/${a.id}`, { version: 2, parent_id: null });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.parent_id, null);
      assert.equal(r.body.name, 'Moved A', 'fields left out are kept');
    });

    it('refuses a cycle: a department cannot move below itself or its descendants', async () => {
      const top = await create({ name: 'Cycle top' });
      const mid = await create({ name: 'Cycle mid', parent_id: top.id });
      const low = await create({ name: 'Cycle low', parent_id: mid.id });
      for (const target of [top, mid, low]) {
        const r = await admin.patch(`/api/v1/departments/${top.id}`, { version: 1, parent_id: target.id });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(fieldErrors(r).includes('parent_id/cycle'), r.text);
      }
      const t = (await admin.get(`/api/v1/departments/${top.id}`)).body;
      assert.equal(t.parent_id, null);
      assert.equal(t.version, 1);
      // moving the lowest one up is fine
      const r = await admin.patch(`/api/v1/departments/${low.id}`, { version: 1, parent_id: top.id });
      assert.equal(r.status, 200, r.text);
    });

    it('delete is refused (409 in_use) while the department has users or sub-departments, and works when empty', async () => {
      const parent = await create({ name: 'Delete parent' });
      const child = await create({ name: 'Delete child', parent_id: parent.id });
      const u = (await admin.post('/api/v1/users', {
        login: 'deluser', name: 'Del User', password: 'secret77', role: 'salesperson', department_id: child.id,
      })).body;
      assertProblem(assert, await admin.delete(`/api/v1/departments/${parent.id}`), 409, 'in_use');
      assertProblem(assert, await admin.delete(`/api/v1/departments/${child.id}`), 409, 'in_use');
      assert.equal((await admin.get(`/api/v1/departments/${child.id}`)).status, 200, 'still there');
      // a disabled user still belongs to the department
      assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: 1, active: false })).status, 200);
      assertProblem(assert, await admin.delete(`/api/v1/departments/${child.id}`), 409, 'in_use');
      assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: 2, department_id: null })).status, 200);
      assert.equal((await admin.delete(`/api/v1/departments/${child.id}`)).status, 204);
      assertProblem(assert, await admin.get(`/api/v1/departments/${child.id}`), 404, 'not_found');
      assert.equal((await admin.delete(`/api/v1/departments/${parent.id}`)).status, 204);
      assertProblem(assert, await admin.delete(`/api/v1/departments/${parent.id}`), 404, 'not_found');
      assert.ok(!(await tree()).some((d) => d.id === parent.id || d.id === child.id));
    });

    it('the history lists create, update and delete with before/after', async () => {
      const d = await create({ name: 'Hist old' });
      assert.equal((await admin.patch(`/api/v1/departments/${d.id}`, { version: 1, name: 'Hist new' })).status, 200);
      assert.equal((await admin.delete(`/api/v1/departments/${d.id}`)).status, 204);
      const r = await admin.get(`/api/v1/departments/${d.id}/history`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.items.map((h) => h.action), ['delete', 'update', 'create']);
      const [del, upd, cre] = r.body.items;
      assert.equal(cre.before, null);
      assert.equal(cre.after.name, 'Hist old');
      assert.equal(upd.before.name, 'Hist old');
      assert.equal(upd.after.name, 'Hist new');
      assert.equal(del.before.name, 'Hist new');
      assert.equal(del.after, null);
      for (const h of r.body.items) assert.equal(h.user_name, '系统管理员 Admin');
    });

    // Regression: on SQLite a new department got the id of the last deleted
    // one (INTEGER PRIMARY KEY without AUTOINCREMENT) and so showed that
    // department's history as its own.
    it('a new department never gets the id, nor the history, of a deleted one', async () => {
      const old = await create({ name: 'Gone soon' });
      assert.equal((await admin.delete(`/api/v1/departments/${old.id}`)).status, 204);
      const fresh = await create({ name: 'Brand new' });
      assert.ok(fresh.id > old.id, `id ${fresh.id} after deleted ${old.id}`);
      const h = await admin.get(`/api/v1/departments/${fresh.id}/history`);
      assert.deepEqual(h.body.items.map((x) => x.action), ['create']);
    });

    it('only administrators change the tree (403) and nothing changes', async () => {
      const d = await create({ name: 'Guarded' });
      for (const login of ['wang', 'zhang', 'sun']) {
        const c = await srv.login(login);
        assertProblem(assert, await c.post('/api/v1/departments', { name: `by ${login}` }), 403, 'forbidden');
        assertProblem(assert, await c.patch(`/api/v1/departments/${d.id}`, { version: 1, name: 'Taken over' }), 403, 'forbidden');
        assertProblem(assert, await c.delete(`/api/v1/departments/${d.id}`), 403, 'forbidden');
        assertProblem(assert, await c.get(`/api/v1/departments/${d.id}/history`), 403, 'forbidden');
      }
      assert.deepEqual((await admin.get(`/api/v1/departments/${d.id}`)).body, d);
      assert.ok(!(await tree()).some((x) => x.name.startsWith('by ')));
    });
  });
}
