// import_forgiving.test.mjs — imports and entry that forgive (issue 13) on
// every engine: per column, a value the dictionary lacks refuses the row,
// is left empty or is added to the dictionary (the dry run tallies them and
// writes nothing); contact columns bring each customer's primary contact;
// regions are read as people write them (浙江省 / 浙江 / 杭州市 / 杭州 /
// 浙江省杭州市); near-duplicate names (legal form or city left out) are
// warned about; a mobile number's format is checked; bad mappings are
// refused and change nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';
import { upload, waitJob } from '../fixtures/io-helpers.mjs';

let serial = 0;
/** Seven digits unique to this run: in names, and in mobiles (13 + tag + two digits). */
const tag = () => String((Date.now() + serial++ * 7919) % 10000000).padStart(7, '0');
const mob = (t, i) => `13${t}${String(i).padStart(2, '0')}`;

function gbk(text) {
  return execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GBK'], { input: text });
}

async function customerNamed(c, name) {
  const r = await c.get(`/api/v1/customers?q=${encodeURIComponent(name)}&limit=50`);
  assert.equal(r.status, 200, r.text);
  const hit = r.body.items.filter((x) => x.name === name);
  assert.equal(hit.length, 1, `one customer named ${name}: ${r.text}`);
  return (await c.get(`/api/v1/customers/${hit[0].id}`)).body;
}

async function dictNames(c, kind) {
  const r = await c.get(`/api/v1/dictionaries?kind=${kind}`);
  return r.body.items;
}

