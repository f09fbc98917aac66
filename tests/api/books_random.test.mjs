// books_random.test.mjs — a randomized run of the books (issue 16), on every
// engine: a few thousand mixed operations by several users at once —
// contracts entered and approved, amendments, invoices, receipts and
// advances by two finance users at the same instant, invoice and receipt in
// one step, deliveries (some beyond the contract or the stock), returns
// approved, rejected or withdrawn with their refunds, stock adjustments —
// then money and stock must reconcile exactly: the contracts' running
// figures are the sums of their rows, stock on hand the sum of its
// movements, contract_goods the sums of their lines, received never
// negative, returned <= delivered <= contracted, the gross profit (a
// contract's and the report's) the delivered less returned net and cost of
// the lines; and no reply was a 5xx.
// Seeded: TF_SEED=<n> replays a run (the seed is printed).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer } from '../lib/server.mjs';
import { sql, num, invariantBreaches } from './goods_invariants.mjs';

const SEED = Number(process.env.TF_SEED || Math.floor(Math.random() * 2 ** 31));
const OPS = Number(process.env.TF_BOOKS_OPS || 1500);
console.log(`books_random: seed ${SEED}, ${OPS} operations per engine (TF_SEED=${SEED} replays it)`);

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

for (const engine of engines()) {
  describe(`books, randomized [${engine}]`, () => {
    let srv;
    const u = {};
    const statuses = {};
    const R = rng(SEED + (engine === 'pg' ? 1 : 0));
    let products = [], wh = null, customers = [];
    const contracts = []; // {id, owner}
    const note = (what, r) => {
      const k = `${what} ${r.status}`;
      statuses[k] = (statuses[k] || 0) + 1;
      assert.ok(r.status < 500, `${what}: ${r.status} ${r.text}`);
      return r;
    };

    async function approveAll(rid) {
      for (let i = 0; i < 6 && rid; i++) {
        const ap = (await u.admin.get(`/api/v1/approvals/${rid}`)).body;
        if (!ap || ap.state !== 'pending') return;
        note('approve', await u.admin.post(`/api/v1/approvals/${rid}/approve`, { version: ap.version }));
      }
    }

    const ops = {
      async contract() {
        const owner = R.pick(['zhang', 'chen', 'liu', 'zhao']);
        const lines = [];
        const n = R.int(1, 3);
        for (const p of products.slice(0).sort(() => R.next() - 0.5).slice(0, n)) {
          lines.push({ product_id: p.id, qty_milli: R.int(1, 40) * 1000, unit_price: R.int(500, 20000) });
        }
        const r = note('contract', await u[owner].post('/api/v1/contracts', { customer_id: R.pick(customers[owner]).id, lines }));
        if (r.status !== 201) return;
        const s = note('submit', await u[owner].post(`/api/v1/contracts/${r.body.id}/submit`, { version: r.body.version }));
        if (s.status !== 200) return;
        await approveAll(s.body.approval_request_id);
        contracts.push({ id: r.body.id, owner });
      },
      async amend() {
        const ct = R.pick(contracts);
        if (!ct) return;
        const cur = (await u.admin.get(`/api/v1/contracts/${ct.id}`)).body;
        if (!['effective', 'fulfilling'].includes(cur.state) || cur.amendment_state) return;
        const lines = cur.lines.map((l) => ({
          product_id: l.product_id, qty_milli: Math.max(1000, l.qty_milli + R.int(-5, 10) * 1000), unit_price: l.unit_price,
        }));
        const r = note('amend', await u[ct.owner].post(`/api/v1/contracts/${ct.id}/amend`, { version: cur.version, reason: '变更数量 Quantities', lines }));
        if (r.status >= 300) return;
        const v = (await u.admin.get(`/api/v1/contracts/${ct.id}`)).body.version;
        const s = note('submit-amendment', await u[ct.owner].post(`/api/v1/contracts/${ct.id}/submit-amendment`, { version: v }));
        if (s.status !== 200) return;
        await approveAll(s.body.approval_request_id);
      },
      async invoice() {
        const ct = R.pick(contracts);
        if (!ct) return;
        note('invoice', await R.pick([u.sun, u.admin]).post(`/api/v1/contracts/${ct.id}/invoices`, {
          kind: R.pick(['vat_general', 'vat_special']), invoice_date: today(), amount: R.int(1, 50) * 10000,
        }));
      },
      async receipt() {
        const ct = R.pick(contracts);
        if (!ct) return;
        const body = { amount: R.int(1, 60) * 10000, receipt_date: today(), method: 'bank_transfer', advance: R.chance(0.2) };
        // two finance users record at the same instant
        if (R.chance(0.3)) {
          await Promise.all([u.sun, u.admin].map(async (c) => note('receipt', await c.post(`/api/v1/contracts/${ct.id}/receipts`, body))));
        } else {
          note('receipt', await u.sun.post(`/api/v1/contracts/${ct.id}/receipts`, body));
        }
      },
      async oneStep() {
        const ct = R.pick(contracts);
        if (!ct) return;
        const amount = R.int(1, 30) * 10000;
        note('invoice-and-receipt', await u.sun.post(`/api/v1/contracts/${ct.id}/invoice-and-receipt`, {
          invoice: { kind: 'vat_general', invoice_date: today(), amount },
          receipt: { amount, receipt_date: today(), method: 'bank_transfer' },
        }));
      },
      async deliver() {
        const ct = R.pick(contracts);
        if (!ct) return;
        const goods = (await u.zhou.get(`/api/v1/contracts/${ct.id}/goods`)).body.items || [];
        const lines = goods.filter(() => R.chance(0.7)).map((g) => ({
          product_id: g.product_id,
          qty_milli: R.chance(0.1) ? g.to_deliver_milli + 1000 : Math.max(1, Math.floor(g.to_deliver_milli * R.next())),
        })).filter((l) => l.qty_milli > 0);
        if (!lines.length) return;
        const go = () => u.zhou.post(`/api/v1/contracts/${ct.id}/deliveries`, { warehouse_id: wh.id, lines });
        if (R.chance(0.2)) { // the same delivery twice at once
          const rs = await Promise.all([go(), go()]);
          rs.forEach((r) => note('deliver', r));
        } else {
          note('deliver', await go());
        }
      },
      async ret() {
        const ct = R.pick(contracts);
        if (!ct) return;
        const goods = (await u[ct.owner].get(`/api/v1/contracts/${ct.id}/goods`)).body.items || [];
        const lines = goods.filter((g) => g.returnable_milli > 0 || R.chance(0.05)).map((g) => ({
          product_id: g.product_id,
          qty_milli: R.chance(0.1) ? g.returnable_milli + 1 : Math.max(1, Math.floor(g.returnable_milli * R.next())),
        }));
        if (!lines.length) return;
        const body = { warehouse_id: wh.id, reason: '随机退货 Random return', lines };
        if (R.chance(0.3)) body.refund = R.int(0, 200000);
        const r = note('return', await u[ct.owner].post(`/api/v1/contracts/${ct.id}/returns`, body));
        if (r.status !== 201) return;
        const s = note('return-submit', await u[ct.owner].post(`/api/v1/returns/${r.body.id}/submit`, { version: r.body.version }));
        if (s.status !== 200) return;
        const fate = R.next();
        const rid = s.body.approval_request_id;
        if (fate < 0.15) {
          note('return-withdraw', await u[ct.owner].post(`/api/v1/returns/${r.body.id}/withdraw`, { version: s.body.version }));
        } else if (fate < 0.3) {
          const ap = (await u.admin.get(`/api/v1/approvals/${rid}`)).body;
          note('return-reject', await u.admin.post(`/api/v1/approvals/${rid}/reject`, { version: ap.version, comment: '不同意 No' }));
        } else if (fate < 0.9) {
          await approveAll(rid);
        } // else: left pending
      },
      async restock() {
        const p = R.pick(products);
        note('restock', await u.zhou.post('/api/v1/stock-movements', {
          product_id: p.id, warehouse_id: wh.id, qty_milli: R.int(10, 200) * 1000, cause: 'adjustment', reason: '盘盈 Count',
        }));
      },
    };
    const weights = [['contract', 8], ['amend', 3], ['invoice', 8], ['receipt', 12], ['oneStep', 4], ['deliver', 16],
      ['ret', 9], ['restock', 3]];
    const total = weights.reduce((s, [, w]) => s + w, 0);
    const pickOp = () => {
      let x = R.next() * total;
      for (const [k, w] of weights) if ((x -= w) < 0) return k;
      return 'deliver';
    };

    before(async () => {
      srv = await startServer({ engine, threads: 4 });
      for (const l of ['admin', 'zhang', 'chen', 'liu', 'zhao', 'sun', 'zhou']) u[l] = await srv.login(l);
      const cat = (await u.admin.post('/api/v1/product-categories', { name: `随机 Random ${SEED}` })).body;
      for (let i = 0; i < 5; i++) {
        const r = await u.admin.post('/api/v1/products', {
          code: `RB-${SEED % 100000}-${i}`, name: `随机产品 Random ${i}`, category_id: cat.id, unit: 'kg',
          list_price: 1000 + i * 777, standard_cost: 500 + i * 333,
        });
        assert.equal(r.status, 201, r.text);
        products.push(r.body);
      }
      wh = (await u.admin.post('/api/v1/warehouses', { code: `RB${SEED % 100000}`, name: '随机仓 Random store' })).body;
      for (const p of products) {
        await u.zhou.post('/api/v1/stock-movements', { product_id: p.id, warehouse_id: wh.id, qty_milli: 300000, cause: 'opening', reason: '期初 Opening' });
      }
      for (const l of ['zhang', 'chen', 'liu', 'zhao']) {
        customers[l] = [];
        for (let i = 0; i < 2; i++) {
          const r = await u[l].post('/api/v1/customers', { name: `随机客户 ${l} ${SEED % 100000} ${i}`, phone: `139${String(SEED % 10000).padStart(4, '0')}${engine === 'pg' ? 1 : 0}${['zhang', 'chen', 'liu', 'zhao'].indexOf(l)}${i}0` });
          assert.equal(r.status, 201, r.text);
          customers[l].push(r.body);
        }
      }
    });
    after(() => srv.stop());

    it(`${OPS} mixed operations, four at a time, then the books reconcile exactly`, async () => {
      for (let i = 0; i < 6; i++) await ops.contract();
      let done = 0;
      const worker = async () => {
        while (done < OPS) {
          done++;
          await ops[pickOp()]();
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      console.log(`books_random [${engine}]: ${contracts.length} contracts;`, JSON.stringify(statuses));
      assert.deepEqual(invariantBreaches(srv), []);
      assert.ok(contracts.length > 10);
      assert.ok(num(srv, 'SELECT COUNT(*) FROM deliveries') > 10);
      assert.ok(num(srv, "SELECT COUNT(*) FROM sales_returns WHERE state = 'approved'") > 0);
      assert.equal(num(srv, 'SELECT COUNT(*) FROM contracts WHERE received < 0 OR refunded < 0 OR returned_value < 0'), 0);
      // every contract's figures through the API agree with the database
      for (const ct of contracts.slice(0, 20)) {
        const d = (await u.admin.get(`/api/v1/contracts/${ct.id}`)).body;
        const row = sql(srv, `SELECT received || '|' || refunded || '|' || returned_value || '|' || invoiced FROM contracts WHERE id = ${ct.id}`);
        assert.equal(`${d.received}|${d.refunded}|${d.returned_value}|${d.invoiced}`, row);
      }
      // gross profit on what was delivered: the stored sums of the delivery and return lines,
      // per contract (one query for the lot) and in the report's totals
      const some = contracts.slice(0, 20).map((ct) => ct.id);
      const lineSums = new Map(sql(srv, `SELECT ct.id || '|' || COALESCE((SELECT SUM(d.net) FROM delivery_lines d WHERE d.contract_id = ct.id), 0)
        || '|' || COALESCE((SELECT SUM(d.cost) FROM delivery_lines d WHERE d.contract_id = ct.id), 0)
        || '|' || COALESCE((SELECT SUM(l.net) FROM return_lines l JOIN sales_returns r ON r.id = l.return_id WHERE r.state = 'approved' AND l.contract_id = ct.id), 0)
        || '|' || COALESCE((SELECT SUM(l.cost) FROM return_lines l JOIN sales_returns r ON r.id = l.return_id WHERE r.state = 'approved' AND l.contract_id = ct.id), 0)
        FROM contracts ct WHERE ct.id IN (${some.join(', ')})`).split('\n').map((x) => [Number(x.split('|')[0]), x.split('|').slice(1).join('|')]));
      for (const id of some) {
        const gp = (await u.admin.get(`/api/v1/contracts/${id}/gross-profit`)).body.totals;
        assert.equal(`${gp.delivered_net}|${gp.delivered_cost}|${gp.returned_net}|${gp.returned_cost}`, lineSums.get(id));
        assert.equal(gp.revenue, gp.delivered_net - gp.returned_net);
        assert.equal(gp.cost, gp.delivered_cost - gp.returned_cost);
      }
      const rep = (await u.admin.get(`/api/v1/reports/gross-profit?from=2000-01-01&to=${today()}&group=owner`)).body.totals;
      const held = `ct.state IN ('effective', 'fulfilling', 'completed') AND ct.sign_date <= '${today()}'`;
      const [dn, dc, rn, rc] = sql(srv, `SELECT (SELECT COALESCE(SUM(d.net), 0) FROM delivery_lines d JOIN contracts ct ON ct.id = d.contract_id WHERE ${held})
        || '|' || (SELECT COALESCE(SUM(d.cost), 0) FROM delivery_lines d JOIN contracts ct ON ct.id = d.contract_id WHERE ${held})
        || '|' || (SELECT COALESCE(SUM(l.net), 0) FROM return_lines l JOIN sales_returns r ON r.id = l.return_id JOIN contracts ct ON ct.id = l.contract_id WHERE r.state = 'approved' AND ${held})
        || '|' || (SELECT COALESCE(SUM(l.cost), 0) FROM return_lines l JOIN sales_returns r ON r.id = l.return_id JOIN contracts ct ON ct.id = l.contract_id WHERE r.state = 'approved' AND ${held})`).split('|').map(Number);
      assert.equal(rep.revenue, dn - rn);
      assert.equal(rep.cost, dc - rc);
    });
  });
}
