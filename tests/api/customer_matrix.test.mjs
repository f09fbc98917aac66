// customer_matrix.test.mjs — who sees which customer, proven for every demo
// user against customers in every state: own, shared read, shared write,
// shared but expired, protected, protected and shared, another group's, in
// the pool. For each viewer no reply — the list, quick search (by name,
// phone fragment, contact phone), detail, history, contacts, follow-ups,
// shares, attachments, reminders — shows a customer they may not see, and
// every one they may see is there; writes need write access.
//
// Demo company: zhang, chen = East China salespeople (managed by li); liu,
// zhao = North China (managed by huang); wang manages all of Sales; admin
// manages the company; sun is finance (reads every unprotected customer).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, assertProblem } from '../lib/server.mjs';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
const VIEWERS = ['zhang', 'chen', 'li', 'liu', 'zhao', 'huang', 'wang', 'admin', 'sun'];
// key → [owner login or null for the pool, protected, description]
const CUSTOMERS = {
  own: ['zhang', false], shrd: ['zhang', false], shwr: ['zhang', false], shex: ['zhang', false],
  prot: ['zhang', true], prsh: ['zhang', true], othr: ['liu', false], pool: [null, false],
};
const ALL = Object.keys(CUSTOMERS);
// who may see what
const SEES = {
  zhang: ['own', 'shrd', 'shwr', 'shex', 'prot', 'prsh', 'pool'],
  chen: ['pool'],
  li: ['own', 'shrd', 'shwr', 'shex', 'prot', 'prsh', 'pool'],
  liu: ['shrd', 'prsh', 'othr', 'pool'],
  zhao: ['shwr', 'pool'],
  huang: ['othr', 'pool'],
  wang: ALL,
  admin: ALL,
  sun: ['own', 'shrd', 'shwr', 'shex', 'othr', 'pool'],
};
// the access each viewer has to the customers they see: manage (owner and
// managers: edit, share, protect), write (follow up, edit), read
const ACCESS = {
  zhang: { own: 'manage', shrd: 'manage', shwr: 'manage', shex: 'manage', prot: 'manage', prsh: 'manage', pool: 'read' },
  chen: { pool: 'read' },
  li: { own: 'manage', shrd: 'manage', shwr: 'manage', shex: 'manage', prot: 'manage', prsh: 'manage', pool: 'manage' },
  liu: { shrd: 'read', prsh: 'read', othr: 'manage', pool: 'read' },
  zhao: { shwr: 'write', pool: 'read' },
  huang: { othr: 'manage', pool: 'manage' },
  wang: Object.fromEntries(ALL.map((k) => [k, 'manage'])),
  admin: Object.fromEntries(ALL.map((k) => [k, 'manage'])),
  sun: Object.fromEntries(['own', 'shrd', 'shwr', 'shex', 'othr', 'pool'].map((k) => [k, 'read'])),
};
const WRITES = Object.fromEntries(VIEWERS.map((v) => [v, ALL.filter((k) => ['write', 'manage'].includes(ACCESS[v][k]))]));

