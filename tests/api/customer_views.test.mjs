// customer_views.test.mjs — the customer list's filters on custom fields and
// dates (the same in the list, the export and the batch moves by filter),
// and saved views on the server: CRUD, limits, privacy and department
// sharing. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { download, parseCsv } from '../fixtures/io-helpers.mjs';

const TAG = 'CVT';
const day = (d) => new Date(Date.now() + d * 86400e3).toISOString().slice(0, 10);

/** Names of the customers the list shows for the query (only ours: q=TAG). */
async function names(c, qs) {
  const r = await c.get(`/api/v1/customers?limit=500&q=${TAG}&${qs}`);
  assert.equal(r.status, 200, `${qs}: ${r.text}`);
  return r.body.items.map((x) => x.name).sort();
}

for (const engine of engines()) {
  describe(`customer filters and saved views [${engine}]`, () => {
    let srv, admin, zhang, chen, li, liu, wang;
    const id = {};
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, li, liu, wang] = await Promise.all(
        ['admin', 'zhang', 'chen', 'li', 'liu', 'wang'].map((u) => srv.login(u)));
      const fields = [
        { key: 'remark', label: '备注', type: 'text' },
        { key: 'tons', label: '年用量', type: 'number' },
        { key: 'since', label: '合作起始', type: 'date' },
        { key: 'grade', label: '等级', type: 'select', options: ['H级', 'C级', 'A 100%'] },
        { key: 'tags', label: '标签', type: 'multiselect', options: ['cable', 'wire', 'motor'] },
        { key: 'fax', label: '传真', type: 'phone' },
        { key: 'mail2', label: '邮箱2', type: 'email' },
      ];
      for (const f of fields) {
        const r = await admin.post('/api/v1/custom-fields', { entity: 'customer', ...f });
        assert.equal(r.status, 201, r.text);
      }
      const rows = [
        ['A', { remark: 'Blue Steel 50%', tons: 120, since: '2024-03-01', grade: 'H级', tags: ['cable', 'wire'], fax: '021-5550001', mail2: 'a@alpha.cn' }],
        ['B', { remark: 'red copper', tons: '80', since: '2025-07-15', grade: 'C级', tags: ['motor'], fax: '010-5550002', mail2: 'b@beta.cn' }],
        ['C', { remark: 'blue_print', tons: 300, grade: 'A 100%', tags: ['wire'] }],
        ['D', {}],
      ];
      for (const [i, [n, custom]] of rows.entries()) {
        const r = await zhang.post('/api/v1/customers', { name: `${TAG} ${n} 客户`, phone: `1760000980${i}`, custom });
        assert.equal(r.status, 201, r.text);
        id[n] = r.body.id;
      }
    });
    after(async () => { await srv.stop(); });

    it('filters each type of custom field', async () => {
      const N = (...l) => l.map((n) => `${TAG} ${n} 客户`);
      // text: contains, ignoring case; LIKE's own characters taken literally
      assert.deepEqual(await names(zhang, 'cf.remark=blue'), N('A', 'C'));
      assert.deepEqual(await names(zhang, 'cf.remark=BLUE%20STEEL'), N('A'));
      assert.deepEqual(await names(zhang, `cf.remark=${encodeURIComponent('50%')}`), N('A'));
      assert.deepEqual(await names(zhang, 'cf.remark=e_p'), N('C'));
      assert.deepEqual(await names(zhang, 'cf.remark=_'), N('C'));
      // phone and e-mail: contains
      assert.deepEqual(await names(zhang, 'cf.fax=5550002'), N('B'));
      assert.deepEqual(await names(zhang, 'cf.mail2=alpha'), N('A'));
      // number: exact and ranges, whether stored as a number or as digits
      assert.deepEqual(await names(zhang, 'cf.tons.min=100'), N('A', 'C'));
      assert.deepEqual(await names(zhang, 'cf.tons.max=120'), N('A', 'B'));
      assert.deepEqual(await names(zhang, 'cf.tons.min=80&cf.tons.max=119'), N('B'));
      assert.deepEqual(await names(zhang, 'cf.tons=300'), N('C'));
      assert.deepEqual(await names(zhang, 'cf.tons.min=-5'), N('A', 'B', 'C'));
      // date: exact and ranges, both ends included
      assert.deepEqual(await names(zhang, 'cf.since.from=2024-03-01'), N('A', 'B'));
      assert.deepEqual(await names(zhang, 'cf.since.to=2024-03-01'), N('A'));
      assert.deepEqual(await names(zhang, 'cf.since.from=2024-03-02&cf.since.to=2025-12-31'), N('B'));
      assert.deepEqual(await names(zhang, 'cf.since=2025-07-15'), N('B'));
      // single select: equal
      assert.deepEqual(await names(zhang, `cf.grade=${encodeURIComponent('H级')}`), N('A'));
      assert.deepEqual(await names(zhang, `cf.grade=${encodeURIComponent('A 100%')}`), N('C'));
      // multi-select: any of the given options
      assert.deepEqual(await names(zhang, 'cf.tags=wire'), N('A', 'C'));
      assert.deepEqual(await names(zhang, 'cf.tags=motor&cf.tags=cable'), N('A', 'B'));
      assert.deepEqual(await names(zhang, 'cf.tags=motor'), N('B'));
      // filters combine, with each other and with the built-in ones
      assert.deepEqual(await names(zhang, 'cf.tags=wire&cf.tons.max=200'), N('A'));
      assert.deepEqual(await names(zhang, 'cf.tags=wire&owner=me'), N('A', 'C'));
      assert.deepEqual(await names(zhang, 'cf.tags=wire&owner=pool'), []);
      // visibility still applies: liu sees none of zhang's customers
      assert.deepEqual(await names(liu, 'cf.tags=wire'), []);
    });

    it('refuses unknown custom fields and values that do not fit the type', async () => {
      const bad = ['cf.nope=1', 'cf.=1', 'cf.tons=abc', 'cf.tons=1.5', 'cf.tons.from=1', 'cf.remark.min=1',
        'cf.since=2024-13-01', 'cf.since.from=yesterday', 'cf.grade=Z', `cf.tags=${encodeURIComponent('H级')}`,
        'cf.tags=wire&cf.tags=nope', 'cf.nope=', `cf.remark=${'x'.repeat(201)}`,
        'created_from=someday', 'updated_to=2024-02-30x', 'next_contact_before=soon', 'owner=me&owner=pool',
        Array(11).fill('cf.tags=wire').join('&')];
      for (const qs of bad) {
        const r = await zhang.get(`/api/v1/customers?${qs}`);
        assertProblem(assert, r, 400, 'bad_request');
        assert.match(r.body.detail, /^(cf\.|created|updated|next|owner|the filter)/, r.body.detail);
      }
      // an empty value of a known field filters nothing, as for the other keys
      assert.equal((await names(zhang, 'cf.remark=&level_id=')).length, 4);
      const unknown = await zhang.get('/api/v1/customers?cf.nope=1');
      assert.match(unknown.body.detail, /cf\.nope is not a custom field/);
      // a retired field is no filter any more
      const list = await admin.get('/api/v1/custom-fields?entity=customer');
      const fax = list.body.items.find((f) => f.key === 'fax');
      const rr = await admin.patch(`/api/v1/custom-fields/${fax.id}`, { version: fax.version, retired: true });
      assert.equal(rr.status, 200, rr.text);
      assertProblem(assert, await zhang.get('/api/v1/customers?cf.fax=555'), 400, 'bad_request');
      const back = await admin.patch(`/api/v1/custom-fields/${fax.id}`, { version: rr.body.version, retired: false });
      assert.equal(back.status, 200, back.text);
    });

    it('filters by created, updated and next contact dates', async () => {
      const all = await names(zhang, '');
      assert.equal(all.length, 4);
      assert.deepEqual(await names(zhang, `created_from=${day(0)}`), all);
      assert.deepEqual(await names(zhang, `created_to=${day(0)}`), all, 'the day itself is included');
      assert.deepEqual(await names(zhang, `created_to=${day(-1)}`), []);
      assert.deepEqual(await names(zhang, `created_from=${day(1)}`), []);
      assert.deepEqual(await names(zhang, `updated_from=${day(-1)}T00:00:00Z&updated_to=${day(1)}`), all);
      const ts = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
      assert.deepEqual(await names(zhang, `created_from=${ts}`), []);
      // next contact: the one the latest follow-up planned
      const f1 = await zhang.post(`/api/v1/customers/${id.A}/followups`, { content: 'call', next_contact_at: day(3) });
      assert.equal(f1.status, 201, f1.text);
      const f2 = await zhang.post(`/api/v1/customers/${id.B}/followups`, { content: 'visit', next_contact_at: day(10) });
      assert.equal(f2.status, 201, f2.text);
      assert.deepEqual(await names(zhang, `next_contact_before=${day(5)}`), [`${TAG} A 客户`]);
      assert.deepEqual(await names(zhang, `next_contact_before=${day(10)}`), [`${TAG} A 客户`, `${TAG} B 客户`]);
      assert.deepEqual(await names(zhang, `next_contact_before=${day(1)}`), []);
      // a later follow-up without a next contact ends the plan
      const f3 = await zhang.post(`/api/v1/customers/${id.A}/followups`, { content: 'done' });
      assert.equal(f3.status, 201, f3.text);
      assert.deepEqual(await names(zhang, `next_contact_before=${day(10)}`), [`${TAG} B 客户`]);
    });

    it('the export takes the same filters', async () => {
      const r = await download(zhang, `/api/v1/customers/export?format=csv&q=${TAG}&cf.tags=wire&cf.tons.min=200`);
      assert.equal(r.status, 200, r.buf.toString());
      const rows = parseCsv(r.buf);
      assert.deepEqual(rows.slice(1).map((x) => x[1]), [`${TAG} C 客户`]);
      const bad = await zhang.get('/api/v1/customers/export?format=csv&cf.tons=abc');
      assertProblem(assert, bad, 400, 'bad_request');
      assertProblem(assert, await zhang.get('/api/v1/customers/export?cf.nope=1'), 400, 'bad_request');
    });

    it('assign and take back by filter take the same filters', async () => {
      const bad = await li.post('/api/v1/customers/assign', { filter: { q: TAG, 'cf.nope': 'x' }, owner_id: (await chen.get('/api/v1/me')).body.id });
      assertProblem(assert, bad, 422, 'validation_failed');
      assert.equal(bad.body.errors[0].field, 'filter.cf.nope');
      const bad2 = await li.post('/api/v1/customers/assign', { filter: { 'cf.tons.min': 'lots' }, owner_id: 1 });
      assertProblem(assert, bad2, 422);
      assert.equal(bad2.body.errors.find((e) => e.field === 'filter.cf.tons.min')?.code, 'invalid');
      const chenId = (await chen.get('/api/v1/me')).body.id;
      const r = await li.post('/api/v1/customers/assign',
        { filter: { q: TAG, 'cf.tags': ['motor', 'cable'], 'cf.tons.max': 100 }, owner_id: chenId, reason: 'by filter' });
      assert.equal(r.status, 200, r.text);
      assert.equal((await li.get(`/api/v1/customers/${id.B}`)).body.owner_id, chenId);
      assert.notEqual((await li.get(`/api/v1/customers/${id.A}`)).body.owner_id, chenId, 'A has 120 tons');
      const tb = await li.post('/api/v1/customers/takeback', { filter: { q: TAG, 'cf.grade': 'C级' }, reason: 'back' });
      assert.equal(tb.status, 200, tb.text);
      assert.equal((await li.get(`/api/v1/customers/${id.B}`)).body.owner_id, null);
    });

    it('saved views: create, list, read, change, delete', async () => {
      const v = await zhang.post('/api/v1/views', {
        resource: 'customers', name: '大客户 big', query: { q: TAG, 'cf.tags': ['wire'], 'cf.tons.min': '100' },
        columns: ['number', 'name', 'cf.tons'], sort: 'name' });
      assert.equal(v.status, 201, v.text);
      assert.equal(v.body.name, '大客户 big');
      assert.deepEqual(v.body.query, { q: TAG, 'cf.tags': ['wire'], 'cf.tons.min': '100' });
      assert.deepEqual(v.body.columns, ['number', 'name', 'cf.tons']);
      assert.equal(v.body.sort, 'name');
      assert.equal(v.body.shared_with_department, false);
      assert.equal(v.body.mine, true);
      assert.equal(v.body.version, 1);
      const list = await zhang.get('/api/v1/views?resource=customers');
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.items.map((x) => x.id), [v.body.id]);
      // the stored query opens the list it was saved from
      const qs = new URLSearchParams();
      for (const [k, val] of Object.entries(v.body.query)) for (const x of [].concat(val)) qs.append(k, x);
      const opened = await zhang.get(`/api/v1/customers?${qs}`);
      assert.deepEqual(opened.body.items.map((x) => x.name).sort(), [`${TAG} A 客户`, `${TAG} C 客户`]);
      const p = await zhang.patch(`/api/v1/views/${v.body.id}`, { version: 1, name: 'renamed', columns: ['name'], sort: null });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.body.name, 'renamed');
      assert.deepEqual(p.body.columns, ['name']);
      assert.equal(p.body.sort, null);
      assert.deepEqual(p.body.query, v.body.query, 'what is not sent stays');
      assertProblem(assert, await zhang.patch(`/api/v1/views/${v.body.id}`, { version: 1, name: 'stale' }), 409);
      assert.equal((await zhang.get(`/api/v1/views/${v.body.id}`)).body.name, 'renamed');
      const hist = await zhang.delete(`/api/v1/views/${v.body.id}`);
      assert.equal(hist.status, 204);
      assertProblem(assert, await zhang.get(`/api/v1/views/${v.body.id}`), 404);
      assertProblem(assert, await zhang.delete(`/api/v1/views/${v.body.id}`), 404);
      assert.deepEqual((await zhang.get('/api/v1/views?resource=customers')).body.items, []);
    });

    it('saved views: bad input and limits', async () => {
      const ok = { resource: 'customers', name: 'x' };
      assertProblem(assert, await zhang.get('/api/v1/views'), 400, 'bad_request');
      assertProblem(assert, await zhang.get('/api/v1/views?resource=users'), 400, 'bad_request');
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, resource: 'users' }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { resource: 'customers' }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, name: '' }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, name: '名'.repeat(81) }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, sort: 'password' }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, columns: ['name', 'x; drop'] }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, columns: Array(41).fill('name') }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, query: [] }), 422);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, colour: 'red' }), 422);
      const badq = await zhang.post('/api/v1/views', { ...ok, query: { 'cf.nope': '1', level_id: 'abc' } });
      assertProblem(assert, badq, 422, 'validation_failed');
      assert.deepEqual(badq.body.errors.map((e) => e.field).sort(), ['query.cf.nope', 'query.level_id']);
      const big = await zhang.post('/api/v1/views', { ...ok, query: { q: 'x'.repeat(150), 'cf.remark': 'y'.repeat(200), owner: 'me', 'cf.tags': Array(10).fill('cable') } });
      assert.equal(big.status, 201, 'a large but valid query is kept');
      await zhang.delete(`/api/v1/views/${big.body.id}`);
      const huge = await zhang.post('/api/v1/views', { ...ok, query: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`cf.remark${i}`, 'z'.repeat(190)])) });
      assertProblem(assert, huge, 422);
      assert.ok(huge.body.errors.some((e) => e.field === 'query'), huge.text);
      // the same name twice: conflict
      const a = await zhang.post('/api/v1/views', { ...ok, name: 'dup' });
      assert.equal(a.status, 201);
      assertProblem(assert, await zhang.post('/api/v1/views', { ...ok, name: 'dup' }), 409);
      const b = await zhang.post('/api/v1/views', { ...ok, name: 'dup2' });
      assertProblem(assert, await zhang.patch(`/api/v1/views/${b.body.id}`, { version: 1, name: 'dup' }), 409);
      assertProblem(assert, await zhang.patch(`/api/v1/views/${b.body.id}`, { version: 1, query: { owner: 'everyone' } }), 422);
      assert.deepEqual((await zhang.get(`/api/v1/views/${b.body.id}`)).body.query, {}, 'a refused change changes nothing');
      // 50 per user
      const made = [a.body.id, b.body.id];
      for (let i = made.length; i < 50; i++) {
        const r = await zhang.post('/api/v1/views', { ...ok, name: `v${i}` });
        assert.equal(r.status, 201, r.text);
        made.push(r.body.id);
      }
      const over = await zhang.post('/api/v1/views', { ...ok, name: 'one too many' });
      assertProblem(assert, over, 422, 'validation_failed');
      assert.match(over.body.detail, /50/);
      assert.equal((await zhang.get('/api/v1/views?resource=customers')).body.items.length, 50);
      // another user has their own 50
      const c1 = await chen.post('/api/v1/views', { ...ok, name: 'mine' });
      assert.equal(c1.status, 201);
      await chen.delete(`/api/v1/views/${c1.body.id}`);
      for (const vid of made) assert.equal((await zhang.delete(`/api/v1/views/${vid}`)).status, 204);
    });

    it('saved views: private to their owner unless shared with the department', async () => {
      const v = await zhang.post('/api/v1/views', { resource: 'customers', name: 'team wire', query: { 'cf.tags': 'wire' } });
      assert.equal(v.status, 201, v.text);
      const vid = v.body.id;
      for (const c of [chen, li, liu, wang, admin]) {
        assertProblem(assert, await c.get(`/api/v1/views/${vid}`), 404);
        assertProblem(assert, await c.patch(`/api/v1/views/${vid}`, { version: 1, name: 'mine now' }), 404);
        assertProblem(assert, await c.delete(`/api/v1/views/${vid}`), 404);
        assert.equal((await c.get('/api/v1/views?resource=customers')).body.items.some((x) => x.id === vid), false);
      }
      const s = await zhang.patch(`/api/v1/views/${vid}`, { version: 1, shared_with_department: true });
      assert.equal(s.status, 200, s.text);
      // zhang's department (East China: li, chen) reads it, and cannot change it
      for (const c of [chen, li]) {
        const g = await c.get(`/api/v1/views/${vid}`);
        assert.equal(g.status, 200, g.text);
        assert.equal(g.body.mine, false);
        assert.match(g.body.owner_name, /Zhang/);
        const l = await c.get('/api/v1/views?resource=customers');
        assert.ok(l.body.items.some((x) => x.id === vid && !x.mine));
        assertProblem(assert, await c.patch(`/api/v1/views/${vid}`, { version: 2, name: 'mine now' }), 403, 'forbidden');
        assertProblem(assert, await c.delete(`/api/v1/views/${vid}`), 403, 'forbidden');
      }
      // other departments (North China; the Sales department above) do not
      for (const c of [liu, wang]) assertProblem(assert, await c.get(`/api/v1/views/${vid}`), 404);
      // a view wang shares reaches the departments beneath Sales
      const w = await wang.post('/api/v1/views', { resource: 'customers', name: 'all sales', shared_with_department: true });
      assert.equal(w.status, 201, w.text);
      for (const c of [zhang, liu]) assert.equal((await c.get(`/api/v1/views/${w.body.id}`)).status, 200);
      assertProblem(assert, await admin.get(`/api/v1/views/${w.body.id}`), 404);
      // unsharing hides it again
      const u = await zhang.patch(`/api/v1/views/${vid}`, { version: 2, shared_with_department: false });
      assert.equal(u.status, 200, u.text);
      assertProblem(assert, await chen.get(`/api/v1/views/${vid}`), 404);
      assertProblem(assert, await srv.client().get('/api/v1/views?resource=customers'), 401);
    });
  });
}
