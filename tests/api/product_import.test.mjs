// product_import.test.mjs — products in and out of spreadsheets through the
// import kit (the same upload, mapping, dry run, job and error report as
// customers): a CSV and a LibreOffice XLSX import with their headers mapped
// by name; a dry run writes nothing and reports each bad row (negative
// price, unknown category, a code taken or repeated in the file, a price
// that overflows, a bad word) while the good rows are imported and the bad
// ones are not; the export (CSV and XLSX, read back by LibreOffice) has the
// import's headers, so an exported file imports back; who may do what. On
// every engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { download, parseCsv, soffice, waitJob, XLSX_TYPE } from '../fixtures/io-helpers.mjs';

const tag = `PI${process.pid % 1000}${Date.now() % 100000}`;

function upload(c, body, { filename = 'products.csv', type = 'text/csv' } = {}) {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return c.post(`/api/v1/imports?entity=product&filename=${encodeURIComponent(filename)}`, buf, { 'Content-Type': type });
}

/** Upload, map as suggested, dry run: the checked job. */
async function dryRun(c, body, opts) {
  const up = await upload(c, body, opts);
  assert.equal(up.status, 201, up.text);
  assert.equal(up.body.entity, 'product');
  const m = await c.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping });
  assert.equal(m.status, 200, m.text);
  assert.equal((await c.post(`/api/v1/imports/${up.body.id}/dry-run`)).status, 202);
  const job = await waitJob(c, up.body.id);
  assert.equal(job.state, 'checked', job.message);
  return { up, job };
}

async function runJob(c, id) {
  const r = await c.post(`/api/v1/imports/${id}/run`, {});
  assert.equal(r.status, 202, r.text);
  const job = await waitJob(c, id);
  assert.equal(job.state, 'done', job.message);
  return job;
}

const byCode = async (c, code) => (await c.get(`/api/v1/products?q=${encodeURIComponent(code)}&limit=50`)).body.items.filter((p) => p.code === code)[0];