for (const engine of engines()) {
  describe(`forgiving import and entry [${engine}]`, () => {
    let srv, admin, wang;
    before(async () => {
      srv = await startServer({ engine });
      [admin, wang] = await Promise.all(['admin', 'wang'].map((u) => srv.login(u)));
    });
    after(async () => { await srv.stop(); });

    it('the region dictionary holds every province and its cities', async () => {
      const regions = await dictNames(admin, 'region');
      const tops = regions.filter((d) => !d.parent_id);
      assert.ok(tops.length >= 34, `provinces: ${tops.length}`);
      const zj = tops.find((d) => d.name === '浙江省');
      assert.equal(zj.name_en, 'Zhejiang');
      const cities = regions.filter((d) => d.parent_id === zj.id).map((d) => d.name);
      assert.equal(cities.length, 11);
      assert.ok(cities.includes('杭州市') && cities.includes('丽水市'));
      // the demo's regions are the same items, not doubles
      assert.equal(tops.filter((d) => d.name === '河南省').length, 1);
      assert.ok(regions.filter((d) => !d.parent_id === false).length > 300, 'prefecture-level cities');
    });

    it('per column: add to the dictionary, leave empty or refuse; the dry run counts and writes nothing', async () => {
      const t = tag();
      const ind = `汽车零部件${t}`;
      const csv = [
        '客户名称,手机,行业,级别,地区,联系人,职务,联系人手机,联系人邮箱',
        `甲${t}电机,${mob(t, 1)},${ind},战略客户${t},浙江省,王甲,采购经理,${mob(t, 11)},jia${t}@example.com`,
        `乙${t}电缆,${mob(t, 2)},${ind},新客户,杭州,李乙,总经理,${mob(t, 12)},`,
        `丙${t}变压器,${mob(t, 3)},电机制造,战略客户${t},浙江省杭州市,,,,`,
        `丁${t}风电,${mob(t, 4)},电力设备,,杭州市,,,,`,
        `戊${t}贸易,${mob(t, 5)},,,浙江,,,,`,
        `己${t}轨交,${mob(t, 6)},,,Hangzhou,,,,`,
      ].join('\n') + '\n';
      const mapping = {
        客户名称: 'name', 手机: 'phone', 行业: 'industry', 级别: 'level', 地区: 'region', 联系人: 'contact_name',
        职务: 'contact_title', 联系人手机: 'contact_mobile', 联系人邮箱: 'contact_email',
      };
      // refuse (the default): rows with unknown values are counted as errors
      const up0 = await upload(admin, gbk(csv), { filename: 'f.csv' });
      assert.equal(up0.status, 201, up0.text);
      assert.equal(up0.body.encoding, 'gb18030');
      let m = await admin.put(`/api/v1/imports/${up0.body.id}/mapping`, { mapping });
      assert.equal(m.status, 200, m.text);
      await admin.post(`/api/v1/imports/${up0.body.id}/dry-run`);
      const refused = await waitJob(admin, up0.body.id);
      assert.equal(refused.state, 'checked', refused.message);
      assert.equal(refused.error_rows, 3, JSON.stringify(refused.errors));
      assert.ok(refused.errors.some((e) => e.field === 'industry' && e.code === 'not_found' && e.message.includes(ind)));
      const col = refused.unknown.find((u) => u.column === '行业');
      assert.deepEqual([col.choice, col.rows, col.values[0].value, col.values[0].rows], ['refuse', 2, ind, 2]);

      // add (industry) and leave empty (level): the dry run says what will happen
      const up = await upload(admin, gbk(csv), { filename: 'f.csv' });
      m = await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping, choices: { 行业: 'add', 级别: 'empty' } });
      assert.equal(m.status, 200, m.text);
      assert.deepEqual(m.body.choices, { 行业: 'add', 级别: 'empty' });
      await admin.post(`/api/v1/imports/${up.body.id}/dry-run`);
      const checked = await waitJob(admin, up.body.id);
      assert.equal(checked.state, 'checked', checked.message);
      assert.equal(checked.error_rows, 0, JSON.stringify(checked.errors));
      const byCol = Object.fromEntries(checked.unknown.map((u) => [u.column, u]));
      assert.deepEqual([byCol['行业'].choice, byCol['行业'].rows, byCol['行业'].values], ['add', 2, [{ value: ind, rows: 2 }]]);
      assert.deepEqual([byCol['级别'].choice, byCol['级别'].rows], ['empty', 2]);
      assert.ok(!(await dictNames(admin, 'industry')).some((d) => d.name === ind), 'the dry run adds nothing');

      const run = await admin.post(`/api/v1/imports/${up.body.id}/run`, {});
      assert.equal(run.status, 202, run.text);
      const done = await waitJob(admin, up.body.id);
      assert.equal(done.state, 'done', done.message);
      assert.equal(done.created_rows, 6, JSON.stringify(done.errors));
      const added = (await dictNames(admin, 'industry')).filter((d) => d.name === ind);
      assert.equal(added.length, 1, 'added once');
      assert.ok(!(await dictNames(admin, 'level')).some((d) => d.name === `战略客户${t}`), 'left empty: not added');

      const jia = await customerNamed(admin, `甲${t}电机`);
      assert.equal(jia.industry_name, ind);
      assert.equal(jia.level_id, null);
      assert.equal(jia.region_name, '浙江省');
      // regions as people write them
      const regions = await dictNames(admin, 'region');
      const hz = regions.find((d) => d.name === '杭州市');
      assert.equal((await customerNamed(admin, `乙${t}电缆`)).region_id, hz.id);
      assert.equal((await customerNamed(admin, `丙${t}变压器`)).region_id, hz.id);
      assert.equal((await customerNamed(admin, `丁${t}风电`)).region_id, hz.id);
      assert.equal((await customerNamed(admin, `戊${t}贸易`)).region_name, '浙江省');
      assert.equal((await customerNamed(admin, `己${t}轨交`)).region_id, hz.id);

      // the contact columns: each customer's primary contact
      const contacts = (await admin.get(`/api/v1/customers/${jia.id}/contacts`)).body.items;
      assert.equal(contacts.length, 1);
      assert.deepEqual([contacts[0].name, contacts[0].title, contacts[0].mobile, contacts[0].email, contacts[0].is_primary],
        ['王甲', '采购经理', mob(t, 11), `jia${t}@example.com`, true]);
      const bing = await customerNamed(admin, `丙${t}变压器`);
      assert.equal((await admin.get(`/api/v1/customers/${bing.id}/contacts`)).body.items.length, 0, 'no contact cells: no contact');
      // the contact is searchable, as one entered by hand
      const s = await admin.get(`/api/v1/customers?q=${encodeURIComponent('李乙')}&limit=50`);
      assert.ok(s.body.items.some((x) => x.name === `乙${t}电缆`), 'found by its contact');
      const hist = (await admin.get(`/api/v1/customers/${jia.id}/history`)).body.items;
      assert.ok(hist.some((h) => h.action === 'contact_add'), JSON.stringify(hist.map((h) => h.action)));
    });

    it('bad mappings are refused with field errors and change nothing', async () => {
      const t = tag();
      const csv = `客户名称,行业,手机,电话\n坏${t},汽车${t},${mob(t, 1)},0371-66881234\n`;
      const up = await upload(admin, Buffer.from(csv), { filename: 'bad.csv' });
      const id = up.body.id;
      const mapping = { 客户名称: 'name', 行业: 'industry', 手机: 'phone' };
      const cases = [
        [{ mapping, choices: { 行业: 'maybe' } }, 'choices.行业', 'invalid'],
        [{ mapping, choices: { 手机: 'empty' } }, 'choices.手机', 'invalid'],
        [{ mapping: { ...mapping, 电话: 'phone' } }, 'mapping.', 'duplicate'],
        [{ mapping: { ...mapping, 电话: 'contact_mobile' }, mode: 'update_by_phone' }, 'mapping.电话', 'invalid'],
      ];
      for (const [body, field, code] of cases) {
        const r = await admin.put(`/api/v1/imports/${id}/mapping`, body);
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.some((e) => e.field.startsWith(field) && e.code === code), `${field} ${code}: ${r.text}`);
      }
      // adding to a dictionary needs the right to manage dictionaries
      const up2 = await upload(wang, Buffer.from(csv), { filename: 'bad.csv' });
      const r = await wang.put(`/api/v1/imports/${up2.body.id}/mapping`, { mapping, choices: { 行业: 'add' } });
      assertProblem(assert, r, 422, 'validation_failed');
      assert.equal(r.body.errors[0].field, 'choices.行业');
      assert.equal(r.body.errors[0].code, 'forbidden');
      for (const [c, jid] of [[admin, id], [wang, up2.body.id]]) {
        const job = (await c.get(`/api/v1/imports/${jid}`)).body;
        assert.equal(job.state, 'uploaded', 'nothing changed');
        assert.equal(job.mapping, null);
      }
    });

    it('a bad mobile in a file row is reported with a clear message; landlines with area code pass', async () => {
      const t = tag();
      const csv = `客户名称,手机\n号码一${t},1390000444\n号码二${t},0371-6${t}\n号码三${t},12900005555\n号码四${t},${mob(t, 1).replace(/^(...)(....)/, '$1 $2 ')}\n`;
      const up = await upload(admin, Buffer.from(csv), { filename: 'm.csv' });
      await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: { 客户名称: 'name', 手机: 'phone' } });
      await admin.post(`/api/v1/imports/${up.body.id}/run`, {});
      const done = await waitJob(admin, up.body.id);
      assert.equal(done.created_rows, 2, JSON.stringify(done.errors));
      assert.deepEqual(done.errors.map((e) => [e.row_no, e.field, e.code]), [[2, 'phone', 'invalid'], [4, 'phone', 'invalid']]);
      assert.match(done.errors[0].message, /11 digits/);
    });

    it('the mobile format is checked when a customer is entered', async () => {
      const t = tag();
      for (const phone of ['1390000444', '12900005555', '139000044445', '5551234']) {
        const r = await admin.post('/api/v1/customers', { name: `手机${t}${phone}`, phone });
        assertProblem(assert, r, 422, 'validation_failed');
        assert.equal(r.body.errors[0].field, 'phone', r.text);
        assert.ok(r.body.errors[0].message.length > 20, r.body.errors[0].message);
      }
      for (const phone of [`+86 ${mob(t, 2)}`, `0371-6${t}`, `400-${t.slice(0, 3)}-${t.slice(3)}`, `+49 30 ${t}`]) {
        const r = await admin.post('/api/v1/customers', { name: `手机${t}${phone}`, phone, confirm_duplicates: true });
        assert.equal(r.status, 201, `${phone}: ${r.text}`);
      }
    });

    it('near duplicates: the same company without its legal form or city is warned about', async () => {
      const t = tag();
      let k = 0;
      const full = await admin.post('/api/v1/customers', { name: `郑州宇通电机${t}有限公司`, phone: mob(t, k++) });
      assert.equal(full.status, 201, full.text);
      for (const name of [`郑州宇通电机${t}`, `宇通电机${t}`, `河南郑州宇通电机${t}股份有限公司`, `宇通电机${t}（郑州）有限公司`, `宇通电机${t} Co., Ltd.`]) {
        const r = await admin.post('/api/v1/customers', { name, phone: mob(t, k++) });
        assertProblem(assert, r, 409, 'duplicate_warning');
        assert.ok(r.body.duplicates.some((d) => d.id === full.body.id && d.matched === 'name_similar'), `${name}: ${r.text}`);
      }
      // another city is another company
      const sh = await admin.post('/api/v1/customers', { name: `上海宇通电机${t}有限公司`, phone: mob(t, k++) });
      assert.equal(sh.status, 201, sh.text);
      // confirmed, it is entered
      const ok = await admin.post('/api/v1/customers', { name: `宇通电机${t}`, phone: mob(t, k++), confirm_duplicates: true });
      assert.equal(ok.status, 201, ok.text);
      // an import's dry run reports the near duplicate on its row
      const up = await upload(admin, Buffer.from(`客户名称,手机\n宇通电机${t}集团,${mob(t, 90)}\n`), { filename: 'd.csv' });
      await admin.put(`/api/v1/imports/${up.body.id}/mapping`, { mapping: { 客户名称: 'name', 手机: 'phone' } });
      await admin.post(`/api/v1/imports/${up.body.id}/dry-run`);
      const checked = await waitJob(admin, up.body.id);
      assert.equal(checked.duplicate_rows, 1, JSON.stringify(checked.errors));
      assert.ok(checked.errors.some((e) => e.code === 'duplicate_warning' && e.message.includes(`郑州宇通电机${t}有限公司`)), JSON.stringify(checked.errors));
    });
  });
}