for (const engine of engines()) {
  describe(`customer visibility matrix [${engine}]`, () => {
    let srv;
    const c = {}; // login → client
    const users = {};
    const cust = {}; // key → {id, name, phone, fragment, mobile, contact, followup, attachment, version}

    before(async () => {
      srv = await startServer({ engine });
      for (const l of VIEWERS) c[l] = await srv.login(l);
      for (const u of (await c.admin.get('/api/v1/users?limit=500')).body.items) users[u.login] = u;
      let i = 0;
      for (const [key, [owner, prot]] of Object.entries(CUSTOMERS)) {
        i++;
        const name = `矩阵 Matrix ${key} 客户`;
        const phone = `1770${i}${i}8${i}${i}6${i}${i}`.slice(0, 11);
        const mobile = `1660${i}${i}${i}${i}4${i}${i}`;
        const author = owner ? c[owner] : c.wang;
        const body = { name, phone, protected: prot };
        if (!owner) { body.owner_id = null; delete body.protected; }
        const r = await author.post('/api/v1/customers', body);
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.protected, prot);
        const ct = await author.post(`/api/v1/customers/${r.body.id}/contacts`, { name: `联系人${key}`, mobile });
        assert.equal(ct.status, 201, ct.text);
        const fu = await author.post(`/api/v1/customers/${r.body.id}/followups`, { content: `跟进 ${key}` });
        assert.equal(fu.status, 201, fu.text);
        const at = await author.post(`/api/v1/followups/${fu.body.id}/attachments`, { filename: `${key}.txt`, content_type: 'text/plain', data_base64: Buffer.from(key).toString('base64') });
        assert.equal(at.status, 201, at.text);
        cust[key] = { id: r.body.id, name, phone, fragment: phone.slice(3, 10), mobile, contact: ct.body.id, followup: fu.body.id, attachment: at.body.id };
      }
      const share = async (key, login, mode, until) => {
        const r = await c.zhang.post(`/api/v1/customers/${cust[key].id}/shares`, { user_id: users[login].id, mode, until });
        assert.equal(r.status, 201, r.text);
      };
      await share('shrd', 'liu', 'read');
      await share('shwr', 'zhao', 'write');
      await share('prsh', 'liu', 'read');
      // shared with liu for two seconds: liu notes a reminder on it meanwhile
      await share('shex', 'liu', 'write', new Date(Date.now() + 2000).toISOString());
      const rem = await c.liu.post('/api/v1/reminders', { kind: 'task', title: '过期前的提醒', due_at: new Date(Date.now() + 86400e3).toISOString(), customer_id: cust.shex.id });
      assert.equal(rem.status, 201, rem.text);
      assert.equal(rem.body.customer_name, cust.shex.name, 'while shared, the name shows');
      cust.shex.reminder = rem.body.id;
      await sleep(2600);
    });
    after(async () => { await srv.stop(); });

    it('the demo users are who the matrix assumes', () => {
      for (const v of VIEWERS) assert.deepEqual(Object.keys(ACCESS[v]).sort(), [...SEES[v]].sort(), v);
      assert.equal(users.zhang.role, 'salesperson');
      assert.equal(users.sun.role, 'finance');
      assert.equal(users.li.role, 'sales_manager');
      assert.equal(users.zhang.department_id, users.chen.department_id);
      assert.equal(users.liu.department_id, users.zhao.department_id);
      assert.notEqual(users.zhang.department_id, users.liu.department_id);
    });

    for (const viewer of VIEWERS) {
      it(`${viewer}: the customer list holds exactly the matrix customers they may see`, async () => {
        const r = await c[viewer].get('/api/v1/customers?limit=500');
        assert.equal(r.status, 200);
        assert.equal(r.body.next_cursor, null, 'one page holds them all');
        const got = new Set(r.body.items.map((x) => x.id));
        for (const key of ALL)
          assert.equal(got.has(cust[key].id), SEES[viewer].includes(key), `${viewer} list ${key}`);
        const mine = await c[viewer].get('/api/v1/customers?limit=500&owner=pool');
        assert.ok(mine.body.items.some((x) => x.id === cust.pool.id));
        const prot = await c[viewer].get('/api/v1/customers?limit=500&protected=true');
        for (const key of ['prot', 'prsh'])
          assert.equal(prot.body.items.some((x) => x.id === cust[key].id), SEES[viewer].includes(key), `${viewer} protected filter ${key}`);
      });

      it(`${viewer}: quick search by name, phone fragment and contact phone finds only what they may see`, async () => {
        for (const key of ALL) {
          for (const q of [cust[key].name, cust[key].fragment, cust[key].mobile, cust[key].mobile.slice(2, 9)]) {
            const r = await c[viewer].get('/api/v1/customers?limit=500&q=' + encodeURIComponent(q));
            assert.equal(r.status, 200);
            const got = r.body.items.map((x) => x.id);
            assert.equal(got.includes(cust[key].id), SEES[viewer].includes(key), `${viewer} q=${q} (${key})`);
            for (const other of ALL)
              if (!SEES[viewer].includes(other)) assert.ok(!got.includes(cust[other].id), `${viewer} q=${q} leaks ${other}`);
          }
        }
      });

      it(`${viewer}: detail, history, contacts, follow-ups, shares and attachments answer 404 unless they may see`, async () => {
        for (const key of ALL) {
          const id = cust[key].id;
          const sees = SEES[viewer].includes(key);
          const paths = [`/api/v1/customers/${id}`, `/api/v1/customers/${id}/history`, `/api/v1/customers/${id}/contacts`,
                         `/api/v1/customers/${id}/followups`, `/api/v1/customers/${id}/shares`, `/api/v1/attachments/${cust[key].attachment}`];
          for (const p of paths) {
            const r = await c[viewer].get(p);
            if (!sees) {
              assertProblem(assert, r, 404, 'not_found');
              assert.ok(!r.text.includes(cust[key].name) && !r.text.includes(cust[key].mobile), `${viewer} ${p} body leaks`);
            } else {
              assert.equal(r.status, 200, `${viewer} ${p} (${key}): ${r.text.slice(0, 200)}`);
            }
          }
          if (!sees) continue;
          const d = await c[viewer].get(`/api/v1/customers/${id}`);
          assert.equal(d.body.id, id);
          assert.equal(d.body.access, ACCESS[viewer][key], `${viewer} access ${key}`);
          const contacts = (await c[viewer].get(`/api/v1/customers/${id}/contacts`)).body.items;
          assert.ok(contacts.some((x) => x.id === cust[key].contact));
          const fus = (await c[viewer].get(`/api/v1/customers/${id}/followups`)).body.items;
          assert.ok(fus.some((x) => x.id === cust[key].followup));
        }
      });

      it(`${viewer}: writes need write access (403 read-only, 404 unseen) and change nothing when refused`, async () => {
        for (const key of ALL) {
          const id = cust[key].id;
          const sees = SEES[viewer].includes(key), writes = WRITES[viewer].includes(key);
          const fu = await c[viewer].post(`/api/v1/customers/${id}/followups`, { content: `${viewer} 写 ${key}` });
          const ct = await c[viewer].post(`/api/v1/customers/${id}/contacts`, { name: `${viewer}加的` });
          const up = await c[viewer].patch(`/api/v1/contacts/${cust[key].contact}`, { version: 999, title: 'x' });
          const att = await c[viewer].post(`/api/v1/followups/${cust[key].followup}/attachments`, { filename: 'x.txt', content_type: 'text/plain', data_base64: 'eA==' });
          if (!sees) {
            for (const r of [fu, ct, up, att]) assertProblem(assert, r, 404, 'not_found');
          } else if (!writes) {
            for (const r of [fu, ct, up, att]) assertProblem(assert, r, 403, 'forbidden');
          } else {
            assert.equal(fu.status, 201, `${viewer} follows up ${key}: ${fu.text}`);
            assert.equal(ct.status, 201, ct.text);
            assertProblem(assert, up, 409, 'version_conflict'); // allowed, but the version is stale
            assert.equal(att.status, 201);
          }
        }
        // what a refused writer tried is nowhere
        const owner = c.wang;
        for (const key of ALL) {
          if (WRITES[viewer].includes(key)) continue;
          const fus = (await owner.get(`/api/v1/customers/${cust[key].id}/followups?limit=500`)).body.items;
          assert.ok(!fus.some((x) => x.content === `${viewer} 写 ${key}`), `${viewer} wrote on ${key}`);
          const cts = (await owner.get(`/api/v1/customers/${cust[key].id}/contacts`)).body.items;
          assert.ok(!cts.some((x) => x.name === `${viewer}加的`));
        }
      });

      it(`${viewer}: only the owner and managers may share; a customer they cannot see is 404`, async () => {
        for (const key of ALL) {
          const target = viewer === 'chen' ? 'zhao' : 'chen';
          const r = await c[viewer].post(`/api/v1/customers/${cust[key].id}/shares`, { user_id: users[target].id, mode: 'read', until: new Date(Date.now() + 3600e3).toISOString() });
          const manages = ACCESS[viewer][key] === 'manage';
          if (!SEES[viewer].includes(key)) assertProblem(assert, r, 404);
          else if (key === 'pool' && manages) assertProblem(assert, r, 409, 'conflict');
          else if (!manages) assertProblem(assert, r, 403, 'forbidden');
          else {
            assert.ok(r.status === 201 || r.status === 200, `${viewer} shares ${key}: ${r.text}`);
            // take it back so the matrix stays as it is
            const del = await c[viewer].delete(`/api/v1/customers/${cust[key].id}/shares/${users[target].id}`);
            assert.equal(del.status, 204);
          }
        }
      });
    }

    it('a protected customer is invisible to everyone but its owner, its sharees and the owner\'s managers', async () => {
      const seeing = VIEWERS.filter((v) => SEES[v].includes('prot'));
      assert.deepEqual(seeing.sort(), ['admin', 'li', 'wang', 'zhang']);
      const seeingShared = VIEWERS.filter((v) => SEES[v].includes('prsh'));
      assert.deepEqual(seeingShared.sort(), ['admin', 'li', 'liu', 'wang', 'zhang']);
      // the owner lifts the protection: the scope rules apply again (sun, finance, reads it)
      const cur = (await c.zhang.get(`/api/v1/customers/${cust.prot.id}`)).body;
      assertProblem(assert, await c.sun.get(`/api/v1/customers/${cust.prot.id}`), 404);
      const un = await c.zhang.put(`/api/v1/customers/${cust.prot.id}/protection`, { protected: false, version: cur.version });
      assert.equal(un.status, 200, un.text);
      assert.equal((await c.sun.get(`/api/v1/customers/${cust.prot.id}`)).status, 200);
      assertProblem(assert, await c.chen.get(`/api/v1/customers/${cust.prot.id}`), 404, 'not_found');
      assertProblem(assert, await c.huang.get(`/api/v1/customers/${cust.prot.id}`), 404, 'not_found');
      const re = await c.zhang.put(`/api/v1/customers/${cust.prot.id}/protection`, { protected: true, version: un.body.version });
      assert.equal(re.status, 200);
      assertProblem(assert, await c.sun.get(`/api/v1/customers/${cust.prot.id}`), 404);
    });

    it('after a share expires, the sharee\'s reminder keeps no trace of the customer\'s name', async () => {
      const items = (await c.liu.get('/api/v1/reminders?limit=500')).body.items;
      const rem = items.find((x) => x.id === cust.shex.reminder);
      assert.ok(rem, 'the reminder itself stays liu\'s');
      assert.equal(rem.customer_name, null);
      const s = (await c.zhang.get(`/api/v1/customers/${cust.shex.id}/shares`)).body.items;
      assert.equal(s.find((x) => x.user_id === users.liu.id).expired, true);
      // and a new reminder cannot point at it
      const r = await c.liu.post('/api/v1/reminders', { kind: 'task', title: 'x', due_at: '2030-01-01', customer_id: cust.shex.id });
      assertProblem(assert, r, 422);
    });
  });
}

