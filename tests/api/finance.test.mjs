// finance.test.mjs — the money of a contract: payment plans (never above the
// contract, a reminder per instalment for the owner, replaced with the plan),
// invoices (never above what is left to invoice, tax by default the
// contract's share), receipts (partial, in instalments, above the amount due
// only as an advance, and two finance users recording the same payment at
// once: exactly one wins), invoice and receipt in one step (both or
// nothing), the contract's progress, receivables and the overdue ageing in
// every bucket, who sees and records what, and bad input refused with
// nothing written. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;
// the company's date (Asia/Shanghai, the demo's zone)
const day = (offset) => new Date(Date.now() + 8 * 3600e3 + offset * 86400e3).toISOString().slice(0, 10);

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}
const num = (srv, text) => Number(sql(srv, text));

for (const engine of engines()) {
  describe(`finance [${engine}]`, () => {
    let srv, admin, zhang, chen, li, sun, sun2, zhou;
    let prod, cust, cust2;

    // An effective contract of zhang's customer: entered, submitted and
    // approved at every step through the API (admin may decide any step).
    async function effective(customer = cust, qty = 10000, owner = zhang) {
      const c = await owner.post('/api/v1/contracts', {
        customer_id: customer.id, lines: [{ product_id: prod.id, qty_milli: qty }],
      });
      if (c.status === 404 && process.env.TF_FINANCE_SQL_CONTRACTS) return sqlContract(customer, qty);
      assert.equal(c.status, 201, c.text);
      let k = c.body;
      const s = await owner.post(`/api/v1/contracts/${k.id}/submit`, { version: k.version });
      assert.equal(s.status, 200, s.text);
      k = s.body;
      for (let step = 0; step < 6 && k.state === 'in_approval'; step++) {
        const rid = (k.approval && k.approval.id) || k.approval_request_id;
        const ap = (await admin.get(`/api/v1/approvals/${rid}`)).body;
        const r = await admin.post(`/api/v1/approvals/${rid}/approve`, { version: ap.version });
        assert.equal(r.status, 200, r.text);
        k = (await owner.get(`/api/v1/contracts/${k.id}`)).body;
      }
      assert.equal(k.state, 'effective', JSON.stringify(k));
      assert.ok(k.grand_total > 0);
      return k;
    }
    // Before the contracts routes exist: the same contract written directly.
    function sqlContract(customer, qty) {
      const gt = (qty / 1000) * 11300, tax = Math.round((gt * 13) / 113);
      const ts = new Date().toISOString().slice(0, 19) + 'Z';
      const id = num(srv, `INSERT INTO contracts(number, customer_id, owner_id, state, sign_date, amount, net, tax, total, grand_total, grand_total_cny, effective_at, created_at, updated_at)
        VALUES ('HT-T${uniq()}', ${customer.id}, (SELECT id FROM users WHERE login = 'zhang'), 'effective', '${day(0)}', ${gt}, ${gt - tax}, ${tax}, ${gt}, ${gt}, ${gt}, '${ts}', '${ts}', '${ts}') RETURNING id`);
      sql(srv, `INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id, product_code, product_name, unit, qty_milli, list_price, unit_price, discount_bp, tax_bp, amount, discount, header_discount, net, tax, total)
        VALUES ('contract', ${id}, 1, 1, ${prod.id}, 'F', 'F', 'kg', ${qty}, 11300, 11300, 0, 1300, ${gt}, 0, 0, ${gt - tax}, ${tax}, ${gt})`);
      return { id, number: sql(srv, `SELECT number FROM contracts WHERE id = ${id}`), version: 1, grand_total: gt, tax, state: 'effective' };
    }
    const contract = async (k, c = sun) => {
      const r = await c.get(`/api/v1/contracts/${k.id}`);
      if (r.status === 404 && process.env.TF_FINANCE_SQL_CONTRACTS) return { version: num(srv, `SELECT version FROM contracts WHERE id = ${k.id}`) };
      return r.body;
    };
    const counts = (k) => ({
      invoices: num(srv, `SELECT COUNT(*) FROM invoices WHERE contract_id = ${k.id}`),
      receipts: num(srv, `SELECT COUNT(*) FROM receipts WHERE contract_id = ${k.id}`),
      invoiced: num(srv, `SELECT invoiced FROM contracts WHERE id = ${k.id}`),
      received: num(srv, `SELECT received FROM contracts WHERE id = ${k.id}`),
      instalments: num(srv, `SELECT COUNT(*) FROM contract_instalments WHERE contract_id = ${k.id}`),
    });
    const receipt = (amount, extra = {}) => ({ amount, receipt_date: day(0), method: 'bank_transfer', ...extra });
    const invoice = (amount, extra = {}) => ({ kind: 'vat_special', invoice_date: day(0), amount, ...extra });

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, li, sun, sun2, zhou] = await Promise.all(
        ['admin', 'zhang', 'chen', 'li', 'sun', 'sun', 'zhou'].map((l) => srv.login(l)));
      const cat = (await admin.post('/api/v1/product-categories', { name: `回款线 Money wire ${uniq()}` })).body;
      prod = (await admin.post('/api/v1/products', {
        code: `F-${uniq()}`, name: `回款测试 Money test ${uniq()}`, category_id: cat.id, unit: 'kg', list_price: 11300,
      })).body;
      assert.ok(prod.id, JSON.stringify(prod));
      cust = (await zhang.post('/api/v1/customers', { name: `回款客户 Money customer ${uniq()}`, phone: phone() })).body;
      cust2 = (await zhang.post('/api/v1/customers', { name: `账龄客户 Ageing customer ${uniq()}`, phone: phone() })).body;
      assert.ok(cust.id && cust2.id);
    });
    after(() => srv.stop());

    it('a payment plan never exceeds the contract, gives the owner a reminder per instalment and is replaced whole', async () => {
      const k = await effective();
      const gt = k.grand_total;
      const half = Math.floor(gt / 2);
      let r = await zhang.put(`/api/v1/contracts/${k.id}/payment-plan`, {
        version: k.version,
        instalments: [{ due_date: day(40), amount: gt - half, note: '尾款 Balance' }, { due_date: day(10), amount: half }],
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.planned, gt);
      assert.deepEqual(r.body.instalments.map((i) => [i.seq, i.due_date, i.amount]), [[1, day(10), half], [2, day(40), gt - half]]);
      const rem = (await zhang.get('/api/v1/reminders?state=upcoming&limit=500')).body.items.filter((x) => x.title.includes(k.number));
      assert.equal(rem.length, 2);
      assert.ok(rem.every((x) => x.kind === 'task' && x.customer_id === cust.id));
      assert.deepEqual(rem.map((x) => x.due_at.slice(0, 10)).sort(), [day(10), day(40)]);

      // a stale version, more than the contract, bad dates and amounts: refused, nothing changes
      assertProblem(assert, await zhang.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: k.version, instalments: [] }), 409, 'version_conflict');
      const v = (await contract(k)).version;
      r = await zhang.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: v, instalments: [{ due_date: day(5), amount: gt }, { due_date: day(6), amount: 1 }] });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'instalments');
      for (const bad of [{ due_date: '2027-02-30', amount: 100 }, { due_date: 'tomorrow', amount: 100 }, { due_date: day(5), amount: 0 },
        { due_date: day(5), amount: -5 }, { due_date: day(5), amount: 1e17 }, { due_date: day(5) }, { due_date: day(5), amount: 100, colour: 'red' }]) {
        r = await zhang.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: v, instalments: [bad] });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.match(r.body.errors[0].field, /^instalments\[0\]\./);
      }
      assert.equal(counts(k).instalments, 2);

      // another salesperson does not see it; the warehouse sees it but may not plan money
      assertProblem(assert, await chen.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: v, instalments: [] }), 404);
      assertProblem(assert, await zhou.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: v, instalments: [] }), 403);
      // finance replaces it: the old reminders go with the old plan
      r = await sun.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: v, instalments: [{ due_date: day(20), amount: 1000 }] });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.unplanned, gt - 1000);
      const rem2 = (await zhang.get('/api/v1/reminders?state=upcoming&limit=500')).body.items.filter((x) => x.title.includes(k.number));
      assert.deepEqual(rem2.map((x) => x.due_at.slice(0, 10)), [day(20)]);
      assert.equal(num(srv, `SELECT COUNT(*) FROM reminders WHERE title LIKE '%${k.number}%'`), 1);
      const h = (await zhang.get(`/api/v1/contracts/${k.id}/history`)).body;
      if (h && h.items) assert.ok(h.items.some((x) => x.action === 'payment_plan'));
    });

    it('an invoice takes the contract\'s tax share by default and never passes what is left to invoice', async () => {
      const k = await effective();
      const gt = k.grand_total;
      let r = await sun.post(`/api/v1/contracts/${k.id}/invoices`, invoice(10000));
      assert.equal(r.status, 201, r.text);
      assert.match(r.body.number, /^FP-\d{6}-\d{5}$/);
      // prices include 13 % tax: the tax share of 100.00 is 11.50
      assert.equal(r.body.tax, Math.round((10000 * k.tax) / gt));
      assert.equal(r.body.contract.invoiced, 10000);
      assert.equal(r.body.contract.state, 'fulfilling');
      r = await sun.post(`/api/v1/contracts/${k.id}/invoices`, invoice(5000, { kind: 'vat_general', tax: 0, note: '免税 Exempt' }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.tax, 0);
      const before = counts(k);
      r = await sun.post(`/api/v1/contracts/${k.id}/invoices`, invoice(gt - 15000 + 1));
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'amount');
      assert.equal(r.body.errors[0].code, 'above_invoiceable');
      for (const bad of [invoice(0), invoice(-100), invoice(1e16), invoice(100, { kind: 'receipt' }), invoice(100, { invoice_date: '2026-13-01' }),
        invoice(100, { invoice_date: day(40) }), invoice(100, { tax: 101 }), invoice('100'), { amount: 100 }]) {
        assertProblem(assert, await sun.post(`/api/v1/contracts/${k.id}/invoices`, bad), 422, 'validation_failed');
      }
      assert.deepEqual(counts(k), before);
      r = await sun.post(`/api/v1/contracts/${k.id}/invoices`, invoice(gt - 15000));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.contract.invoiceable, 0);
      // salespeople read, never issue
      assertProblem(assert, await zhang.post(`/api/v1/contracts/${k.id}/invoices`, invoice(1)), 403);
      const list = (await zhang.get(`/api/v1/contracts/${k.id}/invoices`)).body.items;
      assert.equal(list.length, 3);
      const all = (await sun.get(`/api/v1/invoices?contract_id=${k.id}`)).body.items;
      assert.equal(all.length, 3);
      assert.equal((await chen.get(`/api/v1/invoices?contract_id=${k.id}`)).body.items.length, 0);
      assert.equal((await zhang.get(`/api/v1/invoices?customer_id=${cust.id}&limit=500`)).body.items.filter((x) => x.contract_id === k.id).length, 3);
    });

    it('receipts: partial, then above the amount due refused unless it is an advance, and the reply says which', async () => {
      const k = await effective();
      const gt = k.grand_total;
      let r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(1000, { bank_ref: 'BOC-1' }));
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.receipts.length, 1);
      assert.equal(r.body.receipts[0].kind, 'receipt');
      assert.match(r.body.receipts[0].number, /^SK-\d{6}-\d{5}$/);
      assert.equal(r.body.advance, 0);
      assert.equal(r.body.contract.due, gt - 1000);
      const before = counts(k);
      r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(gt));
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.due, gt - 1000);
      assert.equal(r.body.errors[0].field, 'amount');
      assert.equal(r.body.errors[0].code, 'above_due');
      assert.match(r.body.detail, /advance/);
      for (const bad of [receipt(0), receipt(-1), receipt(1e16), receipt(100, { method: 'bitcoin' }), receipt(100, { receipt_date: '2026-02-29' }),
        receipt(100, { receipt_date: day(30) }), receipt(100, { invoice_id: 999999 }), receipt(100, { advance: 'yes' }), { amount: 5 }]) {
        assertProblem(assert, await sun.post(`/api/v1/contracts/${k.id}/receipts`, bad), 422, 'validation_failed');
      }
      assert.deepEqual(counts(k), before);
      r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(gt, { advance: true, method: 'acceptance_bill' }));
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.receipts.map((x) => [x.kind, x.amount]), [['receipt', gt - 1000], ['advance', 1000]]);
      assert.equal(r.body.advance, 1000);
      assert.equal(r.body.contract.due, -1000);
      assert.equal(r.body.contract.received, gt + 1000);
      // a further payment is all advance
      r = await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(500, { advance: true }));
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.receipts.map((x) => [x.kind, x.amount]), [['advance', 500]]);
      assert.equal(num(srv, `SELECT SUM(amount) FROM receipts WHERE contract_id = ${k.id}`), gt + 1500);
      assertProblem(assert, await zhang.post(`/api/v1/contracts/${k.id}/receipts`, receipt(1)), 403);
      const list = (await zhang.get(`/api/v1/contracts/${k.id}/receipts`)).body.items;
      assert.deepEqual(list.map((x) => x.kind), ['receipt', 'receipt', 'advance', 'advance']);
      assert.equal((await sun.get(`/api/v1/receipts?contract_id=${k.id}&kind=advance`)).body.items.length, 2);
      assert.equal((await chen.get(`/api/v1/receipts?contract_id=${k.id}`)).body.items.length, 0);
    });

    it('no money on a draft, cancelled or completed contract', async () => {
      const d = await zhang.post('/api/v1/contracts', { customer_id: cust.id, lines: [{ product_id: prod.id, qty_milli: 1000 }] });
      assert.equal(d.status, 201, d.text);
      assertProblem(assert, await sun.post(`/api/v1/contracts/${d.body.id}/receipts`, receipt(100)), 409, 'conflict');
      assertProblem(assert, await sun.post(`/api/v1/contracts/${d.body.id}/invoices`, invoice(100)), 409, 'conflict');
      assertProblem(assert, await sun.post(`/api/v1/contracts/${d.body.id}/invoice-and-receipt`, { invoice: invoice(100), receipt: receipt(100) }), 409, 'conflict');
      for (const state of ['cancelled', 'completed', 'terminated']) {
        const k = await effective();
        sql(srv, `UPDATE contracts SET state = '${state}' WHERE id = ${k.id}`);
        assertProblem(assert, await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(100)), 409, 'conflict');
        assertProblem(assert, await sun.post(`/api/v1/contracts/${k.id}/invoices`, invoice(100)), 409, 'conflict');
        assertProblem(assert, await sun.put(`/api/v1/contracts/${k.id}/payment-plan`, { version: (await contract(k)).version, instalments: [] }), 409, 'conflict');
        assert.deepEqual(counts(k), { invoices: 0, receipts: 0, invoiced: 0, received: 0, instalments: 0 });
      }
      assertProblem(assert, await sun.post('/api/v1/contracts/99999999/receipts', receipt(100)), 404);
    });

    it('invoice and receipt in one step: both or nothing, the receipt linked to the invoice', async () => {
      const k = await effective();
      const gt = k.grand_total;
      let r = await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, {
        invoice: invoice(3000), receipt: receipt(3000, { method: 'wechat_pay', bank_ref: 'WX-88' }),
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.invoice.amount, 3000);
      assert.equal(r.body.receipts.length, 1);
      assert.equal(r.body.receipts[0].invoice_id, r.body.invoice.id);
      assert.equal(r.body.receipts[0].invoice_number, r.body.invoice.number);
      assert.equal(r.body.contract.invoiced, 3000);
      assert.equal(r.body.contract.received, 3000);
      assert.equal(r.body.contract.due, gt - 3000);
      const before = counts(k);
      // the receipt part is refused: the invoice is not kept either
      r = await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, { invoice: invoice(1000), receipt: receipt(gt) });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'receipt.amount');
      assert.equal(r.body.due, gt - 3000);
      assert.deepEqual(counts(k), before);
      // the invoice part is refused
      r = await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, { invoice: invoice(gt), receipt: receipt(10) });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'invoice.amount');
      // field errors of both parts at once
      r = await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, { invoice: invoice(0, { kind: 'x' }), receipt: receipt(10, { method: 'gold' }) });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(r.body.errors.map((e) => e.field).sort(), ['invoice.amount', 'receipt.method']);
      assertProblem(assert, await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, { invoice: invoice(10) }), 422, 'validation_failed');
      assert.deepEqual(counts(k), before);
      // the rest in one step, with the advance above what is due
      r = await sun.post(`/api/v1/contracts/${k.id}/invoice-and-receipt`, { invoice: invoice(gt - 3000), receipt: receipt(gt - 3000 + 700, { advance: true }) });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(r.body.receipts.map((x) => [x.kind, x.amount, x.invoice_id]), [['receipt', gt - 3000, r.body.invoice.id], ['advance', 700, r.body.invoice.id]]);
      assert.equal(r.body.contract.due, -700);
      const audit = num(srv, `SELECT COUNT(*) FROM audit_log WHERE (entity = 'invoice' AND entity_id IN (SELECT id FROM invoices WHERE contract_id = ${k.id})) OR (entity = 'receipt' AND entity_id IN (SELECT id FROM receipts WHERE contract_id = ${k.id}))`);
      assert.equal(audit, 5);
    });

    it('two finance users recording the same payment at the same instant: exactly one is recorded', async () => {
      const k = await effective();
      const due = k.grand_total - 100;
      const p = await sun.post(`/api/v1/contracts/${k.id}/receipts`, receipt(100));
      assert.equal(p.status, 201, p.text);
      for (let round = 0; round < 2; round++) {
        const clients = [sun, sun2, admin, sun, sun2, admin];
        const rs = await Promise.all(clients.map((c) => c.post(`/api/v1/contracts/${k.id}/receipts`, receipt(round ? 1 : due, { bank_ref: 'SAME-1' }))));
        if (round === 0) {
          assert.deepEqual(rs.map((x) => x.status).sort(), [201, 422, 422, 422, 422, 422], rs.map((x) => x.text).join('\n'));
          for (const x of rs.filter((y) => y.status === 422)) assert.equal(x.body.due, 0);
        } else {
          // nothing is due any more: every one is refused
          assert.deepEqual(rs.map((x) => x.status), [422, 422, 422, 422, 422, 422]);
        }
      }
      const c = counts(k);
      assert.equal(c.receipts, 2);
      assert.equal(c.received, k.grand_total);
      assert.equal(num(srv, `SELECT SUM(amount) FROM receipts WHERE contract_id = ${k.id}`), k.grand_total);
      // the same for invoices
      const rs = await Promise.all([sun, sun2, admin].map((cl) => cl.post(`/api/v1/contracts/${k.id}/invoices`, invoice(k.grand_total))));
      assert.deepEqual(rs.map((x) => x.status).sort(), [201, 422, 422]);
      assert.equal(counts(k).invoiced, k.grand_total);
    });

    it('receivables per contract and customer, and the ageing in every bucket, in each user\'s scope', async () => {
      // contract A: a plan with instalments overdue by 100, 70, 40 and 10 days and one not yet due
      const a = await effective(cust2, 50000);
      const gt = a.grand_total;
      const part = Math.floor(gt / 5);
      const last = gt - 4 * part;
      let r = await sun.put(`/api/v1/contracts/${a.id}/payment-plan`, {
        version: a.version,
        instalments: [-100, -70, -40, -10].map((o) => ({ due_date: day(o), amount: part })).concat([{ due_date: day(20), amount: last }]),
      });
      assert.equal(r.status, 200, r.text);
      // a payment covers the oldest instalment and a bit of the next
      r = await sun.post(`/api/v1/contracts/${a.id}/receipts`, receipt(part + 100));
      assert.equal(r.status, 201, r.text);
      const plan = (await zhang.get(`/api/v1/contracts/${a.id}/payment-plan`)).body;
      assert.deepEqual(plan.instalments.map((i) => i.state), ['paid', 'overdue', 'overdue', 'overdue', 'open']);
      assert.equal(plan.instalments[1].paid, 100);
      assert.equal(plan.overdue, 3 * part - 100);
      // contract B: no plan, effective 45 days ago: all of it 31-60 days overdue
      const b = await effective(cust2);
      sql(srv, `UPDATE contracts SET effective_at = '${day(-45)}T02:00:00Z' WHERE id = ${b.id}`);

      const q = `/api/v1/receivables/ageing?customer_id=${cust2.id}&as_of=${day(0)}`;
      const ag = (await sun.get(q)).body;
      assert.deepEqual(ag.buckets, ['not_due', 'd0_30', 'd31_60', 'd61_90', 'd90_plus']);
      assert.equal(ag.items.length, 1);
      const row = ag.items[0];
      assert.equal(row.customer_id, cust2.id);
      assert.equal(row.contracts, 2);
      assert.equal(row.d90_plus, 0);
      assert.equal(row.d61_90, part - 100);
      assert.equal(row.d31_60, part + b.grand_total);
      assert.equal(row.d0_30, part);
      assert.equal(row.not_due, last);
      assert.equal(row.outstanding, gt - part - 100 + b.grand_total);
      assert.equal(row.overdue, row.outstanding - row.not_due);
      assert.deepEqual(ag.totals.map((t) => [t.currency, t.outstanding]), [['CNY', row.outstanding]]);
      // as of 40 days later everything has moved on a bucket or more
      const later = (await sun.get(`/api/v1/receivables/ageing?customer_id=${cust2.id}&as_of=${day(40)}`)).body.items[0];
      assert.equal(later.d90_plus, part - 100);
      assert.equal(later.d61_90, part + b.grand_total);
      assert.equal(later.d31_60, part);
      assert.equal(later.d0_30, last);
      assert.equal(later.not_due, 0);

      // per contract and per customer
      const rc = (await sun.get(`/api/v1/receivables?customer_id=${cust2.id}`)).body.items;
      assert.deepEqual(rc.map((x) => x.id), [b.id, a.id]);
      const ra = rc[1];
      assert.equal(ra.grand_total, gt);
      assert.equal(ra.received, part + 100);
      assert.equal(ra.due, gt - part - 100);
      assert.equal(ra.overdue, 3 * part - 100);
      assert.equal(rc[0].overdue, b.grand_total);
      const rcu = (await sun.get(`/api/v1/receivables?customer_id=${cust2.id}&group=customer`)).body.items;
      assert.equal(rcu.length, 1);
      assert.equal(rcu[0].due, ra.due + b.grand_total);
      assert.equal(rcu[0].overdue, 3 * part - 100 + b.grand_total);

      // scope: the owner and his manager see it, another salesperson does not, the warehouse has no finance.read
      assert.equal((await zhang.get(q)).body.items.length, 1);
      assert.equal((await li.get(q)).body.items.length, 1);
      assert.equal((await chen.get(q)).body.items.length, 0);
      assert.equal((await chen.get(`/api/v1/receivables?customer_id=${cust2.id}`)).body.items.length, 0);
      assertProblem(assert, await zhou.get(q), 403);
      // bad input
      for (const bad of ['as_of=2026-02-30', 'as_of=yesterday', 'customer_id=x', 'limit=0', 'limit=9999']) {
        assertProblem(assert, await sun.get(`/api/v1/receivables/ageing?${bad}`), 400);
      }
      assertProblem(assert, await sun.get('/api/v1/receivables?group=owner'), 400);
      // the whole company's report answers too
      const whole = (await sun.get('/api/v1/receivables/ageing')).body;
      assert.ok(whole.totals.length >= 1);
    });
  });
}
