// customer_search_parts.test.mjs — a salesperson's quick search. On SQLite
// it asks each part of what they see by its own index (src/sales/
// customer_parts.c): the pool's own FTS5 index, their own customers by
// owner, the ones shared with them by id. Both engines must give one answer:
// page after page, newest first, exactly the matching customers the
// salesperson may see (the pool, their own — protected too —, shared ones)
// and none of another's; with a filter; and after an import into the pool,
// moves in and out of the pool and a new name, which the pool's index must
// follow.
//
// Demo company: zhang and chen sell in East China, liu in North China.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer } from '../lib/server.mjs';
import { allPages } from '../lib/pages.mjs';
import { importFile } from '../fixtures/io-helpers.mjs';

const N = 90;
const TAG = '分部件';
const nameOf = (i) => `${TAG}第${i}号`;
// i % 6: 0 zhang's (every other one protected), 1 and 4 the pool, 2 liu's,
// 3 liu's protected, 5 chen's; liu shares 2 and 8 with zhang
const ownerOf = (i) => ['zhang', null, 'liu', 'liu', null, 'chen'][i % 6];
const SHARED = [2, 8];

for (const engine of engines()) {
  describe(`a salesperson's quick search by parts [${engine}]`, () => {
    let srv, zhang, liu, admin;
    const users = {};
    const id = {}; // i → customer id
    const num = {}; // customer id → i
    before(async () => {
      srv = await startServer({ engine });
      [zhang, liu, admin] = await Promise.all(['zhang', 'liu', 'admin'].map((u) => srv.login(u)));
      for (const u of (await admin.get('/api/v1/users?limit=500')).body.items) users[u.login] = u;
      for (let i = 1; i <= N; i++) {
        const owner = ownerOf(i);
        const body = { name: nameOf(i), phone: `1365555${String(i).padStart(4, '0')}`, owner_id: owner ? users[owner].id : null };
        if (owner) body.protected = i % 6 === 3 || (i % 6 === 0 && i % 12 === 0);
        const r = await admin.post('/api/v1/customers', body);
        assert.equal(r.status, 201, r.text);
        id[i] = r.body.id;
        num[r.body.id] = i;
      }
      for (const i of SHARED) {
        const r = await liu.post(`/api/v1/customers/${id[i]}/shares`, { user_id: users.zhang.id, mode: 'read' });
        assert.equal(r.status, 201, r.text);
      }
    });
    after(async () => { await srv.stop(); });

    /** The i zhang should find among 1..N for a search every name holds. */
    const zhangSees = (moved = {}) => {
      const want = [];
      for (let i = 1; i <= N; i++) {
        const owner = i in moved ? moved[i] : ownerOf(i);
        if (owner === 'zhang' || owner === null || SHARED.includes(i)) want.push(i);
      }
      return want.sort((a, b) => b - a);
    };
    const numbers = (items) => items.map((c) => num[c.id]);

    it('every page, newest first, is exactly the pool, their own and the shared ones', async () => {
      const want = zhangSees();
      for (const limit of [4, 7, 50]) {
        const items = await allPages(zhang, TAG, limit);
        assert.deepEqual(numbers(items), want, `limit ${limit}`);
      }
      // the same rows as the list's other order, which reads the policy's filter
      const asc = await allPages(zhang, TAG, 500, '&sort=id');
      assert.deepEqual(numbers(asc), [...want].reverse());
    });

    /** Searching each customer by q(i) finds it exactly where zhang may see it. */
    const findsWhereSeen = async (q) => {
      const one = async (i) => numbers((await zhang.get(`/api/v1/customers?q=${encodeURIComponent(q(i))}`)).body.items);
      for (const [i, want, who] of [[13, [13], 'the pool'], [30, [30], 'their own'], [24, [24], 'their own, protected'],
        [8, [8], 'shared with them'], [14, [], "liu's"], [15, [], "liu's, protected"], [17, [], "chen's"]]) {
        assert.deepEqual(await one(i), want, who);
      }
    };

    it('a whole phone number (its tails) finds its customer only where zhang may see it', async () => {
      await findsWhereSeen((i) => `1365555${String(i).padStart(4, '0')}`);
    });

    it('a full name finds its customer only where zhang may see it', async () => {
      await findsWhereSeen(nameOf);
      assert.deepEqual(numbers((await liu.get(`/api/v1/customers?q=${encodeURIComponent(nameOf(14))}`)).body.items), [14]);
    });

    it('a filter applies to every part', async () => {
      const prot = await allPages(zhang, TAG, 3, '&protected=true');
      assert.deepEqual(numbers(prot), zhangSees().filter((i) => i % 12 === 0));
      const one = await allPages(zhang, `${TAG}第1`, 2);
      assert.deepEqual(numbers(one), zhangSees().filter((i) => String(i).startsWith('1')));
    });

    it('among many of their own customers, a rare name is matched against the index first', async () => {
      // over OWN_READ_MAX (32) of zhang's own customers and a query of more
      // than two terms: customer_parts.c asks the whole index for candidates
      const mine = {};
      for (let i = 0; i < 40; i++) {
        const r = await admin.post('/api/v1/customers', {
          name: `自有部件第${i}号`, phone: `1368888${String(i).padStart(4, '0')}`, owner_id: users.zhang.id,
        });
        assert.equal(r.status, 201, r.text);
        mine[r.body.id] = i;
      }
      const found = async (q, limit) => (await allPages(zhang, q, limit)).map((c) => mine[c.id]);
      assert.deepEqual(await found('自有部件第7号', 50), [7]);
      assert.deepEqual(await found('自有部件第39号', 50), [39]);
      const ones = [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 1];
      assert.deepEqual(await found('自有部件第1', 3), ones);
      assert.deepEqual(await found('自有部件第1', 50), ones);
      assert.deepEqual((await liu.get(`/api/v1/customers?q=${encodeURIComponent('自有部件第7号')}`)).body.items, []);
    });

    it("an import into the pool is in the pool's index at once (a batch fills it itself)", async () => {
      const lines = ['客户名称,手机'];
      for (let i = 0; i < 40; i++) lines.push(`导入部件第${i}号,1367777${String(i).padStart(4, '0')}`);
      const job = await importFile(admin, `${lines.join('\n')}\n`, { 客户名称: 'name', 手机: 'phone' },
        { filename: 'pool.csv', owner: null });
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, 40, JSON.stringify(job.errors));
      const found = await allPages(zhang, '导入部件', 7);
      assert.equal(found.length, 40);
      assert.ok(found.every((c) => c.owner_id === null));
      assert.deepEqual((await allPages(zhang, '导入部件第17号', 7)).map((c) => c.name), ['导入部件第17号']);
    });

    it('moves in and out of the pool and a new name are searched at once', async () => {
      // the pool's 1 goes to liu; liu's 20 is taken back into the pool; the pool's 7 is renamed
      let r = await admin.post('/api/v1/customers/assign', { ids: [id[1]], owner_id: users.liu.id, reason: '分配' });
      assert.equal(r.status, 200, r.text);
      r = await admin.post('/api/v1/customers/takeback', { ids: [id[20]], reason: '收回' });
      assert.equal(r.status, 200, r.text);
      const seven = (await admin.get(`/api/v1/customers/${id[7]}`)).body;
      r = await admin.patch(`/api/v1/customers/${id[7]}`, { name: `改名部件第7号`, version: seven.version });
      assert.equal(r.status, 200, r.text);

      const want = zhangSees({ 1: 'liu', 20: null }).filter((i) => i !== 7);
      for (const limit of [5, 50]) assert.deepEqual(numbers(await allPages(zhang, TAG, limit)), want, `limit ${limit}`);
      assert.deepEqual(numbers((await zhang.get(`/api/v1/customers?q=${encodeURIComponent('改名部件')}`)).body.items), [7]);
      // and back: 1 returns to the pool, 7 keeps its new name
      r = await admin.post('/api/v1/customers/takeback', { ids: [id[1]], reason: '收回' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(numbers(await allPages(zhang, TAG, 6)), zhangSees({ 20: null }).filter((i) => i !== 7));
    });
  });
}
