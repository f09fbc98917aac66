// contracts.test.mjs — contracts, the second document with lines: entry
// blank (list price or a price given by hand), from a customer, a project or
// an accepted quotation (its lines, prices, currency and terms come along);
// the list and its filters through the policy module; the versioned edit of
// a draft; approval through the engine (manager, then finance) to effective;
// every allowed and refused transition of the state table; amendments
// through approval again (never below what was delivered; the earlier
// revision stays readable); cancel and terminate; bad input and two submits
// at once refused with nothing half-written. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

for (const engine of engines()) {
  describe(`contracts [${engine}]`, () => {
    let srv, admin, zhang, chen, li, sun, wang;
    let prodA, prodB, cust;

    const create = async (c, body, status = 201) => {
      const r = await c.post('/api/v1/contracts', body);
      assert.equal(r.status, status, r.text);
      return r.body;
    };
    const act = (c, k, event, body = {}) => c.post(`/api/v1/contracts/${k.id}/${event}`, { version: k.version, ...body });
    const ok = async (p) => {
      const r = await p;
      assert.ok(r.status === 200 || r.status === 201, r.text);
      return r.body;
    };
    const get = async (c, k) => ok(c.get(`/api/v1/contracts/${k.id}`));
    const line = (p, qty, extra = {}) => ({ product_id: p.id, qty_milli: qty, ...extra });
    const count = () => Number(sql(srv, 'SELECT COUNT(*) FROM contracts'));
    // decides the pending approval of k as `who` (or the step's approver)
    const decide = async (who, k, verdict = 'approve', comment) => {
      const rid = (await get(zhang, k)).approval.id;
      const ap = (await who.get(`/api/v1/approvals/${rid}`)).body;
      const r = await who.post(`/api/v1/approvals/${rid}/${verdict}`, { version: ap.version, ...(comment ? { comment } : {}) });
      assert.equal(r.status, 200, r.text);
      return get(zhang, k);
    };
    const effective = (body = {}) => effectiveFor(cust, body);
    const effectiveFor = async (c, body = {}) => {
      let k = await create(zhang, { customer_id: c.id, lines: [line(prodA, 2000), line(prodB, 1000)], ...body });
      k = await ok(act(zhang, k, 'submit'));
      k = await decide(li, k);
      k = await decide(sun, k);
      assert.equal(k.state, 'effective');
      return k;
    };

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, li, sun, wang] = await Promise.all(
        ['admin', 'zhang', 'chen', 'li', 'sun', 'wang'].map((l) => srv.login(l)));
      const cat = (await admin.post('/api/v1/product-categories', { name: `合同线 Contract wire ${uniq()}` })).body;
      const mk = async (price) => ok(admin.post('/api/v1/products', {
        code: `C-${uniq()}`, name: `合同测试 Contract test ${uniq()}`, category_id: cat.id, unit: 'kg', list_price: price,
      }));
      prodA = await mk(10000);
      prodB = await mk(4321);
      cust = await ok(zhang.post('/api/v1/customers', { name: `合同客户 Contract customer ${uniq()}`, phone: phone() }));
    });
    after(() => srv.stop());

    it('the demo company has contracts in every state it makes, approved through the engine', async () => {
      const states = sql(srv, 'SELECT DISTINCT state FROM contracts ORDER BY state').split('\n');
      // effective ones stay effective (made after the money and goods demos recorded on the others);
      // one delivered and paid in full is completed, one delivered in part is being fulfilled
      for (const s of ['cancelled', 'completed', 'draft', 'effective', 'fulfilling', 'in_approval', 'terminated']) assert.ok(states.includes(s), s);
      const done = sql(srv, "SELECT grand_total - returned_value - received FROM contracts WHERE state = 'completed'").split('\n').map(Number);
      assert.ok(done.length > 0 && done.every((d) => d <= 0), JSON.stringify(done));
      const pending = Number(sql(srv, "SELECT COUNT(*) FROM approval_requests WHERE doc_type = 'contract' AND state = 'approved'"));
      assert.ok(pending > 0);
      const list = await ok(wang.get('/api/v1/contracts'));
      assert.ok(list.items.length > 0);
    });

    it('enters a blank contract priced from the list price or a given price, numbered HT-yyyymm-nnnn, with its figures', async () => {
      const k = await create(zhang, {
        customer_id: cust.id, title: '年度供货 Annual supply', freight: 5000,
        lines: [line(prodA, 2500), line(prodB, 1000, { unit_price: 4000, discount_bp: 500 })],
      });
      assert.match(k.number, /^HT-\d{6}-\d{4}$/);
      assert.equal(k.state, 'draft');
      assert.equal(k.revision, 1);
      assert.equal(k.owner_id, (await zhang.get('/api/v1/me')).body.id);
      assert.equal(k.customer_name, cust.name);
      assert.equal(k.lines.length, 2);
      assert.equal(k.lines[0].unit_price, 10000);
      assert.equal(k.lines[0].total, 25000);
      assert.equal(k.lines[1].unit_price, 4000);
      assert.equal(k.lines[1].total, 3800);
      assert.equal(k.grand_total, 25000 + 3800 + 5000);
      assert.equal(k.due, k.grand_total);
      for (const f of ['invoiced', 'received', 'refunded', 'returned_value']) assert.equal(k[f], 0);
      assert.deepEqual([...k.actions].sort(), ['cancel', 'edit', 'submit']);
      // history: the creation
      const h = await ok(zhang.get(`/api/v1/contracts/${k.id}/history`));
      assert.equal(h.items[0].action, 'create');
    });

    it('lists with q, state, customer and owner filters through the policy module', async () => {
      const other = await ok(zhang.post('/api/v1/customers', { name: `合同筛选 Filter ${uniq()}`, phone: phone() }));
      const k = await create(zhang, { customer_id: other.id, title: `筛选合同 ${uniq()}`, lines: [line(prodA, 1000)] });
      const ids = async (c, qs) => (await ok(c.get(`/api/v1/contracts?${qs}`))).items.map((x) => x.id);
      assert.deepEqual(await ids(zhang, `customer_id=${other.id}`), [k.id]);
      assert.deepEqual(await ids(zhang, `q=${encodeURIComponent(other.name.slice(0, 6))}&customer_id=${other.id}`), [k.id]);
      assert.ok((await ids(zhang, 'state=draft')).includes(k.id));
      assert.ok(!(await ids(zhang, 'state=effective')).includes(k.id));
      assert.ok((await ids(zhang, `owner_id=${k.owner_id}`)).includes(k.id));
      const row = (await ok(zhang.get(`/api/v1/contracts?customer_id=${other.id}`))).items[0];
      assert.equal(row.grand_total, k.grand_total);
      assert.equal(row.due, k.grand_total);
      // chen, another team's salesperson, neither lists nor reads it; li (zhang's manager) and finance do
      assert.ok(!(await ids(chen, `customer_id=${other.id}`)).includes(k.id));
      assertProblem(assert, await chen.get(`/api/v1/contracts/${k.id}`), 404);
      assert.deepEqual(await ids(li, `customer_id=${other.id}`), [k.id]);
      assert.deepEqual(await ids(sun, `customer_id=${other.id}`), [k.id]);
      assert.deepEqual((await get(sun, k)).actions, []);
      assertProblem(assert, await sun.post('/api/v1/contracts', { customer_id: other.id, lines: [line(prodA, 1)] }), 403);
      assertProblem(assert, await zhang.get('/api/v1/contracts?state=nonsense'), 400);
    });

    it('is made from an accepted quotation with its lines, prices, currency and terms; not from any other', async () => {
      const q0 = await ok(zhang.post('/api/v1/quotations', {
        customer_id: cust.id, currency: 'USD', rate_micro: 7000000, payment_terms: 'T/T 30 days', delivery_terms: 'FOB',
        header_discount: 100, lines: [line(prodA, 3000), line(prodB, 2000)],
      }));
      const sent = await ok(zhang.post(`/api/v1/quotations/${q0.id}/send`, { version: q0.version }));
      assertProblem(assert, await zhang.post('/api/v1/contracts', { quotation_id: q0.id }), 422);
      const q = await ok(zhang.post(`/api/v1/quotations/${q0.id}/accept`, { version: sent.version }));
      const k = await create(zhang, { quotation_id: q.id });
      assert.deepEqual((await ok(zhang.get(`/api/v1/contracts?quotation_id=${q.id}`))).items.map((x) => x.id), [k.id]);
      assert.equal(k.quotation_id, q.id);
      assert.equal(k.quotation_number, q.number);
      assert.equal(k.customer_id, cust.id);
      assert.equal(k.currency, 'USD');
      assert.equal(k.rate_micro, 7000000);
      assert.equal(k.payment_terms, 'T/T 30 days');
      assert.equal(k.delivery_terms, 'FOB');
      assert.equal(k.header_discount, 100);
      assert.equal(k.grand_total, q.grand_total);
      assert.deepEqual(k.lines.map((l) => [l.product_id, l.qty_milli, l.unit_price, l.total]),
        q.lines.map((l) => [l.product_id, l.qty_milli, l.unit_price, l.total]));
      // one contract per quotation; a stranger's quotation is not found
      const r = await zhang.post('/api/v1/contracts', { quotation_id: q.id });
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].code, 'taken');
      assertProblem(assert, await chen.post('/api/v1/contracts', { quotation_id: q.id }), 422);
    });

    it('is made from a project (which brings its customer) and refuses a project of another customer', async () => {
      const p = await ok(zhang.post('/api/v1/projects', { name: `合同项目 Project ${uniq()}`, customer_id: cust.id, amount: 100000 }));
      const k = await create(zhang, { project_id: p.id, lines: [line(prodA, 1000)] });
      assert.equal(k.customer_id, cust.id);
      assert.equal(k.project_id, p.id);
      assert.equal(k.project_name, p.name);
      const other = await ok(zhang.post('/api/v1/customers', { name: `别的客户 Other ${uniq()}`, phone: phone() }));
      assertProblem(assert, await zhang.post('/api/v1/contracts', { project_id: p.id, customer_id: other.id, lines: [line(prodA, 1)] }), 422);
      assert.deepEqual((await ok(zhang.get(`/api/v1/contracts?project_id=${p.id}`))).items.map((x) => x.id), [k.id]);
    });

    it('edits a draft with its version (409 when stale), and no other state', async () => {
      let k = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 1000)] });
      const r = await zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, notes: '加急 Urgent', lines: [line(prodB, 3000)] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.notes, '加急 Urgent');
      assert.equal(r.body.lines[0].product_id, prodB.id);
      assert.equal(r.body.grand_total, 12963);
      assertProblem(assert, await zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, notes: 'x' }), 409);
      // a header change keeps the lines and their prices
      k = await ok(zhang.patch(`/api/v1/contracts/${k.id}`, { version: r.body.version, header_discount: 963 }));
      assert.equal(k.lines[0].unit_price, 4321);
      assert.equal(k.grand_total, 12000);
      k = await ok(act(zhang, k, 'submit'));
      assertProblem(assert, await zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, notes: 'y' }), 409, 'conflict');
      const hist = (await ok(zhang.get(`/api/v1/contracts/${k.id}/history`))).items.map((x) => x.action);
      assert.deepEqual(hist.slice(0, 4), ['submit', 'update', 'update', 'create']);
    });

    it('goes through approval: manager then finance make it effective; a rejection returns it to draft; a withdrawal too', async () => {
      let k = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 1000)] });
      k = await ok(act(zhang, k, 'submit', { reason: '年度合同 Annual contract' }));
      assert.equal(k.state, 'in_approval');
      assert.equal(k.approval.state, 'pending');
      assert.deepEqual([...k.actions].sort(), ['cancel', 'withdraw']);
      // only who submitted it withdraws it: the manager is offered neither
      assert.deepEqual((await get(li, k)).actions, []);
      assertProblem(assert, await act(li, k, 'withdraw'), 409);
      const ap = (await li.get(`/api/v1/approvals/${k.approval.id}`)).body;
      assert.equal(ap.doc_type, 'contract');
      assert.equal(ap.amount, k.grand_total_cny);
      assertProblem(assert, await chen.get(`/api/v1/approvals/${k.approval.id}`), 404);
      k = await decide(li, k);
      assert.equal(k.state, 'in_approval'); // now at finance
      k = await decide(sun, k);
      assert.equal(k.state, 'effective');
      assert.ok(k.effective_at);
      assert.deepEqual([...k.actions].sort(), ['amend', 'cancel', 'terminate']);
      assert.ok((await ok(zhang.get(`/api/v1/customers/${cust.id}`))).last_deal_at, 'the customer\'s last deal');
      const hist = (await ok(zhang.get(`/api/v1/contracts/${k.id}/history`))).items.map((x) => x.action);
      assert.deepEqual(hist.slice(0, 3), ['approve', 'submit', 'create']);

      let j = await create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      j = await ok(act(zhang, j, 'submit'));
      j = await decide(li, j, 'reject', '价格不对 Wrong price');
      assert.equal(j.state, 'draft');
      j = await ok(act(zhang, j, 'submit'));
      j = await ok(act(zhang, j, 'withdraw'));
      assert.equal(j.state, 'draft');
      assert.equal(j.approval.state, 'cancelled');
    });

    it('the state table: every event allowed or refused in every state', async () => {
      const fresh = () => create(zhang, { customer_id: cust.id, lines: [line(prodB, 1000)] });
      const reach = {
        draft: fresh,
        in_approval: async () => ok(act(zhang, await fresh(), 'submit')),
        effective: () => effective(),
        fulfilling: async () => {
          const k = await effective();
          sql(srv, `UPDATE contracts SET state = 'fulfilling', received = 100, version = version + 1 WHERE id = ${k.id}`);
          return get(zhang, k);
        },
        completed: async () => {
          const k = await effective();
          sql(srv, `UPDATE contracts SET state = 'completed', version = version + 1 WHERE id = ${k.id}`);
          return get(zhang, k);
        },
        cancelled: async () => ok(act(zhang, await fresh(), 'cancel')),
        terminated: async () => ok(act(zhang, await effective(), 'terminate', { reason: '客户破产 Customer bankrupt' })),
      };
      const allowed = {
        draft: { submit: 'in_approval', cancel: 'cancelled' },
        in_approval: { withdraw: 'draft', cancel: 'cancelled' },
        effective: { cancel: 'cancelled', terminate: 'terminated' },
        fulfilling: { terminate: 'terminated' },
        completed: {}, cancelled: {}, terminated: {},
      };
      const events = ['submit', 'withdraw', 'cancel', 'terminate', 'amend', 'submit-amendment', 'withdraw-amendment', 'discard-amendment'];
      for (const [state, make] of Object.entries(reach)) {
        for (const ev of events) {
          const k = await make();
          assert.equal(k.state, state);
          const r = await act(zhang, k, ev, { reason: '原因 Reason' });
          if (allowed[state][ev]) {
            assert.equal(r.status, 200, `${state} ${ev}: ${r.text}`);
            assert.equal(r.body.state, allowed[state][ev], `${state} ${ev}`);
          } else if (ev === 'amend' && (state === 'effective' || state === 'fulfilling')) {
            assert.equal(r.status, 200, `${state} amend: ${r.text}`);
            assert.equal(r.body.amendment.state, 'draft');
          } else {
            assertProblem(assert, r, 409);
          }
        }
        // editing is refused outside draft
        if (state !== 'draft') {
          const k = await make();
          assertProblem(assert, await zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, notes: 'z' }), 409);
        }
      }
    });

    it('money and goods move it on: effective -> being fulfilled -> completed; a completed contract refuses every change', async () => {
      const zhou = await srv.login('zhou');
      const wh = await ok(admin.post('/api/v1/warehouses', { code: `CW${uniq()}`, name: `合同仓 Contract store ${uniq()}`, allow_negative: true }));
      let k = await effective({ lines: [line(prodA, 2000)] });
      const today = k.sign_date;
      let r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, { amount: 5000, receipt_date: today, method: 'bank_transfer' });
      assert.equal(r.status, 201, r.text);
      k = await get(zhang, k);
      assert.equal(k.state, 'fulfilling');
      assert.equal(k.received, 5000);
      assert.equal(k.due, k.grand_total - 5000);
      assert.deepEqual([...k.actions].sort(), ['amend', 'terminate']);
      r = await zhou.post(`/api/v1/contracts/${k.id}/deliveries`, { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: 2000 }] });
      assert.equal(r.status, 201, r.text);
      k = await get(zhang, k);
      assert.equal(k.state, 'fulfilling');
      assert.equal(k.goods[0].delivered_milli, 2000);
      r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, { amount: k.due, receipt_date: today, method: 'bank_transfer' });
      assert.equal(r.status, 201, r.text);
      k = await get(zhang, k);
      assert.equal(k.state, 'completed');
      assert.equal(k.due, 0);
      assert.ok(k.closed_at);
      assert.deepEqual(k.actions, []);
      for (const ev of ['submit', 'withdraw', 'cancel', 'terminate', 'amend', 'submit-amendment']) {
        assertProblem(assert, await act(zhang, k, ev, { reason: '原因 Reason' }), 409);
      }
      assertProblem(assert, await zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, notes: 'x' }), 409);
      const hist = (await ok(zhang.get(`/api/v1/contracts/${k.id}/history`))).items.map((x) => x.action);
      assert.ok(hist.includes('fulfilling') && hist.includes('completed'), hist.join());
    });

    it('cancels an effective contract only while nothing was invoiced, received or delivered; terminate needs a reason', async () => {
      let k = await effective();
      sql(srv, `INSERT INTO contract_goods(contract_id, product_id, delivered_milli) VALUES (${k.id}, ${prodA.id}, 500)`);
      k = await get(zhang, k);
      assert.ok(!k.actions.includes('cancel'));
      assertProblem(assert, await act(zhang, k, 'cancel'), 409, 'conflict');
      assertProblem(assert, await act(zhang, k, 'terminate'), 422);
      k = await ok(act(zhang, k, 'terminate', { reason: '停产 Discontinued' }));
      assert.equal(k.state, 'terminated');
      assert.equal(k.close_reason, '停产 Discontinued');
      assert.ok(k.closed_at);
      assert.deepEqual(k.actions, []);
      // a payment plan but no money yet: cancelled, its reminders are done
      let p = await effective();
      assert.equal((await sun.put(`/api/v1/contracts/${p.id}/payment-plan`, {
        version: p.version, instalments: [{ due_date: '2027-01-31', amount: 1000 }],
      })).status, 200);
      p = await ok(act(zhang, await get(zhang, p), 'cancel'));
      assert.equal(p.state, 'cancelled');
      assert.equal(sql(srv, `SELECT COUNT(*) FROM reminders r JOIN contract_instalments i ON i.reminder_id = r.id WHERE i.contract_id = ${p.id} AND r.done = FALSE`), '0');
      let m = await effective();
      sql(srv, `UPDATE contracts SET invoiced = 100, version = version + 1 WHERE id = ${m.id}`);
      m = await get(zhang, m);
      assertProblem(assert, await act(zhang, m, 'cancel'), 409);
    });

    it('answers the lines and rates of its rows, kept with every change of the lines, and the same without their stored text', async () => {
      const rates = (ls) => {
        const m = new Map();
        for (const l of ls) {
          const x = m.get(l.tax_bp) || { tax_bp: l.tax_bp, net: 0, tax: 0 };
          x.net += l.net; x.tax += l.tax;
          m.set(l.tax_bp, x);
        }
        return [...m.values()].sort((a, b) => a.tax_bp - b.tax_bp);
      };
      // the detail against the rows of its revision (GET .../revisions/n reads doc_lines)
      const same = async (k) => {
        const d = await get(zhang, k);
        const rows = await ok(zhang.get(`/api/v1/contracts/${k.id}/revisions/${d.revision}`));
        assert.deepEqual(d.lines, rows.lines);
        assert.deepEqual(d.rates, rates(rows.lines));
        return d;
      };
      let k = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 2000)] });
      k = await same(k);
      k = await ok(zhang.patch(`/api/v1/contracts/${k.id}`, { version: k.version, lines: [line(prodA, 1500), line(prodB, 700, { discount_bp: 250 })] }));
      k = await same(k);
      assert.equal(k.lines.length, 2);
      assert.equal(k.lines[1].discount_bp, 250);
      k = await ok(act(zhang, k, 'submit'));
      k = await decide(li, k);
      k = await decide(sun, k);
      k = await ok(act(zhang, k, 'amend', { reason: '加量 More', lines: [line(prodA, 4000)] }));
      k = await ok(act(zhang, k, 'submit-amendment'));
      k = await decide(li, k);
      k = await decide(sun, k);
      assert.equal(k.revision, 2);
      k = await same(k);
      assert.equal(k.lines[0].qty_milli, 4000);
      // a version written before its text was stored (an older database, bulk SQL)
      sql(srv, `DELETE FROM doc_texts WHERE doc_type = 'contract' AND doc_id = ${k.id}`);
      const again = await same(k);
      assert.deepEqual(again, k);
    });

    it('amends an effective contract through approval; the earlier revision stays readable; refused or withdrawn amendments are discarded', async () => {
      let k = await effective();
      const total1 = k.grand_total;
      assertProblem(assert, await act(zhang, k, 'amend', { lines: [line(prodA, 3000)] }), 422); // no reason
      k = await ok(act(zhang, k, 'amend', { reason: '加量 More', lines: [line(prodA, 3000), line(prodB, 1000)] }));
      assert.equal(k.revision, 1);
      assert.equal(k.grand_total, total1);
      assert.equal(k.amendment.state, 'draft');
      assert.equal(k.amendment.revision, 2);
      assert.equal(k.amendment.lines[0].qty_milli, 3000);
      assert.deepEqual([...k.actions].sort(), ['amend', 'cancel', 'discard-amendment', 'submit-amendment', 'terminate']);
      // the draft is edited again by amend; its header too
      k = await ok(act(zhang, k, 'amend', { notes: '变更 Amended' }));
      assert.equal(k.amendment.header.notes, '变更 Amended');
      assert.equal(k.amendment.lines.length, 2);
      assertProblem(assert, await act(zhang, k, 'amend', { currency: 'EUR' }), 422);
      k = await ok(act(zhang, k, 'submit-amendment'));
      assert.equal(k.amendment.state, 'in_approval');
      assert.deepEqual([...k.actions].sort(), ['withdraw-amendment']);
      assertProblem(assert, await act(zhang, k, 'terminate', { reason: 'x' }), 409);
      k = await decide(li, k);
      k = await decide(sun, k);
      assert.equal(k.revision, 2);
      assert.equal(k.amendment, null);
      assert.equal(k.state, 'effective');
      assert.equal(k.notes, '变更 Amended');
      assert.equal(k.lines[0].qty_milli, 3000);
      assert.equal(k.grand_total, total1 + 10000);
      const r1 = await ok(zhang.get(`/api/v1/contracts/${k.id}/revisions/1`));
      assert.equal(r1.lines[0].qty_milli, 2000);
      assert.equal(r1.grand_total, total1);
      const cmp = await ok(zhang.get(`/api/v1/contracts/${k.id}/compare?a=1&b=2`));
      assert.equal(cmp.rows.find((x) => x.product_id === prodA.id).changed, true);
      assert.equal(cmp.a.grand_total, total1);
      assertProblem(assert, await zhang.get(`/api/v1/contracts/${k.id}/revisions/3`), 404);
      const hist = (await ok(zhang.get(`/api/v1/contracts/${k.id}/history`))).items.map((x) => x.action);
      assert.equal(hist[0], 'amendment-approved');

      // a rejected amendment is discarded; so is a withdrawn one and a dropped draft
      k = await ok(act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1000)] }));
      k = await ok(act(zhang, k, 'submit-amendment'));
      k = await decide(li, k, 'reject', '不行 No');
      assert.equal(k.amendment, null);
      assert.equal(k.revision, 2);
      assert.equal(k.lines[0].qty_milli, 3000);
      k = await ok(act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1000)] }));
      k = await ok(act(zhang, k, 'submit-amendment'));
      k = await ok(act(zhang, k, 'withdraw-amendment'));
      assert.equal(k.amendment, null);
      k = await ok(act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1000)] }));
      k = await ok(act(zhang, k, 'discard-amendment'));
      assert.equal(k.amendment, null);
      assert.equal(Number(sql(srv, `SELECT COUNT(*) FROM doc_lines WHERE doc_type = 'contract' AND doc_id = ${k.id} AND revision = 3`)), 0);
    });

    it('an amendment never goes below what was delivered, nor below what was received', async () => {
      let k = await effective();
      sql(srv, `INSERT INTO contract_goods(contract_id, product_id, delivered_milli) VALUES (${k.id}, ${prodA.id}, 1500)`);
      sql(srv, `UPDATE contracts SET state = 'fulfilling', version = version + 1 WHERE id = ${k.id}`);
      k = await get(zhang, k);
      let r = await act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1000), line(prodB, 1000)] });
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].field, 'lines[0].qty_milli');
      assert.equal(r.body.errors[0].code, 'below_delivered');
      r = await act(zhang, k, 'amend', { reason: '去掉 Drop A', lines: [line(prodB, 1000)] });
      assertProblem(assert, r, 422);
      k = await ok(act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1500), line(prodB, 1000)] }));
      k = await ok(act(zhang, k, 'discard-amendment'));
      sql(srv, `UPDATE contracts SET received = ${k.grand_total}, version = version + 1 WHERE id = ${k.id}`);
      k = await get(zhang, k);
      r = await act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1500)] });
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].code, 'below_received');
      // the approval is checked again: goods delivered after the amendment was drafted
      k = await ok(act(zhang, k, 'amend', { reason: '加量 More', lines: [line(prodA, 2000), line(prodB, 2000)] }));
      k = await ok(act(zhang, k, 'submit-amendment'));
      sql(srv, `UPDATE contract_goods SET delivered_milli = 2500 WHERE contract_id = ${k.id} AND product_id = ${prodA.id}`);
      k = await decide(li, k);
      const rid = k.approval.id;
      const ap = (await sun.get(`/api/v1/approvals/${rid}`)).body;
      r = await sun.post(`/api/v1/approvals/${rid}/approve`, { version: ap.version });
      assertProblem(assert, r, 409, 'conflict');
      // the contract says why
      assert.equal(r.body.reason, 'document_refused');
      assert.equal(r.body.detail, `product ${prodA.id}: 2.500 were already delivered; the contract cannot ask for less`);
      assert.equal((await get(zhang, k)).revision, 1);
    });

    it('previews a contract without keeping it, and sums a customer\'s contracts (receivable in yuan, last deal)', async () => {
      const before = count();
      const p = await ok(zhang.post('/api/v1/contracts/preview', { customer_id: cust.id, freight: 100, lines: [line(prodA, 1500), line(prodB, 1000, { unit_price: 5000 })] }));
      assert.equal(p.lines[0].unit_price, 10000);
      assert.equal(p.lines[1].unit_price, 5000);
      assert.equal(p.grand_total, 15000 + 5000 + 100);
      assert.equal(count(), before);
      assertProblem(assert, await zhang.post('/api/v1/contracts/preview', { customer_id: cust.id, lines: [line(prodA, 0)] }), 422);
      const other = await ok(zhang.post('/api/v1/customers', { name: `合同汇总 Summary ${uniq()}`, phone: phone() }));
      let s = await ok(zhang.get(`/api/v1/contracts/summary?customer_id=${other.id}`));
      assert.deepEqual(s, { contracts: 0, open: 0, receivable_cny: 0, last_deal: null });
      await create(zhang, { customer_id: other.id, lines: [line(prodA, 1000)] }); // a draft owes nothing
      const usd = await effectiveFor(other, { currency: 'USD', rate_micro: 7000000, lines: [line(prodA, 1000, { unit_price: 1000 })] });
      s = await ok(zhang.get(`/api/v1/contracts/summary?customer_id=${other.id}`));
      assert.equal(s.contracts, 2);
      assert.equal(s.open, 1);
      assert.equal(s.receivable_cny, 7000);
      assert.equal(s.last_deal.number, usd.number);
      assertProblem(assert, await chen.get(`/api/v1/contracts/summary?customer_id=${other.id}`), 404);
      assertProblem(assert, await zhang.get('/api/v1/contracts/summary'), 400);
    });

    it('prints the contract as XLSX, DOCX and PDF named after its number', async () => {
      const k = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 2000)] });
      for (const fmt of ['xlsx', 'docx', 'pdf']) {
        const r = await zhang.get(`/api/v1/contracts/${k.id}/document?format=${fmt}`);
        assert.equal(r.status, 200, r.text);
        assert.match(r.headers.get('content-disposition'), new RegExp(`${k.number}\\.${fmt}`));
        assert.ok(r.text.startsWith(fmt === 'pdf' ? '%PDF' : 'PK'), fmt);
      }
      assertProblem(assert, await zhang.get(`/api/v1/contracts/${k.id}/document?format=odt`), 422);
      assertProblem(assert, await chen.get(`/api/v1/contracts/${k.id}/document?format=pdf`), 404);
    });

    it('an amendment never goes below what the payment plan\'s instalments come to', async () => {
      let k = await effective({ lines: [line(prodA, 2000)] });
      const r = await sun.put(`/api/v1/contracts/${k.id}/payment-plan`, {
        version: k.version, instalments: [{ due_date: '2027-01-31', amount: k.grand_total - 1000 }, { due_date: '2027-02-28', amount: 1000 }],
      });
      assert.equal(r.status, 200, r.text);
      k = await get(zhang, k);
      const bad = await act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 1500)] });
      assertProblem(assert, bad, 422);
      assert.equal(bad.body.errors[0].code, 'below_plan');
      k = await ok(act(zhang, k, 'amend', { reason: '加量 More', lines: [line(prodA, 2500)] }));
      assert.equal(k.amendment.state, 'draft');
      // money received after the amendment was drafted: its approval is refused
      k = await ok(act(zhang, k, 'amend', { reason: '减量 Less', lines: [line(prodA, 2000)] }));
      k = await ok(act(zhang, k, 'submit-amendment'));
      k = await decide(li, k);
      sql(srv, `UPDATE contracts SET received = grand_total + 1 WHERE id = ${k.id}`);
      const ap = (await sun.get(`/api/v1/approvals/${k.approval.id}`)).body;
      assertProblem(assert, await sun.post(`/api/v1/approvals/${k.approval.id}/approve`, { version: ap.version }), 409);
      assert.equal((await get(zhang, k)).revision, 1);
    });

    it('refuses bad input with field errors and writes nothing', async () => {
      const before = count();
      const bad = async (body, field, code) => {
        const r = await zhang.post('/api/v1/contracts', { customer_id: cust.id, lines: [line(prodA, 1000)], ...body });
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field && (!code || e.code === code)), r.text);
      };
      await bad({ customer_id: null }, 'customer_id', 'required');
      await bad({ customer_id: 999999999 }, 'customer_id', 'not_found');
      await bad({ lines: [] }, 'lines');
      await bad({ lines: [line(prodA, 0)] }, 'lines[0].qty_milli');
      await bad({ lines: [line(prodA, 1e15)] }, 'lines[0].qty_milli', 'out_of_range');
      await bad({ lines: [line(prodA, 1000, { unit_price: -5 })] }, 'lines[0].unit_price');
      await bad({ lines: [line(prodA, 1000, { unit_price: 1e14 })] }, 'lines[0].unit_price');
      await bad({ lines: [line(prodA, 1000000000000, { unit_price: 10000000000 })] }, 'lines[0].qty_milli', 'out_of_range');
      await bad({ lines: [{ product_id: 999999999, qty_milli: 1000 }] }, 'lines[0].product_id', 'not_found');
      await bad({ header_discount: 10001 }, 'header_discount', 'out_of_range');
      await bad({ currency: 'GBP' }, 'currency');
      await bad({ currency: 'CNY', rate_micro: 7000000 }, 'rate_micro');
      await bad({ end_date: '2026-01-01', start_date: '2026-02-01' }, 'end_date');
      await bad({ sign_date: '2026-13-45' }, 'sign_date');
      sql(srv, "DELETE FROM currency_rates WHERE currency = 'EUR'");
      await bad({ currency: 'EUR' }, 'currency', 'no_rate');
      const eur = await create(zhang, { customer_id: cust.id, currency: 'EUR', rate_micro: 7800000, lines: [line(prodA, 1000)] });
      assert.equal(eur.lines[0].unit_price, 1282); // 100.00 yuan at 7.8
      const retired = await ok(admin.post('/api/v1/products', { code: `R-${uniq()}`, name: `停产 Retired ${uniq()}`, unit: 'kg', list_price: 100 }));
      await ok(admin.patch(`/api/v1/products/${retired.id}`, { version: retired.version, active: false }));
      await bad({ lines: [line(retired, 1000)] }, 'lines[0].product_id', 'retired');
      assertProblem(assert, await zhang.post('/api/v1/contracts', { customer_id: cust.id, lines: [line(prodA, 1000)], bogus: 1 }), 422);
      assert.equal(count(), before + 1);
    });

    it('two submits at once: one wins, the other is refused, and one approval request exists', async () => {
      const k = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 1000)] });
      const rs = await Promise.all([act(zhang, k, 'submit'), act(zhang, k, 'submit'), act(zhang, k, 'submit')]);
      assert.equal(rs.filter((r) => r.status === 200).length, 1, rs.map((r) => r.text).join('\n'));
      for (const r of rs.filter((x) => x.status !== 200)) assert.equal(r.status, 409, r.text);
      assert.equal(Number(sql(srv, `SELECT COUNT(*) FROM approval_requests WHERE doc_type = 'contract' AND doc_id = ${k.id}`)), 1);
      const j = await create(zhang, { customer_id: cust.id, lines: [line(prodA, 1000)] });
      const es = await Promise.all([act(zhang, j, 'cancel'), act(zhang, j, 'submit')]);
      assert.equal(es.filter((r) => r.status === 200).length, 1, es.map((r) => r.text).join('\n'));
    });

  });
}
