// products.test.mjs — the catalogue, warehouses and stock: entry with the
// wire's specification and packaging, quick search by code, Chinese name
// fragments and size, category (with its subtree) and active filters in
// keyset pages, versioned updates (409 on a stale version) with history,
// stock on hand equal to the sum of its movements, a warehouse that
// refuses negative stock, who may do what, and bad input that changes
// nothing. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;

for (const engine of engines()) {
  describe(`products and stock [${engine}]`, () => {
    let srv, admin, zhang, zhou, sun;
    let cat, sub, wire;

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, zhou, sun] = await Promise.all(['admin', 'zhang', 'zhou', 'sun'].map((l) => srv.login(l)));
      const c = await admin.post('/api/v1/product-categories', { name: `铜扁线 Copper flat ${uniq()}` });
      assert.equal(c.status, 201, c.text);
      cat = c.body;
      const s = await admin.post('/api/v1/product-categories', { name: `薄膜 Film ${uniq()}`, parent_id: cat.id });
      assert.equal(s.status, 201, s.text);
      sub = s.body;
      const p = await admin.post('/api/v1/products', {
        code: `T-${uniq()}`, name: '测试聚酰亚胺铜扁线 Test polyimide copper', category_id: sub.id,
        conductor: 'copper', insulation: 'polyimide_film', thickness_um: 2240, width_um: 9000,
        unit: 'kg', packages: [{ name: '50 kg spool', size_milli: 50000 }, { name: '150 kg spool', size_milli: 150000 }],
        list_price: 9350, standard_cost: 8000, tax_bp: 1300,
      });
      assert.equal(p.status, 201, p.text);
      wire = p.body;
    });
    after(() => srv.stop());

    it('keeps what was entered: specification, packaging, prices in fen', async () => {
      const r = await zhang.get(`/api/v1/products/${wire.id}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.spec, 'copper / polyimide_film / 2.24×9.00 mm');
      assert.deepEqual(r.body.packages, [{ name: '50 kg spool', size_milli: 50000 }, { name: '150 kg spool', size_milli: 150000 }]);
      assert.equal(r.body.list_price, 9350);
      assert.equal(r.body.category_name, sub.name);
      assert.equal(r.body.standard_cost, undefined, 'a salesperson does not see the cost');
      const a = await admin.get(`/api/v1/products/${wire.id}`);
      assert.equal(a.body.standard_cost, 8000);
    });

    it('finds products by code, Chinese fragment and size, by category subtree and activity, page by page', async () => {
      for (const q of [wire.code.toLowerCase(), '亚胺铜', '2.24x9.00', '2.24×9']) {
        const r = await zhang.get(`/api/v1/products?q=${encodeURIComponent(q)}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.body.items.some((p) => p.id === wire.id), `${q} finds the product`);
      }
      const none = await zhang.get(`/api/v1/products?q=${encodeURIComponent('不存在的线 nothing')}`);
      assert.equal(none.body.items.length, 0);
      const byCat = await zhang.get(`/api/v1/products?category_id=${cat.id}`);
      assert.deepEqual(byCat.body.items.map((p) => p.id), [wire.id], 'the parent category lists its subtree');
      // the demo catalogue in pages of 5, in code order, without repeats
      const seen = [];
      let cursor = '';
      for (let i = 0; i < 20; i++) {
        const r = await zhang.get(`/api/v1/products?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.body.items.map((p) => p.code));
        if (!r.body.next_cursor) break;
        cursor = r.body.next_cursor;
      }
      assert.ok(seen.length >= 21, 'the demo catalogue and the new product');
      assert.deepEqual([...seen].sort(), seen);
      assert.equal(new Set(seen).size, seen.length);
      const bad = await zhang.get('/api/v1/products?active=maybe');
      assertProblem(assert, bad, 400, 'bad_request');
    });

    it('updates with versions, retires, and keeps the history', async () => {
      const r = await admin.patch(`/api/v1/products/${wire.id}`, { version: wire.version, list_price: 9500 });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.version, wire.version + 1);
      const stale = await admin.patch(`/api/v1/products/${wire.id}`, { version: wire.version, list_price: 1 });
      assertProblem(assert, stale, 409, 'version_conflict');
      const now = await admin.get(`/api/v1/products/${wire.id}`);
      assert.equal(now.body.list_price, 9500, 'the stale update changed nothing');
      const h = await admin.get(`/api/v1/products/${wire.id}/history`);
      assert.equal(h.status, 200, h.text);
      assert.deepEqual(h.body.items.map((x) => x.action).sort(), ['create', 'update']);
      // a retired product stays readable and is listed as inactive
      const t = await admin.post('/api/v1/products', { code: `OLD-${uniq()}`, name: '旧型号 Old model', unit: 'spool', list_price: 100 });
      const ret = await admin.patch(`/api/v1/products/${t.body.id}`, { version: t.body.version, active: false });
      assert.equal(ret.status, 200, ret.text);
      assert.equal(ret.body.active, false);
      const inactive = await zhang.get(`/api/v1/products?active=false&q=${encodeURIComponent(t.body.code)}`);
      assert.deepEqual(inactive.body.items.map((p) => p.id), [t.body.id]);
      const active = await zhang.get(`/api/v1/products?active=true&q=${encodeURIComponent(t.body.code)}`);
      assert.equal(active.body.items.length, 0);
    });

    it('refuses bad products with field errors and writes nothing', async () => {
      const code = `BAD-${uniq()}`;
      const cases = [
        [{ code, name: 'x', unit: 'kg', list_price: -1 }, 'list_price'],
        [{ code, name: 'x', unit: 'kg', list_price: 1e15 }, 'list_price'],
        [{ code, name: 'x', unit: 'tonne', list_price: 1 }, 'unit'],
        [{ code, name: 'x', unit: 'kg', list_price: 1, tax_bp: 10001 }, 'tax_bp'],
        [{ code, name: 'x', unit: 'kg', list_price: 1, category_id: 999999 }, 'category_id'],
        [{ code, name: 'x', unit: 'kg', list_price: 1, conductor: 'gold' }, 'conductor'],
        [{ code, name: 'x', unit: 'kg', list_price: 1, packages: [{ size_milli: 0 }] }, 'packages[0].size_milli'],
        [{ code: wire.code, name: 'x', unit: 'kg', list_price: 1 }, 'code'],
        [{ code, name: 'x', unit: 'kg', list_price: 1.5 }, 'list_price'],
      ];
      for (const [body, field] of cases) {
        const r = await admin.post('/api/v1/products', body);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${r.text}`);
      }
      const l = await admin.get(`/api/v1/products?q=${code}`);
      assert.equal(l.body.items.length, 0, 'nothing was written');
      const p = await admin.patch(`/api/v1/products/${wire.id}`, { version: 99, list_price: -5 });
      assertProblem(assert, p, 422);
    });

    it('a salesperson reads the catalogue but cannot change it', async () => {
      assertProblem(assert, await zhang.post('/api/v1/products', { code: `Z-${uniq()}`, name: 'x', unit: 'kg', list_price: 1 }), 403);
      assertProblem(assert, await zhang.patch(`/api/v1/products/${wire.id}`, { version: 1, list_price: 1 }), 403);
      assertProblem(assert, await zhang.post('/api/v1/product-categories', { name: 'x' }), 403);
      assertProblem(assert, await zhang.post('/api/v1/warehouses', { code: 'X', name: 'x' }), 403);
      assertProblem(assert, await zhang.post('/api/v1/stock-movements', { product_id: wire.id, warehouse_id: 1, qty_milli: 1000, cause: 'adjustment', reason: 'x' }), 403);
      assertProblem(assert, await sun.post('/api/v1/stock-movements', { product_id: wire.id, warehouse_id: 1, qty_milli: 1000, cause: 'adjustment', reason: 'x' }), 403);
      assert.equal((await zhang.get('/api/v1/warehouses')).status, 200);
    });

    it('stock on hand is the sum of the movements; a strict warehouse never goes below zero', async () => {
      const strict = await admin.post('/api/v1/warehouses', { code: `S${uniq()}`, name: '严格仓 Strict' });
      const loose = await admin.post('/api/v1/warehouses', { code: `L${uniq()}`, name: '寄售仓 Consignment', allow_negative: true });
      assert.equal(strict.status, 201, strict.text);
      const move = (c, w, qty, cause = 'adjustment') => c.post('/api/v1/stock-movements',
        { product_id: wire.id, warehouse_id: w, qty_milli: qty, cause, reason: '盘点 Count', reference: 'T-1' });
      const o = await move(zhou, strict.body.id, 150000, 'opening');
      assert.equal(o.status, 201, o.text);
      assert.equal(o.body.unit_cost, 8000, 'the standard cost by default');
      assert.equal(o.body.created_by_name, '周强 Zhou Qiang');
      assert.equal((await move(admin, strict.body.id, -50500)).status, 201);
      const tooMuch = await move(zhou, strict.body.id, -100000);
      assertProblem(assert, tooMuch, 422, 'validation_failed');
      assert.equal(tooMuch.body.errors[0].code, 'insufficient_stock');
      assert.equal(tooMuch.body.on_hand_milli, 99500);
      assert.equal((await move(zhou, loose.body.id, -30000)).status, 201, 'a consignment warehouse may go below zero');
      const d = await zhang.get(`/api/v1/products/${wire.id}`);
      const at = (w) => d.body.stock.find((s) => s.warehouse_id === w).qty_milli;
      assert.equal(at(strict.body.id), 99500);
      assert.equal(at(loose.body.id), -30000);
      const m = await zhang.get(`/api/v1/stock-movements?product_id=${wire.id}&limit=500`);
      for (const w of [strict.body.id, loose.body.id]) {
        const sum = m.body.items.filter((x) => x.warehouse_id === w).reduce((s, x) => s + x.qty_milli, 0);
        assert.equal(sum, at(w), 'on hand equals the sum of the movements');
      }
      assert.equal(m.body.items.length, 3, 'the refused movement left no row');
      assert.equal(d.body.stock_total_milli, d.body.stock.reduce((s, x) => s + x.qty_milli, 0));
      // refusing negatives again while below zero is refused
      const w = await admin.patch(`/api/v1/warehouses/${loose.body.id}`, { version: loose.body.version, allow_negative: false });
      assertProblem(assert, w, 422);
    });

    it('refuses bad movements', async () => {
      const base = { product_id: wire.id, warehouse_id: 1, qty_milli: 1000, cause: 'adjustment', reason: 'x' };
      const cases = [
        [{ ...base, qty_milli: 0 }, 'qty_milli'],
        [{ ...base, qty_milli: 1e16 }, 'qty_milli'],
        [{ ...base, cause: 'delivery' }, 'cause'],
        [{ ...base, warehouse_id: 999999 }, 'warehouse_id'],
        [{ ...base, product_id: 999999 }, 'product_id'],
        [{ ...base, unit_cost: -1 }, 'unit_cost'],
        [{ ...base, reason: undefined }, 'reason'],
      ];
      const before = await zhou.get(`/api/v1/stock-movements?product_id=${wire.id}&limit=500`);
      for (const [body, field] of cases) {
        const r = await zhou.post('/api/v1/stock-movements', body);
        assertProblem(assert, r, 422);
        assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${r.text}`);
      }
      const afterList = await zhou.get(`/api/v1/stock-movements?product_id=${wire.id}&limit=500`);
      assert.equal(afterList.body.items.length, before.body.items.length);
    });
  });
}
