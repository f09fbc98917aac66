// projects.test.mjs — projects (opportunities): entry with the entry policy
// (required fields, duplicate names warn / forbid, custom fields), linking a
// customer later, updates with versions, lists and filters, visibility and
// access (owner, managers, members, customer detail hidden from members),
// members and their follow-ups, the timeline, assignment in batches and
// applications decided by the approvals engine — on every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

for (const engine of engines()) {
  describe(`projects [${engine}]`, () => {
    let srv, admin, wang, li, huang, zhang, chen, liu, zhao, sun;
    const ids = {};
    const customers = {};

    const customerId = async (client, name) => {
      const r = await client.get('/api/v1/customers?q=' + encodeURIComponent(name));
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.items.length > 0, `customer ${name} visible`);
      return r.body.items[0].id;
    };
    const create = (client, body) => client.post('/api/v1/projects', body);
    const listIds = async (client, query = '') =>
      (await client.get(`/api/v1/projects?limit=500${query}`)).body.items.map((p) => p.id);

    before(async () => {
      srv = await startServer({ engine });
      [admin, wang, li, huang, zhang, chen, liu, zhao, sun] = await Promise.all(
        ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu', 'zhao', 'sun'].map((l) => srv.login(l)));
      const users = (await admin.get('/api/v1/users?limit=500')).body.items;
      for (const u of users) ids[u.login] = u.id;
      customers.yutong = await customerId(zhang, '宇通电机');
      customers.zhongzhou = await customerId(zhang, '中州变压器');
      customers.pinggao = await customerId(liu, '平高电气');
    });
    after(async () => { await srv.stop(); });

    it('a salesperson enters a project from a customer: first stage, its probability, weighted amount', async () => {
      const r = await create(zhang, {
        name: '宇通电机 2028 年度薄膜绕包线 Yutong 2028', customer_id: customers.yutong, amount: 1234567,
        expected_close_date: '2027-12-31',
        products: [{ name: '聚酰亚胺薄膜绕包扁铜线', spec: '2.00×6.30', quantity_milli: 12000000, unit: 'kg', package: '150 kg 木盘' }],
        notes: '年度框架',
      });
      assert.equal(r.status, 201, r.text);
      const p = r.body;
      for (const k of ['id', 'name', 'customer_id', 'owner_id', 'stage', 'version']) assert.ok(k in p, k);
      assert.equal(p.owner_id, ids.zhang);
      assert.equal(p.customer_id, customers.yutong);
      assert.equal(p.customer_name, '郑州宇通电机有限公司');
      assert.equal(p.stage, 'initial', 'the default template\'s first stage');
      assert.equal(p.status, 'open');
      assert.equal(p.probability, 10);
      assert.equal(p.weighted_amount, 123457, 'round(1234567 × 10 / 100) half up');
      assert.equal(p.version, 1);
      assert.equal(p.access, 'manage');
      assert.equal(p.products[0].quantity_milli, 12000000);
      assert.equal(p.process.stages[0].key, 'initial');
      assert.equal(p.process.next_stage, 'qualified');
      assert.ok(p.process.blocking.some((i) => i.key === 'needs_confirmed'), 'the open task blocks the next stage');
      const h = await zhang.get(`/api/v1/projects/${p.id}/history`);
      assert.equal(h.body.items[0].action, 'create');
    });

    it('a salesperson cannot enter for someone else or unassigned; finance cannot enter at all', async () => {
      assertProblem(assert, await create(zhang, { name: '越权项目', owner_id: ids.chen }), 403);
      assertProblem(assert, await create(zhang, { name: '越权项目', owner_id: null }), 403);
      assertProblem(assert, await create(sun, { name: '越权项目' }), 403);
      assert.equal((await admin.get('/api/v1/projects?q=' + encodeURIComponent('越权项目'))).body.items.length, 0);
    });

    it('a manager enters unassigned or for a salesperson they cover, not for others', async () => {
      const un = await create(li, { name: '华东待分配项目 Unassigned east', owner_id: null });
      assert.equal(un.status, 201, un.text);
      assert.equal(un.body.owner_id, null);
      const forChen = await create(li, { name: '华东分配给陈静', owner_id: ids.chen });
      assert.equal(forChen.status, 201, forChen.text);
      assert.equal(forChen.body.owner_id, ids.chen);
      const r = await create(li, { name: '华北越权项目', owner_id: ids.liu });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.ok(r.body.errors.some((e) => e.field === 'owner_id'));
    });

    it('bad input is refused field by field and nothing is created', async () => {
      const before = (await listIds(admin)).length;
      const cases = [
        [{ name: '' }, 'name'],
        [{ name: 'x', amount: -1 }, 'amount'],
        [{ name: 'x', amount: 10 ** 13 }, 'amount'],
        [{ name: 'x', amount: '100' }, 'amount'],
        [{ name: 'x', probability: 101 }, 'probability'],
        [{ name: 'x', expected_close_date: '2027-02-30' }, 'expected_close_date'],
        [{ name: 'x', expected_close_date: '31/12/2027' }, 'expected_close_date'],
        [{ name: 'x', customer_id: 99999999 }, 'customer_id'],
        [{ name: 'x', customer_id: customers.pinggao }, 'customer_id'], // liu's customer: zhang cannot see it
        [{ name: 'x', products: [{ spec: 'no name' }] }, 'products[0].name'],
        [{ name: 'x', products: ['wire'] }, 'products[0]'],
        [{ name: 'x', products: [{ name: 'w', quantity_milli: 1.5 }] }, 'products[0].quantity_milli'],
        [{ name: 'x', competitor_ids: [customers.yutong] }, 'competitor_ids[0]'],
        [{ name: 'x', competitor_ids: ['a'] }, 'competitor_ids[0]'],
        [{ name: 'x', source_id: 99999999 }, 'source_id'],
        [{ name: 'x', template_id: 99999999 }, 'template_id'],
        [{ name: 'x', stage: 'nowhere' }, 'stage'],
        [{ name: 'x', status: 'won' }, 'status'],
        [{ name: 'x', custom: { nope: 1 } }, 'custom.nope'],
      ];
      for (const [body, fieldName] of cases) {
        const r = await create(zhang, body);
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.some((e) => e.field === fieldName), `${JSON.stringify(body)}: ${r.text}`);
      }
      assertProblem(assert, await zhang.post('/api/v1/projects', '{"name": '), 400, 'invalid_json');
      assert.equal((await listIds(admin)).length, before);
    });

    it('a later stage at entry only when every gate before it is met', async () => {
      const r = await create(zhang, { name: '直接进入报价阶段', customer_id: customers.yutong, stage: 'proposal' });
      assertProblem(assert, r, 409, 'conflict');
      assert.equal(r.body.reason, 'gate_blocked');
      assert.ok(r.body.missing.some((m) => m.key === 'needs_confirmed'));
      assert.ok(r.body.missing.some((m) => m.key === 'amount_estimated' && m.field === 'amount'));
      assert.equal((await zhang.get('/api/v1/projects?q=' + encodeURIComponent('直接进入报价阶段'))).body.items.length, 0);
    });

    it('duplicate names warn (normalised) and go through once confirmed; forbid refuses', async () => {
      const first = await create(zhang, { name: 'Pingdingshan Motor Flat Wire 2027' });
      assert.equal(first.status, 201, first.text);
      const warn = await create(chen, { name: 'PINGDINGSHAN  motor flat-wire 2027' });
      assertProblem(assert, warn, 409, 'duplicate_warning');
      assert.equal(warn.body.duplicates[0].id, first.body.id);
      assert.equal(warn.body.duplicates[0].owner_name, '张伟 Zhang Wei');
      const ok = await create(chen, { name: 'PINGDINGSHAN  motor flat-wire 2027', confirm_duplicates: true });
      assert.equal(ok.status, 201, ok.text);

      assertProblem(assert, await zhang.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'forbid' } }), 403);
      assertProblem(assert, await admin.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'sometimes' } }), 422);
      assertProblem(assert, await admin.put('/api/v1/settings/project_entry_policy', { required: ['owner_id'] }), 422);
      const put = await admin.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'forbid' }, required: [] });
      assert.equal(put.status, 200, put.text);
      const no = await create(chen, { name: 'pingdingshan motor flat wire 2027', confirm_duplicates: true });
      assertProblem(assert, no, 422, 'validation_failed');
      assert.ok(no.body.errors.some((e) => e.field === 'name' && e.code === 'duplicate'));
      assert.equal(no.body.duplicates.length, 2);
      // renaming another project onto the name is refused too
      const p = (await create(chen, { name: '另一个项目' })).body;
      const ren = await chen.patch(`/api/v1/projects/${p.id}`, { version: p.version, name: 'Pingdingshan motor flat wire 2027' });
      assertProblem(assert, ren, 422);
      await admin.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'warn' }, required: [] });
    });

    it('required fields of the entry policy, and required custom fields of entity project', async () => {
      await admin.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'warn' }, required: ['customer_id', 'amount', 'expected_close_date'] });
      const r = await create(zhang, { name: '缺字段项目' });
      assertProblem(assert, r, 422);
      const fields = r.body.errors.map((e) => e.field).sort();
      assert.deepEqual(fields, ['amount', 'customer_id', 'expected_close_date']);
      const ok = await create(zhang, { name: '字段齐全项目', customer_id: customers.zhongzhou, amount: 500000, expected_close_date: '2027-06-30' });
      assert.equal(ok.status, 201, ok.text);
      // a required field cannot be cleared later
      const clear = await zhang.patch(`/api/v1/projects/${ok.body.id}`, { version: ok.body.version, customer_id: null });
      assertProblem(assert, clear, 422);
      assert.ok(clear.body.errors.some((e) => e.field === 'customer_id' && e.code === 'required'));
      await admin.put('/api/v1/settings/project_entry_policy', { duplicates: { name: 'warn' }, required: [] });

      const cf = await admin.post('/api/v1/custom-fields', { entity: 'project', key: 'voltage_class', label: '电压等级', type: 'select', options: ['10kV', '35kV', '110kV'], required: true });
      assert.equal(cf.status, 201, cf.text);
      const miss = await create(zhang, { name: '缺自定义字段' });
      assertProblem(assert, miss, 422);
      assert.ok(miss.body.errors.some((e) => e.field === 'custom.voltage_class' && e.code === 'required'));
      const bad = await create(zhang, { name: '自定义字段非法', custom: { voltage_class: '500kV' } });
      assertProblem(assert, bad, 422);
      const good = await create(zhang, { name: '自定义字段合法', custom: { voltage_class: '35kV' } });
      assert.equal(good.status, 201, good.text);
      assert.equal(good.body.custom.voltage_class, '35kV');
      await admin.patch(`/api/v1/custom-fields/${cf.body.id}`, { version: cf.body.version, retired: true });
    });

    it('a project without a customer is linked later; its follow-ups follow it to the customer', async () => {
      const p = (await create(zhang, { name: '展会线索：某电机厂扁线' })).body;
      assert.equal(p.customer_id, null);
      assert.ok(p.process.blocking.some((i) => i.key === 'customer_linked'));
      const f = await zhang.post(`/api/v1/projects/${p.id}/followups`, { content: '展会交换名片，对方关注耐电晕扁线', effect: '待建档' });
      assert.equal(f.status, 201, f.text);
      assert.equal(f.body.customer_id, null);
      assert.equal(f.body.stage, 'initial');
      const linked = await zhang.patch(`/api/v1/projects/${p.id}`, { version: p.version, customer_id: customers.zhongzhou });
      assert.equal(linked.status, 200, linked.text);
      assert.equal(linked.body.customer_id, customers.zhongzhou);
      assert.equal(linked.body.version, p.version + 1);
      assert.ok(!linked.body.process.blocking.some((i) => i.key === 'customer_linked'), 'the field item is done');
      const cf = await zhang.get(`/api/v1/customers/${customers.zhongzhou}/followups`);
      assert.ok(cf.body.items.some((x) => x.id === f.body.id), 'shows among the customer\'s follow-ups');
    });

    it('updates carry the version: the second of two edits gets 409 and nothing is lost', async () => {
      const p = (await create(zhang, { name: '并发编辑项目', amount: 100000 })).body;
      const [a, b] = await Promise.all([
        zhang.patch(`/api/v1/projects/${p.id}`, { version: p.version, amount: 200000 }),
        li.patch(`/api/v1/projects/${p.id}`, { version: p.version, notes: '经理备注' }),
      ]);
      const statuses = [a.status, b.status].sort();
      assert.deepEqual(statuses, [200, 409], `${a.text} ${b.text}`);
      const loser = a.status === 409 ? a : b;
      assert.equal(loser.body.code, 'version_conflict');
      assert.equal(loser.body.current_version, p.version + 1);
      const now = (await zhang.get(`/api/v1/projects/${p.id}`)).body;
      assert.equal(now.version, p.version + 1);
      assert.ok(now.amount === 200000 || now.notes === '经理备注');
      // a probability change recomputes the weighted amount
      const u = await zhang.patch(`/api/v1/projects/${p.id}`, { version: now.version, amount: 333333, probability: 35 });
      assert.equal(u.status, 200, u.text);
      assert.equal(u.body.weighted_amount, 116667);
      // stage, owner and status are not fields of PATCH
      for (const k of ['stage', 'owner_id', 'status', 'template_id']) {
        const r = await zhang.patch(`/api/v1/projects/${p.id}`, { version: u.body.version, [k]: 'x' });
        assertProblem(assert, r, 422);
        assert.equal(r.body.errors[0].code, 'unknown_field');
      }
      assertProblem(assert, await zhang.patch(`/api/v1/projects/${p.id}`, { amount: 1 }), 422);
      const h = await zhang.get(`/api/v1/projects/${p.id}/history`);
      assert.ok(h.body.items.some((x) => x.action === 'update' && x.after.amount === 333333 && x.before.amount !== 333333));
    });

    it('lists filter by owner, status, stage, customer, template and quick search, page by page', async () => {
      const mine = (await zhang.get('/api/v1/projects?owner=me&limit=500')).body.items;
      assert.ok(mine.length > 3 && mine.every((p) => p.owner_id === ids.zhang));
      assert.ok(mine.every((p) => typeof p.stage_name === 'string' || p.stage_name === null));
      const won = (await admin.get('/api/v1/projects?status=won')).body.items;
      assert.ok(won.length >= 1 && won.every((p) => p.status === 'won' && p.stage === 'won'));
      const nego = (await admin.get('/api/v1/projects?stage=negotiation')).body.items;
      assert.ok(nego.every((p) => p.stage === 'negotiation'));
      const byCustomer = (await zhang.get(`/api/v1/projects?customer_id=${customers.yutong}`)).body.items;
      assert.ok(byCustomer.length >= 2 && byCustomer.every((p) => p.customer_id === customers.yutong));
      const q = (await zhang.get('/api/v1/projects?q=' + encodeURIComponent('聚酰亚胺薄膜'))).body.items;
      assert.ok(q.some((p) => p.name.startsWith('宇通电机 2027')));
      const qc = (await zhang.get('/api/v1/projects?q=' + encodeURIComponent('宇通'))).body.items;
      assert.ok(qc.length >= 2, 'the customer name matches too');
      const un = (await li.get('/api/v1/projects?owner=unassigned')).body.items;
      assert.ok(un.length >= 2 && un.every((p) => p.owner_id === null));
      // paging: every project once, newest first
      const all = await listIds(admin);
      const seen = [];
      let cursor = '';
      for (let i = 0; i < 50; i++) {
        const page = await admin.get(`/api/v1/projects?limit=4${cursor ? '&cursor=' + cursor : ''}`);
        assert.equal(page.status, 200);
        seen.push(...page.body.items.map((p) => p.id));
        if (!page.body.next_cursor) break;
        cursor = page.body.next_cursor;
      }
      assert.deepEqual(seen, all);
      assert.deepEqual([...all].sort((a, b) => b - a), all);
      for (const bad of ['status=closed', 'owner=everyone', 'customer_id=x', 'limit=0', 'cursor=abc', 'member=you']) {
        assertProblem(assert, await admin.get('/api/v1/projects?' + bad), 400);
      }
    });

    it('lists filter by department, close date and amount ranges and sort by amount, weighted or close date, page by page', async () => {
      const all = (await admin.get('/api/v1/projects?limit=500')).body.items;
      const users = (await admin.get('/api/v1/users?limit=500')).body.items;
      const deptOf = Object.fromEntries(users.map((u) => [u.id, u.department_id]));
      const depts = (await admin.get('/api/v1/departments')).body.items;
      const east = depts.find((d) => d.name.includes('华东'));
      const sales = depts.find((d) => east && d.id === east.parent_id);
      assert.ok(east && sales, 'the demo has 销售部 with 华东销售组 below it');
      const inEast = (await admin.get(`/api/v1/projects?limit=500&department_id=${east.id}`)).body.items;
      assert.deepEqual(inEast.map((p) => p.id), all.filter((p) => p.owner_id && deptOf[p.owner_id] === east.id).map((p) => p.id));
      assert.ok(inEast.length >= 2 && inEast.some((p) => p.owner_id === ids.zhang));
      const inSales = (await admin.get(`/api/v1/projects?limit=500&department_id=${sales.id}`)).body.items;
      assert.ok(inSales.length > inEast.length, 'a department includes the ones below it');
      assert.ok(inSales.every((p) => p.owner_id !== null), 'unassigned projects belong to no department');
      // a manager's filter narrows what they see, never widens it
      const liEast = (await li.get(`/api/v1/projects?limit=500&department_id=${east.id}`)).body.items;
      const liAll = new Set((await li.get('/api/v1/projects?limit=500')).body.items.map((p) => p.id));
      assert.ok(liEast.every((p) => liAll.has(p.id)));
      const north = depts.find((d) => d.name.includes('华北'));
      const liNorth = (await li.get(`/api/v1/projects?limit=500&department_id=${north.id}`)).body.items;
      const adminNorth = (await admin.get(`/api/v1/projects?limit=500&department_id=${north.id}`)).body.items;
      assert.ok(liNorth.every((p) => liAll.has(p.id)) && liNorth.length < adminNorth.length,
        'another department\'s projects stay hidden behind the filter');

      const dated = all.filter((p) => p.expected_close_date);
      assert.ok(dated.length >= 3);
      const from = '2027-01-01', to = '2027-06-30';
      const ranged = (await admin.get(`/api/v1/projects?limit=500&close_from=${from}&close_to=${to}`)).body.items;
      assert.deepEqual(ranged.map((p) => p.id),
        dated.filter((p) => p.expected_close_date >= from && p.expected_close_date <= to).map((p) => p.id));
      const big = (await admin.get('/api/v1/projects?limit=500&amount_min=100000000')).body.items;
      assert.deepEqual(big.map((p) => p.id), all.filter((p) => p.amount >= 100000000).map((p) => p.id));
      const mid = (await admin.get('/api/v1/projects?limit=500&amount_min=1000000&amount_max=100000000')).body.items;
      assert.deepEqual(mid.map((p) => p.id), all.filter((p) => p.amount >= 1000000 && p.amount <= 100000000).map((p) => p.id));

      // sorts, each paged 3 at a time: every project once, in order
      const orders = {
        '-amount': (a, b) => b.amount - a.amount || b.id - a.id,
        '-weighted': (a, b) => b.weighted_amount - a.weighted_amount || b.id - a.id,
        close_date: (a, b) => (a.expected_close_date || '9999-12-31').localeCompare(b.expected_close_date || '9999-12-31') || b.id - a.id,
        '-updated_at': (a, b) => b.updated_at.localeCompare(a.updated_at) || b.id - a.id,
      };
      for (const [sort, cmp] of Object.entries(orders)) {
        const want = [...all].sort(cmp).map((p) => p.id);
        const seen = [];
        let cursor = '';
        for (let i = 0; i < 100; i++) {
          const page = await admin.get(`/api/v1/projects?limit=3&sort=${sort}${cursor ? '&cursor=' + cursor : ''}`);
          assert.equal(page.status, 200, page.text);
          seen.push(...page.body.items.map((p) => p.id));
          if (!page.body.next_cursor) break;
          cursor = page.body.next_cursor;
        }
        assert.deepEqual(seen, want, sort);
      }
      // filters and a sort together
      const openBig = (await admin.get('/api/v1/projects?limit=500&status=open&amount_min=1&sort=-amount')).body.items;
      assert.deepEqual(openBig.map((p) => p.id),
        all.filter((p) => p.status === 'open' && p.amount >= 1).sort(orders['-amount']).map((p) => p.id));
      for (const bad of ['department_id=x', 'department_id=0', 'close_from=2027-02-30', 'close_to=tomorrow',
        'close_from=2027-1-1', 'amount_min=-1', 'amount_max=1.5', 'amount_min=10000000000000', 'sort=name',
        'sort=amount']) {
        assertProblem(assert, await admin.get('/api/v1/projects?' + bad), 400);
      }
    });

    it('visibility: owner, the owner\'s managers, administrators; not other salespeople or other managers', async () => {
      const p = (await create(zhang, { name: '可见性测试项目', customer_id: customers.yutong })).body;
      assert.equal((await li.get(`/api/v1/projects/${p.id}`)).body.access, 'manage', 'zhang\'s manager');
      assert.equal((await wang.get(`/api/v1/projects/${p.id}`)).body.access, 'manage', 'the manager above');
      assert.equal((await admin.get(`/api/v1/projects/${p.id}`)).body.access, 'manage');
      assert.equal((await sun.get(`/api/v1/projects/${p.id}`)).body.access, 'read', 'finance reads');
      for (const c of [chen, liu, huang]) {
        assertProblem(assert, await c.get(`/api/v1/projects/${p.id}`), 404);
        assertProblem(assert, await c.get(`/api/v1/projects/${p.id}/history`), 404);
        assertProblem(assert, await c.get(`/api/v1/projects/${p.id}/timeline`), 404);
        assertProblem(assert, await c.patch(`/api/v1/projects/${p.id}`, { version: 1, notes: 'x' }), 404);
        assert.ok(!(await listIds(c)).includes(p.id));
      }
      assert.ok((await listIds(li)).includes(p.id));
      // unassigned projects are visible (read) to salespeople so they can apply
      const un = (await create(huang, { name: '华北待分配 可申请', owner_id: null })).body;
      assert.equal((await chen.get(`/api/v1/projects/${un.id}`)).body.access, 'read');
      assertProblem(assert, await chen.patch(`/api/v1/projects/${un.id}`, { version: un.version, notes: 'x' }), 403);
      assertProblem(assert, await chen.get('/api/v1/projects/0'), 404);
    });

    it('members follow a project with a role: they see it, follow it up, but not the customer\'s detail', async () => {
      const p = (await create(zhang, { name: '成员协作项目 宇通', customer_id: customers.yutong })).body;
      const cust = await zhang.post(`/api/v1/customers/${customers.yutong}/followups`, { content: '客户自身的跟进记录（非项目）' });
      assert.equal(cust.status, 201, cust.text);
      const own = await zhang.post(`/api/v1/projects/${p.id}/followups`, { content: '项目启动会', effect: '明确需求', method_id: null });
      assert.equal(own.status, 201, own.text);

      assertProblem(assert, await chen.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.liu, role: '技术支持' }), 404);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: 99999999, role: '技术支持' }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.zhang, role: '自己' }), 422);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.liu }), 422);
      const add = await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.liu, role: '技术支持 Technical support' });
      assert.equal(add.status, 201, add.text);
      assertProblem(assert, await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.liu, role: 'x' }), 409, 'duplicate');

      // liu (another department) now sees the project, with write access
      const seen = await liu.get(`/api/v1/projects/${p.id}`);
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.body.access, 'write');
      assert.ok((await listIds(liu, '&member=me')).includes(p.id));
      // the customer: id, number and name only; the detail stays hidden
      assert.equal(seen.body.customer_name, '郑州宇通电机有限公司');
      assert.match(seen.body.customer_number, /^KH-/);
      assert.ok(!('customer_phone' in seen.body) && !('phone' in seen.body));
      assertProblem(assert, await liu.get(`/api/v1/customers/${customers.yutong}`), 404);
      assertProblem(assert, await liu.get(`/api/v1/customers/${customers.yutong}/followups`), 404);
      // the timeline: the project's follow-ups only for liu, both for zhang
      const tl = await liu.get(`/api/v1/projects/${p.id}/timeline`);
      assert.equal(tl.body.customer_included, false);
      assert.ok(tl.body.items.every((x) => x.source === 'project'));
      assert.ok(!tl.body.items.some((x) => x.id === cust.body.id));
      const tz = await zhang.get(`/api/v1/projects/${p.id}/timeline`);
      assert.equal(tz.body.customer_included, true);
      assert.ok(tz.body.items.some((x) => x.id === cust.body.id && x.source === 'customer'));
      assert.ok(tz.body.items.some((x) => x.id === own.body.id && x.source === 'project'));

      // a member follows up (recording the stage), ticks tasks; edits and moves are the owner's
      const f = await liu.post(`/api/v1/projects/${p.id}/followups`, {
        content: '技术交流：样品耐压 3kV 通过', effect: '技术认可', next_step: '提交测试报告', next_contact_at: '2099-01-05',
      });
      assert.equal(f.status, 201, f.text);
      assert.equal(f.body.stage, 'initial');
      assert.equal(f.body.user_id, ids.liu);
      assert.ok(f.body.reminder_id > 0);
      assertProblem(assert, await liu.post(`/api/v1/projects/${p.id}/followups`, { content: '' }), 422);
      assertProblem(assert, await liu.post(`/api/v1/projects/${p.id}/followups`, { content: 'x', next_contact_at: 'tomorrow' }), 422);
      assertProblem(assert, await liu.post(`/api/v1/projects/${p.id}/followups`, { content: 'x', next_contact_at: '2001-01-01' }), 422);
      const tick = await liu.put(`/api/v1/projects/${p.id}/checklist/needs_confirmed`, { done: true });
      assert.equal(tick.status, 200, tick.text);
      assertProblem(assert, await liu.patch(`/api/v1/projects/${p.id}`, { version: tick.body.version, notes: 'x' }), 403);
      assertProblem(assert, await liu.post(`/api/v1/projects/${p.id}/stage`, { stage: 'qualified', version: tick.body.version }), 403);
      assertProblem(assert, await liu.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.zhao, role: 'x' }), 403);
      const list = await zhang.get(`/api/v1/projects/${p.id}/followups`);
      assert.deepEqual(list.body.items.map((x) => x.id), [f.body.id, own.body.id]);
      // non-members with only read access cannot follow up
      const un = (await create(li, { name: '只读跟进测试', owner_id: null })).body;
      assertProblem(assert, await chen.post(`/api/v1/projects/${un.id}/followups`, { content: 'x' }), 403);

      // the role changes; removing the member hides the project again
      const role = await zhang.patch(`/api/v1/projects/${p.id}/members/${ids.liu}`, { role: '售前 Pre-sales' });
      assert.equal(role.status, 200, role.text);
      assert.equal(role.body.role, '售前 Pre-sales');
      const members = await liu.get(`/api/v1/projects/${p.id}/members`);
      assert.equal(members.body.items[0].user_id, ids.liu);
      assertProblem(assert, await zhao.delete(`/api/v1/projects/${p.id}/members/${ids.liu}`), 404);
      const rm = await zhang.delete(`/api/v1/projects/${p.id}/members/${ids.liu}`);
      assert.equal(rm.status, 204, rm.text);
      assertProblem(assert, await liu.get(`/api/v1/projects/${p.id}`), 404);
      assertProblem(assert, await zhang.delete(`/api/v1/projects/${p.id}/members/${ids.liu}`), 404);
      // a member may leave on their own
      await zhang.post(`/api/v1/projects/${p.id}/members`, { user_id: ids.zhao, role: '售前' });
      assert.equal((await zhao.delete(`/api/v1/projects/${p.id}/members/${ids.zhao}`)).status, 204);
      const h = (await zhang.get(`/api/v1/projects/${p.id}/history?limit=50`)).body.items.map((x) => x.action);
      for (const a of ['member_add', 'member_role', 'member_remove', 'followup_add', 'checklist']) assert.ok(h.includes(a), a);
    });

    it('managers assign and take back in batches, all or none', async () => {
      const a = (await create(wang, { name: '批量分配一', owner_id: null })).body;
      const b = (await create(wang, { name: '批量分配二', owner_id: null })).body;
      assertProblem(assert, await zhang.post('/api/v1/projects/assign', { ids: [a.id], owner_id: ids.zhang }), 403);
      assertProblem(assert, await li.post('/api/v1/projects/assign', { ids: [a.id], owner_id: ids.liu }), 422);
      assertProblem(assert, await wang.post('/api/v1/projects/assign', { ids: [], owner_id: ids.chen }), 422);
      assertProblem(assert, await wang.post('/api/v1/projects/assign', { ids: [a.id, 99999999], owner_id: ids.chen }), 422);
      assert.equal((await wang.get(`/api/v1/projects/${a.id}`)).body.owner_id, null, 'nothing moved');
      assert.equal((await wang.post(`/api/v1/projects/${a.id}/members`, { user_id: ids.chen, role: '售前' })).status, 201);
      const r = await wang.post('/api/v1/projects/assign', { ids: [a.id, b.id, a.id], owner_id: ids.chen, reason: '华东区域' });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body.moved.sort(), [a.id, b.id].sort());
      const pa = (await chen.get(`/api/v1/projects/${a.id}`)).body;
      assert.equal(pa.owner_id, ids.chen);
      assert.equal(pa.access, 'manage');
      assert.ok(pa.owned_since);
      assert.deepEqual(pa.members, [], 'the new owner is no longer a member too');
      const again = await wang.post('/api/v1/projects/assign', { ids: [a.id], owner_id: ids.chen });
      assert.deepEqual(again.body.unchanged, [a.id]);
      // huang does not cover chen's projects: nothing is taken back
      assertProblem(assert, await huang.post('/api/v1/projects/takeback', { ids: [a.id], reason: 'x' }), 422);
      assertProblem(assert, await li.post('/api/v1/projects/takeback', { ids: [a.id] }), 422);
      const tb = await li.post('/api/v1/projects/takeback', { ids: [a.id], reason: '客户转由大客户部跟进' });
      assert.equal(tb.status, 200, tb.text);
      assert.equal((await li.get(`/api/v1/projects/${a.id}`)).body.owner_id, null);
      const h = (await li.get(`/api/v1/projects/${a.id}/history`)).body.items;
      assert.equal(h[0].action, 'takeback');
      assert.equal(h[0].after.reason, '客户转由大客户部跟进');
      assert.equal(h[1].action, 'assign');
    });

    it('apply for an unassigned project → the manager approves → it is the applicant\'s; late applicants lose', async () => {
      const p = (await create(huang, { name: '申请测试项目 华北', owner_id: null, amount: 880000 })).body;
      assertProblem(assert, await zhao.post(`/api/v1/projects/${p.id}/apply`, {}), 422);
      assertProblem(assert, await sun.post(`/api/v1/projects/${p.id}/apply`, { reason: 'x' }), 403);
      assertProblem(assert, await zhao.post('/api/v1/projects/99999999/apply', { reason: 'x' }), 404);
      const a = await zhao.post(`/api/v1/projects/${p.id}/apply`, { reason: '客户在我的区域' });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.state, 'pending');
      assert.equal(a.body.applicant_id, ids.zhao);
      assertProblem(assert, await zhao.post(`/api/v1/projects/${p.id}/apply`, { reason: '再次' }), 409, 'duplicate');
      const b = await liu.post(`/api/v1/projects/${p.id}/apply`, { reason: '我也想跟进' });
      assert.equal(b.status, 201, b.text);
      assert.equal((await zhao.get(`/api/v1/projects/${p.id}`)).body.my_application.state, 'pending');
      // huang manages both: the inbox, the applications box
      const all = await huang.get('/api/v1/project-applications?box=all&state=pending');
      assert.ok(all.body.items.some((x) => x.id === a.body.id));
      assertProblem(assert, await zhao.get('/api/v1/project-applications?box=all'), 403);
      assertProblem(assert, await li.get(`/api/v1/project-applications/${a.body.id}`), 404);
      assert.equal((await zhao.get(`/api/v1/project-applications/${a.body.id}`)).status, 200);
      const rq = await huang.get(`/api/v1/approvals/${a.body.request_id}`);
      assert.equal(rq.status, 200, rq.text);
      assert.equal(rq.body.doc_type, 'project_application');
      const ok = await huang.post(`/api/v1/approvals/${a.body.request_id}/approve`, { version: rq.body.version, comment: '同意' });
      assert.equal(ok.status, 200, ok.text);
      const mine = (await zhao.get(`/api/v1/projects/${p.id}`)).body;
      assert.equal(mine.owner_id, ids.zhao);
      assert.equal(mine.access, 'manage');
      assert.equal((await zhao.get(`/api/v1/project-applications/${a.body.id}`)).body.state, 'approved');
      const h = (await zhao.get(`/api/v1/projects/${p.id}/history`)).body.items;
      assert.equal(h[0].action, 'apply');
      assert.equal(h[0].user_id, ids.huang, 'the approver made the move');
      // the other applicant's approval comes too late: lost, saying who has it
      const rq2 = await huang.get(`/api/v1/approvals/${b.body.request_id}`);
      const ok2 = await huang.post(`/api/v1/approvals/${b.body.request_id}/approve`, { version: rq2.body.version, comment: '同意' });
      assert.equal(ok2.status, 200, ok2.text);
      const lost = (await liu.get(`/api/v1/project-applications/${b.body.id}`)).body;
      assert.equal(lost.state, 'lost');
      assert.match(lost.outcome_note, /赵磊/);
      assert.equal((await huang.get(`/api/v1/projects/${p.id}`)).body.owner_id, ids.zhao);
      // applying for an owned project is a clear 409
      const mineAgain = await zhao.post(`/api/v1/projects/${p.id}/apply`, { reason: 'x' });
      assertProblem(assert, mineAgain, 409, 'conflict');
      assert.equal(mineAgain.body.reason, 'already_yours');
      const owned = await liu.post(`/api/v1/projects/${p.id}/apply`, { reason: 'x' });
      assertProblem(assert, owned, 409, 'conflict');
      assert.equal(owned.body.reason, 'already_owned');
      // someone who cannot see it and never applied learns nothing: 404, as
      // for any id (the route matrix found the 409 told them it exists)
      const probe = await chen.post(`/api/v1/projects/${p.id}/apply`, { reason: 'x' });
      assertProblem(assert, probe, 404, 'not_found');
    });

    it('the same user applying several times at once gets one application, the rest 409', async () => {
      const p = (await create(li, { name: '并发申请测试', owner_id: null })).body;
      const rs = await Promise.all([1, 2, 3].map(() => chen.post(`/api/v1/projects/${p.id}/apply`, { reason: '并发' })));
      assert.deepEqual(rs.map((r) => r.status).sort(), [201, 409, 409], rs.map((r) => r.text).join('\n'));
      assert.ok(rs.filter((r) => r.status === 409).every((r) => r.body.code === 'duplicate'));
      const apps = await chen.get(`/api/v1/project-applications?project_id=${p.id}`);
      assert.equal(apps.body.items.length, 1);
    });

    it('a rejected or withdrawn application leaves the project unassigned', async () => {
      const p = (await create(li, { name: '申请驳回测试', owner_id: null })).body;
      const a = await chen.post(`/api/v1/projects/${p.id}/apply`, { reason: '试试' });
      assert.equal(a.status, 201, a.text);
      const rq = await li.get(`/api/v1/approvals/${a.body.request_id}`);
      const no = await li.post(`/api/v1/approvals/${a.body.request_id}/reject`, { version: rq.body.version, comment: '由大客户部跟进' });
      assert.equal(no.status, 200, no.text);
      assert.equal((await chen.get(`/api/v1/project-applications/${a.body.id}`)).body.state, 'rejected');
      assert.equal((await li.get(`/api/v1/projects/${p.id}`)).body.owner_id, null);
      const b = await chen.post(`/api/v1/projects/${p.id}/apply`, { reason: '再申请' });
      assert.equal(b.status, 201, b.text);
      assert.equal((await chen.post(`/api/v1/approvals/${b.body.request_id}/cancel`, {})).status, 200);
      assert.equal((await chen.get(`/api/v1/project-applications/${b.body.id}`)).body.state, 'cancelled');
      assert.equal((await li.get(`/api/v1/projects/${p.id}`)).body.owner_id, null);
    });

    it('the demo company has the article\'s wire order, members and a pending application', async () => {
      const r = await admin.get('/api/v1/projects?q=' + encodeURIComponent('宇通电机 2027 年度聚酰亚胺薄膜绕包扁铜线采购'));
      const p = (await admin.get(`/api/v1/projects/${r.body.items[0].id}`)).body;
      assert.equal(p.stage, 'negotiation');
      assert.equal(p.products[0].unit, 'kg');
      assert.match(p.products[0].package, /150 kg/);
      assert.equal(p.products[0].quantity_milli % 1000, 0);
      assert.ok(p.members.length >= 1);
      const pend = await huang.get('/api/v1/approvals?box=inbox&doc_type=project_application');
      assert.ok(pend.body.items.length >= 1, pend.text);
    });
  });
}
