// wechat.test.mjs — the WeChat official account: the signed server callback
// (URL check, subscribe / unsubscribe, messages stored once per MsgId, and
// every kind of bad input: forged or stale signatures, malformed, huge, deep
// or DOCTYPE-bearing XML, missing fields), the fans screen, automatic
// transfer of new fans into the pool or to a salesperson, manual transfer
// to an existing or a new customer, and a customer's linked fans — on every
// engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const TOKEN = 'tf-wechat-test-token';
const now = () => Math.floor(Date.now() / 1000);
let nonceCounter = 0;

function sign(token, timestamp, nonce) {
  return createHash('sha1').update([token, String(timestamp), nonce].sort().join('')).digest('hex');
}

/** The signed query string of a callback; parts can be overridden. */
function query({ token = TOKEN, timestamp = now(), nonce = `n${Date.now()}${nonceCounter++}`, signature, echostr } = {}) {
  const sig = signature ?? sign(token, timestamp, nonce);
  const q = new URLSearchParams({ signature: sig, timestamp: String(timestamp), nonce });
  if (echostr !== undefined) q.set('echostr', echostr);
  return q.toString();
}

const cdata = (s) => `<![CDATA[${s}]]>`;
function xmlOf(fields) {
  return '<xml>' + Object.entries(fields).map(([k, v]) => `<${k}>${v}</${k}>`).join('') + '</xml>';
}
function subscribeXml(openid, event = 'subscribe', createTime = now()) {
  return xmlOf({ ToUserName: cdata('gh_tradeflow'), FromUserName: cdata(openid), CreateTime: createTime,
                 MsgType: cdata('event'), Event: cdata(event), EventKey: cdata('') });
}
function textXml(openid, content, msgId) {
  return xmlOf({ ToUserName: cdata('gh_tradeflow'), FromUserName: cdata(openid), CreateTime: now(),
                 MsgType: cdata('text'), Content: cdata(content), MsgId: msgId });
}

let openidCounter = 0;
/** A fresh openid shaped like WeChat's (28 characters). */
function newOpenid() {
  const tail = `${Date.now().toString(36)}${(openidCounter++).toString(36)}`.padStart(12, '0');
  return ('oTfTest_' + 'x'.repeat(20)).slice(0, 28 - tail.length) + tail;
}

