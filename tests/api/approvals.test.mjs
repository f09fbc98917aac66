// approvals.test.mjs — approval requests as their deciders see them, on
// every engine: the decide endpoint's version (required, checked, 409 when
// the request moved on), a request decided first by someone else (409 naming
// who and when), what a request carries for its approver (reason, subject,
// the named people of each step, amount only where the document has one,
// the decisions), and a director's read-only view of what waits at the
// managers below them (the demo company: wang manages Sales, above li's East
// China and huang's North China teams).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`approval requests [${engine}]`, () => {
    let srv, admin, wang, li, huang, zhang, chen, liu;
    const ids = {};

    /** zhang (East China, manager li) applies for a new pool customer. */
    async function customerApplication(who = zhang, reason = '客户在我负责的区域 near my office') {
      const name = `审批测试客户 Approval ${uniq()}`;
      const c = await wang.post('/api/v1/customers', { name, phone: phone(), owner_id: null });
      assert.equal(c.status, 201, c.text);
      const a = await who.post(`/api/v1/customers/${c.body.id}/apply`, { reason });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.body.state, 'pending');
      return { customer: c.body, app: a.body, rid: a.body.request_id, name };
    }

    before(async () => {
      srv = await startServer({ engine });
      [admin, wang, li, huang, zhang, chen, liu] = await Promise.all(
        ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu'].map((l) => srv.login(l)));
      for (const u of (await admin.get('/api/v1/users?limit=500')).body.items) ids[u.login] = { id: u.id, name: u.name };
    });
    after(async () => { await srv.stop(); });

    it('approve and reject need the version read: missing or malformed is 422 and changes nothing', async () => {
      const { rid, customer } = await customerApplication();
      for (const body of [{}, { comment: 'ok' }, { version: 'one' }, { version: 0 }]) {
        const r = await li.post(`/api/v1/approvals/${rid}/approve`, body);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === 'version'), r.text);
      }
      assertProblem(assert, await li.post(`/api/v1/approvals/${rid}/reject`, { comment: 'no' }), 422);
      const q = (await li.get(`/api/v1/approvals/${rid}`)).body;
      assert.equal(q.state, 'pending');
      assert.equal(q.version, 1);
      assert.deepEqual(q.actions, []);
      // a version that is not the request's: 409 with the current one, nothing decided
      const stale = await li.post(`/api/v1/approvals/${rid}/approve`, { version: 7 });
      assertProblem(assert, stale, 409, 'version_conflict');
      assert.equal(stale.body.current_version, 1);
      assert.equal((await li.get(`/api/v1/approvals/${rid}`)).body.state, 'pending');
      // the version read: decided, and the customer is zhang's
      const ok = await li.post(`/api/v1/approvals/${rid}/approve`, { version: 1, comment: '同意' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.state, 'approved');
      assert.equal(ok.body.version, 2);
      assert.equal((await admin.get(`/api/v1/customers/${customer.id}`)).body.owner_id, ids.zhang.id);
    });

    it('a request decided first by someone else answers 409 naming who and when', async () => {
      const { rid } = await customerApplication();
      // li and the administrator both read version 1; the administrator decides first
      const first = await admin.post(`/api/v1/approvals/${rid}/reject`, { version: 1, comment: '重复申请 duplicate' });
      assert.equal(first.status, 200, first.text);
      const decidedAt = first.body.actions[0].at;
      for (const [path, body] of [['approve', { version: 1 }], ['reject', { version: 1, comment: 'x' }], ['approve', { version: 2 }]]) {
        const late = await li.post(`/api/v1/approvals/${rid}/${path}`, body);
        assertProblem(assert, late, 409, 'conflict');
        assert.equal(late.body.reason, 'already_decided');
        assert.deepEqual(late.body.decided_by, { id: ids.admin.id, name: ids.admin.name });
        assert.equal(late.body.decision, 'reject');
        assert.equal(late.body.decided_at, decidedAt);
        assert.equal(late.body.state, 'rejected');
        assert.match(late.body.detail, new RegExp(`already rejected by ${ids.admin.name} at ${decidedAt}`));
      }
      const q = (await zhang.get(`/api/v1/approvals/${rid}`)).body;
      assert.equal(q.state, 'rejected');
      assert.equal(q.actions.length, 1, 'the late decisions left no trace');
      // the applicant withdrawing a decided request hears the same
      const c = await zhang.post(`/api/v1/approvals/${rid}/cancel`, {});
      assertProblem(assert, c, 409, 'conflict');
      assert.equal(c.body.decided_by.id, ids.admin.id);
    });

    it('two approvals of one request at once: one wins, the other is told who decided', async () => {
      const { rid, customer } = await customerApplication();
      const rs = await Promise.all([li, admin].map((c) => c.post(`/api/v1/approvals/${rid}/approve`, { version: 1 })));
      const won = rs.filter((r) => r.status === 200);
      const lost = rs.filter((r) => r.status !== 200);
      assert.equal(won.length, 1, rs.map((r) => r.text).join('\n'));
      assertProblem(assert, lost[0], 409, 'conflict');
      const winner = rs[0].status === 200 ? ids.li : ids.admin;
      assert.deepEqual(lost[0].body.decided_by, { id: winner.id, name: winner.name });
      assert.equal(lost[0].body.decision, 'approve');
      assert.equal((await admin.get(`/api/v1/customers/${customer.id}`)).body.owner_id, ids.zhang.id);
      assert.equal((await li.get(`/api/v1/approvals/${rid}`)).body.actions.length, 1);
    });

    it('a request shows its reason, its subject, the named deciders and no amount for a customer', async () => {
      const { rid, customer, name } = await customerApplication(zhang, '老客户介绍 referred by a client');
      const q = (await li.get(`/api/v1/approvals/${rid}`)).body;
      assert.equal(q.reason, '老客户介绍 referred by a client');
      assert.deepEqual(q.subject, { type: 'customer', id: customer.id, name });
      assert.equal(q.has_amount, false);
      assert.equal(q.amount, null, 'a customer application has no amount');
      assert.equal(q.steps.length, 1);
      assert.equal(q.steps[0].kind, 'manager');
      assert.deepEqual(q.steps[0].deciders, [{ id: ids.li.id, name: ids.li.name }], "zhang's manager, by name");
      assert.equal(q.can_decide, true);
      // the inbox row carries the same
      const inbox = (await li.get('/api/v1/approvals?box=inbox')).body.items.find((x) => x.id === rid);
      assert.equal(inbox.reason, '老客户介绍 referred by a client');
      assert.equal(inbox.subject_type, 'customer');
      assert.equal(inbox.subject_id, customer.id);
      assert.equal(inbox.amount, null);
      assert.equal(inbox.step_label, ids.li.name);
      // liu is in North China: huang decides his applications
      const other = await customerApplication(liu);
      const q2 = (await huang.get(`/api/v1/approvals/${other.rid}`)).body;
      assert.deepEqual(q2.steps[0].deciders, [{ id: ids.huang.id, name: ids.huang.name }]);
      assertProblem(assert, await li.get(`/api/v1/approvals/${other.rid}`), 404);
    });

    it('a project application carries the project, its amount and reason', async () => {
      const p = await huang.post('/api/v1/projects', { name: `审批测试项目 Project ${uniq()}`, owner_id: null, amount: 4560000 });
      assert.equal(p.status, 201, p.text);
      const a = await liu.post(`/api/v1/projects/${p.body.id}/apply`, { reason: '我跟进过这个客户' });
      assert.equal(a.status, 201, a.text);
      const q = (await huang.get(`/api/v1/approvals/${a.body.request_id}`)).body;
      assert.equal(q.doc_type, 'project_application');
      assert.deepEqual(q.subject, { type: 'project', id: p.body.id, name: p.body.name });
      assert.equal(q.has_amount, true);
      assert.equal(q.amount, 4560000);
      assert.equal(q.reason, '我跟进过这个客户');
      assert.deepEqual(q.steps[0].deciders, [{ id: ids.huang.id, name: ids.huang.name }]);
      const ok = await huang.post(`/api/v1/approvals/${q.id}/approve`, { version: q.version });
      assert.equal(ok.status, 200, ok.text);
      assert.equal((await huang.get(`/api/v1/projects/${p.body.id}`)).body.owner_id, ids.liu.id);
    });

    it('a director sees, read-only, what waits at the managers below; others do not', async () => {
      const east = await customerApplication(chen);
      const north = await customerApplication(liu);
      const boxes = (await wang.get('/api/v1/approval-boxes')).body.items;
      assert.deepEqual(boxes.map((b) => b.box), ['inbox', 'mine', 'below']);
      assert.ok(boxes.find((b) => b.box === 'below').pending >= 2);
      const below = (await wang.get('/api/v1/approvals?box=below&limit=100')).body.items;
      assert.ok(below.some((x) => x.id === east.rid), 'waiting at li');
      assert.ok(below.some((x) => x.id === north.rid), 'waiting at huang');
      assert.ok(below.every((x) => x.state === 'pending' && [ids.li.id, ids.huang.id].includes(x.current_user_id)));
      // not in wang's own inbox, and he may read but not decide
      assert.ok(!(await wang.get('/api/v1/approvals?box=inbox&limit=100')).body.items.some((x) => x.id === east.rid));
      const q = await wang.get(`/api/v1/approvals/${east.rid}`);
      assert.equal(q.status, 200, q.text);
      assert.equal(q.body.can_decide, false);
      assert.equal(q.body.reason, east.app.reason);
      assertProblem(assert, await wang.post(`/api/v1/approvals/${east.rid}/approve`, { version: 1 }), 403);
      assert.equal((await li.get(`/api/v1/approvals/${east.rid}`)).body.state, 'pending');
      // li and huang manage no managers: no such box, and an empty list
      for (const m of [li, huang]) {
        assert.deepEqual((await m.get('/api/v1/approval-boxes')).body.items.map((b) => b.box), ['inbox', 'mine']);
        assert.deepEqual((await m.get('/api/v1/approvals?box=below')).body.items, []);
      }
      // huang may not read what waits at li
      assertProblem(assert, await huang.get(`/api/v1/approvals/${east.rid}`), 404);
      // a salesperson has no such box either
      assert.deepEqual((await zhang.get('/api/v1/approvals?box=below')).body.items, []);
      // once li decides it, it leaves wang's view of what waits
      assert.equal((await li.post(`/api/v1/approvals/${east.rid}/approve`, { version: 1 })).status, 200);
      assert.ok(!(await wang.get('/api/v1/approvals?box=below&limit=100')).body.items.some((x) => x.id === east.rid));
      assertProblem(assert, await wang.get('/api/v1/approvals?box=nope'), 400);
    });
  });
}
