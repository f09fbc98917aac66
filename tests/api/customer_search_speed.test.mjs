// customer_search_speed.test.mjs — the fast quick-search paths give exactly
// the rows that contain the query. On SQLite a query of four characters or
// more asks the full-text index for its rarest terms (bigrams and CJK
// trigrams) only and confirms each candidate with the search text
// (src/db/sqlq.c), three Chinese characters are their trigram, and the
// newest-first list is driven from the index in rowid order (db_search_drive): rows that
// hold every bigram but not the whole string — spread over two fields, or in
// another order — must not come back; paging, other sorts and the policy's
// visibility must give the same rows as before. Runs on both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer } from '../lib/server.mjs';
import { allPages } from '../lib/pages.mjs';

for (const engine of engines()) {
  describe(`customer quick search, rarest bigrams and index-driven pages [${engine}]`, () => {
    let srv, zhang, zhao, admin;
    const made = {};
    const add = async (who, body) => {
      const r = await who.post('/api/v1/customers', { ...body, confirm_duplicates: true });
      assert.equal(r.status, 201, r.text);
      made[body.name] = r.body;
      return r.body;
    };
    before(async () => {
      srv = await startServer({ engine });
      [zhang, zhao, admin] = await Promise.all(['zhang', 'zhao', 'admin'].map((u) => srv.login(u)));
      // the whole string, in a name and in an address
      await add(zhang, { name: '甲乙丙丁戊己贸易公司', phone: '13911110001' });
      await add(zhang, { name: '某某五金店', address: '城东甲乙丙丁戊己路8号', phone: '13911110002' });
      // every bigram of 甲乙丙丁戊己, but split over two fields: no match
      await add(zhang, { name: '甲乙丙丁商行', address: '丁戊己大街', phone: '13911110003' });
      // every bigram, in another order: no match
      await add(zhang, { name: '戊己甲乙丙丁厂', phone: '13911110004' });
      // a long digit string: only the row holding all of it
      await add(zhang, { name: '数字客户一', phone: '13987654321', telephone: '0512-6688' });
      await add(zhang, { name: '数字客户二', phone: '13987654000', telephone: '0512-4321' });
      // 5432 and 4321 apart (phone, telephone): no 54321; then one that has it
      await add(zhang, { name: '数字客户三', phone: '13954320000', telephone: '0371-4321' });
      await add(zhang, { name: '数字客户四', phone: '13954321777' });
      // the same last eight digits as 数字客户一's phone (a tail), not the whole
      await add(zhang, { name: '数字客户五', phone: '15587654321' });
      // protected, of another salesperson: others must not see it
      const p = await add(zhao, { name: '乙丙丁戊己庚保护客户', phone: '13911110005' });
      const pr = await zhao.put(`/api/v1/customers/${p.id}/protection`, { protected: true, version: p.version });
      assert.equal(pr.status, 200, pr.text);
      // many rows with the common part, to page through
      for (let i = 0; i < 12; i++) await add(zhang, { name: `甲乙丙丁戊己分号${i}`, phone: `1391112${String(i).padStart(4, '0')}` });
    });
    after(async () => { await srv.stop(); });

    it('a long query finds the rows holding the whole string, not those holding its bigrams apart', async () => {
      const names = (await allPages(zhang, '甲乙丙丁戊己', 50)).map((c) => c.name);
      assert.ok(names.includes('甲乙丙丁戊己贸易公司'));
      assert.ok(names.includes('某某五金店'), 'found in the address');
      assert.ok(!names.includes('甲乙丙丁商行'), 'bigrams spread over name and address are no match');
      assert.ok(!names.includes('戊己甲乙丙丁厂'), 'the bigrams in another order are no match');
      assert.equal(names.length, 14);
      const digits = (await allPages(zhang, '13987654321', 50)).map((c) => c.name);
      assert.deepEqual(digits, ['数字客户一']);
      const none = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己庚辛')}`);
      assert.equal(none.status, 200, none.text);
      assert.deepEqual(none.body.items, []);
    });

    it('three Chinese characters (one trigram) find the rows holding them, within one field', async () => {
      const three = async (q) => (await allPages(zhang, q, 50)).map((c) => c.name).sort();
      assert.equal((await three('丙丁戊')).length, 14);
      const tail = await three('丁戊己');
      assert.equal(tail.length, 15);
      assert.ok(tail.includes('甲乙丙丁商行'), 'in the address');
      assert.deepEqual(await three('丁商行'), ['甲乙丙丁商行']);
      assert.deepEqual(await three('行丁戊'), [], 'not across the name and the address');
      assert.deepEqual(await three('己甲乙'), ['戊己甲乙丙丁厂']);
    });

    it('pages of the index-driven list are newest first, each row once, and equal the other sorts', async () => {
      for (const limit of [1, 5, 50]) {
        const items = await allPages(zhang, '甲乙丙丁戊己', limit);
        assert.equal(items.length, 14, `limit ${limit}`);
        assert.equal(new Set(items.map((c) => c.id)).size, 14);
        for (let k = 1; k < items.length; k++) assert.ok(items[k - 1].id > items[k].id, 'id DESC');
      }
      const newest = await allPages(zhang, '甲乙丙丁戊己', 50);
      for (const sort of ['&sort=id', '&sort=name', '&sort=-updated_at', '&sort=number']) {
        const other = await allPages(zhang, '甲乙丙丁戊己', 4, sort);
        assert.deepEqual(other.map((c) => c.id).sort(), newest.map((c) => c.id).sort(), sort);
      }
      // other filters still apply on the index-driven path
      const mine = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己')}&owner=me&limit=50`);
      assert.equal(mine.body.items.length, 14);
      const pool = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己')}&owner=pool&limit=50`);
      assert.deepEqual(pool.body.items, []);
    });

    it('visibility is unchanged: a protected customer is found by its owner and the admin only', async () => {
      const q = '乙丙丁戊己庚';
      assert.deepEqual((await allPages(zhao, q, 50)).map((c) => c.name), ['乙丙丁戊己庚保护客户']);
      assert.deepEqual((await allPages(admin, q, 50)).map((c) => c.name), ['乙丙丁戊己庚保护客户']);
      assert.deepEqual(await allPages(zhang, q, 50), []);
      const id = made['乙丙丁戊己庚保护客户'].id;
      assert.equal((await zhang.get(`/api/v1/customers/${id}`)).status, 404);
      const own = await zhao.get(`/api/v1/customers/${id}`);
      assert.equal(own.status, 200);
      assert.equal(own.body.access, 'manage');
      const adm = await admin.get(`/api/v1/customers/${id}`);
      assert.equal(adm.status, 200);
    });

    it('digit fragments of every length find exactly the rows holding them, in every order', async () => {
      // four digits in a row are an index term; one to three digits are not
      // and are found by the substring test alone (core/textsearch.h)
      // compared on this test's rows (the demo's have contacts, also searched)
      const ours = new Set(Object.values(made).map((c) => c.id));
      const all = (await allPages(zhang, '', 50)).filter((c) => ours.has(c.id));
      const norm = (s) => (s || '').toLowerCase().replace(/[^0-9a-z\u4e00-\u9fff]/g, '');
      const holds = (c, q) => ['name', 'number', 'phone', 'telephone', 'address', 'wechat', 'email'].some((k) => norm(c[k]).includes(q));
      for (const q of ['6688', '4321', '54321', '876', '65', '9', '0512', '987654', '3954321', '3987654', '87654321',
        '13911120011', '13987654321', '5587654321', '05126688', 'kh2', norm(made['数字客户一'].number)]) {
        const want = all.filter((c) => holds(c, q)).map((c) => c.id).sort();
        assert.ok(want.length > 0, `${q} is in some row`);
        for (const sort of ['', '&sort=name']) {
          const got = (await allPages(zhang, q, 5, sort)).map((c) => c.id).filter((id) => ours.has(id)).sort();
          assert.deepEqual(got, want, `${q}${sort}`);
        }
      }
      assert.deepEqual((await allPages(zhang, '6688', 50)).map((c) => c.name), ['数字客户一']);
      // eleven digits: found by their tails, the row with only a tail in common is not
      assert.deepEqual((await allPages(zhang, '13987654321', 50)).map((c) => c.name), ['数字客户一']);
      // five digits are the phrase of their two windows: not found apart
      assert.deepEqual((await allPages(zhang, '54321', 50)).map((c) => c.name).sort(), ['数字客户一', '数字客户五', '数字客户四'].sort());
    });

    it('fields: the list gives the chosen columns and the id, and refuses unknown ones', async () => {
      const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己')}&fields=name,level_name,owner_name&limit=3`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.items.length, 3);
      for (const c of r.body.items) assert.deepEqual(Object.keys(c).sort(), ['id', 'level_name', 'name', 'owner_name']);
      assert.ok(r.body.next_cursor);
      const sorted = await zhang.get('/api/v1/customers?sort=name&fields=custom,phone&limit=2');
      assert.equal(sorted.status, 200, sorted.text);
      assert.deepEqual(Object.keys(sorted.body.items[0]).sort(), ['custom', 'id', 'phone']);
      const every = await zhang.get('/api/v1/customers?fields=&limit=1');
      assert.ok('version' in every.body.items[0] && 'region_name' in every.body.items[0]);
      // every field of the whole row can be chosen, and all of them give the whole row
      const all = await zhang.get(`/api/v1/customers?fields=${Object.keys(every.body.items[0]).join(',')}&limit=1`);
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.body.items[0], every.body.items[0]);
      // the list's names are the detail's, on every page of the admin's whole list
      const seen = { owner: new Set(), level: new Set(), region: new Set() };
      for (const c of await allPages(admin, '', 50)) {
        const d = await admin.get(`/api/v1/customers/${c.id}`);
        for (const k of ['owner_name', 'level_name', 'region_name', 'industry_name', 'source_name', 'qualification_name']) {
          assert.equal(c[k], d.body[k], `${k} of ${c.id}`);
        }
        seen.owner.add(c.owner_name);
        seen.level.add(c.level_name);
        seen.region.add(c.region_name);
      }
      assert.ok(seen.owner.size > 2 && seen.level.size > 2 && seen.region.size > 2, 'several names of each kind');
      assert.ok(seen.owner.has(null), 'a pool customer has no owner name');
      const bad = await zhang.get('/api/v1/customers?fields=name,search_grams');
      assert.equal(bad.status, 400, bad.text);
      assert.match(bad.body.detail, /search_grams is not a field/);
      // a long unknown name of Chinese characters is quoted whole characters only
      // (cut inside one, the reply could not be encoded: a 500 once)
      const wide = await zhang.get(`/api/v1/customers?fields=${encodeURIComponent('a' + '字'.repeat(60))}`);
      assert.equal(wide.status, 400, wide.text);
      assert.match(wide.body.detail, /^fields: a字+ is not a field/);
      const odd = await zhang.get('/api/v1/customers?fields=,,name,,name&limit=1');
      assert.equal(odd.status, 200, odd.text);
      assert.deepEqual(Object.keys(odd.body.items[0]).sort(), ['id', 'name']);
    });

    it('bad search input is refused with a 400 and changes nothing', async () => {
      const long = await zhang.get(`/api/v1/customers?q=${'甲'.repeat(201)}`);
      assert.equal(long.status, 400, long.text);
      const sort = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己')}&sort=bogus`);
      assert.equal(sort.status, 400, sort.text);
      const cur = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('甲乙丙丁戊己')}&cursor=abc`);
      assert.equal(cur.status, 400, cur.text);
      // quotes and FTS operators are plain text to the search
      for (const q of ['"甲乙" OR 丙丁', 'NEAR(甲乙 丙丁)', '甲乙*丙丁', '%_\\']) {
        const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent(q)}`);
        assert.equal(r.status, 200, `${q}: ${r.text}`);
      }
    });
  });
}
