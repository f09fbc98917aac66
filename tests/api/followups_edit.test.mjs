// followups_edit.test.mjs — a follow-up tied to one of the customer's
// contacts, and its author's correction or deletion within a day: others
// are refused (403), after a day the record stands (409 edit_window_closed,
// the follow-up's created time is written back in the database instead of
// waiting), bad input changes nothing, and the customer's history keeps
// both versions; a project follow-up starts from a template too. On every
// engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const daysAgo = (d) => new Date(Date.now() - d * 86400e3).toISOString().replace(/\.\d+Z$/, 'Z');

function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text],
      { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}

let seq = 0;
const uniq = () => `${process.pid % 1000}${Date.now() % 100000}${seq++}`;
let phoneSeq = 0;
const phone = () => `136${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq++).padStart(4, '0')}`;

for (const engine of engines()) {
  describe(`follow-up contacts and corrections [${engine}]`, () => {
    let srv, zhang, li, chen;
    let cid, contact, otherContact;

    async function history(id) {
      const r = await zhang.get(`/api/v1/customers/${id}/history`);
      assert.equal(r.status, 200, r.text);
      return r.body.items;
    }
    async function followups(id) {
      const r = await zhang.get(`/api/v1/customers/${id}/followups`);
      assert.equal(r.status, 200, r.text);
      return r.body.items;
    }
    async function newFollowup(body = {}) {
      const r = await zhang.post(`/api/v1/customers/${cid}/followups`, { content: `拜访 Visit ${uniq()}`, ...body });
      assert.equal(r.status, 201, r.text);
      return r.body;
    }

    before(async () => {
      srv = await startServer({ engine });
      [zhang, li, chen] = await Promise.all(['zhang', 'li', 'chen'].map((l) => srv.login(l)));
      const c = await zhang.post('/api/v1/customers', { name: `跟进修改 Followup edit ${uniq()}`, phone: phone() });
      assert.equal(c.status, 201, c.text);
      cid = c.body.id;
      const k = await zhang.post(`/api/v1/customers/${cid}/contacts`, { name: '王经理 Manager Wang', mobile: phone() });
      assert.equal(k.status, 201, k.text);
      contact = k.body.id;
      const o = await zhang.post('/api/v1/customers', { name: `别的客户 Other ${uniq()}`, phone: phone() });
      const ok = await zhang.post(`/api/v1/customers/${o.body.id}/contacts`, { name: '别人 Someone else' });
      otherContact = ok.body.id;
    });
    after(async () => { await srv.stop(); });

    it('a follow-up is tied to one of the customer\'s contacts, never to another customer\'s', async () => {
      const f = await newFollowup({ contact_id: contact });
      assert.equal(f.contact_id, contact);
      assert.equal(f.contact_name, '王经理 Manager Wang');
      assert.ok(Date.parse(f.editable_until) - Date.parse(f.created_at) === 86400e3, f.editable_until);
      const listed = (await followups(cid)).find((x) => x.id === f.id);
      assert.equal(listed.contact_name, '王经理 Manager Wang');
      const before = (await followups(cid)).length;
      const bad = await zhang.post(`/api/v1/customers/${cid}/followups`, { content: 'x', contact_id: otherContact });
      assertProblem(assert, bad, 422, 'validation_failed');
      assert.equal(bad.body.errors[0].field, 'contact_id');
      assert.equal((await followups(cid)).length, before, 'nothing was written');
      // a template with a contact: the template fills the text, the contact stays
      const tpl = (await zhang.get('/api/v1/followup-templates')).body.items[0];
      const t = await zhang.post(`/api/v1/customers/${cid}/followups`, { template_id: tpl.id, contact_id: contact });
      assert.equal(t.status, 201, t.text);
      assert.equal(t.body.content, tpl.content);
      assert.equal(t.body.contact_name, '王经理 Manager Wang');
      // deleting the contact unties its follow-ups and keeps them
      const k = await zhang.post(`/api/v1/customers/${cid}/contacts`, { name: '临时 Temp' });
      const f2 = await newFollowup({ contact_id: k.body.id });
      assert.equal((await zhang.delete(`/api/v1/contacts/${k.body.id}?version=${k.body.version}`)).status, 204);
      const kept = (await followups(cid)).find((x) => x.id === f2.id);
      assert.equal(kept.contact_id, null);
      assert.equal(kept.content, f2.content);
    });

    it('the author corrects a follow-up within a day; the history keeps both versions', async () => {
      const f = await newFollowup({ content: '报价 5 万 Quoted 50k' });
      // another user who sees the customer (zhang's manager) may not; one who does not see it gets 404
      assertProblem(assert, await li.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: '改 Changed' }), 403, 'forbidden');
      assertProblem(assert, await chen.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: '改 Changed' }), 404);
      // bad input changes nothing
      for (const body of [{ version: f.version, content: '' }, { version: f.version, contact_id: otherContact },
        { version: f.version, method_id: 999999 }, { content: 'no version' }]) {
        assertProblem(assert, await zhang.patch(`/api/v1/followups/${f.id}`, body), 422, 'validation_failed');
      }
      assert.equal((await followups(cid)).find((x) => x.id === f.id).content, '报价 5 万 Quoted 50k');

      const r = await zhang.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: '报价 6 万 Quoted 60k', contact_id: contact });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.content, '报价 6 万 Quoted 60k');
      assert.equal(r.body.contact_name, '王经理 Manager Wang');
      assert.equal(r.body.version, f.version + 1);
      assert.ok(r.body.edited_at);
      assertProblem(assert, await zhang.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: 'stale' }), 409, 'version_conflict');
      const h = (await history(cid)).find((x) => x.action === 'followup_edit');
      assert.equal(h.before.content, '报价 5 万 Quoted 50k');
      assert.equal(h.after.content, '报价 6 万 Quoted 60k');
      assert.equal(h.before.id, f.id);
    });

    it('after a day the follow-up stands: correction and deletion are refused with the reason', async () => {
      const f = await newFollowup({ content: '老记录 Old note' });
      sql(srv, `UPDATE followups SET created_at = '${daysAgo(1.01)}' WHERE id = ${f.id}`);
      const p = await zhang.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: 'too late' });
      assertProblem(assert, p, 409, 'conflict');
      assert.equal(p.body.reason, 'edit_window_closed');
      assert.match(p.body.detail, /within a day/);
      assertProblem(assert, await zhang.delete(`/api/v1/followups/${f.id}?version=${f.version}`), 409, 'conflict');
      const still = (await followups(cid)).find((x) => x.id === f.id);
      assert.equal(still.content, '老记录 Old note');
      // just inside the day it still may be corrected
      sql(srv, `UPDATE followups SET created_at = '${daysAgo(0.98)}' WHERE id = ${f.id}`);
      assert.equal((await zhang.patch(`/api/v1/followups/${f.id}`, { version: f.version, content: 'in time' })).status, 200);
    });

    it('the author deletes a follow-up within a day; the history shows what it was; the last follow-up falls back', async () => {
      // a customer of its own, so that its follow-ups are only these two
      const c = await zhang.post('/api/v1/customers', { name: `删除跟进 Delete ${uniq()}`, phone: phone() });
      cid = c.body.id;
      const first = await newFollowup({ content: '第一次 First' });
      sql(srv, `UPDATE followups SET created_at = '${daysAgo(0.5)}' WHERE id = ${first.id}`);
      sql(srv, `UPDATE customers SET last_followup_at = '${daysAgo(0.5)}' WHERE id = ${cid}`);
      const f = await newFollowup({ content: '记错了 Wrong customer' });
      assert.equal((await zhang.get(`/api/v1/customers/${cid}`)).body.last_followup_at, f.created_at);
      assertProblem(assert, await li.delete(`/api/v1/followups/${f.id}?version=${f.version}`), 403, 'forbidden');
      assertProblem(assert, await zhang.delete(`/api/v1/followups/${f.id}`), 400, 'bad_request');
      assertProblem(assert, await zhang.delete(`/api/v1/followups/${f.id}?version=${f.version + 5}`), 409, 'version_conflict');
      assert.equal((await zhang.delete(`/api/v1/followups/${f.id}?version=${f.version}`)).status, 204);
      assert.ok(!(await followups(cid)).some((x) => x.id === f.id));
      assertProblem(assert, await zhang.delete(`/api/v1/followups/${f.id}?version=${f.version}`), 404);
      const h = (await history(cid)).find((x) => x.action === 'followup_delete');
      assert.equal(h.before.content, '记错了 Wrong customer');
      assert.equal(h.after, null);
      // the customer's last follow-up is the one before again (the take-back clock with it)
      const last = (await zhang.get(`/api/v1/customers/${cid}`)).body.last_followup_at;
      assert.ok(Math.abs(Date.parse(last) - Date.parse(daysAgo(0.5))) < 2000, last);
    });

    it('a project follow-up is corrected the same way', async () => {
      const p = await zhang.post('/api/v1/projects', { name: `跟进项目 Project ${uniq()}`, customer_id: cid });
      assert.equal(p.status, 201, p.text);
      const f = await zhang.post(`/api/v1/projects/${p.body.id}/followups`, { content: '技术交流 Tech talk' });
      assert.equal(f.status, 201, f.text);
      const v = (await zhang.get(`/api/v1/customers/${cid}/followups`)).body.items.find((x) => x.id === f.body.id).version;
      const r = await zhang.patch(`/api/v1/followups/${f.body.id}`, { version: v, content: '技术交流（已更正）Tech talk, corrected' });
      assert.equal(r.status, 200, r.text);
      const pf = await zhang.get(`/api/v1/projects/${p.body.id}/followups`);
      assert.equal(pf.body.items[0].content, '技术交流（已更正）Tech talk, corrected');
      const ph = await zhang.get(`/api/v1/projects/${p.body.id}/history`);
      assert.ok(ph.body.items.some((x) => x.action === 'followup_edit'), ph.text);
    });

    it('a project follow-up starts from a follow-up template too', async () => {
      const p = await zhang.post('/api/v1/projects', { name: `模板项目 Template project ${uniq()}`, customer_id: cid });
      assert.equal(p.status, 201, p.text);
      const tpl = (await zhang.get('/api/v1/followup-templates')).body.items.find((x) => x.next_contact_days);
      assert.ok(tpl, 'the demo has a template with a next contact');
      const f = await zhang.post(`/api/v1/projects/${p.body.id}/followups`, { template_id: tpl.id, effect: '客户认可 Accepted' });
      assert.equal(f.status, 201, f.text);
      assert.equal(f.body.content, tpl.content);
      assert.equal(f.body.method_id, tpl.method_id);
      assert.equal(f.body.next_step, tpl.next_step);
      assert.equal(f.body.template_id, tpl.id);
      assert.ok(Math.abs(Date.parse(f.body.next_contact_at) - (Date.now() + tpl.next_contact_days * 86400e3)) < 120e3);
      assert.ok(f.body.reminder_id > 0, 'its next contact became a reminder');
      // what the body says wins over the template
      const own = await zhang.post(`/api/v1/projects/${p.body.id}/followups`, { template_id: tpl.id, content: '自己写的 My own words' });
      assert.equal(own.body.content, '自己写的 My own words');
      // neither content nor template, or a template that does not exist: 422, nothing written
      const before = (await zhang.get(`/api/v1/projects/${p.body.id}/followups`)).body.items.length;
      for (const body of [{}, { content: '' }, { template_id: 999999 }]) {
        assertProblem(assert, await zhang.post(`/api/v1/projects/${p.body.id}/followups`, body), 422, 'validation_failed');
      }
      assert.equal((await zhang.get(`/api/v1/projects/${p.body.id}/followups`)).body.items.length, before);
    });
  });
}
