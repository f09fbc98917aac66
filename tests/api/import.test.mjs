// import.test.mjs — batch import of customers (issue 3) on every engine:
// UTF-8 (with and without BOM), GBK and LibreOffice XLSX files, the mapping
// remembered per user, dry runs that write nothing, update by number and by
// phone, the error report, every kind of bad file, a batch that rolls back,
// ownership and permissions, races, progress over several batches,
// duplicates within one batch, the history of imported customers, and a
// server killed in the middle of a batch.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem, newDatabase, run } from '../lib/server.mjs';
import {
  fixture, upload, waitJob, importFile, download, parseCsv, makeZip, makeXlsx, soffice, XLSX_TYPE,
} from '../fixtures/io-helpers.mjs';

/** The customers a user sees whose name contains q (exact search). */
async function find(c, q) {
  const r = await c.get(`/api/v1/customers?q=${encodeURIComponent(q)}&limit=500`);
  assert.equal(r.status, 200, r.text);
  return r.body.items;
}

async function one(c, name) {
  const items = (await find(c, name)).filter((x) => x.name === name);
  assert.equal(items.length, 1, `expected one customer named ${name}, got ${items.length}`);
  return (await c.get(`/api/v1/customers/${items[0].id}`)).body;
}

/** Upload → 422 about the file with the code (and row); returns the problem. */
async function refused(c, body, code, opts = {}) {
  const r = await upload(c, body, opts);
  assertProblem(assert, r, 422, 'validation_failed');
  const e = r.body.errors[0];
  assert.equal(e.field, 'file');
  assert.equal(e.code, code, `expected ${code}: ${r.text}`);
  assert.ok(e.message.length > 10, 'the error says what is wrong');
  return e;
}

const UTF8_MAPPING = {
  客户名称: 'name', 手机: 'phone', 电话: 'telephone', 地址: 'address', 微信: 'wechat', 邮箱: 'email',
  价值级别: 'level', 行业: 'industry', 地区: 'region', 来源: 'source', 备注: 'notes',
};

