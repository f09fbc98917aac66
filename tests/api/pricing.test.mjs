// pricing.test.mjs — customer tiers and price rules, and the one pricing
// function behind GET /prices: the most specific rule wins (product over
// category, the nearer category first, over all products; a tier rule over
// a general one; the larger quantity break the quantity reaches; then the
// newest), validity dates inclusive, a retired product cannot be priced,
// the answer names its rule; discount limits per role; who may set a
// customer's tier; bad input. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`pricing [${engine}]`, () => {
    let srv, admin, zhang, chen, zhou;
    let top, leaf, prod, other, gold, silver, cust, plain;

    const price = async (c, q) => {
      const r = await c.get(`/api/v1/prices?${new URLSearchParams(q)}`);
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const rule = async (body) => {
      const r = await admin.post('/api/v1/price-rules', { name: `规则 Rule ${uniq()}`, ...body });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, zhou] = await Promise.all(['admin', 'zhang', 'chen', 'zhou'].map((l) => srv.login(l)));
      top = (await admin.post('/api/v1/product-categories', { name: `线 Wire ${uniq()}` })).body;
      leaf = (await admin.post('/api/v1/product-categories', { name: `铝线 Al ${uniq()}`, parent_id: top.id })).body;
      const mk = async (cat) => (await admin.post('/api/v1/products', {
        code: `P-${uniq()}`, name: '定价测试 Pricing test', category_id: cat, unit: 'kg', list_price: 10000,
      })).body;
      prod = await mk(leaf.id);
      other = await mk(top.id);
      gold = (await admin.post('/api/v1/customer-tiers', { name: `金牌 Gold ${uniq()}` })).body;
      silver = (await admin.post('/api/v1/customer-tiers', { name: `银牌 Silver ${uniq()}` })).body;
      cust = (await zhang.post('/api/v1/customers', { name: `定价客户 Pricing customer ${uniq()}`, phone: phone() })).body;
      plain = (await zhang.post('/api/v1/customers', { name: `普通客户 Plain customer ${uniq()}`, phone: phone() })).body;
      const t = await admin.put(`/api/v1/customers/${cust.id}/tier`, { tier_id: gold.id });
      assert.equal(t.status, 200, t.text);
    });
    after(() => srv.stop());

    it('the list price when no rule applies; the most specific rule wins and is named', async () => {
      const p0 = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p0.list_price, 10000);
      // rules in a year no other test uses
      const d = { valid_from: '2030-01-01', valid_to: '2030-12-31' };
      const all = await rule({ discount_bp: 100, ...d });
      let p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, all.id);
      const topRule = await rule({ category_id: top.id, discount_bp: 200, ...d });
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, topRule.id, 'a category (ancestor) over all products');
      const leafRule = await rule({ category_id: leaf.id, discount_bp: 300, ...d });
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, leafRule.id, 'the nearer category');
      const other1 = await price(zhang, { product_id: other.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(other1.rule.id, topRule.id, 'a leaf rule does not reach its parent\'s products');
      const prodRule = await rule({ product_id: prod.id, discount_bp: 400, ...d });
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, prodRule.id, 'a product rule over a category rule');
      const tierRule = await rule({ product_id: prod.id, tier_id: gold.id, discount_bp: 500, ...d });
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, tierRule.id, 'a tier rule over a general one');
      assert.equal(p.rule.name, tierRule.name);
      assert.equal(p.tier.id, gold.id);
      assert.equal(p.discount_bp, 500);
      assert.equal(p.unit_price, 9500);
      assert.equal(p.line_total, 95000);
      const plainP = await price(zhang, { product_id: prod.id, customer_id: plain.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(plainP.rule.id, prodRule.id, 'a customer without the tier gets the general rule');
      assert.equal(plainP.tier, null);
      await rule({ product_id: prod.id, tier_id: silver.id, discount_bp: 900, ...d });
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '10000', date: '2030-06-01' });
      assert.equal(p.rule.id, tierRule.id, 'another tier\'s rule does not apply');
      // quantity breaks: the larger break the quantity reaches
      const b1 = await rule({ product_id: prod.id, tier_id: gold.id, min_qty_milli: 1000000, discount_bp: 700, ...d });
      const b2 = await rule({ product_id: prod.id, tier_id: gold.id, min_qty_milli: 5000000, discount_bp: 900, ...d });
      assert.equal((await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '999999', date: '2030-06-01' })).rule.id, tierRule.id);
      assert.equal((await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '1000000', date: '2030-06-01' })).rule.id, b1.id);
      p = await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '6000000', date: '2030-06-01' });
      assert.equal(p.rule.id, b2.id);
      assert.equal(p.unit_price, 9100);
      // then the newest
      const newer = await rule({ product_id: prod.id, tier_id: gold.id, min_qty_milli: 5000000, discount_bp: 950, ...d });
      assert.equal((await price(zhang, { product_id: prod.id, customer_id: cust.id, qty_milli: '6000000', date: '2030-06-01' })).rule.id, newer.id);
    });

    it('validity dates are inclusive; an inactive rule does not apply', async () => {
      const r = await rule({ product_id: other.id, tier_id: gold.id, discount_bp: 1234, valid_from: '2031-03-01', valid_to: '2031-03-31' });
      const at = async (date) => (await price(zhang, { product_id: other.id, customer_id: cust.id, qty_milli: '1000', date })).rule?.id;
      assert.equal(await at('2031-03-01'), r.id);
      assert.equal(await at('2031-03-31'), r.id);
      assert.notEqual(await at('2031-02-28'), r.id);
      assert.notEqual(await at('2031-04-01'), r.id);
      const off = await admin.patch(`/api/v1/price-rules/${r.id}`, { version: r.version, active: false });
      assert.equal(off.status, 200, off.text);
      assert.notEqual(await at('2031-03-15'), r.id);
      const stale = await admin.patch(`/api/v1/price-rules/${r.id}`, { version: r.version, active: true });
      assertProblem(assert, stale, 409, 'version_conflict');
      const today = await price(zhang, { product_id: other.id, qty_milli: '1000' });
      assert.match(today.date, /^\d{4}-\d\d-\d\d$/, 'today in the company\'s dates by default');
    });

    it('a retired product cannot be priced nor get a rule, but stays readable', async () => {
      const p = (await admin.post('/api/v1/products', { code: `R-${uniq()}`, name: '退役 Retired', unit: 'kg', list_price: 500 })).body;
      await admin.patch(`/api/v1/products/${p.id}`, { version: p.version, active: false });
      const r = await zhang.get(`/api/v1/prices?product_id=${p.id}&qty_milli=1000`);
      assertProblem(assert, r, 422);
      assert.equal(r.body.errors[0].code, 'retired');
      const ru = await admin.post('/api/v1/price-rules', { name: 'x', product_id: p.id, discount_bp: 100 });
      assertProblem(assert, ru, 422);
      assert.equal((await zhang.get(`/api/v1/products/${p.id}`)).status, 200);
    });

    it('refuses bad rules and bad price questions, writing nothing', async () => {
      const before = (await admin.get('/api/v1/price-rules?limit=500')).body.items.length;
      const cases = [
        [{ name: 'x', discount_bp: 10001 }, 'discount_bp'],
        [{ name: 'x', discount_bp: -1 }, 'discount_bp'],
        [{ name: 'x', discount_bp: 100, valid_from: '2030-05-01', valid_to: '2030-04-30' }, 'valid_to'],
        [{ name: 'x', discount_bp: 100, valid_from: '2030-02-30' }, 'valid_from'],
        [{ name: 'x', discount_bp: 100, tier_id: 999999 }, 'tier_id'],
        [{ name: 'x', discount_bp: 100, category_id: 999999 }, 'category_id'],
        [{ name: 'x', discount_bp: 100, category_id: leaf.id, product_id: prod.id }, 'product_id'],
        [{ name: 'x', discount_bp: 100, min_qty_milli: -5 }, 'min_qty_milli'],
        [{ discount_bp: 100 }, 'name'],
      ];
      for (const [body, field] of cases) {
        const r = await admin.post('/api/v1/price-rules', body);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${r.text}`);
      }
      assert.equal((await admin.get('/api/v1/price-rules?limit=500')).body.items.length, before);
      for (const [q, field] of [
        [{ product_id: prod.id, qty_milli: '-1' }, 'qty_milli'], [{ product_id: prod.id, qty_milli: '0' }, 'qty_milli'],
        [{ product_id: prod.id, qty_milli: '1.5' }, 'qty_milli'], [{ product_id: prod.id, qty_milli: '1000000000000001' }, 'qty_milli'],
        [{ product_id: prod.id, qty_milli: 'abc' }, 'qty_milli'], [{ qty_milli: '1000' }, 'product_id'],
        [{ product_id: 999999, qty_milli: '1000' }, 'product_id'], [{ product_id: prod.id, qty_milli: '1000', date: '2030-13-01' }, 'date'],
        [{ product_id: prod.id, qty_milli: '1000', customer_id: 999999 }, 'customer_id'],
      ]) {
        const r = await zhang.get(`/api/v1/prices?${new URLSearchParams(q)}`);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field), `${JSON.stringify(q)}: ${r.text}`);
      }
      // a price that would overflow the line total
      const big = (await admin.post('/api/v1/products', { code: `B-${uniq()}`, name: '贵 Dear', unit: 'kg', list_price: 10000000000 })).body;
      const o = await zhang.get(`/api/v1/prices?product_id=${big.id}&qty_milli=999999999000`);
      assertProblem(assert, o, 422);
    });

    it('a salesperson prices only customers they see, and cannot set tiers or rules', async () => {
      // chen does not see zhang's customer
      const r = await chen.get(`/api/v1/prices?product_id=${prod.id}&qty_milli=1000&customer_id=${cust.id}`);
      assertProblem(assert, r, 422);
      assertProblem(assert, await zhang.put(`/api/v1/customers/${cust.id}/tier`, { tier_id: silver.id }), 403);
      assertProblem(assert, await zhang.post('/api/v1/price-rules', { name: 'x', discount_bp: 100 }), 403);
      assertProblem(assert, await zhang.post('/api/v1/customer-tiers', { name: 'x' }), 403);
      assertProblem(assert, await zhou.put('/api/v1/discount-limits', { limits: { salesperson: 10000 } }), 403);
      const t = await zhang.get(`/api/v1/customers/${cust.id}/tier`);
      assert.equal(t.body.tier_id, gold.id, 'unchanged');
      assertProblem(assert, await admin.put(`/api/v1/customers/${cust.id}/tier`, { tier_id: 999999 }), 422);
      const h = await zhang.get(`/api/v1/customers/${cust.id}/history`);
      assert.ok(h.body.items.some((x) => x.action === 'tier'), 'the tier change is in the customer\'s history');
    });

    it('discount limits per role: salesperson 5 %, manager 15 % by default; the administrator changes them', async () => {
      const l = await zhang.get('/api/v1/discount-limits');
      assert.equal(l.body.limits.salesperson, 500);
      assert.equal(l.body.limits.sales_manager, 1500);
      assert.equal(l.body.mine, 500);
      const bad = await admin.put('/api/v1/discount-limits', { limits: { salesperson: 10001, wizard: 5 } });
      assertProblem(assert, bad, 422);
      assert.equal(bad.body.errors.length, 2);
      try {
        const ok = await admin.put('/api/v1/discount-limits', { limits: { salesperson: 800 } });
        assert.equal(ok.status, 200, ok.text);
        assert.equal((await zhang.get('/api/v1/discount-limits')).body.mine, 800);
      } finally {
        await admin.put('/api/v1/discount-limits', { limits: { salesperson: 500 } });
      }
    });
  });
}
