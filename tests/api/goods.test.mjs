// goods.test.mjs — deliveries and sales returns against contracts (issue
// 16), on every engine: partial deliveries out of a warehouse at the
// standard cost of the day, never more than contracted nor than in stock
// (unless the warehouse allows it), only on effective contracts or ones
// being fulfilled, two deliveries at once never passing the contract; returns
// of delivered goods with a reason and a refund, approved by the manager then
// the warehouse (stock back at the cost it left with, the contract's goods,
// returned value and received money moved), rejected, withdrawn, cancelled,
// refused when the money or the goods changed meanwhile; gross profit per
// contract and in the report; the stock and goods invariants after each
// kind of change; bad input refused with nothing written.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { sql, num, invariantBreaches } from './goods_invariants.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

// a × b / c rounded half away from zero (core/money's rule), exactly
const ratio = (a, b, c) => {
  const n = BigInt(a) * BigInt(b), d = BigInt(c);
  const neg = (n < 0n) !== (d < 0n);
  const q = ((n < 0n ? -n : n) * 2n + (d < 0n ? -d : d)) / (2n * (d < 0n ? -d : d));
  return Number(neg ? -q : q);
};

for (const engine of engines()) {
  describe(`goods [${engine}]`, () => {
    let srv, admin, zhang, li, wang, zhou, sun, chen;
    let prodA, prodB, prodC, wh, whNeg, cust;
    const stock = (p, w = wh) => num(srv, `SELECT qty_milli FROM stock_levels WHERE product_id = ${p.id} AND warehouse_id = ${w.id}`);
    const goods = (ct, p) => {
      const row = sql(srv, `SELECT delivered_milli || ',' || returned_milli || ',' || delivered_cost || ',' || returned_cost
        FROM contract_goods WHERE contract_id = ${ct.id} AND product_id = ${p.id}`);
      const [d, r, dc, rc] = (row || '0,0,0,0').split(',').map(Number);
      return { delivered: d, returned: r, delivered_cost: dc, returned_cost: rc };
    };
    const counts = () => sql(srv, `SELECT (SELECT COUNT(*) FROM deliveries) || '/' || (SELECT COUNT(*) FROM delivery_lines)
      || '/' || (SELECT COUNT(*) FROM stock_movements) || '/' || (SELECT COUNT(*) FROM sales_returns) || '/' ||
      (SELECT COUNT(*) FROM receipts) || '/' || (SELECT COUNT(*) FROM audit_log)`);
    const noBreach = () => assert.deepEqual(invariantBreaches(srv), []);

    /** An effective contract of owner for cust with lines [[product, qty, unit price incl. tax]]. */
    async function contract(owner, lines, { state = 'effective' } = {}) {
      const r = await owner.post('/api/v1/contracts', {
        customer_id: cust.id, title: `交付合同 Goods ${uniq()}`,
        lines: lines.map(([p, qty, price]) => ({ product_id: p.id, qty_milli: qty, unit_price: price })),
      });
      assert.equal(r.status, 201, r.text);
      let ct = r.body;
      if (state === 'draft') return ct;
      const s = await owner.post(`/api/v1/contracts/${ct.id}/submit`, { version: ct.version });
      assert.equal(s.status, 200, s.text);
      for (let i = 0; i < 6; i++) {
        ct = (await admin.get(`/api/v1/contracts/${ct.id}`)).body;
        if (ct.state !== 'in_approval') break;
        const ap = (await admin.get(`/api/v1/approvals/${ct.approval_request_id}`)).body;
        const d = await admin.post(`/api/v1/approvals/${ct.approval_request_id}/approve`, { version: ap.version });
        assert.equal(d.status, 200, d.text);
      }
      assert.equal(ct.state, 'effective');
      return ct;
    }
    /** The customer pays amount on the contract. */
    async function pay(ct, amount) {
      const r = await sun.post(`/api/v1/contracts/${ct.id}/receipts`, {
        amount, receipt_date: today(), method: 'bank_transfer',
      });
      assert.equal(r.status, 201, r.text);
    }
    const deliver = (c, ct, lines, extra = {}) => c.post(`/api/v1/contracts/${ct.id}/deliveries`, {
      warehouse_id: (extra.wh || wh).id, lines: lines.map(([p, q]) => ({ product_id: p.id, qty_milli: q })),
      ...(extra.body || {}),
    });
    const returnGoods = (c, ct, lines, extra = {}) => c.post(`/api/v1/contracts/${ct.id}/returns`, {
      warehouse_id: wh.id, reason: '质量问题 Quality', lines: lines.map(([p, q]) => ({ product_id: p.id, qty_milli: q })),
      ...extra,
    });
    const act = (c, ret, event, body = {}) => c.post(`/api/v1/returns/${ret.id}/${event}`, { version: ret.version, ...body });
    /** Approves the current step of the return's request as c. */
    async function decide(c, ret, verb = 'approve', body = {}, headers = {}) {
      const cur = (await admin.get(`/api/v1/returns/${ret.id}`)).body;
      const ap = (await admin.get(`/api/v1/approvals/${cur.approval_request_id}`)).body;
      return c.post(`/api/v1/approvals/${cur.approval_request_id}/${verb}`, { version: ap.version, ...body }, headers);
    }

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, li, wang, zhou, sun, chen] = await Promise.all(
        ['admin', 'zhang', 'li', 'wang', 'zhou', 'sun', 'chen'].map(async (l) => Object.assign(await srv.login(l), { login: l })));
      // the messages checked below are the English ones (the demo's users read Chinese)
      for (const u of [admin, zhang, li, wang, zhou, sun, chen]) assert.equal((await u.patch('/api/v1/me', { lang: 'en' })).status, 200);
      const cat = (await admin.post('/api/v1/product-categories', { name: `交付 Goods ${uniq()}` })).body;
      const mk = async (price, cost) => {
        const r = await admin.post('/api/v1/products', {
          code: `G-${uniq()}`, name: `交付测试 Goods test ${uniq()}`, category_id: cat.id, unit: 'kg',
          list_price: price, standard_cost: cost,
        });
        assert.equal(r.status, 201, r.text);
        return r.body;
      };
      prodA = await mk(10000, 6123);
      prodB = await mk(4321, 2500);
      prodC = await mk(999, 500);
      const w = async (allow) => {
        const r = await admin.post('/api/v1/warehouses', { code: `W${uniq()}`, name: `仓库 Store ${uniq()}`, allow_negative: allow });
        assert.equal(r.status, 201, r.text);
        return r.body;
      };
      wh = await w(false);
      whNeg = await w(true);
      for (const p of [prodA, prodB]) {
        const r = await zhou.post('/api/v1/stock-movements', {
          product_id: p.id, warehouse_id: wh.id, qty_milli: 500000, cause: 'opening', reason: '期初 Opening',
        });
        assert.equal(r.status, 201, r.text);
      }
      cust = (await zhang.post('/api/v1/customers', { name: `交付客户 Goods customer ${uniq()}`, phone: phone() })).body;
    });
    after(() => srv.stop());

    it('delivers part of a contract at the standard cost of the day; the contract is being fulfilled', async () => {
      const ct = await contract(zhang, [[prodA, 100000, 11300], [prodB, 20000, 5650]]);
      const before = stock(prodA);
      let r = await deliver(zhou, ct, [[prodA, 40000]], { body: { carrier: '顺丰 SF', tracking_no: 'SF123', note: '第一批' } });
      assert.equal(r.status, 201, r.text);
      const d = r.body;
      assert.match(d.number, /^FH-\d{6}-\d{5}$/);
      assert.equal(d.contract_id, ct.id);
      assert.equal(d.carrier, '顺丰 SF');
      assert.equal(d.delivery_date, today());
      assert.equal(d.lines.length, 1);
      assert.equal(d.lines[0].unit_cost, 6123);
      assert.equal(d.lines[0].cost, ratio(6123, 40000, 1000));
      assert.equal(d.cost, d.lines[0].cost);
      assert.equal(stock(prodA), before - 40000);
      const mv = sql(srv, `SELECT cause || '|' || reference || '|' || qty_milli || '|' || unit_cost FROM stock_movements WHERE id = ${d.lines[0].movement_id}`);
      assert.equal(mv, `delivery|delivery:${d.id}|-40000|6123`);
      assert.deepEqual(goods(ct, prodA), { delivered: 40000, returned: 0, delivered_cost: d.cost, returned_cost: 0 });
      assert.equal(sql(srv, `SELECT state FROM contracts WHERE id = ${ct.id}`), 'fulfilling');
      // the standard cost of the day: a later delivery takes the new cost
      sql(srv, `UPDATE products SET standard_cost = 7000 WHERE id = ${prodA.id}`);
      r = await deliver(zhou, ct, [[prodA, 10000], [prodB, 5000]]);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.lines[0].unit_cost, 7000);
      sql(srv, `UPDATE products SET standard_cost = 6123 WHERE id = ${prodA.id}`);
      // the lists: the contract's and the warehouse's, both with the lines
      const list = (await zhou.get(`/api/v1/contracts/${ct.id}/deliveries`)).body.items;
      assert.deepEqual(list.map((x) => x.id), [r.body.id, d.id]);
      assert.equal(list[0].lines.length, 2);
      const wl = (await zhou.get(`/api/v1/deliveries?warehouse_id=${wh.id}&limit=1`)).body;
      assert.equal(wl.items[0].id, r.body.id);
      assert.equal(wl.items[0].qty_milli, 15000);
      assert.ok(wl.next_cursor);
      const wl2 = (await zhou.get(`/api/v1/deliveries?warehouse_id=${wh.id}&limit=1&cursor=${wl.next_cursor}`)).body;
      assert.equal(wl2.items[0].id, d.id);
      assert.equal((await zhou.get(`/api/v1/deliveries/${d.id}`)).body.number, d.number);
      const gs = (await zhou.get(`/api/v1/contracts/${ct.id}/goods?warehouse_id=${wh.id}`)).body.items;
      assert.deepEqual(gs.map((x) => [x.product_id, x.contracted_milli, x.delivered_milli, x.to_deliver_milli, x.returnable_milli, x.on_hand_milli]),
        [[prodA.id, 100000, 50000, 50000, 50000, stock(prodA)], [prodB.id, 20000, 5000, 15000, 5000, stock(prodB)]]);
      const aw = (await zhou.get('/api/v1/deliveries/awaiting?limit=500')).body.items;
      assert.ok(aw.some((x) => x.id === ct.id && x.delivered_milli === 55000 && x.contracted_milli === 120000));
      // the salesperson sees the contract's deliveries but may not deliver; another team's salesperson sees none
      assert.equal((await zhang.get(`/api/v1/contracts/${ct.id}/deliveries`)).status, 200);
      assertProblem(assert, await deliver(zhang, ct, [[prodA, 1000]]), 403);
      assertProblem(assert, await chen.get(`/api/v1/contracts/${ct.id}/deliveries`), 404);
      assertProblem(assert, await chen.get(`/api/v1/deliveries/${d.id}`), 404);
      assert.ok(!(await chen.get(`/api/v1/deliveries?limit=500`)).body.items.some((x) => x.contract_id === ct.id));
      // history: the delivery and the contract
      const hist = (await admin.get(`/api/v1/contracts/${ct.id}/history`));
      if (hist.status === 200) assert.ok(JSON.stringify(hist.body).includes('deliver'));
      assert.equal(num(srv, `SELECT COUNT(*) FROM audit_log WHERE entity = 'delivery' AND entity_id = ${d.id}`), 1);
      noBreach();
    });

    it('refuses more than contracted, more than in stock, goods not on the contract, and bad input, writing nothing', async () => {
      const ct = await contract(zhang, [[prodA, 10000, 11300], [prodB, 1000000, 5650]]);
      const was = counts(), sa = stock(prodA), sb = stock(prodB);
      let r = await deliver(zhou, ct, [[prodA, 10001]]);
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'lines[0].qty_milli');
      assert.equal(r.body.errors[0].code, 'above_contract');
      assert.equal(r.body.errors[0].remaining_milli, 10000);
      // the second line is beyond the stock: the first line is not delivered either
      r = await deliver(zhou, ct, [[prodA, 5000], [prodB, sb + 1]]);
      assertProblem(assert, r, 422, 'validation_failed');
      assert.deepEqual(r.body.errors.map((e) => [e.field, e.code]), [['lines[1].qty_milli', 'insufficient_stock']]);
      assert.equal(r.body.errors[0].on_hand_milli, sb);
      assert.match(r.body.detail, /stock/);
      r = await deliver(zhou, ct, [[prodC, 1000]]);
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].code, 'not_on_contract');
      for (const body of [
        { warehouse_id: wh.id, lines: [] },
        { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: 0 }] },
        { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: -5 }] },
        { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: 1 }, { product_id: prodA.id, qty_milli: 1 }] },
        { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: 1, price: 3 }] },
        { warehouse_id: 999999, lines: [{ product_id: prodA.id, qty_milli: 1 }] },
        { warehouse_id: wh.id, delivery_date: '2026-02-30', lines: [{ product_id: prodA.id, qty_milli: 1 }] },
        { warehouse_id: wh.id, delivery_date: '2999-01-01', lines: [{ product_id: prodA.id, qty_milli: 1 }] },
        { warehouse_id: wh.id, lines: [{ product_id: 'x', qty_milli: 1 }] },
      ]) {
        r = await zhou.post(`/api/v1/contracts/${ct.id}/deliveries`, body);
        assertProblem(assert, r, 422);
      }
      assertProblem(assert, await zhou.post(`/api/v1/contracts/${ct.id}/deliveries`, { lines: [] }), 422);
      assertProblem(assert, await zhou.post(`/api/v1/contracts/99999999/deliveries`, { warehouse_id: wh.id, lines: [{ product_id: prodA.id, qty_milli: 1 }] }), 404);
      assert.equal(counts(), was);
      assert.equal(stock(prodA), sa);
      assert.equal(stock(prodB), sb);
      assert.deepEqual(goods(ct, prodA), { delivered: 0, returned: 0, delivered_cost: 0, returned_cost: 0 });
      // a warehouse that allows negative stock lets it go below zero
      r = await deliver(zhou, ct, [[prodA, 3000]], { wh: whNeg });
      assert.equal(r.status, 201, r.text);
      assert.equal(stock(prodA, whNeg), -3000);
      noBreach();
    });

    it('delivers only on an effective contract or one being fulfilled', async () => {
      const draft = await contract(zhang, [[prodA, 1000, 11300]], { state: 'draft' });
      let r = await deliver(zhou, draft, [[prodA, 1000]]);
      assertProblem(assert, r, 409, 'conflict');
      assert.match(r.body.detail, /draft/);
      // delivered in full and paid in full: completed, and then no more deliveries
      const ct = await contract(zhang, [[prodA, 2000, 11300]]);
      assert.equal((await deliver(zhou, ct, [[prodA, 2000]])).status, 201);
      assert.equal(sql(srv, `SELECT state FROM contracts WHERE id = ${ct.id}`), 'fulfilling');
      await pay(ct, 22600);
      assert.equal((await admin.get(`/api/v1/contracts/${ct.id}`)).body.state, 'completed');
      r = await deliver(zhou, ct, [[prodA, 1]]);
      assertProblem(assert, r, 409, 'conflict');
      assert.match(r.body.detail, /completed/);
      noBreach();
    });

    it('two deliveries at once never pass the contract', async () => {
      const ct = await contract(zhang, [[prodA, 100000, 11300]]);
      const sa = stock(prodA);
      const rs = await Promise.all(Array.from({ length: 8 }, () => deliver(zhou, ct, [[prodA, 30000]])));
      const ok = rs.filter((r) => r.status === 201).length;
      for (const r of rs) assert.ok(r.status === 201 || r.status === 422 || r.status === 503, r.text);
      assert.equal(rs.filter((r) => r.status === 201 || r.status === 422).length, 8, rs.map((r) => r.status).join());
      assert.equal(ok, 3);
      assert.equal(goods(ct, prodA).delivered, 90000);
      assert.equal(stock(prodA), sa - 90000);
      // two products delivered at once in opposite orders: no deadlock, both pass
      const ct2 = await contract(zhang, [[prodA, 50000, 11300], [prodB, 50000, 5650]]);
      const two = await Promise.all(Array.from({ length: 6 }, (_, i) =>
        deliver(zhou, ct2, i % 2 ? [[prodA, 1000], [prodB, 1000]] : [[prodB, 1000], [prodA, 1000]])));
      assert.deepEqual(two.map((r) => r.status), [201, 201, 201, 201, 201, 201]);
      assert.deepEqual([goods(ct2, prodA).delivered, goods(ct2, prodB).delivered], [6000, 6000]);
      noBreach();
    });

    it('a return of delivered goods: valued at the contract price, approved by the manager then the warehouse, restocked at its cost and refunded', async () => {
      const ct = await contract(zhang, [[prodA, 100000, 11300], [prodB, 10000, 5650]]);
      const d1 = (await deliver(zhou, ct, [[prodA, 30000]])).body;
      sql(srv, `UPDATE products SET standard_cost = 7000 WHERE id = ${prodA.id}`);
      const d2 = (await deliver(zhou, ct, [[prodA, 10000]])).body;
      sql(srv, `UPDATE products SET standard_cost = 6123 WHERE id = ${prodA.id}`);
      await pay(ct, 200000);
      const lines = (await admin.get(`/api/v1/contracts/${ct.id}`)).body.lines;
      const la = lines.find((l) => l.product_id === prodA.id);

      // never delivered, above delivered, a refund above what was received, no reason: refused
      const was = counts();
      let r = await returnGoods(zhang, ct, [[prodB, 1000]]);
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].code, 'not_delivered');
      r = await returnGoods(zhang, ct, [[prodA, 40001]]);
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].code, 'above_delivered');
      assert.equal(r.body.errors[0].available_milli, 40000);
      r = await returnGoods(zhang, ct, [[prodA, 30000]], { refund: 200001 });
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].field, 'refund');
      r = await returnGoods(zhang, ct, [[prodA, 30000]], { reason: '' });
      assertProblem(assert, r, 422);
      r = await returnGoods(zhang, ct, [[prodA, 1000]], { refund_method: 'gold' });
      assertProblem(assert, r, 422);
      assertProblem(assert, await returnGoods(zhou, ct, [[prodA, 1000]]), 403); // the warehouse does not enter returns
      assertProblem(assert, await returnGoods(chen, ct, [[prodA, 1000]]), 404);
      assert.equal(counts(), was);

      // 25 kg back: value incl. tax and net at the lines' price; the refund defaults to min(value, received)
      r = await returnGoods(zhang, ct, [[prodA, 25000]]);
      assert.equal(r.status, 201, r.text);
      let ret = r.body;
      assert.match(ret.number, /^TH-\d{6}-\d{4}$/);
      assert.equal(ret.state, 'draft');
      assert.equal(ret.reason, '质量问题 Quality');
      const value = ratio(la.total, 25000, la.qty_milli), net = ratio(la.net, 25000, la.qty_milli);
      assert.equal(ret.value, value);
      assert.equal(ret.lines[0].value, value);
      assert.equal(ret.lines[0].net, net);
      assert.equal(ret.refund, Math.min(value, 200000));
      assert.deepEqual(ret.actions.sort(), ['cancel', 'submit']);
      assert.deepEqual(ret.blockers, []);
      // a pending return holds its goods: only 15 kg more may be asked for
      r = await returnGoods(zhang, ct, [[prodA, 15001]]);
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].available_milli, 15000);

      r = await act(zhang, ret, 'submit');
      assert.equal(r.status, 200, r.text);
      ret = r.body;
      assert.equal(ret.state, 'in_approval');
      assert.deepEqual(ret.actions, ['withdraw']);
      const ap = (await li.get(`/api/v1/approvals/${ret.approval_request_id}`)).body;
      assert.equal(ap.doc_type, 'return');
      assert.equal(ap.reason, '质量问题 Quality');
      // the warehouse cannot take the manager's step; the manager (li) approves, then the warehouse
      assertProblem(assert, await decide(zhou, ret), 403);
      assert.equal((await decide(li, ret)).status, 200);
      const sa = stock(prodA), received = num(srv, `SELECT received FROM contracts WHERE id = ${ct.id}`);
      assert.equal(sql(srv, `SELECT state FROM sales_returns WHERE id = ${ret.id}`), 'in_approval');
      r = await decide(zhou, ret);
      assert.equal(r.status, 200, r.text);
      ret = (await zhang.get(`/api/v1/returns/${ret.id}`)).body;
      assert.equal(ret.state, 'approved');
      assert.ok(ret.decided_at);
      // the cost it left with: 40 kg out for d1.cost + d2.cost, 25 kg back bring their share
      const cost = ratio(d1.cost + d2.cost, 25000, 40000);
      assert.equal(ret.lines[0].cost, cost);
      assert.equal(stock(prodA), sa + 25000);
      assert.deepEqual(goods(ct, prodA), { delivered: 40000, returned: 25000, delivered_cost: d1.cost + d2.cost, returned_cost: cost });
      assert.equal(sql(srv, `SELECT cause || '|' || reference FROM stock_movements WHERE id = ${ret.lines[0].movement_id}`), `return|return:${ret.id}`);
      const c2 = sql(srv, `SELECT returned_value || '|' || received || '|' || refunded FROM contracts WHERE id = ${ct.id}`);
      assert.equal(c2, `${value}|${received - ret.refund}|${ret.refund}`);
      assert.equal(sql(srv, `SELECT kind || '|' || amount FROM receipts WHERE return_id = ${ret.id}`), `refund|${-ret.refund}`);
      // the rest (15 kg) at the rest of the cost: everything back returns exactly the cost that left
      r = await returnGoods(zhang, ct, [[prodA, 15000]], { refund: 0 });
      assert.equal(r.status, 201, r.text);
      let ret2 = (await act(zhang, r.body, 'submit')).body;
      assert.equal((await decide(li, ret2)).status, 200);
      assert.equal((await decide(zhou, ret2)).status, 200);
      ret2 = (await zhang.get(`/api/v1/returns/${ret2.id}`)).body;
      assert.equal(ret2.state, 'approved');
      assert.equal(ret2.refund, 0);
      assert.deepEqual(goods(ct, prodA), { delivered: 40000, returned: 40000, delivered_cost: d1.cost + d2.cost, returned_cost: d1.cost + d2.cost });
      // the two returns together are worth exactly the share of the 40 kg
      assert.equal(ret.value + ret2.value, ratio(la.total, 40000, la.qty_milli));
      assertProblem(assert, await returnGoods(zhang, ct, [[prodA, 1]]), 422);
      // the lists
      const list = (await zhang.get(`/api/v1/contracts/${ct.id}/returns`)).body.items;
      assert.deepEqual(list.map((x) => x.id), [ret2.id, ret.id]);
      const all = (await li.get(`/api/v1/returns?state=approved&contract_id=${ct.id}`)).body.items;
      assert.equal(all.length, 2);
      assert.ok(!(await chen.get('/api/v1/returns?limit=500')).body.items.some((x) => x.contract_id === ct.id));
      assertProblem(assert, await zhang.get('/api/v1/returns?state=lost'), 400);
      const h = (await zhang.get(`/api/v1/returns/${ret.id}/history`)).body.items.map((x) => x.action);
      assert.ok(h.includes('create') && h.includes('submit') && h.includes('approve'), h.join());
      noBreach();
    });

    it('rejected, withdrawn and cancelled returns move nothing', async () => {
      const ct = await contract(zhang, [[prodA, 10000, 11300]]);
      assert.equal((await deliver(zhou, ct, [[prodA, 10000]])).status, 201);
      const sa = stock(prodA);
      let ret = (await returnGoods(zhang, ct, [[prodA, 4000]])).body;
      assert.equal(ret.refund, 0); // nothing received: nothing to refund
      ret = (await act(zhang, ret, 'submit')).body;
      assert.equal((await decide(li, ret, 'reject', { comment: '不同意 No' })).status, 200);
      ret = (await zhang.get(`/api/v1/returns/${ret.id}`)).body;
      assert.equal(ret.state, 'rejected');
      assert.deepEqual(ret.actions, []);
      // a rejected return holds nothing: the goods may be asked for again
      let r = await returnGoods(zhang, ct, [[prodA, 10000]]);
      assert.equal(r.status, 201, r.text);
      let ret2 = (await act(zhang, r.body, 'submit')).body;
      assertProblem(assert, await act(li, ret2, 'withdraw'), 403); // only who submitted it
      r = await act(zhang, ret2, 'withdraw');
      assert.equal(r.status, 200, r.text);
      ret2 = r.body;
      assert.equal(ret2.state, 'draft');
      assertProblem(assert, await act(zhang, ret2, 'withdraw'), 409);
      assertProblem(assert, await act(zhang, { ...ret2, version: ret2.version - 1 }, 'cancel'), 409);
      r = await act(zhang, ret2, 'cancel');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.state, 'cancelled');
      assertProblem(assert, await act(zhang, r.body, 'submit'), 409);
      assert.equal(stock(prodA), sa);
      assert.deepEqual(goods(ct, prodA).returned, 0);
      assert.equal(num(srv, `SELECT returned_value FROM contracts WHERE id = ${ct.id}`), 0);
      noBreach();
    });

    it('an approval is refused, with nothing moved, when the refund is larger than what is received by then', async () => {
      const ct = await contract(zhang, [[prodA, 10000, 11300]]);
      assert.equal((await deliver(zhou, ct, [[prodA, 10000]])).status, 201);
      await pay(ct, 50000);
      const a = (await returnGoods(zhang, ct, [[prodA, 4000]], { refund: 40000 })).body;
      const b = (await returnGoods(zhang, ct, [[prodA, 4000]], { refund: 40000 })).body;
      assert.equal(a.refund, 40000);
      let ra = (await act(zhang, a, 'submit')).body, rb = (await act(zhang, b, 'submit')).body;
      for (const x of [ra, rb]) assert.equal((await decide(li, x)).status, 200);
      assert.equal((await decide(zhou, ra)).status, 200);
      // b's refund no longer fits what is received (10,000 left)
      rb = (await zhang.get(`/api/v1/returns/${rb.id}`)).body;
      assert.deepEqual(rb.blockers.map((x) => x.code), ['refund_above_received']);
      const listed = (await zhang.get(`/api/v1/contracts/${ct.id}/returns`)).body.items.find((x) => x.id === rb.id);
      assert.deepEqual(listed.blockers.map((x) => x.code), ['refund_above_received']);
      const was = counts(), sa = stock(prodA);
      const r = await decide(zhou, rb, 'approve', {}, { 'Accept-Language': 'en' });
      assertProblem(assert, r, 409, 'conflict');
      // the approver is told why, by the return itself, in their language
      assert.equal(r.body.reason, 'document_refused');
      assert.equal(r.body.detail, 'the refund of 400.00 is more than the contract has received (100.00)');
      assert.equal(counts(), was);
      // a user's own language wins over the browser's: zhou reads Chinese for this one
      assert.equal((await zhou.patch('/api/v1/me', { lang: 'zh-CN' })).status, 200);
      const was2 = counts();
      const zh = await decide(zhou, rb, 'approve', {}, { 'Accept-Language': 'zh-CN' });
      assert.equal(counts(), was2);
      assert.equal((await zhou.patch('/api/v1/me', { lang: 'en' })).status, 200);
      assertProblem(assert, zh, 409, 'conflict');
      assert.equal(zh.body.detail, '退款 400.00 超过合同已收款（100.00）');
      assert.equal(stock(prodA), sa);
      rb = (await zhang.get(`/api/v1/returns/${rb.id}`)).body;
      assert.equal(rb.state, 'in_approval');
      assert.equal(num(srv, `SELECT received FROM contracts WHERE id = ${ct.id}`), 10000);
      // withdrawn, it cannot be submitted again as it stands
      rb = (await act(zhang, rb, 'withdraw')).body;
      assertProblem(assert, await act(zhang, rb, 'submit'), 409, 'conflict');
      noBreach();
    });

    it('returns entered at once never bring back more than was delivered', async () => {
      const ct = await contract(zhang, [[prodB, 10000, 5650]]);
      assert.equal((await deliver(zhou, ct, [[prodB, 10000]])).status, 201);
      const sb = stock(prodB);
      const made = (await Promise.all(Array.from({ length: 4 }, () => returnGoods(zhang, ct, [[prodB, 6000]]))))
        .filter((r) => r.status === 201).map((r) => r.body);
      assert.ok(made.length >= 1);
      const decided = [];
      for (const r of made) {
        const s = await act(zhang, r, 'submit');
        if (s.status !== 200) continue; // the goods are held by another pending return
        let ok = (await decide(li, s.body)).status === 200;
        if (ok) ok = (await decide(zhou, s.body)).status === 200;
        decided.push(ok);
      }
      // one return of 6 kg can be approved; any other is refused, with nothing moved
      assert.equal(decided.filter(Boolean).length, 1, JSON.stringify(decided));
      assert.deepEqual(goods(ct, prodB).returned, 6000);
      assert.equal(stock(prodB), sb + 6000);
      noBreach();
    });

    it('a return on a draft contract or by a stale hand is refused', async () => {
      const draft = await contract(zhang, [[prodA, 1000, 11300]], { state: 'draft' });
      assertProblem(assert, await returnGoods(zhang, draft, [[prodA, 1000]]), 409, 'conflict');
      assertProblem(assert, await zhang.post('/api/v1/returns/99999999/submit', { version: 1 }), 404);
      assertProblem(assert, await zhang.get('/api/v1/returns/99999999'), 404);
    });

    it('gross profit on what was delivered: per product and in total, net of tax and returns, at the cost of delivery; and the report', async () => {
      const ct = await contract(li, [[prodA, 20000, 11300], [prodB, 10000, 5650]]);
      const lines = (await admin.get(`/api/v1/contracts/${ct.id}`)).body.lines;
      const netA = lines.find((l) => l.product_id === prodA.id).net, netB = lines.find((l) => l.product_id === prodB.id).net;
      // effective, nothing delivered: no revenue, no cost, no margin (not 100 %)
      let gp = (await li.get(`/api/v1/contracts/${ct.id}/gross-profit`)).body;
      assert.deepEqual(gp.lines.map((l) => [l.net, l.delivered_net, l.revenue, l.cost, l.margin_bp]), [[netA, 0, 0, 0, null], [netB, 0, 0, 0, null]]);
      assert.equal(gp.totals.revenue, 0);
      assert.equal(gp.totals.margin_bp, null);
      const d = (await deliver(zhou, ct, [[prodA, 20000], [prodB, 4000]])).body;
      // each delivery line carries its net: the delivered quantity's share of the lines' net
      assert.deepEqual(d.lines.map((l) => l.net), [netA, ratio(netB, 4000, 10000)]);
      let ret = (await returnGoods(li, ct, [[prodA, 5000]])).body;
      ret = (await act(li, ret, 'submit')).body;
      // li's own return: the manager step goes to li's manager (or an administrator)
      for (let i = 0; i < 3 && ret.state === 'in_approval'; i++) {
        assert.equal((await decide(admin, ret)).status, 200);
        ret = (await li.get(`/api/v1/returns/${ret.id}`)).body;
      }
      assert.equal(ret.state, 'approved');
      gp = (await li.get(`/api/v1/contracts/${ct.id}/gross-profit`)).body;
      let [ga, gb] = gp.lines;
      assert.equal(ga.product_id, prodA.id);
      assert.equal(ga.delivered_net, netA);
      assert.equal(ga.revenue, netA - ret.lines[0].net);
      assert.equal(ga.cost, d.lines[0].cost - ret.lines[0].cost);
      assert.equal(ga.profit, ga.revenue - ga.cost);
      assert.equal(ga.margin_bp, ratio(ga.profit, 10000, ga.revenue));
      assert.equal(gb.net, netB);
      assert.equal(gb.delivered_net, ratio(netB, 4000, 10000));
      assert.equal(gb.revenue, gb.delivered_net);
      assert.equal(gb.cost, d.lines[1].cost);
      assert.equal(gp.totals.revenue, ga.revenue + gb.revenue);
      assert.equal(gp.totals.delivered_net, ga.delivered_net + gb.delivered_net);
      assert.equal(gp.totals.cost, ga.cost + gb.cost);
      assert.equal(gp.totals.profit, gp.totals.revenue - gp.totals.cost);
      // the rest of B in odd parts: every part its cumulative share, the whole exactly the lines' net
      const parts = [];
      for (const q of [1001, 2333, 2666]) parts.push((await deliver(zhou, ct, [[prodB, q]])).body.lines[0].net);
      assert.deepEqual(parts, [ratio(netB, 5001, 10000) - ratio(netB, 4000, 10000), ratio(netB, 7334, 10000) - ratio(netB, 5001, 10000), netB - ratio(netB, 7334, 10000)]);
      gp = (await li.get(`/api/v1/contracts/${ct.id}/gross-profit`)).body;
      [ga, gb] = gp.lines;
      assert.equal(gb.delivered_net, netB);
      assert.equal(gb.revenue, netB);
      assert.equal(gp.totals.revenue, netA - ret.lines[0].net + netB);
      assertProblem(assert, await zhou.get(`/api/v1/contracts/${ct.id}/gross-profit`), 403);
      assertProblem(assert, await chen.get(`/api/v1/contracts/${ct.id}/gross-profit`), 404);

      // the report: li's row holds this contract; the groups sum to the totals
      const y = today().slice(0, 4);
      const rep = async (c, group) => {
        const r = await c.get(`/api/v1/reports/gross-profit?from=${y}-01-01&to=${y}-12-31&group=${group}`);
        assert.equal(r.status, 200, r.text);
        return r.body;
      };
      const lid = num(srv, `SELECT id FROM users WHERE login = 'li'`);
      const expect = (login) => {
        const where = `ct.sign_date >= '${y}-01-01' AND ct.sign_date <= '${y}-12-31' AND ct.state IN ('effective', 'fulfilling', 'completed')
          AND ct.owner_id = (SELECT id FROM users WHERE login = '${login}')`;
        const rev = num(srv, `SELECT COALESCE(SUM(g.delivered_net - g.returned_net), 0) FROM contract_goods g JOIN contracts ct ON ct.id = g.contract_id WHERE ${where}`);
        const cost = num(srv, `SELECT COALESCE(SUM(g.delivered_cost - g.returned_cost), 0) FROM contract_goods g JOIN contracts ct ON ct.id = g.contract_id WHERE ${where}`);
        return { rev, cost };
      };
      for (const c of [admin, li, sun]) {
        const byOwner = await rep(c, 'owner');
        const row = byOwner.items.find((x) => x.id === lid);
        const e = expect('li');
        assert.equal(row.name.length > 0, true);
        assert.equal(row.revenue, e.rev);
        assert.equal(row.revenue, row.delivered_net - row.returned_net);
        assert.equal(row.cost, e.cost);
        assert.equal(row.profit, e.rev - e.cost);
        const s = (k) => byOwner.items.reduce((t, x) => t + x[k], 0);
        assert.equal(byOwner.totals.revenue, s('revenue'));
        assert.equal(byOwner.totals.cost, s('cost'));
        for (const group of ['department', 'month']) {
          const g = await rep(c, group);
          assert.equal(g.totals.revenue, byOwner.totals.revenue, group);
          assert.equal(g.totals.cost, byOwner.totals.cost, group);
        }
      }
      // a salesperson sees their own contracts' figures and those on their customers, not another team's
      const mine = await rep(zhang, 'owner');
      assert.ok(mine.items.every((x) => [lid, num(srv, `SELECT id FROM users WHERE login = 'zhang'`)].includes(x.id)), JSON.stringify(mine.items));
      assert.ok(!(await rep(chen, 'owner')).items.some((x) => x.id === lid));
      assertProblem(assert, await zhou.get('/api/v1/reports/gross-profit'), 403);
      assertProblem(assert, await admin.get('/api/v1/reports/gross-profit?group=colour'), 422);
      assertProblem(assert, await admin.get('/api/v1/reports/gross-profit?from=2026-13-01'), 422);
      noBreach();
    });

    it('stock on hand is the sum of its movements and the contract goods the sums of their lines, after everything', () => {
      noBreach();
      assert.ok(num(srv, 'SELECT COUNT(*) FROM delivery_lines') > 5);
      assert.ok(num(srv, "SELECT COUNT(*) FROM sales_returns WHERE state = 'approved'") >= 3);
    });
  });
}
