// number_patterns.test.mjs — the patterns documents are numbered by are
// settings of one shape (<sequence>_number, {"pattern"}), like the customer
// number's: their defaults are the patterns used before they were settings,
// an administrator changes them (a bad pattern is a 422 and nothing
// changes), and the next document takes the new pattern. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
const ym = () => {
  const d = new Date(Date.now() + 8 * 3600e3); // the company's zone (Asia/Shanghai)
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};

const DEFAULTS = {
  customer: 'KH-{yyyy}{mm}-{seq:5}',
  quotation: 'BJ-{yyyy}{mm}-{seq:4}',
  contract: 'HT-{yyyy}{mm}-{seq:4}',
  delivery: 'FH-{yyyy}{mm}-{seq:5}',
  return: 'TH-{yyyy}{mm}-{seq:4}',
  invoice: 'FP-{yyyy}{mm}-{seq:5}',
  receipt: 'SK-{yyyy}{mm}-{seq:5}',
};

for (const engine of engines()) {
  describe(`number patterns [${engine}]`, () => {
    let srv, admin, zhang, prod, cust;
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang] = await Promise.all(['admin', 'zhang'].map((l) => srv.login(l)));
      const cat = (await admin.post('/api/v1/product-categories', { name: `编号线 Number wire ${uniq()}` })).body;
      prod = (await admin.post('/api/v1/products', {
        code: `N-${uniq()}`, name: `编号测试 Number test ${uniq()}`, category_id: cat.id, unit: 'kg', list_price: 1000,
      })).body;
      cust = (await zhang.post('/api/v1/customers', { name: `编号客户 Number customer ${uniq()}`, phone: `137${String(Date.now() % 1e8).padStart(8, '0')}` })).body;
      assert.ok(prod.id && cust.id);
    });
    after(() => srv.stop());

    it('every numbered record has a pattern setting whose default is the pattern it had', async () => {
      for (const [k, pattern] of Object.entries(DEFAULTS)) {
        const r = await zhang.get(`/api/v1/settings/${k}_number`);
        assert.equal(r.status, 200, r.text);
        assert.deepEqual(r.body, { pattern }, k);
      }
      const q = (await zhang.post('/api/v1/quotations', { customer_id: cust.id, lines: [{ product_id: prod.id, qty_milli: 1000 }] })).body;
      assert.match(q.number, new RegExp(`^BJ-${ym()}-\\d{4}$`));
    });

    it('an administrator changes the quotation pattern and the next quotation follows it', async () => {
      const r = await admin.put('/api/v1/settings/quotation_number', { pattern: 'Q{yy}/{seq:6}' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.pattern, 'Q{yy}/{seq:6}');
      const q = (await zhang.post('/api/v1/quotations', { customer_id: cust.id, lines: [{ product_id: prod.id, qty_milli: 2000 }] })).body;
      assert.match(q.number, new RegExp(`^Q${ym().slice(2, 4)}/\\d{6}$`));
      // the change is in the history of settings, and other patterns did not move
      assert.equal((await admin.get('/api/v1/settings/contract_number')).body.pattern, DEFAULTS.contract);
    });

    it('a bad pattern is a 422 naming the field, and the pattern stays', async () => {
      for (const pattern of ['BJ-{yyyy}', 'BJ-{seq:4}-{seq:2}', 'BJ-{month}-{seq:4}', 'X'.repeat(61) + '{seq:2}', 42]) {
        const r = await admin.put('/api/v1/settings/invoice_number', { pattern });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.equal(r.body.errors[0].field, 'pattern');
      }
      assertProblem(assert, await admin.put('/api/v1/settings/invoice_number', { pattern: 'FP{seq:4}', extra: 1 }), 422, 'validation_failed');
      assert.equal((await admin.get('/api/v1/settings/invoice_number')).body.pattern, DEFAULTS.invoice);
      // only administrators change them
      assert.equal((await zhang.put('/api/v1/settings/contract_number', { pattern: 'C{seq:4}' })).status, 403);
      assert.equal((await admin.get('/api/v1/settings/contract_number')).body.pattern, DEFAULTS.contract);
    });
  });
}