// A protected customer's duplicate check tells others only that it exists.
for (const engine of engines()) {
  describe(`duplicates of protected customers [${engine}]`, () => {
    let srv;
    before(async () => { srv = await startServer({ engine }); });
    after(async () => { await srv.stop(); });
    it('shows no name, number or owner of a protected customer to someone who cannot see it', async () => {
      const zhao = await srv.login('zhao');
      const zhang = await srv.login('zhang');
      const c = await zhao.post('/api/v1/customers', { name: '保护查重测试公司', phone: '13655554444', protected: true });
      assert.equal(c.status, 201, c.text);
      const r = await zhang.get('/api/v1/customers/duplicates?phone=13655554444');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.items, [{ matched: 'phone', hidden: true }]);
      const post = await zhang.post('/api/v1/customers', { name: '别的名字', phone: '136-5555-4444' });
      assert.equal(post.status, 422);
      assert.ok(!post.text.includes('保护查重测试公司'), 'the refusal does not leak the name');
      const own = await zhao.get('/api/v1/customers/duplicates?phone=13655554444');
      assert.equal(own.body.items[0].name, '保护查重测试公司', 'the owner still sees it');
    });
  });
}

// The list's filter writes up to 24 shared customers into the query as values
// and looks the shares up per row beyond (core/policy.c): both ways give the
// same rows, in lists, searches and other orders, and an ended share counts
// in neither.
for (const engine of engines()) {
  describe(`many customers shared with one user [${engine}]`, () => {
    let srv;
    before(async () => { srv = await startServer({ engine }); });
    after(async () => { await srv.stop(); });
    it('the list and the search show every share, whether 3 or 30', async () => {
      const zhao = await srv.login('zhao');
      const zhang = await srv.login('zhang');
      const me = (await zhang.get('/api/v1/me')).body;
      const ids = [];
      for (let i = 0; i < 31; i++) {
        const r = await zhao.post('/api/v1/customers', { name: `共享甚多客户${i}`, phone: `1356666${String(i).padStart(4, '0')}`, protected: true });
        assert.equal(r.status, 201, r.text);
        ids.push(r.body.id);
      }
      const seen = async () => {
        const out = {};
        for (const [name, q] of [['list', ''], ['search', '&q=共享甚多'], ['phone', '&q=13566660'], ['by name', '&q=共享甚多&sort=name']]) {
          const r = await zhang.get(`/api/v1/customers?limit=100${q}`);
          assert.equal(r.status, 200, r.text);
          out[name] = r.body.items.filter((c) => ids.includes(c.id)).map((c) => c.id).sort((a, b) => a - b);
        }
        return out;
      };
      const share = async (i) => {
        const r = await zhao.post(`/api/v1/customers/${ids[i]}/shares`, { user_id: me.id, mode: 'read' });
        assert.equal(r.status, 201, r.text);
      };
      for (const v of Object.values(await seen())) assert.deepEqual(v, [], 'protected, not shared: not seen');
      for (let i = 0; i < 3; i++) await share(i);
      for (const [k, v] of Object.entries(await seen())) assert.deepEqual(v, ids.slice(0, 3), `3 shares, ${k}`);
      for (let i = 3; i < 30; i++) await share(i);
      for (const [k, v] of Object.entries(await seen())) assert.deepEqual(v, ids.slice(0, 30), `30 shares, ${k}`);
    });
  });
}
