// customers.test.mjs — entering, finding and changing customers: numbering,
// entry policy (required fields, duplicate policies on normalised values),
// quick search (Chinese substrings, phone fragments, contacts), filters,
// paging, versions, dictionaries and custom fields — on every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const names = (r) => r.body.items.map((c) => c.name);

for (const engine of engines()) {
  describe(`customers [${engine}]`, () => {
    let srv, admin, zhang, chen, wang;
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, wang] = await Promise.all(['admin', 'zhang', 'chen', 'wang'].map((l) => srv.login(l)));
    });
    after(async () => { await srv.stop(); });

    it('a salesperson enters a customer for themself, numbered from the pattern', async () => {
      const r = await zhang.post('/api/v1/customers', { name: '开封恒通电机厂', phone: '0371-2233 4455', address: '开封市' });
      assert.equal(r.status, 201, r.text);
      assert.match(r.body.number, /^KH-\d{6}-\d{5}$/);
      assert.equal(r.body.owner_name.startsWith('张伟'), true);
      assert.equal(r.body.version, 1);
      assert.equal(r.body.protected, false);
      const again = await zhang.post('/api/v1/customers', { name: '开封第二电机厂', phone: '13700001111' });
      assert.ok(again.body.number > r.body.number, 'numbers increase');
    });

    it('a salesperson cannot enter for someone else or into the pool', async () => {
      const liu = (await admin.get('/api/v1/users?q=liu')).body.items[0];
      assertProblem(assert, await zhang.post('/api/v1/customers', { name: '越权客户', phone: '13700002222', owner_id: liu.id }), 403);
      assertProblem(assert, await zhang.post('/api/v1/customers', { name: '越权客户', phone: '13700002222', owner_id: null }), 403);
      const s = await admin.get('/api/v1/customers?q=' + encodeURIComponent('越权客户'));
      assert.equal(s.body.items.length, 0, 'nothing was created');
    });

    it('a manager enters into the pool or for a salesperson they manage', async () => {
      const pool = await wang.post('/api/v1/customers', { name: '周口公海客户', phone: '13700003333', owner_id: null });
      assert.equal(pool.status, 201, pool.text);
      assert.equal(pool.body.owner_id, null);
      const chenId = (await admin.get('/api/v1/users?q=chen')).body.items[0].id;
      const forChen = await wang.post('/api/v1/customers', { name: '漯河分配客户', phone: '13700004444', owner_id: chenId });
      assert.equal(forChen.status, 201);
      assert.equal(forChen.body.owner_id, chenId);
    });

    it('the entry policy requires the phone by default', async () => {
      const r = await zhang.post('/api/v1/customers', { name: '没有电话的客户' });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.ok(r.body.errors.some((e) => e.field === 'phone' && e.code === 'required'));
    });

    it('duplicate phones are refused after normalising punctuation and country code', async () => {
      await zhang.post('/api/v1/customers', { name: '许昌永兴电气', phone: '13912345678' });
      for (const phone of ['+86 139-1234-5678', '139 1234 5678', '８６１３９１２３４５６７８'.slice(2)]) {
        const r = await chen.post('/api/v1/customers', { name: '另一家公司' + phone.length, phone });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.some((e) => e.field === 'phone' && e.code === 'duplicate'), r.text);
        assert.equal(r.body.duplicates[0].name, '许昌永兴电气');
      }
    });

    it('duplicate names warn, and go through once confirmed', async () => {
      await zhang.post('/api/v1/customers', { name: 'Huayang Motor Co., Ltd.', phone: '13600000001' });
      const warn = await chen.post('/api/v1/customers', { name: 'ＨＵＡＹＡＮＧ  motor co ltd', phone: '13600000002' });
      assertProblem(assert, warn, 409, 'duplicate_warning');
      assert.equal(warn.body.duplicates[0].matched, 'name');
      const ok = await chen.post('/api/v1/customers', { name: 'ＨＵＡＹＡＮＧ  motor co ltd', phone: '13600000002', confirm_duplicates: true });
      assert.equal(ok.status, 201);
    });

    it('the duplicate policy is set by administrators: forbid names, off for phones', async () => {
      const put = await admin.put('/api/v1/settings/customer_entry_policy', { duplicates: { name: 'forbid', phone: 'off', wechat: 'forbid' }, required: [] });
      assert.equal(put.status, 200, put.text);
      assertProblem(assert, await zhang.put('/api/v1/settings/customer_entry_policy', { required: [] }), 403);
      assertProblem(assert, await admin.put('/api/v1/settings/customer_entry_policy', { duplicates: { name: 'maybe' } }), 422);
      const r = await chen.post('/api/v1/customers', { name: '许昌永兴电气', phone: '13912345678' });
      assertProblem(assert, r, 422);
      assert.ok(r.body.errors.some((e) => e.field === 'name' && e.code === 'duplicate'));
      assert.ok(!r.body.errors.some((e) => e.field === 'phone'));
      const noPhone = await chen.post('/api/v1/customers', { name: '不需要电话了' });
      assert.equal(noPhone.status, 201, 'phone is no longer required');
      await admin.put('/api/v1/settings/customer_entry_policy', { duplicates: { name: 'warn', phone: 'forbid', wechat: 'forbid' }, required: ['phone'] });
    });

    it('quick search finds Chinese substrings, single characters, phone fragments and Latin words', async () => {
      const c = await zhang.post('/api/v1/customers', { name: '驻马店天中变压器有限公司', phone: '13811112222', wechat: 'TianZhong_TX', address: '驻马店市驿城区' });
      assert.equal(c.status, 201);
      for (const q of ['天中', '变压器', '驻马店天中变压器有限公司', '中', '1111', '8111122', 'tianzhong', 'TIANZHONG', '驿城区', c.body.number]) {
        const r = await zhang.get('/api/v1/customers?q=' + encodeURIComponent(q));
        assert.equal(r.status, 200);
        assert.ok(names(r).includes('驻马店天中变压器有限公司'), `q=${q} → ${names(r)}`);
      }
      for (const q of ['天变', '9999999', 'zhongtian']) {
        const r = await zhang.get('/api/v1/customers?q=' + encodeURIComponent(q));
        assert.ok(!names(r).includes('驻马店天中变压器有限公司'), `q=${q} must not match`);
      }
    });

    it('quick search finds a customer by its contact person\'s phone (demo data)', async () => {
      const r = await zhang.get('/api/v1/customers?q=15912340000');
      assert.deepEqual(names(r), ['郑州宇通电机有限公司']);
    });

    it('search with SQL and FTS metacharacters is plain text', async () => {
      for (const q of ['"', '*', "'; DROP TABLE customers; --", 'a OR b', 'NEAR(x y)', '%', '_', '\\', '"天中"*']) {
        const r = await zhang.get('/api/v1/customers?q=' + encodeURIComponent(q));
        assert.equal(r.status, 200, `q=${q}: ${r.text}`);
      }
      assert.equal((await admin.get('/healthz')).status, 200);
    });

    it('filters by dictionary fields, the region tree and owner; pages with a cursor', async () => {
      const dicts = (await zhang.get('/api/v1/dictionaries')).body.items;
      const henan = dicts.find((d) => d.kind === 'region' && d.name === '河南省');
      const excellent = dicts.find((d) => d.kind === 'level' && d.name === '优质客户');
      const inHenan = await admin.get(`/api/v1/customers?region_id=${henan.id}&limit=100`);
      assert.ok(names(inHenan).includes('郑州宇通电机有限公司'), 'a city below the province is included');
      assert.ok(!names(inHenan).includes('上海申联电力设备有限公司'));
      const lvl = await admin.get(`/api/v1/customers?level_id=${excellent.id}&limit=100`);
      assert.ok(lvl.body.items.every((c) => c.level_id === excellent.id));
      const pool = await zhang.get('/api/v1/customers?owner=pool&limit=100');
      assert.ok(pool.body.items.length > 0 && pool.body.items.every((c) => c.owner_id === null));
      const seen = new Set();
      let cursor = '', pages = 0;
      do {
        const r = await admin.get(`/api/v1/customers?limit=3&sort=name${cursor ? '&cursor=' + cursor : ''}`);
        assert.equal(r.status, 200);
        for (const c of r.body.items) { assert.ok(!seen.has(c.id), 'no row twice'); seen.add(c.id); }
        cursor = r.body.next_cursor;
        pages++;
      } while (cursor && pages < 100);
      const all = await admin.get('/api/v1/customers?limit=500');
      assert.equal(seen.size, all.body.items.length, 'paging by name walks every visible customer');
      assertProblem(assert, await admin.get('/api/v1/customers?sort=password'), 400);
      assertProblem(assert, await admin.get('/api/v1/customers?level_id=abc'), 400);
      assertProblem(assert, await admin.get('/api/v1/customers?owner=everyone'), 400);
    });

    it('updates need the current version; a stale one gets 409 and changes nothing', async () => {
      const c = (await zhang.post('/api/v1/customers', { name: '鹤壁测试客户', phone: '13522223333' })).body;
      const a = await zhang.patch(`/api/v1/customers/${c.id}`, { version: c.version, address: '鹤壁市淇滨区' });
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.version, c.version + 1);
      const stale = await zhang.patch(`/api/v1/customers/${c.id}`, { version: c.version, address: '被覆盖了吗' });
      assertProblem(assert, stale, 409, 'version_conflict');
      assert.equal(stale.body.current_version, c.version + 1);
      const now = await zhang.get(`/api/v1/customers/${c.id}`);
      assert.equal(now.body.address, '鹤壁市淇滨区');
      const found = await zhang.get('/api/v1/customers?q=' + encodeURIComponent('淇滨'));
      assert.ok(names(found).includes('鹤壁测试客户'), 'the search index follows updates');
      const hist = await zhang.get(`/api/v1/customers/${c.id}/history`);
      assert.deepEqual(hist.body.items.map((h) => h.action).slice(0, 2), ['update', 'create']);
      assert.equal(hist.body.items[0].before.address, null);
      assert.equal(hist.body.items[0].after.address, '鹤壁市淇滨区');
    });

    it('retired dictionary items keep old records but cannot be chosen anew', async () => {
      const src = (await admin.post('/api/v1/dictionaries', { kind: 'source', name: '旧渠道' })).body;
      const c = (await zhang.post('/api/v1/customers', { name: '安阳旧渠道客户', phone: '13544445555', source_id: src.id })).body;
      assert.equal(c.source_name, '旧渠道');
      const ret = await admin.patch(`/api/v1/dictionaries/${src.id}`, { version: src.version, retired: true, name: '旧渠道（停用）' });
      assert.equal(ret.status, 200);
      const still = await zhang.get(`/api/v1/customers/${c.id}`);
      assert.equal(still.body.source_name, '旧渠道（停用）');
      const keep = await zhang.patch(`/api/v1/customers/${c.id}`, { version: still.body.version, source_id: src.id, notes: 'x' });
      assert.equal(keep.status, 200, 'keeping the retired value is fine');
      const fresh = await zhang.post('/api/v1/customers', { name: '新客户用旧渠道', phone: '13544446666', source_id: src.id });
      assertProblem(assert, fresh, 422);
      assertProblem(assert, await zhang.post('/api/v1/dictionaries', { kind: 'source', name: 'x' }), 403);
      assertProblem(assert, await admin.post('/api/v1/dictionaries', { kind: 'colour', name: 'x' }), 422);
    });

    it('the list shows a renamed owner or dictionary item at once', async () => {
      const lvl = (await admin.post('/api/v1/dictionaries', { kind: 'level', name: '改名前等级' })).body;
      const u = (await admin.post('/api/v1/users', { login: 'rename_me', name: '改名前业务员', role: 'salesperson', password: 'rename-pass-123' })).body;
      const c = (await admin.post('/api/v1/customers', { name: '平顶山改名测试客户', phone: '13533334444', level_id: lvl.id, owner_id: u.id })).body;
      const list = async () => {
        const r = await admin.get('/api/v1/customers?limit=5&fields=name,level_name,owner_name&q=' + encodeURIComponent('改名测试'));
        assert.equal(r.status, 200, r.text);
        return r.body.items.find((x) => x.id === c.id);
      };
      const every = async () => (await admin.get('/api/v1/customers?limit=200')).body.items.find((x) => x.id === c.id);
      for (let i = 0; i < 4; i++) { // every connection of the server has seen them
        assert.deepEqual({ ...(await list()) }, { id: c.id, name: '平顶山改名测试客户', level_name: '改名前等级', owner_name: '改名前业务员' });
        assert.equal((await every()).level_name, '改名前等级');
      }
      assert.equal((await admin.patch(`/api/v1/dictionaries/${lvl.id}`, { version: lvl.version, name: '改名后等级' })).status, 200);
      assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, name: '改名后业务员' })).status, 200);
      for (let i = 0; i < 4; i++) {
        const row = await list();
        assert.equal(row.level_name, '改名后等级');
        assert.equal(row.owner_name, '改名后业务员');
        const all = await every();
        assert.equal(all.level_name, '改名后等级', 'the list of every field too');
        assert.equal(all.owner_name, '改名后业务员');
        assert.equal(all.level_id, lvl.id, 'the ids stay beside the names');
      }
      const detail = (await admin.get(`/api/v1/customers/${c.id}`)).body;
      assert.equal(detail.level_name, '改名后等级');
    });

    it('custom fields are typed, required when set so, and searchable', async () => {
      const f1 = await admin.post('/api/v1/custom-fields', { entity: 'customer', key: 'annual_tons', label: '年用量(吨)', type: 'number' });
      assert.equal(f1.status, 201, f1.text);
      await admin.post('/api/v1/custom-fields', { entity: 'customer', key: 'wire_grade', label: '线材等级', type: 'select', options: ['H级', 'C级'], searchable: true });
      await admin.post('/api/v1/custom-fields', { entity: 'customer', key: 'audit_date', label: '验厂日期', type: 'date' });
      assertProblem(assert, await admin.post('/api/v1/custom-fields', { entity: 'customer', key: 'annual_tons', label: 'again', type: 'text' }), 422);
      const ok = await zhang.post('/api/v1/customers', { name: '焦作自定义字段客户', phone: '13566667777', custom: { annual_tons: 120, wire_grade: 'H级', audit_date: '2026-10-01' } });
      assert.equal(ok.status, 201, ok.text);
      assert.deepEqual(ok.body.custom, { annual_tons: 120, audit_date: '2026-10-01', wire_grade: 'H级' });
      const bad = await zhang.post('/api/v1/customers', { name: '焦作坏字段', phone: '13566668888', custom: { annual_tons: 'many', wire_grade: 'Z级', audit_date: '2026-13-45', nope: 1 } });
      assertProblem(assert, bad, 422);
      const fields = bad.body.errors.map((e) => e.field).sort();
      assert.deepEqual(fields, ['custom.annual_tons', 'custom.audit_date', 'custom.nope', 'custom.wire_grade']);
      const found = await zhang.get('/api/v1/customers?q=' + encodeURIComponent('H级'));
      assert.ok(names(found).includes('焦作自定义字段客户'));
      const upd = await zhang.patch(`/api/v1/customers/${ok.body.id}`, { version: ok.body.version, custom: { annual_tons: null, wire_grade: 'C级' } });
      assert.deepEqual(upd.body.custom, { audit_date: '2026-10-01', wire_grade: 'C级' });
    });

    it('bad customer input is refused with field errors and creates nothing', async () => {
      const before = (await admin.get('/api/v1/customers?limit=500')).body.items.length;
      const cases = [
        [{ name: '' , phone: '13500000000'}, 'name'],
        [{ name: 'x'.repeat(201), phone: '13500000000' }, 'name'],
        [{ name: 'ok', phone: 123 }, 'phone'],
        [{ name: 'ok', phone: 'no digits' }, 'phone'],
        [{ name: 'ok', phone: '13500000000', email: 'not-an-email' }, 'email'],
        [{ name: 'ok', phone: '13500000000', level_id: 999999 }, 'level_id'],
        [{ name: 'ok', phone: '13500000000', level_id: -1 }, 'level_id'],
        [{ name: 'ok', phone: '13500000000', owner: 5 }, 'owner'],
        [{ name: 'ok', phone: '13500000000', custom: [] }, 'custom'],
      ];
      for (const [body, field] of cases) {
        const r = await zhang.post('/api/v1/customers', body);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field), `${JSON.stringify(body)} → ${r.text}`);
      }
      const after = (await admin.get('/api/v1/customers?limit=500')).body.items.length;
      assert.equal(after, before);
    });

    it('unknown, foreign and malformed ids are 404', async () => {
      for (const id of ['0', '-3', 'abc', '99999999', '1e3']) {
        assertProblem(assert, await zhang.get(`/api/v1/customers/${id}`), 404);
      }
    });
  });
}
