// i18n.test.mjs — one language per user (issue 13), on every engine: the
// choice saved on the profile (PATCH /me) and followed by what the server
// writes: problem titles and field messages (the same codes in every
// language), Accept-Language for a request without a user, the import's
// error report, the customer export's headers, values and dates (as the
// company's local time, in its time zone, in CSV and in XLSX read back by
// LibreOffice), and reminder mails.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { engines, startServer, newDatabase, run, BIN, Client, assertProblem } from '../lib/server.mjs';
import { download, parseCsv, soffice, importFile } from '../fixtures/io-helpers.mjs';
import { smtpSink, parseMail } from '../lib/smtp.mjs';

const CJK = /[\u3400-\u9fff]/;

/** The company's local time of an ISO UTC timestamp, as the files write it. */
function local(iso, zone) {
  return new Date(iso).toLocaleString('sv-SE', { timeZone: zone, hourCycle: 'h23' }).slice(0, 16);
}

async function exportCsv(c, qs) {
  const r = await download(c, `/api/v1/customers/export?format=csv${qs}`);
  assert.equal(r.status, 200, r.buf.toString());
  return parseCsv(r.buf);
}

for (const engine of engines()) {
  describe(`i18n [${engine}]`, () => {
    let srv, admin, zhang, liu;
    const tag = `${engine}${Date.now() % 100000}`;
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, liu] = await Promise.all(['admin', 'zhang', 'liu'].map((u) => srv.login(u)));
      assert.equal((await zhang.patch('/api/v1/me', { lang: 'en' })).status, 200);
      assert.equal((await liu.patch('/api/v1/me', { lang: 'zh-CN' })).status, 200);
    });
    after(async () => { await srv.stop(); });

    it('the choice is saved on the profile and comes back at the next sign-in', async () => {
      const again = await srv.login('liu');
      const me = await again.get('/api/v1/me');
      assert.equal(me.body.lang, 'zh-CN');
      const signIn = await new Client(srv.url).post('/api/v1/session', { login: 'liu', password: 'demo123' });
      assert.equal(signIn.body.user.lang, 'zh-CN', 'the sign-in reply carries it for the UI');
      // an administrator sees it on the user too
      const u = (await admin.get(`/api/v1/users/${me.body.id}`)).body;
      assert.equal(u.lang, 'zh-CN');
      // a user who never chose has none
      const wu = (await (await srv.login('wu')).get('/api/v1/me')).body;
      assert.equal(wu.lang, null);
    });

    it('a bad choice is refused with a field error and changes nothing', async () => {
      for (const body of [{ lang: 'fr' }, { lang: 7 }, {}, { lang: 'en', role: 'admin' }]) {
        const r = await zhang.patch('/api/v1/me', body);
        assertProblem(assert, r, 422, 'validation_failed');
        assert.ok(r.body.errors.length >= 1, r.text);
      }
      const me = (await zhang.get('/api/v1/me')).body;
      assert.equal(me.lang, 'en');
      assert.equal(me.role, 'salesperson');
      // null forgets the choice; the user's version moves with each change
      const v0 = (await admin.get(`/api/v1/users/${me.id}`)).body.version;
      assert.equal((await zhang.patch('/api/v1/me', { lang: null })).body.lang, null);
      assert.equal((await zhang.patch('/api/v1/me', { lang: 'en' })).body.lang, 'en');
      assert.equal((await admin.get(`/api/v1/users/${me.id}`)).body.version, v0 + 2);
    });

    it('the same bad request answers in each user\'s language with the same codes', async () => {
      const body = { name: '', phone: '138', bogus: 1 };
      const en = await zhang.post('/api/v1/customers', body);
      const zh = await liu.post('/api/v1/customers', body);
      assertProblem(assert, en, 422, 'validation_failed');
      assertProblem(assert, zh, 422, 'validation_failed');
      assert.deepEqual(zh.body.errors.map((e) => [e.field, e.code]), en.body.errors.map((e) => [e.field, e.code]));
      assert.equal(en.body.title, 'Unprocessable Content');
      assert.equal(zh.body.title, '输入有误');
      const byField = (r) => Object.fromEntries(r.body.errors.map((e) => [e.field, e.message]));
      assert.equal(byField(en).bogus, 'is not a known field');
      assert.equal(byField(zh).bogus, '不是可用的字段');
      assert.equal(byField(en).name, 'may not be empty');
      assert.equal(byField(zh).name, '不能为空');
      for (const e of zh.body.errors) assert.match(e.message, CJK, `${e.field}: ${e.message}`);
      assert.match(zh.body.detail, CJK);
      assert.doesNotMatch(en.body.detail, CJK);
      // a message with a number in it, and a reply of another status
      const long = await liu.post('/api/v1/customers', { name: 'x'.repeat(201), phone: '13800000000' });
      assert.equal(long.body.errors[0].code, 'too_long');
      assert.equal(long.body.errors[0].message, '最多 200 个字符');
      const missing = await liu.get('/api/v1/customers/987654321');
      assertProblem(assert, missing, 404, 'not_found');
      assert.equal(missing.body.title, '未找到');
      assert.equal(missing.body.detail, '没有这条记录');
      const bad = await liu.get('/api/v1/customers?limit=abc');
      assertProblem(assert, bad, 400, 'bad_request');
      assert.equal(bad.body.detail, 'limit 必须是 1 到 500 之间的整数');
      // nothing was written by any of them
      assert.equal((await zhang.get('/api/v1/customers?q=xxxxxxxxxx')).body.items.length, 0);
    });

    it("the saved choice wins over the request's Accept-Language", async () => {
      const r = await liu.post('/api/v1/customers', { name: '' }, { 'Accept-Language': 'en-US,en;q=0.9' });
      assert.equal(r.body.title, '输入有误');
      const e = await zhang.post('/api/v1/customers', { name: '' }, { 'Accept-Language': 'zh-CN' });
      assert.equal(e.body.title, 'Unprocessable Content');
    });

    it('without a user, Accept-Language decides', async () => {
      const anon = new Client(srv.url);
      const zh = await anon.get('/api/v1/customers', { 'Accept-Language': 'fr;q=1, zh-CN;q=0.8, en;q=0.5' });
      assertProblem(assert, zh, 401, 'unauthorized');
      assert.equal(zh.body.title, '未登录');
      assert.equal(zh.body.detail, '请先登录');
      const en = await anon.get('/api/v1/customers', { 'Accept-Language': 'en-GB' });
      assert.equal(en.body.code, 'unauthorized');
      assert.equal(en.body.title, 'Unauthorized');
      assert.equal(en.body.detail, 'sign in first');
      const wrong = await anon.post('/api/v1/session', { login: 'liu', password: 'nope' }, { 'Accept-Language': 'zh' });
      assertProblem(assert, wrong, 401, 'unauthorized');
      assert.equal(wrong.body.detail, '登录名或密码错误');
    });

    it('the import report is in the language of the user who imports', async () => {
      const mapping = { 客户名称: 'name', 手机: 'phone' };
      for (const [c, header, phoneMsg, phone, summary] of [
        [liu, ['行号', '列', '字段', '代码', '说明'], '录入规则要求必填', '13912340000', '新建 1 条，更新 0 条，1 行未导入'],
        [zhang, ['row', 'column', 'field', 'code', 'message'], 'is required by the entry policy', '13912340001', '1 created, 0 updated, 1 rows not imported'],
      ]) {
        // the second row is fine; the first has no phone, which the entry policy requires
        const csv = ['客户名称,手机', `导入语言测试一${tag}${phone},`, `导入语言测试二${tag}${phone},${phone}`].join('\n');
        const job = await importFile(c, csv, mapping);
        assert.equal(job.error_rows, 1, JSON.stringify(job));
        assert.equal(job.message, summary);
        assert.equal(job.errors[0].message, phoneMsg);
        const rep = await download(c, `/api/v1/imports/${job.id}/errors.csv`);
        const rows = parseCsv(rep.buf);
        assert.deepEqual(rows[0], header);
        assert.deepEqual(rows.slice(1).map((x) => [x[0], x[2], x[3], x[4]]), [['2', 'phone', 'required', phoneMsg]]);
      }
    });

    it("the export's headers, values and dates follow the user's language and the company's time zone", async () => {
      const made = await liu.post('/api/v1/customers', { name: `导出语言测试${tag}`, phone: '13700001111' });
      assert.equal(made.status, 201, made.text);
      const qs = `&q=${encodeURIComponent(`导出语言测试${tag}`)}`;
      const zone = (await admin.get('/api/v1/settings/company')).body.time_zone;
      assert.equal(zone, 'Asia/Shanghai', 'the default time zone');
      const cn = await exportCsv(liu, qs);
      assert.equal(cn.length, 2);
      const cnCol = (name) => cn[1][cn[0].indexOf(name)];
      assert.ok(cn[0].includes('客户名称') && cn[0].includes('创建时间'), cn[0].join());
      assert.equal(cnCol('签约'), '否');
      assert.equal(cnCol('保护'), '否');
      assert.equal(cnCol('创建时间'), local(made.body.created_at, 'Asia/Shanghai'));
      assert.match(cnCol('创建时间'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      // zhang sees the same customer only once it is in the pool; an
      // administrator reads English when he chose it
      assert.equal((await admin.patch('/api/v1/me', { lang: 'en' })).status, 200);
      try {
        const bad = await admin.put('/api/v1/settings/company', { time_zone: 'Mars/Olympus' });
        assertProblem(assert, bad, 422, 'validation_failed');
        assert.equal(bad.body.errors[0].field, 'time_zone');
        assert.equal((await admin.get('/api/v1/settings/company')).body.time_zone, 'Asia/Shanghai', 'unchanged');
        assert.equal((await admin.put('/api/v1/settings/company', { time_zone: 'America/New_York' })).status, 200);
        const en = await exportCsv(admin, qs);
        const enCol = (name) => en[1][en[0].indexOf(name)];
        assert.ok(en[0].includes('Name') && en[0].includes('Created at'), en[0].join());
        assert.equal(enCol('Signed'), 'no');
        const ny = local(made.body.created_at, 'America/New_York');
        assert.notEqual(ny, local(made.body.created_at, 'Asia/Shanghai'));
        assert.equal(enCol('Created at'), ny);
        // the XLSX holds the same text cells, as LibreOffice reads them
        for (const [c, name, value] of [[admin, 'Created at', ny], [liu, '创建时间', ny]]) {
          const x = await download(c, `/api/v1/customers/export?format=xlsx${qs}`);
          assert.equal(x.status, 200);
          const rows = parseCsv(soffice(x.buf, `lang-${name.length}.xlsx`, 'csv'));
          assert.equal(rows[1][rows[0].indexOf(name)], value, `${name} in XLSX`);
        }
      } finally {
        await admin.put('/api/v1/settings/company', { time_zone: 'Asia/Shanghai' });
      }
    });

    it('contracts, money and goods answer a zh-CN user in Chinese, with the same codes', async () => {
      const zh = { 'Accept-Language': 'zh-CN' };
      const [sun, zhou] = await Promise.all(['sun', 'zhou'].map((u) => srv.login(u)));
      const cjk = (r, what) => {
        assert.match(r.body.detail, CJK, `${what}: ${r.text}`);
        for (const e of r.body.errors || []) assert.match(e.message, CJK, `${what}: ${r.text}`);
      };
      // nothing to make a contract of
      const none = await liu.post('/api/v1/contracts', {});
      assertProblem(assert, none, 422, 'validation_failed');
      cjk(none, 'no customer');
      assert.ok(none.body.errors.some((e) => e.message === '请选择客户、项目或报价单'), none.text);
      // a draft contract of liu's own customer
      const cust = await liu.post('/api/v1/customers', { name: `合同语言 Contract lang ${tag}`, phone: `1391${String(Date.now()).slice(-7)}` });
      assert.equal(cust.status, 201, cust.text);
      const prod = (await admin.get('/api/v1/products?limit=1')).body.items[0];
      const bad = await liu.post('/api/v1/contracts', {
        customer_id: cust.body.id, currency: 'GBP', lines: [{ product_id: prod.id, qty_milli: 0 }],
      });
      assertProblem(assert, bad, 422, 'validation_failed');
      cjk(bad, 'bad currency and quantity');
      const ct = await liu.post('/api/v1/contracts', {
        customer_id: cust.body.id, lines: [{ product_id: prod.id, qty_milli: 1000, unit_price: 10000 }],
      });
      assert.equal(ct.status, 201, ct.text);
      const id = ct.body.id;
      // a draft cannot be terminated, paid, delivered or returned
      const term = await liu.post(`/api/v1/contracts/${id}/terminate`, { version: ct.body.version, reason: 'x' });
      assert.equal(term.status, 409, term.text);
      assert.equal(term.body.detail, '草稿状态的合同不能执行“终止”');
      const pay = await sun.post(`/api/v1/contracts/${id}/receipts`,
        { amount: 100, receipt_date: '2026-01-05', method: 'bank_transfer' }, zh);
      assert.equal(pay.status, 409, pay.text);
      assert.equal(pay.body.detail, `只有已生效或执行中的合同才能登记收付款；${ct.body.number} 当前为：草稿状态`);
      const badPay = await sun.post(`/api/v1/contracts/${id}/receipts`, { amount: 100, receipt_date: 'soon', method: 'gold' }, zh);
      assertProblem(assert, badPay, 422, 'validation_failed');
      cjk(badPay, 'bad receipt');
      const wh = (await admin.get('/api/v1/warehouses')).body.items[0];
      const del = await zhou.post(`/api/v1/contracts/${id}/deliveries`,
        { warehouse_id: wh.id, lines: [{ product_id: prod.id, qty_milli: 1000 }] }, zh);
      assert.ok([409, 422].includes(del.status), del.text);
      cjk(del, 'delivery on a draft');
      const ret = await liu.post(`/api/v1/contracts/${id}/returns`,
        { warehouse_id: wh.id, reason: '质量 Quality', lines: [{ product_id: prod.id, qty_milli: 1000 }] });
      assert.ok([409, 422].includes(ret.status), ret.text);
      cjk(ret, 'return on a draft');
      const gp = await liu.get('/api/v1/reports/gross-profit?group=year');
      assertProblem(assert, gp, 422, 'validation_failed');
      cjk(gp, 'gross profit group');
      // the same requests in English keep the English words
      const en = await sun.post(`/api/v1/contracts/${id}/receipts`,
        { amount: 100, receipt_date: '2026-01-05', method: 'bank_transfer' }, { 'Accept-Language': 'en' });
      assert.match(en.body.detail, /^money is recorded only on an effective contract/);
    });

    it('quotations and prices answer a zh-CN user in Chinese, with the same codes', async () => {
      const none = await liu.post('/api/v1/quotations', {});
      assertProblem(assert, none, 422, 'validation_failed');
      const e = none.body.errors.find((x) => x.field === 'customer_id');
      assert.equal(e && e.code, 'required', none.text);
      assert.equal(e.message, '请选择客户或项目');
      const st = await liu.get('/api/v1/quotations?state=lost');
      assertProblem(assert, st, 400, 'bad_request');
      assert.equal(st.body.detail, 'state 必须是 draft、in_approval、approved、sent、accepted、rejected 或 expired');
      const prod = (await admin.get('/api/v1/products?limit=1')).body.items[0];
      const price = await liu.get(`/api/v1/prices?product_id=${prod.id}&qty_milli=0`);
      assertProblem(assert, price, 422, 'validation_failed');
      assert.equal(price.body.errors[0].message, '数量必须大于 0（以千分之一单位计）且不超过一百万吨');
      // zhang reads English
      const en = await zhang.get(`/api/v1/prices?product_id=${prod.id}&qty_milli=0`);
      assert.equal(en.body.errors[0].message, 'must be a quantity above 0 (thousandths of the unit), at most a million tonnes');
    });
  });

  describe(`i18n mail [${engine}]`, () => {
    let sink, db, srv, env;
    before(async () => {
      sink = await smtpSink();
      env = { TRADEFLOW_SMTP_URL: `smtp://127.0.0.1:${sink.port}`, TRADEFLOW_SMTP_FROM: 'reminders@huayang.test' };
      db = newDatabase(engine);
      run(['demo', '--db', db.url]);
      srv = await startServer({ engine, env, db: { ...db, cleanup() {} } });
    });
    after(async () => {
      await srv.stop();
      db.cleanup();
      await sink.close();
    });

    it("a reminder mail is in its user's language, its due time the company's local time", async () => {
      const admin = await srv.login('admin');
      const users = (await admin.get('/api/v1/users?limit=500')).body.items;
      const made = {};
      for (const [login, lang] of [['liu', 'zh-CN'], ['zhang', 'en']]) {
        const u = users.find((x) => x.login === login);
        assert.equal((await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, email: `${login}@huayang.test` })).status, 200);
        const c = await srv.login(login);
        assert.equal((await c.patch('/api/v1/me', { lang })).status, 200);
        const r = await c.post('/api/v1/reminders', { kind: 'task', title: `语言提醒 ${login}`, due_at: '2026-01-15T14:05:00Z' });
        assert.equal(r.status, 201, r.text);
        made[login] = r.body.id;
      }
      assert.equal((await admin.put('/api/v1/settings/company', { time_zone: 'America/New_York' })).status, 200);
      // the job as an operator runs it (the SMTP sink lives in this process: not spawnSync)
      const job = await new Promise((ok) => {
        const p = spawn(BIN, ['jobs', 'run', 'reminders_fire', '--db', db.url], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        p.stdout.on('data', (d) => { out += d; });
        p.stderr.on('data', (d) => { out += d; });
        p.on('exit', (code) => ok({ code, out }));
      });
      assert.equal(job.code, 0, job.out);
      for (let i = 0; i < 100 && sink.mails.length < 2; i++) await new Promise((ok) => setTimeout(ok, 100));
      const by = Object.fromEntries(sink.mails.map((m) => parseMail(m.data)).map((m) => [Number(m.headers['x-tradeflow-reminder']), m.body]));
      // 14:05 UTC on 15 January is 09:05 in New York (EST)
      assert.match(by[made.liu], /到期：2026-01-15 09:05（America\/New_York）\r\n类型：任务/, by[made.liu]);
      assert.match(by[made.zhang], /Due: 2026-01-15 09:05 \(America\/New_York\)\r\nKind: task/, by[made.zhang]);
      assert.doesNotMatch(by[made.zhang], /[\u3400-\u9fff]{2}：/);
      assert.doesNotMatch(by[made.liu] + by[made.zhang], /T14:05:00Z|UTC/, 'no UTC text');
    });
  });
}