for (const engine of engines()) {
  describe(`wechat [${engine}]`, () => {
    let srv, admin, zhang, chen, liu, zhou;
    let ids = {};

    /** Posts a callback body; opts: query overrides, contentType, raw body. */
    async function callback(body, opts = {}) {
      const r = await fetch(`${srv.url}/api/v1/wechat/callback?${query(opts)}`, {
        method: 'POST', headers: { 'Content-Type': opts.contentType ?? 'text/xml' }, body,
      });
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* plain text */ }
      return { status: r.status, headers: r.headers, text, body: json };
    }
    async function verify(opts) {
      const r = await fetch(`${srv.url}/api/v1/wechat/callback?${query(opts)}`);
      const text = await r.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* plain text */ }
      return { status: r.status, headers: r.headers, text, body: json };
    }
    async function fanByOpenid(openid, client = admin) {
      const r = await client.get('/api/v1/wechat/fans?q=' + encodeURIComponent(openid));
      assert.equal(r.status, 200, r.text);
      return r.body.items.find((f) => f.openid === openid) || null;
    }
    async function fanCount() {
      let n = 0, cursor = null;
      do {
        const r = await admin.get('/api/v1/wechat/fans?limit=500' + (cursor ? `&cursor=${cursor}` : ''));
        n += r.body.items.length;
        cursor = r.body.next_cursor;
      } while (cursor);
      return n;
    }
    async function customerId(name) {
      const r = await admin.get('/api/v1/customers?q=' + encodeURIComponent(name));
      return r.body.items.find((c) => c.name === name).id;
    }
    async function setWechat(v) {
      const r = await admin.put('/api/v1/settings/wechat', v);
      assert.equal(r.status, 200, r.text);
    }
    async function subscribed(openid, createTime = now()) {
      const r = await callback(subscribeXml(openid, 'subscribe', createTime));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, 'success');
      return fanByOpenid(openid);
    }

    before(async () => {
      srv = await startServer({ engine });
      [admin, zhang, chen, liu, zhou] = await Promise.all(
        ['admin', 'zhang', 'chen', 'liu', 'zhou'].map((l) => srv.login(l)));
      for (const l of ['zhang', 'chen', 'zhou']) {
        ids[l] = (await admin.get('/api/v1/users?q=' + l)).body.items.find((u) => u.login === l).id;
      }
    });
    after(async () => { await srv.stop(); });

    it('callbacks are refused while no token is set', async () => {
      assertProblem(assert, await verify({ echostr: '12345' }), 403, 'forbidden');
      assertProblem(assert, await callback(subscribeXml(newOpenid())), 403, 'forbidden');
    });

    it('the demo company has fans, some linked to its customers', async () => {
      const r = await admin.get('/api/v1/wechat/fans');
      assert.equal(r.status, 200, r.text);
      assert.ok(r.body.items.length >= 5);
      const yutong = r.body.items.find((f) => f.nickname === '宇通采购-王');
      assert.equal(yutong.linked, true);
      assert.equal(yutong.customer_name, '郑州宇通电机有限公司');
      assert.ok(r.body.items.some((f) => !f.linked));
      assert.ok(r.body.items.some((f) => !f.subscribed));
      const d = await admin.get(`/api/v1/wechat/fans/${yutong.id}`);
      assert.equal(d.status, 200);
      assert.ok(d.body.messages.length >= 1);
      assert.equal(d.body.last_message, '收到报价，谢谢。');
    });

    it('the URL check echoes echostr for a correct signature only', async () => {
      await setWechat({ token: TOKEN, auto_customer: 'off' });
      const ok = await verify({ echostr: '6174529384127' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.text, '6174529384127');
      assert.match(ok.headers.get('content-type'), /^text\/plain/);
      // forged: another token, a changed digit, a signature for another nonce
      assertProblem(assert, await verify({ echostr: '1', token: 'guessed-token' }), 403, 'forbidden');
      const ts = now();
      const good = sign(TOKEN, ts, 'abc');
      const flipped = (good[0] === '0' ? '1' : '0') + good.slice(1);
      assertProblem(assert, await verify({ echostr: '1', timestamp: ts, nonce: 'abc', signature: flipped }), 403);
      assertProblem(assert, await verify({ echostr: '1', timestamp: ts, nonce: 'abd', signature: good }), 403);
      assertProblem(assert, await verify({ echostr: '1', signature: '' }), 400);
    });

    it('the URL check refuses stale and future timestamps (replays)', async () => {
      for (const timestamp of [now() - 400, now() + 400, 1, 0]) {
        const r = await verify({ echostr: '777', timestamp });
        assertProblem(assert, r, 403, 'forbidden');
      }
      // a little clock skew is fine
      assert.equal((await verify({ echostr: '778', timestamp: now() - 60 })).status, 200);
    });

    it('the URL check refuses malformed and overlong parameters', async () => {
      assertProblem(assert, await verify({}), 400, 'bad_request'); // no echostr
      assertProblem(assert, await verify({ echostr: 'x'.repeat(129) }), 400);
      assertProblem(assert, await verify({ echostr: 'has space' }), 400);
      assertProblem(assert, await verify({ echostr: '中文' }), 400);
      assertProblem(assert, await verify({ echostr: '1', nonce: 'n'.repeat(65) }), 400);
      assertProblem(assert, await verify({ echostr: '1', timestamp: 'yesterday' }), 400);
      assertProblem(assert, await verify({ echostr: '1', timestamp: '1'.repeat(30) }), 400);
      assertProblem(assert, await verify({ echostr: '1', signature: 'f'.repeat(200) }), 400);
      const bare = await fetch(`${srv.url}/api/v1/wechat/callback?echostr=1`);
      assert.equal(bare.status, 400);
    });

    it('a subscribe creates the fan; with auto transfer off it stays unlinked', async () => {
      const openid = newOpenid();
      const fan = await subscribed(openid);
      assert.ok(fan, 'the fan is listed');
      assert.equal(fan.subscribed, true);
      assert.equal(fan.linked, false);
      assert.equal(fan.customer_id, null);
      assert.ok(fan.subscribed_at);
      // salespeople see the fans screen too
      assert.ok(await fanByOpenid(openid, zhang));
      // filters
      const unl = await admin.get('/api/v1/wechat/fans?linked=false&subscribed=true&limit=500');
      assert.ok(unl.body.items.some((f) => f.openid === openid));
      const lnk = await admin.get('/api/v1/wechat/fans?linked=true&limit=500');
      assert.ok(!lnk.body.items.some((f) => f.openid === openid));
      assert.ok(lnk.body.items.every((f) => f.linked));
    });

    it('automatic transfer into the pool makes a new fan a pool customer, once', async () => {
      await setWechat({ auto_customer: 'pool' });
      const openid = newOpenid();
      const createTime = now();
      const r = await callback(subscribeXml(openid, 'subscribe', createTime));
      assert.equal(r.text, 'success');
      const fan = await fanByOpenid(openid);
      assert.equal(fan.linked, true);
      const c = await admin.get(`/api/v1/customers/${fan.customer_id}`);
      assert.equal(c.status, 200);
      assert.equal(c.body.owner_id, null);
      assert.equal(c.body.entry_method, 'wechat');
      assert.equal(c.body.name, `微信用户 ${openid.slice(-6)}`);
      assert.equal(c.body.wechat, openid);
      // WeChat retries the same event: no second customer, no change
      const again = await callback(subscribeXml(openid, 'subscribe', createTime));
      assert.equal(again.text, 'success');
      const dups = await admin.get('/api/v1/customers/duplicates?wechat=' + encodeURIComponent(openid));
      assert.equal(dups.body.items.length, 1);
      const after = await fanByOpenid(openid);
      assert.equal(after.customer_id, fan.customer_id);
      assert.equal(after.version, fan.version);
      // the customer's detail shows the linked openid
      const w = await admin.get(`/api/v1/customers/${fan.customer_id}/wechat`);
      assert.equal(w.status, 200, w.text);
      assert.equal(w.body.wechat_openid, openid);
      assert.equal(w.body.fans.length, 1);
    });

    it('retries of a new fan\'s subscribe arriving at once make one fan and one customer', async () => {
      const openid = newOpenid();
      const body = subscribeXml(openid, 'subscribe', now());
      const rs = await Promise.all(Array.from({ length: 6 }, () => callback(body)));
      for (const r of rs) assert.equal(r.status, 200, r.text);
      const fans = (await admin.get('/api/v1/wechat/fans?q=' + openid)).body.items;
      assert.equal(fans.length, 1);
      const dups = await admin.get('/api/v1/customers/duplicates?wechat=' + encodeURIComponent(openid));
      assert.equal(dups.body.items.length, 1);
      assert.equal(dups.body.items[0].id, fans[0].customer_id);
      const d = await admin.get(`/api/v1/wechat/fans/${fans[0].id}`);
      assert.equal(d.body.messages.filter((m) => m.kind === 'event').length, 1);
    });

    it('automatic transfer to an owner gives new fans to that salesperson', async () => {
      await setWechat({ auto_customer: 'owner', owner_id: ids.zhang });
      const openid = newOpenid();
      const fan = await subscribed(openid);
      assert.equal(fan.linked, true);
      const c = await zhang.get(`/api/v1/customers/${fan.customer_id}`);
      assert.equal(c.status, 200, c.text);
      assert.equal(c.body.owner_id, ids.zhang);
      assert.equal(c.body.entry_method, 'wechat');
      // liu (another team) does not see zhang's customer: the fan shows linked, without it
      const seen = await fanByOpenid(openid, liu);
      assert.equal(seen.linked, true);
      assert.equal(seen.customer_id, null);
      assert.equal(seen.customer_name, null);
    });

    it('an owner who cannot own customers sends new fans to the pool instead', async () => {
      await setWechat({ auto_customer: 'owner', owner_id: ids.zhou }); // warehouse
      const fan = await subscribed(newOpenid());
      const c = await admin.get(`/api/v1/customers/${fan.customer_id}`);
      assert.equal(c.body.owner_id, null);
      await setWechat({ auto_customer: 'off' });
    });

    it('a fan whose openid is already a customer\'s WeChat is linked to it, not duplicated', async () => {
      await setWechat({ auto_customer: 'pool' });
      const openid = newOpenid();
      const made = await zhang.post('/api/v1/customers', { name: '预先录入微信客户', phone: '13755550001', wechat: openid });
      assert.equal(made.status, 201, made.text);
      const fan = await subscribed(openid);
      assert.equal(fan.customer_id, made.body.id);
      await setWechat({ auto_customer: 'off' });
    });

    it('unsubscribe keeps the fan and the link; a return subscribes again', async () => {
      await setWechat({ auto_customer: 'pool' });
      const openid = newOpenid();
      const fan = await subscribed(openid);
      await setWechat({ auto_customer: 'off' });
      const r = await callback(subscribeXml(openid, 'unsubscribe'));
      assert.equal(r.text, 'success');
      const gone = await fanByOpenid(openid);
      assert.equal(gone.subscribed, false);
      assert.ok(gone.unsubscribed_at);
      assert.equal(gone.customer_id, fan.customer_id, 'the link stays');
      const list = await admin.get('/api/v1/wechat/fans?subscribed=false&limit=500');
      assert.ok(list.body.items.some((f) => f.openid === openid));
      // (a retry carries the same CreateTime; a real return a later one)
      const back = await subscribed(openid, now() + 1);
      assert.equal(back.subscribed, true);
      assert.equal(back.customer_id, fan.customer_id);
      const h = await admin.get(`/api/v1/wechat/fans/${fan.id}/history`);
      assert.equal(h.status, 200, h.text);
      const actions = JSON.stringify(h.body);
      for (const a of ['subscribe', 'unsubscribe', 'auto_transfer']) assert.ok(actions.includes(a), a);
    });

    it('a text message is stored once, however often WeChat retries it', async () => {
      const openid = newOpenid();
      const fan = await subscribed(openid);
      const msgId = String(24600000000000000n + BigInt(Date.now()));
      const body = textXml(openid, '请问扁铜线 2.0×8.0 的交期？', msgId);
      for (let i = 0; i < 3; i++) assert.equal((await callback(body)).text, 'success');
      // and several at once
      const rs = await Promise.all(Array.from({ length: 6 }, () => callback(body)));
      for (const r of rs) assert.equal(r.status, 200, r.text);
      const d = await admin.get(`/api/v1/wechat/fans/${fan.id}`);
      const mine = d.body.messages.filter((m) => m.msg_id === msgId);
      assert.equal(mine.length, 1);
      assert.equal(mine[0].kind, 'text');
      assert.equal(mine[0].content, '请问扁铜线 2.0×8.0 的交期？');
      assert.equal(d.body.last_message, '请问扁铜线 2.0×8.0 的交期？');
      assert.ok(d.body.last_message_at);
    });

    it('a message from an unknown fan creates the fan', async () => {
      const openid = newOpenid();
      const r = await callback(textXml(openid, 'hello', String(Date.now())));
      assert.equal(r.text, 'success');
      const fan = await fanByOpenid(openid);
      assert.equal(fan.subscribed, true);
      assert.equal(fan.last_message, 'hello');
    });

    it('unknown message types and other events are kept by kind and answered', async () => {
      const openid = newOpenid();
      const fan = await subscribed(openid);
      const msgId = String(Date.now()) + '7';
      let r = await callback(xmlOf({ FromUserName: openid, CreateTime: now(), MsgType: 'hologram', MsgId: msgId }));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.text, 'success');
      r = await callback(xmlOf({ FromUserName: openid, CreateTime: now(), MsgType: 'image',
                                 PicUrl: cdata('http://127.0.0.1/p.jpg'), MediaId: 'm1', MsgId: msgId + '1' }));
      assert.equal(r.text, 'success');
      r = await callback(xmlOf({ FromUserName: openid, CreateTime: now(), MsgType: 'event', Event: 'CLICK',
                                 EventKey: 'PRICE_LIST' }));
      assert.equal(r.text, 'success');
      const d = await admin.get(`/api/v1/wechat/fans/${fan.id}`);
      const kinds = d.body.messages.map((m) => m.kind);
      assert.ok(kinds.includes('hologram'));
      assert.ok(d.body.messages.some((m) => m.kind === 'image' && m.content === 'http://127.0.0.1/p.jpg'));
      assert.ok(d.body.messages.some((m) => m.kind === 'event' && m.content === 'CLICK PRICE_LIST'));
      assert.equal(d.body.last_message, '[image]');
    });

    it('bad callbacks are refused and store nothing', async () => {
      const before = await fanCount();
      const openid = newOpenid();
      const good = subscribeXml(openid);
      // forged and stale signatures
      assertProblem(assert, await callback(good, { token: 'not-the-token' }), 403, 'forbidden');
      assertProblem(assert, await callback(good, { signature: 'a'.repeat(40) }), 403, 'forbidden');
      assertProblem(assert, await callback(good, { timestamp: now() - 3600 }), 403, 'forbidden');
      assertProblem(assert, await callback(good, { nonce: 'x'.repeat(100) }), 400);
      // wrong content type, empty body
      assertProblem(assert, await callback(good, { contentType: 'application/json' }), 415, 'unsupported_media_type');
      assertProblem(assert, await callback('', {}), 400);
      // malformed XML
      for (const bad of ['<xml><FromUserName>', 'not xml', '<xml></wrong>', '<xml><a></xml>',
                         '<other><FromUserName>o</FromUserName></other>',
                         `<xml><FromUserName>${openid}</FromUserName><FromUserName>o2</FromUserName><MsgType>event</MsgType><Event>subscribe</Event></xml>`]) {
        assertProblem(assert, await callback(bad), 400, 'bad_request');
      }
      // huge
      const huge = '<xml><Content>' + 'x'.repeat(70 * 1024) + '</Content></xml>';
      assertProblem(assert, await callback(huge), 413, 'payload_too_large');
      // one overlong field inside the size limit
      const longField = xmlOf({ FromUserName: openid, MsgType: 'text', Content: 'y'.repeat(9000), MsgId: '1' });
      assertProblem(assert, await callback(longField), 400);
      // deeply nested
      const deep = '<xml>' + '<a>'.repeat(1000) + '</a>'.repeat(1000) + '</xml>';
      assertProblem(assert, await callback(deep), 400, 'too_deep');
      // many elements
      const flood = '<xml>' + '<a/>'.repeat(5000) + '</xml>';
      assertProblem(assert, await callback(flood), 400);
      // DOCTYPE: billion laughs and XXE
      const laughs = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa">' +
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>' +
        `<xml><FromUserName>${openid}</FromUserName><MsgType>text</MsgType><Content>&c;</Content><MsgId>9</MsgId></xml>`;
      assertProblem(assert, await callback(laughs), 400);
      const xxe = '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>' +
        `<xml><FromUserName>${openid}</FromUserName><MsgType>text</MsgType><Content>&x;</Content><MsgId>10</MsgId></xml>`;
      const rx = await callback(xxe);
      assertProblem(assert, rx, 400);
      assert.ok(!rx.text.includes('root:'), 'no file content leaks');
      // missing or malformed fields
      assertProblem(assert, await callback(xmlOf({ MsgType: 'event', Event: 'subscribe' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: openid, Event: 'subscribe' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: openid, MsgType: 'event' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: openid, MsgType: 'text', MsgId: '11' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: 'o pen', MsgType: 'event', Event: 'subscribe' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: 'o'.repeat(65), MsgType: 'event', Event: 'subscribe' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: openid, MsgType: 'text', Content: 'x', MsgId: 'not an id' })), 400);
      assertProblem(assert, await callback(xmlOf({ FromUserName: openid, MsgType: 'event', Event: 'subscribe', CreateTime: 'soon' })), 400);
      // nothing of this reached the database
      assert.equal(await fanCount(), before);
      assert.equal(await fanByOpenid(openid), null);
    });

    it('a salesperson links a fan to their own customer; the customer shows the openid', async () => {
      const openid = newOpenid();
      const fan = await subscribed(openid);
      const cid = await customerId('洛阳中州变压器厂'); // zhang's, shared read-only with chen
      const r = await zhang.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: cid, version: fan.version });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.customer_id, cid);
      assert.equal(r.body.customer_name, '洛阳中州变压器厂');
      assert.equal(r.body.version, fan.version + 1);
      const w = await zhang.get(`/api/v1/customers/${cid}/wechat`);
      assert.ok(w.body.fans.some((f) => f.openid === openid));
      // the same transfer again changes nothing
      const again = await zhang.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: cid });
      assert.equal(again.status, 200);
      assert.equal(again.body.version, fan.version + 1);
      // liu cannot see the customer's fans
      assertProblem(assert, await liu.get(`/api/v1/customers/${cid}/wechat`), 404);
    });

    it('linking needs write access to the customer (and to the one it was linked to)', async () => {
      const fan = await subscribed(newOpenid());
      const luoyang = await customerId('洛阳中州变压器厂'); // chen: read-only share
      const r = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: luoyang });
      assertProblem(assert, r, 403, 'forbidden');
      const hidden = await customerId('苏州华能风电设备有限公司'); // chen's protected customer
      const l = await liu.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: hidden });
      assertProblem(assert, l, 422, 'validation_failed');
      assert.equal(l.body.errors[0].field, 'customer_id');
      assertProblem(assert, await zhang.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: 99999999 }), 422);
      // chen links it to her protected customer; zhang may not move it away
      const ok = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: hidden });
      assert.equal(ok.status, 200, ok.text);
      const zhangs = await customerId('郑州宇通电机有限公司');
      assertProblem(assert, await zhang.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: zhangs }), 403);
      // zhang sees the fan as linked, but not the protected customer
      const seen = (await zhang.get(`/api/v1/wechat/fans/${fan.id}`)).body;
      assert.equal(seen.linked, true);
      assert.equal(seen.customer_name, null);
      const still = (await admin.get(`/api/v1/wechat/fans/${fan.id}`)).body;
      assert.equal(still.customer_id, hidden);
    });

    it('a manual transfer can create the customer for the caller under the entry policy', async () => {
      const openid = newOpenid();
      const fan = await subscribed(openid);
      // the entry policy requires a phone: refused, nothing created or linked
      const noPhone = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { create: { name: '公众号新客户' } });
      assertProblem(assert, noPhone, 422, 'validation_failed');
      assert.ok(noPhone.body.errors.some((e) => e.field === 'create.phone' && e.code === 'required'), noPhone.text);
      assert.equal((await fanByOpenid(openid)).linked, false);
      const none = await admin.get('/api/v1/customers?q=' + encodeURIComponent('公众号新客户'));
      assert.equal(none.body.items.length, 0);
      // bad field types and unknown fields are named
      const bad = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { create: { phone: 13700000000, owner_id: 1 } });
      assertProblem(assert, bad, 422);
      assert.ok(bad.body.errors.some((e) => e.field === 'create.owner_id'));
      assert.ok(bad.body.errors.some((e) => e.field === 'create.phone'));
      // a duplicate phone is refused by the entry policy
      const dup = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { create: { phone: '13803710001' } });
      assertProblem(assert, dup, 422);
      assert.ok(dup.body.errors.some((e) => e.field === 'create.phone' && e.code === 'duplicate'));
      // with a phone: a customer of chen's, named after the fan, WeChat = openid
      const r = await chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { create: { phone: '13766660001', address: '郑州市' } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.linked, true);
      const c = (await chen.get(`/api/v1/customers/${r.body.customer_id}`)).body;
      assert.equal(c.owner_id, ids.chen);
      assert.equal(c.entry_method, 'wechat');
      assert.equal(c.name, `微信用户 ${openid.slice(-6)}`);
      assert.equal(c.wechat, openid);
      assert.equal(c.address, '郑州市');
    });

    it('transfer input, versions and permissions', async () => {
      const fan = await subscribed(newOpenid());
      const url = `/api/v1/wechat/fans/${fan.id}/transfer`;
      assertProblem(assert, await zhang.post(url, {}), 422);
      assertProblem(assert, await zhang.post(url, { customer_id: 1, create: { phone: '13700000009' } }), 422);
      assertProblem(assert, await zhang.post(url, { customer_id: 'one' }), 422);
      assertProblem(assert, await zhang.post(url, { customer_id: 1, extra: true }), 422);
      assertProblem(assert, await zhang.post(url, '[1]'), 400);
      const mine = await customerId('郑州宇通电机有限公司');
      assertProblem(assert, await zhang.post(url, { customer_id: mine, version: fan.version + 5 }), 409, 'version_conflict');
      assertProblem(assert, await zhang.post('/api/v1/wechat/fans/99999999/transfer', { customer_id: mine }), 404);
      assertProblem(assert, await zhang.post('/api/v1/wechat/fans/abc/transfer', { customer_id: mine }), 404);
      // finance / warehouse have no fans screen
      assertProblem(assert, await zhou.get('/api/v1/wechat/fans'), 403);
      assertProblem(assert, await zhou.post(url, { customer_id: mine }), 403);
      assertProblem(assert, await srv.client().get('/api/v1/wechat/fans'), 401);
      assert.equal((await fanByOpenid(fan.openid)).linked, false, 'nothing changed');
    });

    it('two users transferring the same fan at once: one wins, the other gets 409', async () => {
      const fan = await subscribed(newOpenid());
      const zc = await customerId('郑州宇通电机有限公司');
      const cc = await customerId('上海申联电力设备有限公司'); // chen's
      const [a, b] = await Promise.all([
        zhang.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: zc, version: fan.version }),
        chen.post(`/api/v1/wechat/fans/${fan.id}/transfer`, { customer_id: cc, version: fan.version }),
      ]);
      const statuses = [a.status, b.status].sort();
      assert.deepEqual(statuses, [200, 409], `${a.text} ${b.text}`);
      const winner = a.status === 200 ? zc : cc;
      assert.equal((await admin.get(`/api/v1/wechat/fans/${fan.id}`)).body.customer_id, winner);
    });

    it('fan list: search, paging and bad parameters', async () => {
      const byNick = await admin.get('/api/v1/wechat/fans?q=' + encodeURIComponent('绕线'));
      assert.ok(byNick.body.items.some((f) => f.nickname === '绕线小能手'));
      const byCustomer = await admin.get('/api/v1/wechat/fans?q=' + encodeURIComponent('宇通电机'));
      assert.ok(byCustomer.body.items.some((f) => f.customer_name === '郑州宇通电机有限公司'));
      const pct = await admin.get('/api/v1/wechat/fans?q=%25');
      assert.equal(pct.body.items.length, 0, '% is literal');
      const seen = new Set();
      let cursor = null, pages = 0;
      do {
        const r = await admin.get('/api/v1/wechat/fans?limit=3' + (cursor ? `&cursor=${cursor}` : ''));
        assert.equal(r.status, 200);
        for (const f of r.body.items) { assert.ok(!seen.has(f.id)); seen.add(f.id); }
        cursor = r.body.next_cursor;
        pages++;
      } while (cursor && pages < 100);
      assert.equal(seen.size, await fanCount());
      assertProblem(assert, await admin.get('/api/v1/wechat/fans?subscribed=yes'), 400);
      assertProblem(assert, await admin.get('/api/v1/wechat/fans?linked=1'), 400);
      assertProblem(assert, await admin.get('/api/v1/wechat/fans?limit=0'), 400);
      assertProblem(assert, await admin.get('/api/v1/wechat/fans?q=' + 'x'.repeat(101)), 400);
      assertProblem(assert, await admin.get('/api/v1/wechat/fans/99999999'), 404);
      assertProblem(assert, await admin.get('/api/v1/wechat/fans/0'), 404);
      assertProblem(assert, await admin.get('/api/v1/customers/99999999/wechat'), 404);
    });

    it('the OpenAPI document describes the XML callback', async () => {
      const doc = (await admin.get('/api/v1/openapi.json')).body;
      const op = doc.paths['/api/v1/wechat/callback'].post;
      assert.ok(op.requestBody.content['text/xml']);
      assert.deepEqual(op.security, []);
      assert.equal(doc.paths['/api/v1/wechat/fans'].get['x-permission'], 'wechat.read');
    });
  });
}
