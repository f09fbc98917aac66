// followups.test.mjs — the work on a customer after it is entered: contacts
// (primary, versions, found by quick search), follow-ups (negotiation
// progress) with one-click templates, their attachments, templates kept by
// administrators, and sharing (modes, limits, expiry) — with the bad inputs
// a user can send, on every engine. The visibility matrix across all demo
// users is in customer_matrix.test.mjs.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const fieldCodes = (r) => (r.body?.errors || []).map((e) => `${e.field}/${e.code}`);
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
let phoneSeq = 0;
/** A phone number no demo customer has. */
const newPhone = () => `1780${String(process.pid % 1000).padStart(3, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`follow-ups, contacts, sharing [${engine}]`, () => {
    let srv, admin, zhang, chen, liu, users;
    const ids = {};
    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, liu] = await Promise.all(['admin', 'zhang', 'chen', 'liu'].map((l) => srv.login(l)));
      users = Object.fromEntries((await admin.get('/api/v1/users?limit=500')).body.items.map((u) => [u.login, u]));
    });
    after(async () => { await srv.stop(); });

    async function newCustomer(client, name, extra = {}) {
      const r = await client.post('/api/v1/customers', { name, phone: newPhone(), ...extra });
      assert.equal(r.status, 201, r.text);
      return r.body;
    }

    describe('contacts', () => {
      let cust;
      before(async () => { cust = await newCustomer(zhang, '联系人测试电机厂'); });

      it('the first contact becomes primary; a new primary takes over', async () => {
        const a = await zhang.post(`/api/v1/customers/${cust.id}/contacts`, { name: '王经理', title: '采购部', mobile: '16612340001' });
        assert.equal(a.status, 201, a.text);
        assert.equal(a.body.is_primary, true);
        assert.equal(a.body.customer_id, cust.id);
        assert.equal(a.body.version, 1);
        const b = await zhang.post(`/api/v1/customers/${cust.id}/contacts`, { name: '李工', phone: '0371-6655 4433' });
        assert.equal(b.status, 201);
        assert.equal(b.body.is_primary, false);
        const c = await zhang.post(`/api/v1/customers/${cust.id}/contacts`, { name: '赵总', email: 'zhao@example.com', wechat: 'zhao_boss', is_primary: true });
        assert.equal(c.body.is_primary, true);
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items;
        assert.deepEqual(list.map((x) => x.name), ['赵总', '王经理', '李工'], 'primary first, then entry order');
        assert.deepEqual(list.map((x) => x.is_primary), [true, false, false]);
        ids.contacts = { a: a.body.id, b: b.body.id, c: c.body.id };
      });

      it('quick search finds the customer by a contact\'s mobile, name and WeChat, and forgets deleted ones', async () => {
        for (const q of ['16612340001', '1234000', '赵总', 'zhao_boss', '66554433']) {
          const r = await zhang.get('/api/v1/customers?q=' + encodeURIComponent(q));
          assert.ok(r.body.items.some((x) => x.id === cust.id), `found by ${q}`);
        }
        const cur = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items.find((x) => x.id === ids.contacts.a);
        const del = await zhang.delete(`/api/v1/contacts/${ids.contacts.a}?version=${cur.version}`);
        assert.equal(del.status, 204, del.text);
        const r = await zhang.get('/api/v1/customers?q=16612340001');
        assert.ok(!r.body.items.some((x) => x.id === cust.id), 'deleted contact no longer found');
      });

      it('PATCH changes a contact with its version; a stale version is 409 and changes nothing', async () => {
        const cur = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items.find((x) => x.id === ids.contacts.b);
        const ok = await zhang.patch(`/api/v1/contacts/${ids.contacts.b}`, { version: cur.version, mobile: '16612349999', title: null });
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.body.mobile, '16612349999');
        assert.equal(ok.body.title, null);
        assert.equal(ok.body.version, cur.version + 1);
        const stale = await zhang.patch(`/api/v1/contacts/${ids.contacts.b}`, { version: cur.version, name: '旧版本' });
        assertProblem(assert, stale, 409, 'version_conflict');
        assert.equal(stale.body.current_version, cur.version + 1);
        const again = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items.find((x) => x.id === ids.contacts.b);
        assert.equal(again.name, '李工');
        const found = await zhang.get('/api/v1/customers?q=16612349999');
        assert.ok(found.body.items.some((x) => x.id === cust.id), 'the new mobile is searchable');
      });

      it('deleting the primary contact makes the oldest remaining one primary', async () => {
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items;
        const prim = list.find((x) => x.is_primary);
        assert.equal((await zhang.delete(`/api/v1/contacts/${prim.id}?version=${prim.version}`)).status, 204);
        const after = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items;
        assert.equal(after.length, 1);
        assert.equal(after[0].is_primary, true);
      });

      it('bad contact input is 422 with per-field errors and creates nothing', async () => {
        const before = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items.length;
        const cases = [
          [{ title: '无名' }, 'name/required'],
          [{ name: '' }, 'name/required'],
          [{ name: 'x'.repeat(101) }, 'name/too_long'],
          [{ name: '甲', email: 'not-an-address' }, 'email/invalid'],
          [{ name: '甲', mobile: '无数字' }, 'mobile/invalid'],
          [{ name: '甲', phone: 12345 }, 'phone/wrong_type'],
          [{ name: '甲', is_primary: 'yes' }, 'is_primary/wrong_type'],
          [{ name: '甲', customer_id: 1 }, 'customer_id/unknown_field'],
        ];
        for (const [body, code] of cases) {
          const r = await zhang.post(`/api/v1/customers/${cust.id}/contacts`, body);
          assertProblem(assert, r, 422, 'validation_failed');
          assert.ok(fieldCodes(r).includes(code), `${JSON.stringify(body)} → ${code}: ${r.text}`);
        }
        assertProblem(assert, await zhang.post(`/api/v1/customers/${cust.id}/contacts`, '[1,2]'), 400);
        assert.equal((await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items.length, before);
      });

      it('DELETE needs the version: missing is 400, stale is 409', async () => {
        const c = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items[0];
        assertProblem(assert, await zhang.delete(`/api/v1/contacts/${c.id}`), 400, 'bad_request');
        assertProblem(assert, await zhang.delete(`/api/v1/contacts/${c.id}?version=abc`), 400, 'bad_request');
        assertProblem(assert, await zhang.delete(`/api/v1/contacts/${c.id}?version=${c.version + 5}`), 409, 'version_conflict');
        assertProblem(assert, await zhang.delete('/api/v1/contacts/99999999?version=1'), 404);
        assertProblem(assert, await zhang.patch('/api/v1/contacts/0', { version: 1 }), 404);
      });

      it('contact changes appear in the customer\'s history with who and what', async () => {
        const h = await zhang.get(`/api/v1/customers/${cust.id}/history`);
        const actions = h.body.items.map((x) => x.action);
        for (const a of ['contact_add', 'contact_update', 'contact_delete']) assert.ok(actions.includes(a), a);
        const add = h.body.items.find((x) => x.action === 'contact_add');
        assert.equal(add.user_id, users.zhang.id);
        assert.ok(add.after.name);
      });

      it('others without access get 404; a salesperson of the same group cannot add contacts', async () => {
        assertProblem(assert, await chen.get(`/api/v1/customers/${cust.id}/contacts`), 404);
        assertProblem(assert, await chen.post(`/api/v1/customers/${cust.id}/contacts`, { name: '越权' }), 404);
        const c = (await zhang.get(`/api/v1/customers/${cust.id}/contacts`)).body.items[0];
        assertProblem(assert, await chen.patch(`/api/v1/contacts/${c.id}`, { version: c.version, name: '越权' }), 404);
        assertProblem(assert, await chen.delete(`/api/v1/contacts/${c.id}?version=${c.version}`), 404);
      });
    });

    describe('follow-ups and templates', () => {
      let cust, templates, methods;
      before(async () => {
        cust = await newCustomer(zhang, '跟进测试变压器厂');
        templates = (await zhang.get('/api/v1/followup-templates')).body.items;
        methods = (await zhang.get('/api/v1/dictionaries?kind=followup_method')).body.items;
      });

      it('everyone reads the demo templates', async () => {
        assert.ok(templates.length >= 4);
        const t = templates[0];
        for (const k of ['id', 'name', 'method_id', 'method_name', 'content', 'next_step', 'next_contact_days', 'version'])
          assert.ok(k in t, k);
        const sun = await srv.login('sun');
        assert.equal((await sun.get('/api/v1/followup-templates')).status, 200);
      });

      it('a follow-up stamps last_followup_at and its next contact becomes the author\'s reminder', async () => {
        const next = new Date(Date.now() + 3 * 86400e3);
        next.setUTCMilliseconds(0);
        const r = await zhang.post(`/api/v1/customers/${cust.id}/followups`, {
          method_id: methods[0].id, content: '电话沟通年度用量，客户关注交期。', next_step: '寄送样品',
          next_contact_at: next.toISOString().replace('Z', '+00:00'),
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.customer_id, cust.id);
        assert.equal(r.body.user_id, users.zhang.id);
        assert.equal(r.body.method_id, methods[0].id);
        assert.equal(r.body.method_name, methods[0].name);
        assert.equal(r.body.next_contact_at, next.toISOString().replace('.000Z', 'Z'));
        assert.deepEqual(r.body.attachments, []);
        assert.ok(Number.isInteger(r.body.reminder_id));
        const c = (await zhang.get(`/api/v1/customers/${cust.id}`)).body;
        assert.equal(c.last_followup_at, r.body.created_at);
        assert.equal(c.version, cust.version, 'a follow-up does not bump the customer version');
        const rem = (await zhang.get('/api/v1/reminders?state=upcoming&limit=500')).body.items.find((x) => x.id === r.body.reminder_id);
        assert.ok(rem, 'the reminder is zhang\'s');
        assert.equal(rem.kind, 'contact');
        assert.equal(rem.customer_id, cust.id);
        assert.equal(rem.due_at, r.body.next_contact_at);
        assert.match(rem.title, /跟进测试变压器厂/);
        const wang = await srv.login('wang');
        const theirs = (await wang.get('/api/v1/reminders?limit=500')).body.items;
        assert.ok(!theirs.some((x) => x.id === r.body.reminder_id), 'not the manager\'s reminder');
      });

      it('a follow-up without next contact leaves no reminder; a date means that day', async () => {
        const r = await zhang.post(`/api/v1/customers/${cust.id}/followups`, { content: '只记录，不提醒' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.reminder_id, null);
        assert.equal(r.body.next_contact_at, null);
        const d = new Date(Date.now() + 5 * 86400e3).toISOString().slice(0, 10);
        const r2 = await zhang.post(`/api/v1/customers/${cust.id}/followups`, { content: '按日期', next_contact_at: d });
        assert.equal(r2.body.next_contact_at, `${d}T00:00:00Z`);
      });

      it('{"template_id"} alone fills method, content, next step and next contact in one click', async () => {
        const t = templates.find((x) => x.next_contact_days) || templates[0];
        const t0 = Date.now();
        const r = await zhang.post(`/api/v1/customers/${cust.id}/followups`, { template_id: t.id });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.template_id, t.id);
        assert.equal(r.body.method_id, t.method_id);
        assert.equal(r.body.content, t.content);
        assert.equal(r.body.next_step, t.next_step);
        const due = Date.parse(r.body.next_contact_at);
        const want = t0 + t.next_contact_days * 86400e3;
        assert.ok(Math.abs(due - want) < 5000, `next contact ${r.body.next_contact_at} ≈ now + ${t.next_contact_days} days`);
        assert.ok(Number.isInteger(r.body.reminder_id));
      });

      it('fields sent with a template override it', async () => {
        const t = templates[1];
        const r = await zhang.post(`/api/v1/customers/${cust.id}/followups`, {
          template_id: t.id, content: '自己写的内容', next_step: null, next_contact_at: null, method_id: methods[3].id,
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.content, '自己写的内容');
        assert.equal(r.body.next_step, null);
        assert.equal(r.body.next_contact_at, null);
        assert.equal(r.body.reminder_id, null);
        assert.equal(r.body.method_id, methods[3].id);
      });

      it('bad follow-ups are 422 and change nothing (no follow-up, no stamp, no reminder)', async () => {
        const before = (await zhang.get(`/api/v1/customers/${cust.id}/followups?limit=500`)).body.items.length;
        const stamp = (await zhang.get(`/api/v1/customers/${cust.id}`)).body.last_followup_at;
        const remBefore = (await zhang.get('/api/v1/reminders?limit=500')).body.items.length;
        const level = (await zhang.get('/api/v1/dictionaries?kind=level')).body.items[0];
        const cases = [
          [{}, 'content/required'],
          [{ content: '' }, 'content/required'],
          [{ content: 'x'.repeat(5001) }, 'content/too_long'],
          [{ content: 'ok', method_id: level.id }, 'method_id/not_found'],
          [{ content: 'ok', template_id: 99999 }, 'template_id/not_found'],
          [{ content: 'ok', next_contact_at: 'tomorrow' }, 'next_contact_at/invalid'],
          [{ content: 'ok', next_contact_at: '2030-02-30' }, 'next_contact_at/invalid'],
          [{ content: 'ok', next_contact_at: '2030-05-01T09:00' }, 'next_contact_at/invalid'],
          [{ content: 'ok', next_contact_at: '2030-05-01T09:00:00+25:00' }, 'next_contact_at/invalid'],
          [{ content: 'ok', next_contact_at: '1999-05-01' }, 'next_contact_at/invalid'],
          [{ content: 'ok', next_contact_at: '2001-05-01T00:00:00Z' }, 'next_contact_at/in_past'],
          [{ content: 'ok', next_step: 'x'.repeat(501) }, 'next_step/too_long'],
          [{ content: 'ok', project_id: 0 }, 'project_id/out_of_range'],
          [{ content: 'ok', project_id: 99999999 }, 'project_id/not_found'],
          [{ content: 'ok', user_id: 1 }, 'user_id/unknown_field'],
        ];
        for (const [body, code] of cases) {
          const r = await zhang.post(`/api/v1/customers/${cust.id}/followups`, body);
          assertProblem(assert, r, 422, 'validation_failed');
          assert.ok(fieldCodes(r).includes(code), `${JSON.stringify(body).slice(0, 80)} → ${code}: ${r.text.slice(0, 300)}`);
        }
        assert.equal((await zhang.get(`/api/v1/customers/${cust.id}/followups?limit=500`)).body.items.length, before);
        assert.equal((await zhang.get(`/api/v1/customers/${cust.id}`)).body.last_followup_at, stamp);
        assert.equal((await zhang.get('/api/v1/reminders?limit=500')).body.items.length, remBefore);
      });

      it('follow-ups list newest first with cursor paging', async () => {
        const all = (await zhang.get(`/api/v1/customers/${cust.id}/followups?limit=500`)).body.items;
        assert.ok(all.length >= 4);
        const ids1 = all.map((x) => x.id);
        assert.deepEqual(ids1, [...ids1].sort((a, b) => b - a));
        const seen = [];
        let cursor = '';
        for (let i = 0; i < 20; i++) {
          const p = await zhang.get(`/api/v1/customers/${cust.id}/followups?limit=2${cursor ? '&cursor=' + cursor : ''}`);
          assert.equal(p.status, 200);
          seen.push(...p.body.items.map((x) => x.id));
          if (!p.body.next_cursor) break;
          cursor = p.body.next_cursor;
        }
        assert.deepEqual(seen, ids1);
        assertProblem(assert, await zhang.get(`/api/v1/customers/${cust.id}/followups?limit=0`), 400);
      });

      it('only administrators add and change templates; versions guard edits; retired ones stop filling', async () => {
        const body = { name: '售后回访 After-sales call', method_id: methods[0].id, content: '回访使用情况', next_step: '收集反馈', next_contact_days: 30 };
        assertProblem(assert, await zhang.post('/api/v1/followup-templates', body), 403, 'forbidden');
        const wang = await srv.login('wang');
        assertProblem(assert, await wang.post('/api/v1/followup-templates', body), 403, 'forbidden');
        const r = await admin.post('/api/v1/followup-templates', body);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.next_contact_days, 30);
        assert.equal(r.body.retired, false);
        const bad = await admin.post('/api/v1/followup-templates', { ...body, next_contact_days: 400, method_id: 999999 });
        assertProblem(assert, bad, 422);
        assert.ok(fieldCodes(bad).includes('next_contact_days/out_of_range'));
        assertProblem(assert, await admin.post('/api/v1/followup-templates', { name: 'x' }), 422);
        const upd = await admin.patch(`/api/v1/followup-templates/${r.body.id}`, { version: 1, next_contact_days: null, next_step: '再次回访' });
        assert.equal(upd.status, 200, upd.text);
        assert.equal(upd.body.next_contact_days, null);
        assert.equal(upd.body.version, 2);
        assertProblem(assert, await admin.patch(`/api/v1/followup-templates/${r.body.id}`, { version: 1, name: 'stale' }), 409, 'version_conflict');
        assertProblem(assert, await zhang.patch(`/api/v1/followup-templates/${r.body.id}`, { version: 2, name: 'nope' }), 403);
        // without next_contact_days the template leaves no next contact
        const f = await zhang.post(`/api/v1/customers/${cust.id}/followups`, { template_id: r.body.id });
        assert.equal(f.status, 201);
        assert.equal(f.body.next_contact_at, null);
        assert.equal(f.body.next_step, '再次回访');
        const ret = await admin.patch(`/api/v1/followup-templates/${r.body.id}`, { version: 2, retired: true });
        assert.equal(ret.body.retired, true);
        assert.ok(!(await zhang.get('/api/v1/followup-templates')).body.items.some((x) => x.id === r.body.id));
        assert.ok((await zhang.get('/api/v1/followup-templates?include_retired=true')).body.items.some((x) => x.id === r.body.id));
        const g = await zhang.post(`/api/v1/customers/${cust.id}/followups`, { template_id: r.body.id });
        assertProblem(assert, g, 422);
        assert.ok(fieldCodes(g).includes('template_id/not_found'));
      });

      it('follow-ups are in the customer history; others cannot read or write them', async () => {
        const h = (await zhang.get(`/api/v1/customers/${cust.id}/history`)).body.items;
        assert.ok(h.some((x) => x.action === 'followup_add' && x.user_id === users.zhang.id));
        assertProblem(assert, await chen.get(`/api/v1/customers/${cust.id}/followups`), 404);
        assertProblem(assert, await chen.post(`/api/v1/customers/${cust.id}/followups`, { content: '越权' }), 404);
        assertProblem(assert, await zhang.post('/api/v1/customers/99999999/followups', { content: 'x' }), 404);
      });
    });

    describe('attachments', () => {
      let cust, fu;
      before(async () => {
        cust = await newCustomer(zhang, '附件测试电缆厂');
        fu = (await zhang.post(`/api/v1/customers/${cust.id}/followups`, { content: '带附件' })).body;
      });

      it('a file uploads as base64 and downloads byte for byte with its type, as an attachment', async () => {
        const bytes = Buffer.from([0, 1, 2, 255, 254, 10, 13, 0x25, 0x50, 0x44, 0x46]);
        const r = await zhang.post(`/api/v1/followups/${fu.id}/attachments`, {
          filename: '报价单 v2, final.pdf', content_type: 'Application/PDF', data_base64: bytes.toString('base64'),
        });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.size, bytes.length);
        assert.equal(r.body.content_type, 'application/pdf');
        assert.match(r.body.sha256, /^[0-9a-f]{64}$/);
        const d = await fetch(srv.url + r.body.url, { headers: { Cookie: zhang.cookie } });
        assert.equal(d.status, 200);
        assert.equal(d.headers.get('content-type'), 'application/pdf');
        const cd = d.headers.get('content-disposition');
        assert.match(cd, /^attachment;/);
        assert.match(cd, /filename\*=UTF-8''%E6%8A%A5%E4%BB%B7%E5%8D%95%20v2%2C%20final\.pdf/);
        assert.deepEqual(Buffer.from(await d.arrayBuffer()), bytes);
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/followups`)).body.items;
        const att = list.find((x) => x.id === fu.id).attachments;
        assert.equal(att.length, 1);
        assert.equal(att[0].filename, '报价单 v2, final.pdf');
        assert.ok(!('data_b64' in att[0]));
      });

      it('a 10 MiB file is accepted; one byte more is 413; a bigger body is 413 before parsing', async () => {
        const big = Buffer.alloc(10 * 1024 * 1024, 7);
        const ok = await zhang.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'big.bin', content_type: 'application/octet-stream', data_base64: big.toString('base64') });
        assert.equal(ok.status, 201, ok.text.slice(0, 300));
        assert.equal(ok.body.size, big.length);
        const d = await fetch(srv.url + ok.body.url, { headers: { Cookie: zhang.cookie } });
        assert.equal(Buffer.from(await d.arrayBuffer()).equals(big), true);
        const over = Buffer.alloc(10 * 1024 * 1024 + 1, 7);
        assertProblem(assert, await zhang.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'over.bin', content_type: 'application/octet-stream', data_base64: over.toString('base64') }), 413, 'payload_too_large');
        const huge = Buffer.alloc(11 * 1024 * 1024, 7);
        assertProblem(assert, await zhang.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'huge.bin', content_type: 'application/octet-stream', data_base64: huge.toString('base64') }), 413, 'payload_too_large');
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/followups`)).body.items;
        assert.deepEqual(list.find((x) => x.id === fu.id).attachments.map((a) => a.filename).sort(), ['big.bin', '报价单 v2, final.pdf'].sort());
      });

      it('bad attachments are 422', async () => {
        const cases = [
          [{ filename: 'a.txt', content_type: 'text/plain', data_base64: 'not base64!!' }, 'data_base64/invalid'],
          [{ filename: 'a.txt', content_type: 'text/plain', data_base64: 'aGVsbG8' }, 'data_base64/invalid'],
          [{ filename: 'a.txt', content_type: 'text plain', data_base64: 'aGVsbG8=' }, 'content_type/invalid'],
          [{ filename: 'a.txt', content_type: 'text/html\r\nX: y', data_base64: 'aGVsbG8=' }, 'content_type/invalid'],
          [{ filename: '../etc/passwd', content_type: 'text/plain', data_base64: 'aGVsbG8=' }, 'filename/invalid'],
          [{ filename: 'a\nb.txt', content_type: 'text/plain', data_base64: 'aGVsbG8=' }, 'filename/invalid'],
          [{ filename: '', content_type: 'text/plain', data_base64: 'aGVsbG8=' }, 'filename/required'],
          [{ content_type: 'text/plain', data_base64: 'aGVsbG8=' }, 'filename/required'],
        ];
        for (const [body, code] of cases) {
          const r = await zhang.post(`/api/v1/followups/${fu.id}/attachments`, body);
          assertProblem(assert, r, 422);
          assert.ok(fieldCodes(r).includes(code), `${JSON.stringify(body)} → ${code}: ${r.text}`);
        }
      });

      it('a stored HTML file is served as a download, never rendered in the app', async () => {
        const r = await zhang.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'x.html', content_type: 'text/html', data_base64: Buffer.from('<script>alert(1)</script>').toString('base64') });
        assert.equal(r.status, 201);
        const d = await fetch(srv.url + r.body.url, { headers: { Cookie: zhang.cookie } });
        assert.match(d.headers.get('content-disposition'), /^attachment/);
        assert.equal(d.headers.get('x-content-type-options'), 'nosniff');
      });

      it('only those who see the customer download; only writers upload', async () => {
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/followups`)).body.items;
        const att = list.find((x) => x.id === fu.id).attachments[0];
        assertProblem(assert, await chen.get(`/api/v1/attachments/${att.id}`), 404);
        assertProblem(assert, await chen.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'a', content_type: 'text/plain', data_base64: '' }), 404);
        assert.equal((await zhang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.chen.id, mode: 'read' })).status, 201);
        assert.equal((await chen.get(`/api/v1/attachments/${att.id}`)).status, 200);
        assertProblem(assert, await chen.post(`/api/v1/followups/${fu.id}/attachments`, { filename: 'a.txt', content_type: 'text/plain', data_base64: 'aGk=' }), 403);
        assertProblem(assert, await srv.client().get(`/api/v1/attachments/${att.id}`), 401);
        assertProblem(assert, await zhang.get('/api/v1/attachments/99999999'), 404);
      });
    });

    describe('sharing', () => {
      let cust;
      before(async () => { cust = await newCustomer(zhang, '共享测试电气公司'); });

      it('the owner shares read-only: the colleague reads but cannot write', async () => {
        assertProblem(assert, await liu.get(`/api/v1/customers/${cust.id}`), 404);
        const r = await zhang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.liu.id, mode: 'read' });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.user_id, users.liu.id);
        assert.equal(r.body.mode, 'read');
        assert.equal(r.body.until, null);
        assert.equal(r.body.expired, false);
        assert.equal(r.body.created_by, users.zhang.id);
        const d = await liu.get(`/api/v1/customers/${cust.id}`);
        assert.equal(d.status, 200);
        assert.equal(d.body.access, 'read');
        assertProblem(assert, await liu.patch(`/api/v1/customers/${cust.id}`, { version: d.body.version, notes: 'x' }), 403);
        assertProblem(assert, await liu.post(`/api/v1/customers/${cust.id}/followups`, { content: 'x' }), 403);
        assertProblem(assert, await liu.post(`/api/v1/customers/${cust.id}/contacts`, { name: 'x' }), 403);
        assertProblem(assert, await liu.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.zhao.id, mode: 'read' }), 403);
      });

      it('sharing again replaces the mode (200): read-write lets the colleague follow up', async () => {
        const r = await zhang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.liu.id, mode: 'write' });
        assert.equal(r.status, 200, r.text);
        assert.equal(r.body.mode, 'write');
        const list = (await zhang.get(`/api/v1/customers/${cust.id}/shares`)).body.items;
        assert.equal(list.filter((s) => s.user_id === users.liu.id).length, 1, 'one share per user');
        assert.equal((await liu.get(`/api/v1/customers/${cust.id}`)).body.access, 'write');
        assert.equal((await liu.post(`/api/v1/customers/${cust.id}/followups`, { content: '协助跟进' })).status, 201);
        assertProblem(assert, await liu.delete(`/api/v1/customers/${cust.id}/shares/${users.liu.id}`), 403);
      });

      it('a date `until` lasts through that day; bad shares are 422 and change nothing', async () => {
        const day = new Date(Date.now() + 10 * 86400e3).toISOString().slice(0, 10);
        const r = await zhang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.chen.id, mode: 'read', until: day });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.until, `${day}T23:59:59Z`);
        const before = (await zhang.get(`/api/v1/customers/${cust.id}/shares`)).body.items;
        const cases = [
          [{ user_id: users.zhang.id, mode: 'read' }, 'user_id/invalid'],
          [{ user_id: 99999999, mode: 'read' }, 'user_id/not_found'],
          [{ user_id: users.zhao.id, mode: 'admin' }, 'mode/invalid'],
          [{ user_id: users.zhao.id, mode: 'read', until: '2001-01-01' }, 'until/in_past'],
          [{ user_id: users.zhao.id, mode: 'read', until: 'next week' }, 'until/invalid'],
          [{ user_id: users.zhao.id }, 'mode/required'],
          [{ mode: 'read' }, 'user_id/required'],
          [{ user_id: 'zhao', mode: 'read' }, 'user_id/wrong_type'],
        ];
        for (const [body, code] of cases) {
          const x = await zhang.post(`/api/v1/customers/${cust.id}/shares`, body);
          assertProblem(assert, x, 422);
          assert.ok(fieldCodes(x).includes(code), `${JSON.stringify(body)} → ${code}: ${x.text}`);
        }
        assert.deepEqual((await zhang.get(`/api/v1/customers/${cust.id}/shares`)).body.items, before);
      });

      it('a manager may share a customer of their team; the owner cannot be shared with', async () => {
        const li = await srv.login('li');
        const r = await li.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.zhao.id, mode: 'read' });
        assert.equal(r.status, 201, r.text);
        const own = await li.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.zhang.id, mode: 'read' });
        assertProblem(assert, own, 422);
        assert.ok(fieldCodes(own).includes('user_id/invalid'));
        const huang = await srv.login('huang');
        assertProblem(assert, await huang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.liu.id, mode: 'read' }), 404);
      });

      it('a pool customer cannot be shared', async () => {
        const wang = await srv.login('wang');
        const pool = await newCustomer(wang, '共享公海客户', { owner_id: null });
        assertProblem(assert, await wang.post(`/api/v1/customers/${pool.id}/shares`, { user_id: users.liu.id, mode: 'read' }), 409, 'conflict');
      });

      it('removing a share ends the access at once; removing it twice is 404', async () => {
        assert.equal((await zhang.delete(`/api/v1/customers/${cust.id}/shares/${users.liu.id}`)).status, 204);
        assertProblem(assert, await liu.get(`/api/v1/customers/${cust.id}`), 404);
        assert.ok(!(await liu.get('/api/v1/customers?limit=500')).body.items.some((x) => x.id === cust.id));
        assertProblem(assert, await zhang.delete(`/api/v1/customers/${cust.id}/shares/${users.liu.id}`), 404);
        const h = (await zhang.get(`/api/v1/customers/${cust.id}/history`)).body.items.map((x) => x.action);
        assert.ok(h.includes('share') && h.includes('unshare'));
      });

      it('a share that ends passes: the colleague loses the customer everywhere', async () => {
        const until = new Date(Date.now() + 2000).toISOString();
        const r = await zhang.post(`/api/v1/customers/${cust.id}/shares`, { user_id: users.liu.id, mode: 'write', until });
        assert.equal(r.status, 201, r.text);
        assert.equal((await liu.get(`/api/v1/customers/${cust.id}`)).status, 200);
        await sleep(2600);
        assertProblem(assert, await liu.get(`/api/v1/customers/${cust.id}`), 404);
        assertProblem(assert, await liu.post(`/api/v1/customers/${cust.id}/followups`, { content: '过期' }), 404);
        assert.ok(!(await liu.get('/api/v1/customers?limit=500')).body.items.some((x) => x.id === cust.id));
        const s = (await zhang.get(`/api/v1/customers/${cust.id}/shares`)).body.items.find((x) => x.user_id === users.liu.id);
        assert.equal(s.expired, true);
      });
    });
  });
}