// The messages of the contracts, money, goods, quotations and products
// modules: every problem detail and field message written in src/contracts,
// src/finance, src/goods, src/quotations, src/products, src/documents and
// src/kit/doclines.c has its Chinese text in src/core/i18n_zh.c (exact, or a
// pattern whose holes take the printf arguments; a pattern of holes only,
// "{t}: {t}", answers for no message by itself). Read from the sources, so
// a new message without a translation fails here.
describe('i18n catalogue covers the contracts, finance, goods, quotations and products messages', () => {
  const root = resolve(import.meta.dirname, '../..');
  const unquote = (s) => s.replace(/\\(.)/g, '$1');
  /** The C string literals of a file, adjacent ones joined, comments and logs left out. */
  function literals(text) {
    text = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    text = text.replace(/tf_log\([^;]*;/g, '');
    const out = [];
    const re = /"((?:[^"\\\n]|\\.)*)"(?:\s*"((?:[^"\\\n]|\\.)*)")*/g;
    for (const m of text.matchAll(re)) out.push(unquote([...m[0].matchAll(/"((?:[^"\\\n]|\\.)*)"/g)].map((x) => x[1]).join('')));
    return out;
  }
  // Texts that are not messages: a document's tax captions (translated with
  // the document's labels), a stand-in for a contract number in a hole, a
  // Cache-Control header and pieces of SQL (column lists "seq, product_id, ...",
  // "cand AS (", "i.cum_before + i.amount").
  const notMessages = new Set(['excluding tax, tax added', 'including tax', 'the contract', 'private, no-store']);
  const isSql = (s) => /^[a-z_.]+, [a-z_.]+,/.test(s) || /^[a-z_]+\.[a-z_]+ [-+*\/] /.test(s)
    || /\b(AS|SELECT|FROM|WHERE|JOIN|CASE|WHEN|THEN|ELSE|END|COALESCE)\b/.test(s);
  const isMessage = (s) => /^[a-z%]/.test(s) && s.includes(' ') && !/[^\x00-\x7f]/.test(s) && !s.includes('=')
    && !isSql(s)
    && !s.includes('"') && !/^(%s ?)+$/.test(s) && !/\b[a-z]{2}\.[a-z_]+\b/.test(s) && !/^page /.test(s)
    && !notMessages.has(s);
  const catalogue = (() => {
    const src = readFileSync(resolve(root, 'src/core/i18n_zh.c'), 'utf8');
    const body = src.slice(src.indexOf('i18n_zh_messages[]'), src.indexOf('i18n_zh_labels[]'));
    return [...body.matchAll(/\{"((?:[^"\\]|\\.)*)",\s*"/g)].map((m) => unquote(m[1])); // the Chinese may wrap to the next line
  })();
  const patterns = catalogue.filter((e) => (e.includes('{}') || e.includes('{t}')) && /[a-z]/.test(e.replace(/\{t?\}/g, ''))).map((e) =>
    new RegExp(`^${e.split(/\{t?\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`));
  const exact = new Set(catalogue);
  const sample = (s) => s.replace(/%[-0-9.]*(?:lld|ld|d|s|zu)/g, 'draft');

  it('has a Chinese text for each of them', () => {
    const missing = [];
    let n = 0;
    const sources = [
      ...['src/contracts', 'src/finance', 'src/goods', 'src/quotations', 'src/products', 'src/documents']
        .flatMap((dir) => readdirSync(resolve(root, dir)).filter((x) => x.endsWith('.c')).map((f) => [dir, f])),
      ['src/kit', 'doclines.c'],
    ];
    for (const [dir, f] of sources) {
      if (f.endsWith('_demo.c')) continue; // demo data, in both languages already
      for (const s of literals(readFileSync(resolve(root, dir, f), 'utf8')).filter(isMessage)) {
        n++;
        const t = sample(s);
        if (!exact.has(s) && !patterns.some((p) => p.test(t))) missing.push(`${dir}/${f}: ${s}`);
      }
    }
    assert.ok(n > 160, `found only ${n} messages: is the reading of the sources broken?`);
    assert.deepEqual(missing, []);
  });
});
