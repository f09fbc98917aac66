// export.test.mjs — exporting the customer list (issue 3) on every engine:
// the file holds exactly the rows the list shows the user (visibility from
// the policy, the list's filters and order), the agreed columns in the
// user's language, formula-like cells defused in CSV, an XLSX that
// LibreOffice reads back with the same rows, and an export that imports back.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { upload, waitJob, importFile, download, parseCsv, soffice, XLSX_TYPE } from '../fixtures/io-helpers.mjs';

const EN = ['Number', 'Name', 'Phone', 'Telephone', 'Address', 'WeChat', 'Email', 'Level', 'Industry', 'Region',
  'Source', 'Qualification', 'Owner', 'Protected', 'Signed', 'Wire grade', 'Created at'];
const CN = ['客户编号', '客户名称', '手机', '电话', '地址', '微信', '邮箱', '价值级别', '行业', '地区', '来源', '资质', '负责人',
  '保护', '签约', '线材等级', '创建时间'];
const EVIL = '=HYPERLINK("http://evil.example","click")';

/** Every item of the list, page by page. */
async function listAll(c, qs = '') {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await c.get(`/api/v1/customers?limit=500${qs}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.items);
    if (!r.body.next_cursor) return out;
    cursor = r.body.next_cursor;
  }
}

async function exportRows(c, qs = '') {
  const r = await download(c, `/api/v1/customers/export?format=csv${qs}`);
  assert.equal(r.status, 200, r.buf.toString());
  return parseCsv(r.buf);
}

/** A CSV cell as the spreadsheet should show it: the defusing quote taken off. */
const undefuse = (cell) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

for (const engine of engines()) {
  describe(`export [${engine}]`, () => {
    let srv, zhang, wang, sun, admin, evil;
    before(async () => {
      srv = await startServer({ engine });
      [zhang, wang, sun, admin] = await Promise.all(['zhang', 'wang', 'sun', 'admin'].map((u) => srv.login(u)));
      const cf = await admin.post('/api/v1/custom-fields',
        { entity: 'customer', key: 'wire_grade', label: '线材等级', label_en: 'Wire grade', type: 'select', options: ['H级', 'C级'] });
      assert.equal(cf.status, 201, cf.text);
      const r = await zhang.post('/api/v1/customers',
        { name: EVIL, phone: '17690000001', address: '+86 trick', custom: { wire_grade: 'H级' } });
      assert.equal(r.status, 201, r.text);
      evil = r.body;
    });
    after(async () => { await srv.stop(); });

    it('the CSV holds exactly the rows the list shows, in its order, for each kind of user', async () => {
      for (const c of [zhang, wang, sun]) {
        const list = await listAll(c);
        const r = await download(c, '/api/v1/customers/export?format=csv');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
        assert.match(r.headers.get('content-disposition'), /^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
        assert.deepEqual([...r.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM, so Excel reads UTF-8');
        assert.ok(r.buf.includes('\r\n'));
        const rows = parseCsv(r.buf).slice(1);
        assert.deepEqual(rows.map((x) => x[0]), list.map((x) => x.number));
      }
      const names = async (c) => (await exportRows(c)).slice(1).map((x) => undefuse(x[1]));
      const z = await names(zhang);
      assert.ok(!z.includes('苏州华能风电设备有限公司'), "another salesperson's protected customer never reaches zhang");
      assert.ok(!z.includes('上海申联电力设备有限公司'), "nor another salesperson's own customers");
      assert.ok(z.includes('郑州宇通电机有限公司') && z.includes('深圳鹏程轨道交通装备有限公司') && z.includes('洛阳轴研电机有限公司'),
        'own, shared and pool customers are there');
      assert.ok(z.includes(EVIL));
      const w = await names(wang);
      assert.ok(w.includes('苏州华能风电设备有限公司'), "the manager sees his salesperson's protected customer");
      const s = await names(sun);
      assert.ok(s.includes('上海申联电力设备有限公司'));
      assert.ok(!s.includes('苏州华能风电设备有限公司') && !s.includes('郑州金阳电气贸易有限公司'), 'finance sees no protected customer');
    });

    it("columns: the agreed ones, custom fields, in the user's language", async () => {
      const en = await exportRows(zhang);
      assert.deepEqual(en[0], EN);
      const yt = en.find((x) => x[1] === '郑州宇通电机有限公司');
      const col = (name) => yt[EN.indexOf(name)];
      assert.equal(col('Phone'), '13803710001');
      assert.equal(col('Owner'), '张伟 Zhang Wei');
      assert.equal(col('Signed'), 'yes');
      assert.equal(col('Protected'), 'no');
      assert.equal(col('Level'), 'Excellent customer');
      assert.equal(col('Industry'), 'Motor manufacturing');
      assert.equal(col('Region'), 'Zhengzhou');
      assert.equal(col('WeChat'), 'yutong_motor');
      assert.match(col('Created at'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'local time of the company, not UTC text');
      const ev = en.find((x) => undefuse(x[1]) === EVIL);
      assert.equal(ev[EN.indexOf('Wire grade')], 'H级');
      assert.equal(ev[0], evil.number);
      const cn = await exportRows(wang); // wang reads Chinese
      assert.deepEqual(cn[0], CN);
      const yt2 = cn.find((x) => x[1] === '郑州宇通电机有限公司');
      assert.equal(yt2[CN.indexOf('价值级别')], '优质客户');
      assert.equal(yt2[CN.indexOf('签约')], '是');
      assert.equal(cn.find((x) => x[1] === '洛阳轴研电机有限公司')[CN.indexOf('负责人')], '公海');
    });

    it('cells that start like a formula are defused in CSV with a single quote', async () => {
      const r = await download(zhang, '/api/v1/customers/export?format=csv');
      const text = r.buf.toString('utf8');
      assert.ok(text.includes(`"'=HYPERLINK(""http://evil.example"",""click"")"`), 'quoted, doubled quotes, leading quote');
      const row = parseCsv(r.buf).find((x) => x[0] === evil.number);
      assert.equal(row[1], `'${EVIL}`);
      assert.equal(row[4], "'+86 trick");
      assert.ok(!/\r\n=/.test(text) && !/,=/.test(text), 'no cell starts with =');
    });

    it("the list's filters and order apply", async () => {
      const cases = [[zhang, '&q=%E9%83%91%E5%B7%9E'], [zhang, '&owner=pool'], [zhang, '&owner=me&sort=name'],
        [wang, '&protected=true'], [wang, '&signed=true&sort=number'], [wang, '&sort=-updated_at'], [sun, '&sort=id']];
      const levels = (await zhang.get('/api/v1/dictionaries?kind=level')).body.items;
      cases.push([wang, `&level_id=${levels[2].id}`]);
      for (const [c, qs] of cases) {
        const list = await listAll(c, qs);
        const rows = (await exportRows(c, qs)).slice(1);
        assert.deepEqual(rows.map((x) => x[0]), list.map((x) => x.number), qs);
        assert.ok(rows.length > 0, `${qs} matches something`);
      }
      assert.ok((await exportRows(zhang, '&owner=pool')).slice(1).every((x) => x[12] === 'pool'));
    });

    it('the XLSX export reads back in LibreOffice with the same rows as the CSV', async () => {
      for (const c of [zhang, wang]) {
        const r = await download(c, '/api/v1/customers/export?format=xlsx');
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('content-type'), XLSX_TYPE);
        assert.match(r.headers.get('content-disposition'), /filename="customers-\d{4}-\d{2}-\d{2}\.xlsx"/);
        assert.equal(r.buf.subarray(0, 2).toString(), 'PK');
        const fromLo = parseCsv(soffice(r.buf, 'export.xlsx', 'csv'));
        const fromCsv = (await exportRows(c)).map((row) => row.map(undefuse));
        assert.deepEqual(fromLo, fromCsv);
      }
    });

    it('a list longer than a page of the export comes out whole, and imports back as an update', async () => {
      const lines = ['客户名称,手机'];
      for (let i = 0; i < 1100; i++) lines.push(`导出分页${String(i).padStart(4, '0')}公司,1779${String(i).padStart(7, '0')}`);
      const job = await importFile(zhang, lines.join('\n'), { 客户名称: 'name', 手机: 'phone' });
      assert.equal(job.created_rows, 1100, job.message);
      const list = await listAll(zhang);
      const csv = await exportRows(zhang);
      assert.equal(csv.length - 1, list.length);
      assert.ok(csv.length > 1100);
      const x = await download(zhang, '/api/v1/customers/export?format=xlsx&q=%E5%AF%BC%E5%87%BA%E5%88%86%E9%A1%B5');
      assert.equal(parseCsv(soffice(x.buf, 'page.xlsx', 'csv')).length, 1101);

      // edit two addresses in the exported file and import it back by number
      const header = csv[0];
      const edited = csv.map((row, i) => {
        if (i === 0) return row;
        if (row[0] === evil.number) return row.map((v, k) => (k === 4 ? 'Evil Road 1' : v));
        if (row[1] === '郑州宇通电机有限公司') return row.map((v, k) => (k === 4 ? '郑州市第八大街 99 号' : v));
        return row;
      });
      const quote = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
      const body = edited.map((r) => r.map(quote).join(',')).join('\r\n');
      const up = await upload(zhang, body, { filename: 'roundtrip.csv' });
      assert.equal(up.status, 201, up.text);
      const m = up.body.suggested_mapping;
      assert.equal(m.Number, 'number');
      assert.equal(m['Wire grade'], 'custom.wire_grade');
      assert.equal(m.Owner, null);
      assert.equal(m['Created at'], null);
      assert.deepEqual(up.body.columns, header);
      const put = await zhang.put(`/api/v1/imports/${up.body.id}/mapping`,
        { mapping: { ...m, Protected: null }, mode: 'update_by_number' });
      assert.equal(put.status, 200, put.text);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.state, 'done', done.message);
      assert.ok(done.updated_rows >= 1100, JSON.stringify(done.errors.slice(0, 12)));
      const after = (await zhang.get(`/api/v1/customers/${evil.id}`)).body;
      assert.equal(after.address, 'Evil Road 1');
      assert.equal(after.name, EVIL, 'the defusing quote does not come back');
      assert.equal(after.custom.wire_grade, 'H级');
      const yt = (await listAll(zhang, '&q=%E5%AE%87%E9%80%9A')).find((c) => c.name === '郑州宇通电机有限公司');
      assert.equal(yt.address, '郑州市第八大街 99 号');
    });

    it('bad requests are refused', async () => {
      for (const qs of ['format=pdf', 'sort=random', 'owner=everyone', 'level_id=abc', 'protected=maybe', `q=${'x'.repeat(201)}`]) {
        const r = await zhang.get(`/api/v1/customers/export?${qs}`);
        assertProblem(assert, r, 400, 'bad_request');
      }
      assertProblem(assert, await srv.client().get('/api/v1/customers/export'), 401, 'unauthorized');
      // the export is not mistaken for a customer id
      assertProblem(assert, await zhang.get('/api/v1/customers/exports'), 404, 'not_found');
    });
  });
}
