// customer_search_dense.test.mjs — quick search for a fragment that many
// customers share. On SQLite such a fragment (2,000 or more matches, densely
// among the newest rows) is looked up by scanning the list order and testing
// the search text, not through the FTS5 index (src/db/sqlq.c,
// db_search_filter): these tests check that both ways give the same rows —
// every match, only matches, newest first, page after page, through the
// policy's visibility filter — and that rare fragments still use the index.
// 2,400 of 3,000 imported customers carry the common fragment.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer } from '../lib/server.mjs';
import { allPages } from '../lib/pages.mjs';
import { importFile } from '../fixtures/io-helpers.mjs';

const ROWS = 3000;
const COMMON = '稠密线缆'; // in rows where i % 5 != 0
const nameOf = (i) => (i % 5 ? `测试${COMMON}第${i}号有限公司` : `测试稀疏第${i}号贸易行`);
const phoneOf = (i) => `139${String(70000000 + i).padStart(8, '0')}`;

for (const engine of engines()) {
  describe(`customer search, common fragments [${engine}]`, () => {
    let srv, zhang, zhao, admin;
    before(async () => {
      srv = await startServer({ engine });
      [zhang, zhao, admin] = await Promise.all(['zhang', 'zhao', 'admin'].map((u) => srv.login(u)));
      const lines = ['客户名称,手机'];
      for (let i = 1; i <= ROWS; i++) lines.push(`${nameOf(i)},${phoneOf(i)}`);
      const job = await importFile(zhang, `${lines.join('\n')}\n`, { 客户名称: 'name', 手机: 'phone' },
        { filename: 'dense.csv' });
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, ROWS, JSON.stringify(job.errors));
    });
    after(async () => { await srv.stop(); });

    it('a fragment in 2,400 customers: every match once, newest first, over pages of 50 and 500', async () => {
      const want = new Set();
      for (let i = 1; i <= ROWS; i++) if (i % 5) want.add(nameOf(i));
      for (const limit of [500, 50]) {
        const items = await allPages(zhang, COMMON, limit);
        assert.equal(items.length, want.size, `limit ${limit}`);
        assert.deepEqual(new Set(items.map((c) => c.name)), want);
        for (let k = 1; k < items.length; k++) assert.ok(items[k - 1].id > items[k].id, 'id DESC');
      }
      // the first page is the newest rows, spelled with other case and spaces too
      const first = await zhang.get(`/api/v1/customers?q=${encodeURIComponent(' 稠密 线缆 ')}&limit=3`);
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(first.body.items.map((c) => c.name), [nameOf(2999), nameOf(2998), nameOf(2997)]);
    });

    it('one character and a digit fragment in many rows find exactly the rows that contain them', async () => {
      const one = await allPages(zhang, '密', 500);
      assert.equal(one.length, 2400);
      // 1397000xxxx: every imported phone; "39700" is in all 3,000
      const digits = await allPages(zhang, '39700', 500);
      assert.equal(digits.filter((c) => c.name.startsWith('测试')).length, ROWS);
    });

    it('a rare fragment next to the common one finds just its rows', async () => {
      const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent(`${COMMON}第1234号`)}`);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.items.map((c) => c.name), [nameOf(1234)]);
      const p = await zhang.get(`/api/v1/customers?q=${phoneOf(2345).slice(3)}`);
      assert.deepEqual(p.body.items.map((c) => c.name), [nameOf(2345)]);
      const none = await zhang.get(`/api/v1/customers?q=${encodeURIComponent(`${COMMON}第9999号`)}`);
      assert.deepEqual(none.body.items, []);
    });

    it('the policy filter still applies: others see only what they may open', async () => {
      const mine = await allPages(zhang, COMMON, 500);
      assert.equal(mine.length, 2400);
      const theirs = await allPages(zhao, COMMON, 500);
      assert.ok(theirs.length < 2400, 'a salesperson of another department does not see all of zhang\'s customers');
      for (const c of theirs.slice(0, 5)) {
        assert.equal((await zhao.get(`/api/v1/customers/${c.id}`)).status, 200);
      }
      const hidden = mine.find((c) => !theirs.some((t) => t.id === c.id));
      if (hidden) assert.equal((await zhao.get(`/api/v1/customers/${hidden.id}`)).status, 404);
      const all = await allPages(admin, COMMON, 500);
      assert.equal(all.length, 2400);
    });
  });
}
