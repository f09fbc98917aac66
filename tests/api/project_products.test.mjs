// project_products.test.mjs — a project's products of interest picked from
// the catalogue: a catalogue line names a product_id and takes its code,
// name, spec, unit and list price from the catalogue; the free-text lines
// of before stay valid as text lines; an unknown product, or a retired one
// newly chosen, is a 422 and nothing is written; a quotation made from the
// project brings the catalogue lines as product lines. On every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `135${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

for (const engine of engines()) {
  describe(`project products [${engine}]`, () => {
    let srv, admin, zhang, cat, wire, spool, cust;
    const count = () => Number(sql(srv, 'SELECT COUNT(*) FROM projects'));
    const mk = async (body) => {
      const r = await admin.post('/api/v1/products', {
        code: `PP-${uniq()}`, name: `项目线 Project wire ${uniq()}`, category_id: cat.id, unit: 'kg', list_price: 6543, ...body,
      });
      assert.equal(r.status, 201, r.text);
      return r.body;
    };

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang] = await Promise.all(['admin', 'zhang'].map((l) => srv.login(l)));
      cat = (await admin.post('/api/v1/product-categories', { name: `项目产品 Project products ${uniq()}` })).body;
      wire = await mk({ conductor: 'copper', insulation: 'polyimide_film', thickness_um: 1500, width_um: 6000 });
      spool = await mk({ unit: 'spool', list_price: 250000 });
      cust = (await zhang.post('/api/v1/customers', { name: `项目产品客户 PP customer ${uniq()}`, phone: phone() })).body;
    });
    after(() => srv.stop());

    it('a catalogue line takes its code, name, spec, unit and list price from the catalogue; text lines stay as they were', async () => {
      const r = await zhang.post('/api/v1/projects', {
        name: `目录项目 Catalogue project ${uniq()}`, customer_id: cust.id,
        products: [
          { product_id: wire.id, quantity_milli: 2500000, package: '50 kg', name: 'typed over', unit: 'm', list_price: 1 },
          { name: '老客户的旧线 Old free text', spec: '1.5×6', quantity_milli: 1000, unit: 'kg' },
        ],
      });
      assert.equal(r.status, 201, r.text);
      const [p0, p1] = r.body.products;
      assert.equal(p0.product_id, wire.id);
      assert.equal(p0.code, wire.code);
      assert.equal(p0.name, wire.name);
      assert.equal(p0.unit, 'kg');
      assert.equal(p0.list_price, 6543);
      assert.equal(p0.spec, wire.spec);
      assert.ok(p0.spec, 'the wire has a spec');
      assert.equal(p0.quantity_milli, 2500000);
      assert.equal(p0.package, '50 kg');
      assert.deepEqual(p1, { name: '老客户的旧线 Old free text', spec: '1.5×6', quantity_milli: 1000, unit: 'kg' });
      const back = (await zhang.get(`/api/v1/projects/${r.body.id}`)).body;
      assert.deepEqual(back.products, r.body.products);
    });

    it('an unknown or retired product is refused with nothing written; a project that had it keeps it', async () => {
      const n = count();
      let r = await zhang.post('/api/v1/projects', { name: `坏产品 Bad ${uniq()}`, products: [{ product_id: 99999999 }] });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'products[0].product_id');
      assert.equal(r.body.errors[0].code, 'not_found');
      for (const bad of [{ product_id: 'x' }, { product_id: 0 }, { product_id: wire.id, quantity_milli: 'a' }, { product_id: wire.id, colour: 'red' }, {}, 'wire']) {
        r = await zhang.post('/api/v1/projects', { name: `坏产品 Bad ${uniq()}`, products: [bad] });
        assertProblem(assert, r, 422, 'validation_failed');
      }
      assert.equal(count(), n);

      const kept = (await zhang.post('/api/v1/projects', {
        name: `将停产 Soon retired ${uniq()}`, customer_id: cust.id, products: [{ product_id: spool.id, quantity_milli: 3000 }],
      })).body;
      const ret = await admin.patch(`/api/v1/products/${spool.id}`, { version: spool.version, active: false });
      assert.equal(ret.status, 200, ret.text);
      r = await zhang.post('/api/v1/projects', { name: `停产 Retired ${uniq()}`, products: [{ product_id: spool.id }] });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].code, 'retired');
      assert.equal(count(), n + 1);
      // the project that had it is edited with its line as it was
      r = await zhang.patch(`/api/v1/projects/${kept.id}`, { version: kept.version, products: kept.products, notes: '仍要 still wanted' });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.products[0].product_id, spool.id);
      // but adding it to another project is refused, and that project is unchanged
      const other = (await zhang.post('/api/v1/projects', { name: `另一个 Other ${uniq()}` })).body;
      r = await zhang.patch(`/api/v1/projects/${other.id}`, { version: other.version, products: [{ product_id: spool.id }] });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal((await zhang.get(`/api/v1/projects/${other.id}`)).body.version, other.version);
    });

    it('a quotation from the project brings its catalogue lines as product lines', async () => {
      const pr = (await zhang.post('/api/v1/projects', {
        name: `报价目录项目 Quote catalogue ${uniq()}`, customer_id: cust.id,
        products: [{ product_id: wire.id, quantity_milli: 1200000 }, { name: '目录里没有 Not in the catalogue', quantity_milli: 5000 }],
      })).body;
      const pv = await zhang.post('/api/v1/quotations/preview', { project_id: pr.id });
      assert.equal(pv.status, 200, pv.text);
      assert.deepEqual(pv.body.lines.map((l) => [l.product_id, l.qty_milli]), [[wire.id, 1200000]]);
      assert.equal(pv.body.unmatched_products.length, 1);
      const q = await zhang.post('/api/v1/quotations', { project_id: pr.id });
      assert.equal(q.status, 201, q.text);
      assert.equal(q.body.lines.length, 1);
      assert.equal(q.body.lines[0].product_id, wire.id);
      assert.equal(q.body.lines[0].list_price, 6543);
    });
  });
}