for (const engine of engines()) {
  describe(`import [${engine}]`, () => {
    let srv, zhang, wang, chen, admin, sun, ids;
    before(async () => {
      srv = await startServer({ engine });
      [zhang, wang, chen, admin, sun] = await Promise.all(['zhang', 'wang', 'chen', 'admin', 'sun'].map((u) => srv.login(u)));
      ids = {};
      for (const u of (await admin.get('/api/v1/users?limit=100')).body.items) ids[u.login] = u.id;
    });
    after(async () => { await srv.stop(); });

    it('a UTF-8 CSV imports: Chinese headers map themselves, the dry run writes nothing, formulas stay text', async () => {
      const up = await upload(zhang, fixture('customers-utf8.csv'), { filename: 'customers-utf8.csv' });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.state, 'uploaded');
      assert.equal(up.body.format, 'csv');
      assert.equal(up.body.encoding, 'utf-8');
      assert.equal(up.body.total_rows, 5);
      assert.deepEqual(up.body.columns, Object.keys(UTF8_MAPPING));
      assert.equal(up.body.sample.length, 5);
      assert.equal(up.body.sample[1][3], '洛阳市涧西区, 建设路 2 号');
      assert.deepEqual(up.body.suggested_mapping, UTF8_MAPPING);
      assert.equal(up.body.remembered, false);
      const id = up.body.id;

      const m = await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: up.body.suggested_mapping });
      assert.equal(m.status, 200, m.text);
      assert.equal(m.body.state, 'mapped');
      const dry = await zhang.post(`/api/v1/imports/${id}/dry-run`);
      assert.equal(dry.status, 202, dry.text);
      const checked = await waitJob(zhang, id);
      assert.equal(checked.state, 'checked', checked.message);
      assert.equal(checked.error_rows, 0, JSON.stringify(checked.errors));
      assert.equal(checked.done_rows, 5);
      assert.equal((await find(zhang, '导入测试')).length, 0, 'a dry run creates nothing');

      const run = await zhang.post(`/api/v1/imports/${id}/run`, {});
      assert.equal(run.status, 202, run.text);
      const done = await waitJob(zhang, id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.created_rows, 5);
      assert.equal(done.error_rows, 0);
      assert.ok(done.finished_at);

      const jia = await one(zhang, '导入测试甲电机有限公司');
      assert.equal(jia.owner_id, ids.zhang);
      assert.equal(jia.entry_method, 'import');
      assert.equal(jia.telephone, '0371-60000001');
      assert.equal(jia.wechat, 'imp_jia');
      assert.equal(jia.level_name, '新客户');
      assert.equal(jia.industry_name, '电机制造');
      assert.equal(jia.region_name, '郑州市');
      const yi = await one(zhang, '导入测试乙变压器厂');
      assert.equal(yi.address, '洛阳市涧西区, 建设路 2 号');
      assert.equal(yi.notes, '=1+1', 'a formula is stored as its text, never evaluated');
      const bing = await one(zhang, '导入测试丙风电设备有限公司');
      assert.equal(bing.notes, '=HYPERLINK("http://example.com/x","点我")');
      const ding = await one(zhang, '导入测试丁电力公司');
      assert.equal(ding.address, '上海市闵行区\n江川路 4 号');
      assert.equal(ding.level_name, '新客户', 'English dictionary names are understood');
      assert.equal(ding.region_name, '上海市');
      assert.equal(ding.notes, '多行\n备注');
      const wu = await one(zhang, '导入测试戊贸易行');
      assert.equal(wu.phone, '+86 177-0000-0005');
      assert.equal(wu.notes, '@SUM(1)');
      // the history says who created it
      const h = await zhang.get(`/api/v1/customers/${jia.id}/history`);
      assert.ok(h.body.items.some((x) => x.action === 'create'));
      // a finished import cannot run again
      assertProblem(assert, await zhang.post(`/api/v1/imports/${id}/run`, {}), 409, 'conflict');
    });

    it('a UTF-8 CSV with a byte order mark: the mark is not part of the first header', async () => {
      const up = await upload(zhang, fixture('customers-bom.csv'), { filename: 'customers-bom.csv' });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.encoding, 'utf-8');
      assert.equal(up.body.columns[0], 'Name');
      assert.deepEqual(up.body.suggested_mapping,
        { Name: 'name', Phone: 'phone', Address: 'address', Level: 'level', Industry: 'industry', Notes: 'notes' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.created_rows, 3, done.message);
      assert.equal((await one(zhang, 'BOM导入测试乙公司')).level_name, '老客户');
      assert.equal((await one(zhang, 'BOM Import Gamma Ltd.')).level_name, '优质客户');
    });

    it('a GBK CSV (Excel on Chinese Windows) is detected and converted', async () => {
      const gbk = fixture('customers-gbk.csv');
      assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk), 'the fixture really is not UTF-8');
      const up = await upload(zhang, gbk, { filename: 'customers-gbk.csv', type: 'application/vnd.ms-excel' });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.encoding, 'gb18030');
      assert.equal(up.body.columns[0], '客户名称');
      assert.equal(up.body.sample[0][0], '国标编码测试一号电机厂');
      const done = await importFile(zhang, gbk, up.body.suggested_mapping, { filename: 'customers-gbk.csv' });
      assert.equal(done.created_rows, 3, done.message);
      assert.equal((await one(zhang, '国标编码测试三号轨道交通装备厂')).notes, '鑫淼焱垚');
      const two = await one(zhang, '国标编码测试二号变压器有限公司');
      assert.equal(two.notes, '逗号, 引号');
      assert.equal(two.address, '江苏省苏州市吴中区 2 号');
      await zhang.delete(`/api/v1/imports/${up.body.id}`);
    });

    it('an XLSX written by LibreOffice imports; numbers come back whole and formulas as text', async () => {
      const xlsx = soffice(fixture('customers-xlsx.csv'), 'customers-xlsx.csv', 'xlsx');
      assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
      const up = await upload(zhang, xlsx, { filename: 'customers.xlsx', type: XLSX_TYPE });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.format, 'xlsx');
      assert.equal(up.body.total_rows, 3);
      assert.deepEqual(up.body.columns, ['客户名称', '手机', '地址', '价值级别', '行业', '备注']);
      assert.equal(up.body.sample[0][1], '17730000001', 'a phone number stored as a number is written out in full');
      assert.equal(up.body.sample[0][5], '=1+1');
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.created_rows, 3, done.message);
      const a = await one(zhang, '表格导入一号电机有限公司');
      assert.equal(a.phone, '17730000001');
      assert.equal(a.notes, '=1+1');
      assert.equal(a.level_name, '新客户');
      assert.equal((await one(zhang, '表格导入二号变压器厂')).notes, '=HYPERLINK("http://example.com/y","链接")');
      // the same file sent as application/octet-stream is recognised by its bytes
      const again = await upload(zhang, xlsx, { filename: 'file', type: 'application/octet-stream' });
      assert.equal(again.body.format, 'xlsx');
      await zhang.delete(`/api/v1/imports/${again.body.id}`);
    });

    it('the mapping is remembered per user and offered for the next file with the same headers', async () => {
      const file = fixture('mapping-remembered.csv');
      const first = await upload(zhang, file, { filename: 'm.csv' });
      assert.deepEqual(first.body.suggested_mapping, { Firma: null, Handy: null, Kommentar: null, Intern: null });
      assert.equal(first.body.remembered, false);
      const mapping = { Firma: 'name', Handy: 'phone', Kommentar: 'notes', Intern: null };
      assert.equal((await zhang.put(`/api/v1/imports/${first.body.id}/mapping`, { mapping })).status, 200);
      const second = await upload(zhang, file, { filename: 'm2.csv' });
      assert.deepEqual(second.body.suggested_mapping, mapping);
      assert.equal(second.body.remembered, true);
      // another user's choices are their own
      const other = await upload(wang, file, { filename: 'm.csv' });
      assert.equal(other.body.remembered, false);
      assert.equal(other.body.suggested_mapping.Firma, null);
      for (const [c, id] of [[zhang, first.body.id], [zhang, second.body.id], [wang, other.body.id]]) {
        assert.equal((await c.delete(`/api/v1/imports/${id}`)).status, 204);
        assertProblem(assert, await c.get(`/api/v1/imports/${id}`), 404, 'not_found');
      }
    });

    it('a dry run lists every bad row and every duplicate and writes nothing; the run skips them', async () => {
      const csv = [
        '客户名称,手机,微信,价值级别',
        '干跑测试一号公司,17750000001,,新客户', // 2: fine
        '郑州宇通电机有限公司,17750000002,,', // 3: same name as a demo customer (warn)
        '干跑测试三号公司,13803710001,,', // 4: phone of a demo customer (forbidden)
        '干跑测试四号公司,17750000004,,VIP', // 5: no such level
        '干跑测试五号公司,,,', // 6: the entry policy requires a phone
        '干跑测试六号公司,17750000001,,', // 7: same phone as row 2 of the file
        '干跑测试七号公司,17750000008', // 8: ragged: 2 cells, the header has 4
        '干跑测试八号公司,17750000009,yutong_motor,', // 9: WeChat of a demo customer
        '',
      ].join('\r\n');
      const up = await upload(zhang, csv, { filename: 'dry.csv' });
      assert.equal(up.status, 201, up.text);
      assert.equal(up.body.ragged_rows, 1);
      const id = up.body.id;
      assert.equal((await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${id}/dry-run`)).status, 202);
      const job = await waitJob(zhang, id);
      assert.equal(job.state, 'checked');
      assert.equal(job.done_rows, 8);
      assert.equal(job.error_rows, 6);
      assert.equal(job.duplicate_rows, 1);
      assert.equal((await find(zhang, '干跑测试')).length, 0, 'the dry run wrote nothing');

      const rep = await download(zhang, `/api/v1/imports/${id}/errors.csv`);
      assert.equal(rep.status, 200);
      assert.match(rep.headers.get('content-type'), /^text\/csv/);
      assert.match(rep.headers.get('content-disposition'), /attachment; filename="import-\d+-errors\.csv"/);
      assert.deepEqual([...rep.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const rows = parseCsv(rep.buf);
      assert.deepEqual(rows[0], ['row', 'column', 'field', 'code', 'message']);
      const byRow = {};
      for (const [row, column, field, code, message] of rows.slice(1)) (byRow[row] ||= []).push({ column, field, code, message });
      assert.deepEqual(Object.keys(byRow).sort(), ['3', '4', '5', '6', '7', '8', '9']);
      assert.deepEqual(byRow['3'].map((e) => e.code), ['duplicate_warning']);
      assert.match(byRow['3'][0].message, /郑州宇通电机有限公司/);
      assert.equal(byRow['4'][0].code, 'duplicate');
      assert.equal(byRow['4'][0].field, 'phone');
      assert.equal(byRow['4'][0].column, '手机');
      assert.match(byRow['4'][0].message, /KH-/, 'the duplicate is named');
      assert.deepEqual(byRow['5'].map((e) => [e.field, e.code, e.column]), [['level', 'not_found', '价值级别']]);
      assert.deepEqual(byRow['6'].map((e) => [e.field, e.code]), [['phone', 'required']]);
      assert.equal(byRow['7'][0].code, 'duplicate');
      assert.match(byRow['7'][0].message, /row 2 of this file/);
      assert.deepEqual(byRow['8'].map((e) => e.code), ['ragged']);
      assert.equal(byRow['9'][0].field, 'wechat');

      // the run imports the good row; the possible duplicate waits for a confirmation
      assert.equal((await zhang.post(`/api/v1/imports/${id}/run`, {})).status, 202);
      const done = await waitJob(zhang, id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.created_rows, 1);
      assert.equal(done.error_rows, 7);
      assert.deepEqual((await find(zhang, '干跑测试')).map((c) => c.name), ['干跑测试一号公司']);
      const runRep = parseCsv((await download(zhang, `/api/v1/imports/${id}/errors.csv`)).buf);
      assert.ok(runRep.some((r) => r[0] === '3' && r[3] === 'duplicate_warning'));
      assert.ok(runRep.some((r) => r[0] === '7' && r[3] === 'duplicate'), 'row 7 now meets row 2 in the database');

      // confirmed, a possible duplicate is imported
      const conf = await importFile(zhang, '客户名称,手机\n郑州宇通电机有限公司,17750000012\n',
        { 客户名称: 'name', 手机: 'phone' }, { confirm: true });
      assert.equal(conf.created_rows, 1);
      assert.equal(conf.duplicate_rows, 1);
    });

    it('update by number changes the mapped fields of customers the user may edit, and nothing else', async () => {
      const jia = await one(zhang, '导入测试甲电机有限公司');
      const secret = (await find(admin, '苏州华能风电设备有限公司'))[0]; // chen's protected customer
      assert.ok(secret);
      const csv = `客户编号,地址,价值级别\n${jia.number},郑州市新地址 100 号,优质客户\n${secret.number},改掉别人的地址,\nKH-190001-99999,无此客户,\n,没有编号,\n`;
      const up = await upload(zhang, csv, { filename: 'upd.csv' });
      assert.equal(up.body.suggested_mapping['客户编号'], 'number');
      // the mode needs its key column, and protection is not for an update
      assertProblem(assert, await zhang.put(`/api/v1/imports/${up.body.id}/mapping`,
        { mapping: { 地址: 'address' }, mode: 'update_by_number' }), 422, 'validation_failed');
      assertProblem(assert, await zhang.put(`/api/v1/imports/${up.body.id}/mapping`,
        { mapping: { 客户编号: 'number', 地址: 'protected' }, mode: 'update_by_number' }), 422, 'validation_failed');
      assertProblem(assert, await zhang.put(`/api/v1/imports/${up.body.id}/mapping`,
        { mapping: up.body.suggested_mapping, mode: 'upsert' }), 422, 'validation_failed');
      const m = await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping, mode: 'update_by_number' });
      assert.equal(m.status, 200, m.text);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.updated_rows, 1, done.message);
      assert.equal(done.created_rows, 0);
      assert.equal(done.error_rows, 3);
      const after = (await zhang.get(`/api/v1/customers/${jia.id}`)).body;
      assert.equal(after.address, '郑州市新地址 100 号');
      assert.equal(after.level_name, '优质客户');
      assert.equal(after.phone, jia.phone, 'unmapped fields stay');
      assert.equal(after.name, jia.name);
      assert.equal(after.version, jia.version + 1);
      const hidden = (await admin.get(`/api/v1/customers/${secret.id}`)).body;
      assert.notEqual(hidden.address, '改掉别人的地址');
      const rep = parseCsv((await download(zhang, `/api/v1/imports/${up.body.id}/errors.csv`)).buf);
      const codes = rep.slice(1).map((r) => [r[0], r[2], r[3]]);
      assert.deepEqual(codes, [['3', 'number', 'not_found'], ['4', 'number', 'not_found'], ['5', 'number', 'required']],
        'a customer the user cannot edit looks like a missing one');
    });

    it('update by phone finds the customer by its normalised phone', async () => {
      const done = await importFile(zhang, '手机,邮箱\n+86 177 0000 0002,yi@example.com\n17799999999,nobody@example.com\n',
        { 手机: 'phone', 邮箱: 'email' }, { mode: 'update_by_phone' });
      assert.equal(done.updated_rows, 1, done.message);
      assert.equal(done.error_rows, 1);
      assert.equal((await one(zhang, '导入测试乙变压器厂')).email, 'yi@example.com');
    });

    it('bad files are refused whole, with a clear error naming the row, and leave no job behind', async () => {
      const before = (await zhang.get('/api/v1/imports?limit=500')).body.items.length;
      await refused(zhang, '', 'empty');
      await refused(zhang, '\r\n\r\n', 'empty');
      await refused(zhang, '客户名称,手机\r\n', 'no_rows');
      // neither UTF-8 nor GB18030
      let e = await refused(zhang, Buffer.concat([Buffer.from('name,phone\n'), Buffer.from([0xff, 0xfe, 0xff, 0x2c, 0x31, 0x0a])]), 'encoding');
      assert.equal(e.row, 2);
      assert.match(e.message, /row 2/);
      // a UTF-8 file with one broken row is not taken for GBK
      e = await refused(zhang, Buffer.concat([Buffer.from('客户名称,手机\n测试甲公司,1\n测试乙公司,2\n'),
        Buffer.from([0xe6, 0xb5, 0x2c, 0x33, 0x0a]), Buffer.from('测试丁公司,4\n')]), 'encoding');
      assert.equal(e.row, 4);
      assert.match(e.message, /not valid UTF-8/);
      await refused(zhang, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,phone\n', 'utf16le')]), 'encoding');
      await refused(zhang, 'name,phone\nacme,1\0\n', 'encoding');
      // a 10 MB cell
      e = await refused(zhang, `客户名称,备注\n公司,"${'x'.repeat(10 * 1024 * 1024)}"\n`, 'cell_too_large');
      assert.equal(e.row, 2);
      assert.equal(e.column, 'B');
      e = await refused(zhang, '客户名称,备注\n公司,"没有结束的引号\n下一行\n', 'unclosed_quote');
      assert.equal(e.row, 2);
      // more columns than the import takes
      const wide = Array.from({ length: 300 }, (_, i) => `c${i}`).join(',');
      await refused(zhang, `${wide}\n${wide}\n`, 'too_many_columns');
      // XLSX that is not one
      const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
      await refused(zhang, random, 'corrupt', { filename: 'customers.xlsx', type: XLSX_TYPE });
      await refused(zhang, makeZip({ 'readme.txt': 'not a workbook' }), 'corrupt', { filename: 'a.xlsx' });
      const noSheet = makeZip({
        'xl/workbook.xml': '<workbook xmlns:r="r"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>',
        'xl/_rels/workbook.xml.rels': '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
      });
      e = await refused(zhang, noSheet, 'no_sheet', { filename: 'a.xlsx' });
      assert.match(e.message, /sheet1/);
      await refused(zhang, makeXlsx([Array.from({ length: 250 }, (_, i) => `h${i}`), ['x']]), 'too_many_columns', { filename: 'wide.xlsx' });
      await refused(zhang, makeXlsx([['客户名称', '手机']]), 'no_rows', { filename: 'h.xlsx' });
      const brokenXml = makeXlsx([['客户名称'], ['a']]);
      await refused(zhang, Buffer.from(brokenXml.toString('latin1').replace('</sheetData>', '<row>'), 'latin1'), 'corrupt', { filename: 'b.xlsx' });
      await refused(zhang, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), 'corrupt', { filename: 'old.xls' });
      // not a file upload at all
      assertProblem(assert, await zhang.post('/api/v1/imports', { name: 'x' }), 415, 'unsupported_media_type');
      assertProblem(assert, await upload(zhang, '--b\r\n', { type: 'multipart/form-data; boundary=b' }), 415, 'unsupported_media_type');
      assertProblem(assert, await upload(zhang, 'a\n1\n', { filename: '../../etc/passwd' }), 400, 'bad_request');
      assert.equal((await zhang.get('/api/v1/imports?limit=500')).body.items.length, before, 'no job was created');
    });

    it('a small XLSX of inline strings imports too (no shared strings part)', async () => {
      const x = makeXlsx([['Name', 'Phone', 'Notes'], ['Inline Strings Ltd.', '17760000001', '=1+1']]);
      const done = await importFile(zhang, x, { Name: 'name', Phone: 'phone', Notes: 'notes' }, { filename: 'inline.xlsx', type: XLSX_TYPE });
      assert.equal(done.created_rows, 1, done.message);
      assert.equal((await one(zhang, 'Inline Strings Ltd.')).notes, '=1+1');
    });

    it('mappings are checked: known columns, real fields, once each, what the entry policy requires', async () => {
      const up = await upload(zhang, '客户名称,手机,地址\n映射测试公司,17760000002,x\n', { filename: 'map.csv' });
      const id = up.body.id;
      assertProblem(assert, await zhang.post(`/api/v1/imports/${id}/run`), 409, 'conflict');
      assertProblem(assert, await zhang.post(`/api/v1/imports/${id}/dry-run`), 409, 'conflict');
      const bad = async (body, field) => {
        const r = await zhang.put(`/api/v1/imports/${id}/mapping`, body);
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.some((e) => e.field === field), `${field}: ${r.text}`);
      };
      await bad({ mapping: { 客户名称: 'name', 手机: 'phone', 不存在: 'address' } }, 'mapping.不存在');
      await bad({ mapping: { 客户名称: 'name', 手机: 'phone', 地址: 'owner_id' } }, 'mapping.地址');
      await bad({ mapping: { 客户名称: 'name', 手机: 'phone', 地址: 'custom.nope' } }, 'mapping.地址');
      await bad({ mapping: { 客户名称: 'name', 手机: 'name' } }, 'mapping.手机');
      await bad({ mapping: { 客户名称: 'name' } }, 'mapping'); // the entry policy requires a phone
      await bad({ mapping: { 手机: 'phone' } }, 'mapping'); // create needs a name
      assertProblem(assert, await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: 'name' }), 422);
      assertProblem(assert, await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: {}, extra: 1 }), 422);
      // a salesperson imports for themself only
      assertProblem(assert, await zhang.put(`/api/v1/imports/${id}/mapping`,
        { mapping: up.body.suggested_mapping, owner_id: ids.chen }), 403, 'forbidden');
      assertProblem(assert, await zhang.put(`/api/v1/imports/${id}/mapping`,
        { mapping: up.body.suggested_mapping, owner_id: null }), 403, 'forbidden');
      // two runs at once: one starts, the other is told it is running
      assert.equal((await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      const [a, b] = await Promise.all([zhang.post(`/api/v1/imports/${id}/run`), zhang.post(`/api/v1/imports/${id}/run`)]);
      assert.deepEqual([a.status, b.status].sort(), [202, 409]);
      const done = await waitJob(zhang, id);
      assert.equal(done.created_rows, 1);
      assert.equal((await find(zhang, '映射测试公司')).length, 1, 'imported once');
      assertProblem(assert, await zhang.put(`/api/v1/imports/${id}/mapping`, { mapping: up.body.suggested_mapping }), 409, 'conflict');
    });

    it('managers import for a salesperson they manage or into the pool; jobs are private', async () => {
      const file = '客户名称,手机\n经理导入甲公司,17760000011\n';
      const forZhang = await importFile(wang, file, { 客户名称: 'name', 手机: 'phone' }, { owner: ids.zhang });
      assert.equal(forZhang.created_rows, 1, forZhang.message);
      assert.equal((await one(zhang, '经理导入甲公司')).owner_id, ids.zhang);
      const pool = await importFile(wang, '客户名称,手机\n经理导入公海公司,17760000012\n', { 客户名称: 'name', 手机: 'phone' }, { owner: null });
      assert.equal(pool.created_rows, 1, pool.message);
      const p = await one(chen, '经理导入公海公司');
      assert.equal(p.owner_id, null, 'in the pool, so chen sees it too');
      // owner ids that are not a salesperson the manager may give customers to
      const up = await upload(wang, file, { filename: 'x.csv' });
      assertProblem(assert, await wang.put(`/api/v1/imports/${up.body.id}/mapping`,
        { mapping: up.body.suggested_mapping, owner_id: ids.sun }), 422, 'validation_failed');
      // only its owner drives a job; an administrator may look
      assertProblem(assert, await chen.get(`/api/v1/imports/${up.body.id}`), 404, 'not_found');
      assertProblem(assert, await chen.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: {} }), 404, 'not_found');
      assertProblem(assert, await chen.post(`/api/v1/imports/${up.body.id}/run`), 404, 'not_found');
      assertProblem(assert, await chen.get(`/api/v1/imports/${up.body.id}/errors.csv`), 404, 'not_found');
      assertProblem(assert, await chen.delete(`/api/v1/imports/${up.body.id}`), 404, 'not_found');
      assert.equal((await admin.get(`/api/v1/imports/${up.body.id}`)).status, 200);
      assertProblem(assert, await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping }), 404, 'not_found');
      assert.ok(!(await chen.get('/api/v1/imports')).body.items.some((j) => j.id === up.body.id));
      assertProblem(assert, await wang.get('/api/v1/imports/999999'), 404, 'not_found');
      assertProblem(assert, await wang.get('/api/v1/imports/abc'), 404, 'not_found');
      // unfinished jobs keep their files: there is a cap per user
      const extra = [];
      for (;;) {
        const r = await upload(wang, file, { filename: 'cap.csv' });
        if (r.status !== 201) {
          assertProblem(assert, r, 409, 'conflict');
          break;
        }
        extra.push(r.body.id);
        assert.ok(extra.length <= 20, 'the cap is 20');
      }
      assert.ok(extra.length >= 15);
      for (const id of extra) assert.equal((await wang.delete(`/api/v1/imports/${id}`)).status, 204);
      assert.equal((await upload(wang, file, { filename: 'again.csv' })).status, 201);
      // finance does not import; nobody does without signing in
      assertProblem(assert, await upload(sun, file), 403, 'forbidden');
      assertProblem(assert, await upload(srv.client(), file), 401, 'unauthorized');
    });

    it('a batch that fails rolls back whole; the job says which rows; a new run finishes the work', async () => {
      // a number pattern that will hand out a number that exists ("10")
      assert.equal((await admin.put('/api/v1/settings/customer_number', { pattern: '{seq:1}0' })).status, 200);
      const manual = await zhang.post('/api/v1/customers', { name: '编号占位公司', phone: '17760000020' });
      assert.equal(manual.status, 201, manual.text);
      assert.equal(manual.body.number, '10');
      assert.equal((await admin.put('/api/v1/settings/customer_number', { pattern: '{seq:1}' })).status, 200);
      const rows = Array.from({ length: 12 }, (_, i) => `回滚测试${String(i + 1).padStart(2, '0')}公司,177600001${String(i).padStart(2, '0')}`);
      const up = await upload(zhang, `客户名称,手机\n${rows.join('\n')}\n`, { filename: 'rollback.csv' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const failed = await waitJob(zhang, up.body.id).finally(() =>
        admin.put('/api/v1/settings/customer_number', { pattern: 'KH-{yyyy}{mm}-{seq:5}' }));
      assert.equal(failed.state, 'failed');
      assert.equal(failed.done_rows, 0);
      assert.equal(failed.created_rows, 0);
      assert.match(failed.message, /starting at row 2 was rolled back: row 10 failed/);
      assert.equal((await find(zhang, '回滚测试')).length, 0, 'nothing of the batch was saved');
      // with a sane pattern again (reset above) the same job runs to the end
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.created_rows, 12);
      assert.equal((await find(zhang, '回滚测试')).length, 12);
    });

    it('two users import at the same time: both files arrive whole, each row once', async () => {
      const file = (who, n) => ['客户名称,手机', ...Array.from({ length: n }, (_, i) =>
        `并发${who}${String(i).padStart(3, '0')}号公司,17${who === '甲' ? 61 : 62}${String(i).padStart(7, '0')}`)].join('\n');
      const [a, b] = await Promise.all([
        importFile(zhang, file('甲', 300), { 客户名称: 'name', 手机: 'phone' }),
        importFile(chen, file('乙', 300), { 客户名称: 'name', 手机: 'phone' }),
      ]);
      assert.equal(a.created_rows, 300, a.message);
      assert.equal(b.created_rows, 300, b.message);
      assert.equal((await find(zhang, '并发甲')).length, 300);
      assert.equal((await find(chen, '并发乙')).length, 300);
    });

    it('duplicates within one batch are caught before it is written; an imported customer\'s history shows its creation by the job', async () => {
      const file = ['客户名称,手机,价值级别,行业',
        '批内重复甲公司,17790000001,新客户,风电', // 2: fine
        '批内重复乙公司,17790000001,老客户,电机制造', // 3: the phone of row 2, same batch: refused
        '批内重复甲公司,17790000003,新客户,风电', // 4: the name of row 2: a warning, confirmed below
        '批内重复丙公司,17790000004,优质客户,', // 5: fine
      ].join('\n');
      const up = await upload(zhang, file, { filename: 'inbatch.csv' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`, { confirm_duplicates: true })).status, 202);
      const done = await waitJob(zhang, up.body.id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.created_rows, 3);
      assert.equal(done.error_rows, 1);
      assert.equal(done.duplicate_rows, 1, 'row 4 looked like row 2 and was imported as confirmed');
      const refusedRow = done.errors.find((e) => e.row_no === 3 && e.code === 'duplicate');
      assert.ok(refusedRow, JSON.stringify(done.errors));
      assert.equal(refusedRow.field, 'phone');
      assert.match(refusedRow.message, /批内重复甲公司/, 'the message names the row it repeats');
      const found = await find(zhang, '批内重复');
      assert.deepEqual(found.map((c) => c.phone).sort(), ['17790000001', '17790000003', '17790000004']);
      assert.equal(found.filter((c) => c.name === '批内重复甲公司').length, 2);

      // the history: the creation (the record as its detail shows it) and the
      // arrival with its owner, whose reason names the import job
      const first = found.find((c) => c.phone === '17790000001');
      const detail = (await zhang.get(`/api/v1/customers/${first.id}`)).body;
      delete detail.access;
      assert.equal(detail.entry_method, 'import');
      assert.equal(detail.level_name, '新客户');
      assert.equal(detail.industry_name, '风电');
      const hist = await zhang.get(`/api/v1/customers/${first.id}/history`);
      assert.equal(hist.status, 200, hist.text);
      assert.equal(hist.body.items.length, 2, JSON.stringify(hist.body.items));
      const created = hist.body.items.find((e) => e.action === 'create' && !e.before);
      assert.ok(created, 'a creation entry');
      assert.deepEqual(created.after, detail, 'the history shows the record as created');
      assert.equal(created.user_id, ids.zhang);
      const moved = hist.body.items.find((e) => e.action === 'create' && e.before);
      assert.deepEqual(moved.before, { owner_id: null });
      assert.deepEqual(moved.after, { owner_id: ids.zhang, reason: `import #${up.body.id}` });
      // the quick search finds it by any field, at once
      assert.equal((await find(zhang, '17790000004')).length, 1);
      assert.equal((await find(zhang, detail.number)).length, 1);
      // its search text and terms (the number put in at the writing) are
      // those an edit computes again from the row
      const terms = () => {
        const sql = `SELECT search_text || '#' || search_grams FROM customers WHERE id = ${first.id}`;
        return engine === 'sqlite'
          ? execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, sql], { encoding: 'utf8' })
          : execFileSync('psql', [srv.db.url, '-X', '-A', '-t', '-c', sql], { encoding: 'utf8' });
      };
      const imported = terms();
      assert.ok(imported.includes(detail.number.toLowerCase().replace(/[^0-9a-z]/g, '')), imported);
      const edit = await zhang.patch(`/api/v1/customers/${first.id}`, { version: detail.version, notes: '改一下备注' });
      assert.equal(edit.status, 200, edit.text);
      assert.equal(terms(), imported);
    });

    it('a file of several batches imports in one go and reports its progress', async () => {
      const n = 1234;
      const lines = ['客户名称,手机,价值级别'];
      for (let i = 0; i < n; i++) lines.push(`批量导入${String(i).padStart(5, '0')}号公司,1778${String(i).padStart(7, '0')},新客户`);
      const up = await upload(zhang, lines.join('\n'), { filename: 'many.csv' });
      assert.equal(up.body.total_rows, n);
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const seen = new Set();
      let job;
      for (;;) {
        job = (await zhang.get(`/api/v1/imports/${up.body.id}`)).body;
        seen.add(job.done_rows);
        assert.ok(job.done_rows <= n && job.done_rows % 1000 === 0 || job.done_rows === n, `progress moves by batches: ${job.done_rows}`);
        if (!['queued', 'running'].includes(job.state)) break;
        await new Promise((ok) => setTimeout(ok, 50));
      }
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, n);
      assert.equal(job.done_rows, n);
      const list = await zhang.get('/api/v1/customers?q=%E6%89%B9%E9%87%8F%E5%AF%BC%E5%85%A5&limit=500');
      assert.equal(list.body.items.length, 500);
      assert.ok(list.body.next_cursor);
      if (engine === 'sqlite') {
        // the batches wrote the search indexes without FTS5's merging: the setting is back
        for (const ix of ['customers_fts', 'customers_pool_fts']) {
          const am = execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path,
            `SELECT v FROM ${ix}_config WHERE k = 'automerge'`], { encoding: 'utf8' }).trim();
          assert.equal(am, '4', ix);
        }
      }
    });

    it('a row repeating a row of the batch before is refused, while that batch is still being written', async () => {
      const lines = ['客户名称,手机'];
      for (let i = 0; i < 1005; i++) lines.push(`跨批重复${String(i).padStart(4, '0')}号公司,1759${String(i).padStart(7, '0')}`);
      lines[1003] = '跨批重复后来的公司,17590000001'; // row 1004 (the second batch): the phone of row 3
      const job = await importFile(zhang, lines.join('\n'), { 客户名称: 'name', 手机: 'phone' });
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, 1004);
      assert.equal(job.error_rows, 1);
      const e = job.errors.find((x) => x.row_no === 1004);
      assert.ok(e, JSON.stringify(job.errors));
      assert.equal(e.code, 'duplicate');
      assert.equal(e.field, 'phone');
      // named by its row while its batch is written, by its number once written
      assert.match(e.message, /row 3 of this file, 跨批重复0001号公司|KH-\d+-\d+ 跨批重复0001号公司/);
      assert.equal((await find(zhang, '17590000001')).length, 1);
    });

    it('numbers of an import follow each other without gaps: rejected rows take none, and the next customer entered by hand gets the next one', async () => {
      assert.equal((await admin.put('/api/v1/settings/customer_number', { pattern: 'NB{seq:6}' })).status, 200);
      try {
        const lines = ['客户名称,手机,邮箱'];
        for (let i = 0; i < 1030; i++) { // two batches: the numbers go on across them
          lines.push(`编号连续${String(i).padStart(4, '0')}号公司,1658${String(i).padStart(7, '0')},${i % 7 === 3 ? 'not-an-email' : ''}`);
        }
        const job = await importFile(zhang, lines.join('\n'), { 客户名称: 'name', 手机: 'phone', 邮箱: 'email' });
        assert.equal(job.state, 'done', job.message);
        assert.equal(job.error_rows, 147, 'rows 3, 10, 17, ... have a bad e-mail');
        assert.equal(job.created_rows, 1030 - 147);
        const got = [];
        for (let cursor = null; ;) {
          const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('编号连续')}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          got.push(...r.body.items);
          if (!(cursor = r.body.next_cursor)) break;
        }
        assert.equal(got.length, 1030 - 147, 'the search index has every imported row');
        got.sort((a, b) => (a.name < b.name ? -1 : 1));
        const nums = got.map((c) => Number(c.number.slice(2)));
        for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1] + 1, `in row order, no gap: ${got[i - 1].number} ${got[i].number}`);
        const manual = await zhang.post('/api/v1/customers', { name: '编号连续手工公司', phone: '16589999999' });
        assert.equal(manual.status, 201, manual.text);
        assert.equal(manual.body.number, `NB${String(nums.at(-1) + 1).padStart(6, '0')}`, 'the numbers reserved and not used were given back');
        // customers written afterwards one by one are in the search index as before
        assert.equal((await find(zhang, '编号连续手工')).length, 1);
        const renamed = await zhang.patch(`/api/v1/customers/${got[0].id}`, { name: '改名以后的公司', version: got[0].version });
        assert.equal(renamed.status, 200, renamed.text);
        assert.equal((await find(zhang, '改名以后')).length, 1);
        assert.equal((await find(zhang, got[0].name)).length, 0);
      } finally {
        await admin.put('/api/v1/settings/customer_number', { pattern: 'KH-{yyyy}{mm}-{seq:5}' });
      }
    });

    it('a file larger than one stored chunk (1 MiB) is read back whole for the run', async () => {
      const note = '长备注'.repeat(1500); // 4,500 characters, 13.5 KB a row
      const lines = ['客户名称,手机,备注'];
      for (let i = 0; i < 90; i++) lines.push(`大文件${String(i).padStart(3, '0')}号公司,1659${String(i).padStart(7, '0')},${note}${i}`);
      const body = lines.join('\n');
      assert.ok(Buffer.byteLength(body) > 1.1 * 1024 * 1024);
      const job = await importFile(zhang, body, { 客户名称: 'name', 手机: 'phone', 备注: 'notes' });
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, 90);
      const last = await one(zhang, '大文件089号公司');
      assert.equal(last.notes, `${note}89`, 'the last row, from the second chunk, arrived intact');
    });

    it('duplicates in the database are found for every row of a batch, by normalised value, lowest numbers first', async () => {
      const name = '库内重名检测公司';
      const made = [];
      for (let i = 0; i < 7; i++) {
        const r = await wang.post('/api/v1/customers', { name, phone: `1657000000${i}`, confirm_duplicates: true });
        assert.equal(r.status, 201, r.text);
        made.push(r.body);
      }
      const wx = await wang.post('/api/v1/customers', { name: '库内微信检测公司', phone: '16571000000', wechat: 'WX_Dup_Check' });
      assert.equal(wx.status, 201, wx.text);
      const file = ['客户名称,手机,微信',
        `${name},16572000001,`, // 2: the name of seven customers: a warning naming the first three
        '库内检测甲公司,165 7000 0003,', // 3: the phone of one of them, with spaces: refused
        '库内检测乙公司,16572000002,wx_dup_check', // 4: the WeChat id, other case: refused
        '库内检测丙公司,16572000003,', // 5: fine
        `${name},16572000004,`, // 6: the same name again: warned again (the lookup is shared)
      ].join('\n');
      const up = await upload(zhang, file, { filename: 'dbdups.csv' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      const job = await waitJob(zhang, up.body.id);
      assert.equal(job.state, 'done', job.message);
      assert.equal(job.created_rows, 1, 'only row 5: the warnings were not confirmed');
      const byRow = (n) => job.errors.filter((e) => e.row_no === n);
      for (const n of [2, 6]) {
        const w = byRow(n);
        assert.equal(w.length, 1, JSON.stringify(job.errors));
        assert.equal(w[0].code, 'duplicate_warning');
        for (const c of made.slice(0, 3)) assert.ok(w[0].message.includes(c.number), `${w[0].message} names ${c.number}`);
        assert.ok(!w[0].message.includes(made[3].number), 'three are named, the lowest numbers');
        assert.match(w[0].message, /\.\.\./);
      }
      assert.deepEqual(byRow(3).map((e) => [e.field, e.code]), [['phone', 'duplicate']]);
      assert.ok(byRow(3)[0].message.includes(made[3].number), byRow(3)[0].message);
      assert.deepEqual(byRow(4).map((e) => [e.field, e.code]), [['wechat', 'duplicate']]);
      assert.ok(byRow(4)[0].message.includes(wx.body.number), byRow(4)[0].message);
      assert.equal(byRow(5).length, 0);
    });
  });

  describe(`import across a crash [${engine}]`, () => {
    it('a server killed in the middle of a batch leaves no half batch; a new server takes the job over at once and imports every row once', async () => {
      const db = newDatabase(engine);
      run(['demo', '--db', db.url]);
      const keep = { ...db, cleanup() {} };
      let srv = await startServer({ engine, db: keep });
      let zhang = await srv.login('zhang');
      const n = 6000;
      const lines = ['客户名称,手机'];
      for (let i = 0; i < n; i++) lines.push(`崩溃续传${String(i).padStart(5, '0')}号公司,1764${String(i).padStart(7, '0')}`);
      const up = await upload(zhang, lines.join('\n'), { filename: 'crash.csv' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      let job;
      do {
        await new Promise((ok) => setTimeout(ok, 10));
        job = (await zhang.get(`/api/v1/imports/${up.body.id}`)).body;
      } while (job.done_rows < 1 && job.state !== 'done');
      assert.notEqual(job.state, 'done', 'the kill must come before the end');
      // no SIGTERM: the process dies in the middle of whatever batch it is writing
      const exited = new Promise((ok) => srv.proc.on('exit', ok));
      srv.proc.kill('SIGKILL');
      await exited;
      const count = async (c) => {
        let total = 0, cursor = '';
        for (;;) {
          const r = await c.get(`/api/v1/customers?q=${encodeURIComponent('崩溃续传')}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          total += r.body.items.length;
          if (!r.body.next_cursor) return total;
          cursor = r.body.next_cursor;
        }
      };
      srv = await startServer({ engine, db });
      try {
        zhang = await srv.login('zhang');
        const done = await waitJob(zhang, up.body.id, 60000);
        assert.equal(done.state, 'done', done.message);
        assert.equal(done.done_rows, n);
        assert.equal(done.created_rows, n);
        assert.equal(await count(zhang), n, 'every row exactly once: no half batch kept, none twice');
        const numbers = new Set();
        let cursor = '';
        for (;;) {
          const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('崩溃续传')}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          for (const c of r.body.items) numbers.add(c.name);
          if (!r.body.next_cursor) break;
          cursor = r.body.next_cursor;
        }
        assert.equal(numbers.size, n, 'no name twice');
      } finally {
        await srv.stop();
      }
    });
  });

  describe(`import across a restart [${engine}]`, () => {
    it('a server stopped in the middle of a run hands the job on; the next one finishes it, no row twice', async () => {
      const db = newDatabase(engine);
      run(['demo', '--db', db.url]);
      const keep = { ...db, cleanup() {} }; // the first server must not delete the database
      let srv = await startServer({ engine, db: keep });
      let zhang = await srv.login('zhang');
      const n = 4000;
      const lines = ['客户名称,手机'];
      for (let i = 0; i < n; i++) lines.push(`重启续传${String(i).padStart(5, '0')}号公司,1763${String(i).padStart(7, '0')}`);
      const up = await upload(zhang, lines.join('\n'), { filename: 'restart.csv' });
      assert.equal((await zhang.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: up.body.suggested_mapping })).status, 200);
      assert.equal((await zhang.post(`/api/v1/imports/${up.body.id}/run`)).status, 202);
      let job;
      do {
        await new Promise((ok) => setTimeout(ok, 20));
        job = (await zhang.get(`/api/v1/imports/${up.body.id}`)).body;
      } while (job.done_rows < 500 && job.state !== 'done');
      await srv.stop(); // SIGTERM: exits cleanly, the worker ends its batch and requeues
      srv = await startServer({ engine, db });
      try {
        zhang = await srv.login('zhang');
        const stopped = (await zhang.get(`/api/v1/imports/${up.body.id}`)).body;
        assert.ok(['queued', 'running'].includes(stopped.state), `handed on, not ${stopped.state}`);
        assert.ok(stopped.done_rows % 1000 === 0 && stopped.done_rows < n, 'stopped after a whole batch');
        const done = await waitJob(zhang, up.body.id);
        assert.equal(done.state, 'done', done.message);
        assert.equal(done.done_rows, n);
        assert.equal(done.created_rows, n);
        let count = 0, cursor = '';
        for (;;) {
          const r = await zhang.get(`/api/v1/customers?q=${encodeURIComponent('重启续传')}&limit=500${cursor ? `&cursor=${cursor}` : ''}`);
          count += r.body.items.length;
          if (!r.body.next_cursor) break;
          cursor = r.body.next_cursor;
        }
        assert.equal(count, n, 'every row exactly once');
      } finally {
        await srv.stop();
      }
    });
  });
}

// An upload from someone not signed in is refused without the server keeping
// it: past the default body size the body is dropped and the answer is 401.
describe('anonymous uploads', () => {
  let srv;
  before(async () => { srv = await startServer({}); });
  after(async () => { await srv.stop(); });
  it('a 2 MB anonymous upload gets 401 and creates no job', async () => {
    const r = await fetch(srv.url + '/api/v1/imports?filename=a.csv', {
      method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'x'.repeat(2_000_000) });
    assert.equal(r.status, 401);
    const zhang = await srv.login('zhang');
    assert.equal((await zhang.get('/api/v1/imports')).body.items.length, 0);
    assert.equal((await srv.client().get('/healthz')).status, 200);
  });
});