for (const engine of engines()) {
  describe(`product import and export [${engine}]`, () => {
    let srv, admin, zhang, cat;
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang] = await Promise.all(['admin', 'zhang'].map((u) => srv.login(u)));
      cat = (await admin.post('/api/v1/product-categories', { name: `导入类 Import cat ${tag}` })).body;
      const taken = await admin.post('/api/v1/products', { code: `${tag}-TAKEN`, name: 'Taken', unit: 'kg', list_price: 100 });
      assert.equal(taken.status, 201, taken.text);
    });
    after(() => srv.stop());

    it('a CSV with Chinese headers: the dry run reports the bad rows and writes nothing, the run imports the good ones', async () => {
      const csv = [
        '编码,名称,类别,导体,绝缘,厚度(mm),宽度(mm),单位,包装,标准售价,标准成本,税率,在用',
        `${tag}-A,聚酰亚胺薄膜绕包扁铜线 ${tag},${cat.name},铜,聚酰亚胺薄膜,1.5,6,千克,30 / 50 / 150,"1,234.50",980,13%,是`,
        `${tag}-B,玻璃丝包扁铝线 ${tag},${cat.name},aluminium,glass_fibre,2.24,8,kg,50,88.8,60,13,yes`,
        `${tag}-NEG,负价 ${tag},${cat.name},,,,,kg,,-5.00,,,`,
        `${tag}-CAT,未知类别 ${tag},没有这个类别 ${tag},,,,,kg,,10,,,`,
        `${tag}-TAKEN,已有编码 ${tag},,,,,,kg,,10,,,`,
        `${tag}-A,同文件重复 ${tag},,,,,,kg,,10,,,`,
        `${tag}-BIG,溢出 ${tag},,,,,,kg,,99999999999999999999,,,`,
        `${tag}-MAX,超上限 ${tag},,,,,,kg,,100000000.01,,,`,
        `${tag}-W,坏单位 ${tag},,,,,,桶,,10,,,`,
      ].join('\r\n');
      const { up, job } = await dryRun(admin, csv);
      assert.deepEqual(up.body.suggested_mapping, {
        编码: 'code', 名称: 'name', 类别: 'category', 导体: 'conductor', 绝缘: 'insulation', '厚度(mm)': 'thickness_mm',
        '宽度(mm)': 'width_mm', 单位: 'unit', 包装: 'packages', 标准售价: 'list_price', 标准成本: 'standard_cost', 税率: 'tax_rate', 在用: 'active',
      });
      assert.equal(job.done_rows, 9);
      assert.equal(job.error_rows, 7, JSON.stringify(job.errors));
      const err = (row) => job.errors.filter((e) => e.row_no === row).map((e) => `${e.field}:${e.code}`);
      assert.deepEqual(err(4), ['list_price:out_of_range']);
      assert.deepEqual(err(5), ['category:not_found']);
      assert.deepEqual(err(6), ['code:duplicate']);
      assert.deepEqual(err(7), ['code:duplicate']);
      assert.match(job.errors.find((e) => e.row_no === 7).message, /row 2/);
      assert.deepEqual(err(8), ['list_price:invalid']);
      assert.deepEqual(err(9), ['list_price:out_of_range']);
      assert.deepEqual(err(10), ['unit:invalid']);
      assert.equal(await byCode(admin, `${tag}-A`), undefined, 'a dry run writes nothing');
      // the report as CSV names the column of each error
      const rep = parseCsv((await download(admin, `/api/v1/imports/${up.body.id}/errors.csv`)).buf);
      assert.deepEqual(rep[0], ['row', 'column', 'field', 'code', 'message']);
      assert.deepEqual(rep.find((r) => r[0] === '5').slice(1, 4), ['类别', 'category', 'not_found']);

      const done = await runJob(admin, up.body.id);
      assert.equal(done.created_rows, 2);
      assert.equal(done.error_rows, 7);
      const a = await byCode(admin, `${tag}-A`);
      assert.equal(a.name, `聚酰亚胺薄膜绕包扁铜线 ${tag}`);
      assert.equal(a.category_id, cat.id);
      assert.equal(a.conductor, 'copper');
      assert.equal(a.insulation, 'polyimide_film');
      assert.equal(a.thickness_um, 1500);
      assert.equal(a.width_um, 6000);
      assert.equal(a.list_price, 123450);
      assert.equal(a.standard_cost, 98000);
      assert.equal(a.tax_bp, 1300);
      assert.equal(a.active, true);
      assert.deepEqual(a.packages.map((p) => p.size_milli), [30000, 50000, 150000]);
      const b = await byCode(admin, `${tag}-B`);
      assert.equal(b.list_price, 8880);
      for (const bad of ['NEG', 'CAT', 'BIG', 'MAX', 'W']) assert.equal(await byCode(admin, `${tag}-${bad}`), undefined, bad);
      assert.equal((await byCode(admin, `${tag}-TAKEN`)).name, 'Taken', 'the product with the code is unchanged');
      // the history says it came from the import
      const h = (await admin.get(`/api/v1/products/${a.id}/history`)).body;
      assert.ok(JSON.stringify(h).includes(String(up.body.id)));
    });

    it('an XLSX written by LibreOffice imports the same way', async () => {
      const csv = `Code,Name,Category,Unit,List price,Tax rate\n${tag}-X1,XLSX wire ${tag},${cat.name},spool,250,9%\n${tag}-X2,XLSX bad ${tag},,kg,-1,\n`;
      const xlsx = soffice(Buffer.from(csv), 'products.csv', 'xlsx');
      const { up, job } = await dryRun(admin, xlsx, { filename: 'products.xlsx', type: XLSX_TYPE });
      assert.equal(up.body.format, 'xlsx');
      assert.equal(job.error_rows, 1);
      assert.equal(job.errors[0].row_no, 3);
      const done = await runJob(admin, up.body.id);
      assert.equal(done.created_rows, 1);
      const x = await byCode(admin, `${tag}-X1`);
      assert.equal(x.unit, 'spool');
      assert.equal(x.list_price, 25000);
      assert.equal(x.tax_bp, 900);
    });

    it('the mapping needs the required columns and knows only product fields', async () => {
      const up = await upload(admin, `Code,Name,Notes\n${tag}-M,M,x\n`);
      assert.equal(up.status, 201, up.text);
      assert.deepEqual(up.body.suggested_mapping, { Code: 'code', Name: 'name', Notes: null });
      let r = await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: { Code: 'code', Name: 'name', Notes: 'notes' } });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.ok(r.body.errors.some((e) => e.field === 'mapping.Notes'));
      assert.ok(r.body.errors.some((e) => e.field === 'mapping' && /unit/.test(e.message)));
      r = await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: { Code: 'code' }, mode: 'update_by_number' });
      assert.ok(r.body.errors.some((e) => e.field === 'mode'));
      r = await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: { Code: 'code' }, owner_id: null });
      assert.ok(r.body.errors.some((e) => e.field === 'owner_id'));
    });

    it('only those who manage the catalogue import products; jobs stay apart from customer imports', async () => {
      assertProblem(assert, await upload(zhang, `Code\nX\n`), 403, 'forbidden');
      assertProblem(assert, await zhang.get('/api/v1/imports?entity=product'), 403, 'forbidden');
      assertProblem(assert, await admin.post('/api/v1/imports?entity=widget&filename=a.csv', Buffer.from('a\n1\n'), { 'Content-Type': 'text/csv' }), 400);
      const mine = (await admin.get('/api/v1/imports?entity=product')).body.items;
      assert.ok(mine.length >= 3 && mine.every((j) => j.entity === 'product'));
      assert.ok((await admin.get('/api/v1/imports')).body.items.every((j) => j.entity === 'customer'));
    });

    it('exports the catalogue as CSV and XLSX with the import headers, and the file imports back', async () => {
      const csv = await download(admin, `/api/v1/products/export?format=csv&q=${tag}`);
      assert.equal(csv.status, 200);
      const rows = parseCsv(csv.buf);
      assert.deepEqual(rows[0], ['Code', 'Name', 'Category', 'Conductor', 'Insulation', 'Thickness (mm)', 'Width (mm)', 'Unit',
        'Packaging', 'List price', 'Standard cost', 'Tax rate', 'Active']);
      const a = rows.find((r) => r[0] === `${tag}-A`);
      assert.deepEqual(a.slice(2), [cat.name, 'copper', 'polyimide_film', '1.5', '6', 'kg', '30 / 50 / 150', '1,234.50', '980.00', '13.00%', 'yes']);
      const x = await download(admin, `/api/v1/products/export?format=xlsx&q=${tag}`);
      assert.equal(x.status, 200);
      assert.equal(x.headers.get('content-type'), XLSX_TYPE);
      const lo = parseCsv(soffice(x.buf, 'products.xlsx', 'csv'));
      assert.deepEqual(lo.map((r) => r[0]), rows.map((r) => r[0]));
      // a salesperson's export has no cost column
      const z = parseCsv((await download(zhang, `/api/v1/products/export?q=${tag}`)).buf);
      assert.ok(!z[0].includes('Standard cost'));
      // the exported file, its codes changed, imports back whole
      const back = rows.map((r, i) => (i === 0 ? r : [r[0].replace(tag, `${tag}R`), ...r.slice(1)]))
        .map((r) => r.map((v) => (/[",]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n');
      const { up, job } = await dryRun(admin, back);
      assert.equal(job.error_rows, 0, JSON.stringify(job.errors));
      assert.equal((await runJob(admin, up.body.id)).created_rows, rows.length - 1);
      const ra = await byCode(admin, `${tag}R-A`);
      assert.equal(ra.list_price, 123450);
      assert.deepEqual(ra.packages.map((p) => p.size_milli), [30000, 50000, 150000]);
      assertProblem(assert, await admin.get('/api/v1/products/export?format=pdf'), 400);
    });
  });
}
