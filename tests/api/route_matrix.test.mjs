// route_matrix.test.mjs — the permission matrix, walked from the route table
// (issue 17): `tradeflow routes` lists every route with its permission and
// the record kind of its {id}; for every such route, every demo user and
// records of that kind in each situation that matters (owned in another
// department, protected, shared with someone, in the pool, a project with a
// member, pending approvals, private records), the reply must be what the
// documented policy says (route_matrix_policy.mjs, route_matrix_kinds.mjs):
//   - denied: never 2xx (nor 5xx), 404 when the user may not even see the
//     record, and the record (read as the administrator or its owner, with its
//     history) unchanged afterwards — the request carries a body that would
//     pass, so only the policy stands in the way;
//   - allowed: 2xx, or a refusal of the input or state (4xx other than 403 and
//     404). Allowed writes are sent with a stale version or an unknown field so
//     they change nothing (but those that add a contact, a follow-up, ...,
//     which changes no one's access); allowed deletions run last.
// A route whose {id} names no known kind, or a kind without records, fails.
// Routes without an id that name a record in their body are walked too.
// TF_MATRIX_DEBUG=1 prints the denials answered otherwise than 403 or 404 and
// the answers to allowed writes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { engines, startServer, run } from '../lib/server.mjs';
import { policyModel, NONE, READ, WRITE } from './route_matrix_policy.mjs';
import { KINDS, NEEDS } from './route_matrix_kinds.mjs';

const LOGINS = ['admin', 'wang', 'li', 'huang', 'zhang', 'chen', 'liu', 'zhao', 'sun', 'zhou', 'wu', 'zheng'];
const V1 = '/api/v1';
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

/** The route table as the server has it: method, pattern, permission, kind. */
function routeTable() {
  return run(['routes']).trim().split('\n').map((l) => {
    const [method, pattern, perm, kind] = l.split(' ');
    return { method, pattern, perm, kind, key: `${method} ${pattern}` };
  });
}

// Bodies that would pass for someone allowed: the policy alone refuses them.
const BODIES = {
  'PATCH /api/v1/customers/{id}': (r) => ({ version: r.version, notes: 'matrix' }),
  'PUT /api/v1/customers/{id}/protection': (r) => ({ protected: !r.protected, version: r.version }),
  'POST /api/v1/customers/{id}/claim': () => ({}),
  'POST /api/v1/customers/{id}/contacts': () => ({ name: '矩阵联系人' }),
  'PATCH /api/v1/contacts/{id}': (r) => ({ version: r.version, title: 'matrix' }),
  'POST /api/v1/customers/{id}/shares': (r, ctx) => ({ user_id: ctx.users.zheng.id, mode: 'read' }),
  'POST /api/v1/customers/{id}/followups': () => ({ content: 'matrix' }),
  'POST /api/v1/followups/{id}/attachments': () => ({ filename: 'm.txt', content_type: 'text/plain', data_base64: 'eA==' }),
  'PATCH /api/v1/followups/{id}': (r) => ({ version: r.version, content: 'matrix edit' }),
  'PATCH /api/v1/reminders/{id}': (r) => ({ version: r.version, done: true }),
  'POST /api/v1/wechat/fans/{id}/transfer': (r) => ({ customer_id: r.target.id, version: r.version }),
  'PATCH /api/v1/projects/{id}': (r) => ({ version: r.version, notes: 'matrix' }),
  'POST /api/v1/projects/{id}/members': (r, ctx) => ({ user_id: ctx.users.chen.id, role: 'matrix' }),
  'POST /api/v1/projects/{id}/followups': () => ({ content: 'matrix' }),
  'POST /api/v1/projects/{id}/close': (r) => ({ outcome: 'lost', reason: 'matrix', version: r.version }),
  'PUT /api/v1/projects/{id}/checklist/{item_key}': () => ({ done: true }),
  'PATCH /api/v1/quotations/{id}': (r) => ({ version: r.version, notes: 'matrix' }),
  'PATCH /api/v1/contracts/{id}': (r) => ({ version: r.version, notes: 'matrix' }),
  'POST /api/v1/contracts/{id}/invoices': () => ({ kind: 'general', invoice_date: today(), amount: 100 }),
  'POST /api/v1/contracts/{id}/receipts': () => ({ amount: 100, receipt_date: today(), method: 'bank_transfer' }),
  'POST /api/v1/contracts/{id}/invoice-and-receipt': () => ({
    invoice: { kind: 'general', invoice_date: today(), amount: 100 },
    receipt: { amount: 100, receipt_date: today(), method: 'bank_transfer' } }),
  'POST /api/v1/approvals/{id}/reject': (r) => ({ version: r.version, comment: 'matrix' }),
};

// Allowed writers send these for real: what they add or mark changes no
// one's access, so the matrix stays as it was (every other allowed write is
// spoiled, see spoiled()).
const HARMLESS = new Set([
  'POST /api/v1/customers/{id}/contacts', 'PATCH /api/v1/contacts/{id}', 'POST /api/v1/customers/{id}/followups',
  'POST /api/v1/followups/{id}/attachments', 'POST /api/v1/projects/{id}/followups',
  'PUT /api/v1/projects/{id}/checklist/{item_key}', 'PATCH /api/v1/projects/{id}/members/{user_id}',
]);

/** A body from the operation's schema: its required members, the version. */
function schemaBody(op, rec) {
  const content = op?.requestBody?.content;
  if (!content) return undefined;
  const type = Object.keys(content)[0];
  if (type !== 'application/json') return { raw: 'matrix', type: 'application/octet-stream' };
  const s = content[type].schema || {};
  const out = {};
  for (const name of s.required || []) {
    const p = s.properties?.[name] || {};
    if (name === 'version') out.version = rec.version ?? 1;
    else if (p.enum) out[name] = p.enum[0];
    else out[name] = { string: 'matrix', integer: 1, boolean: false, array: [], object: {} }[p.type] ?? 'matrix';
  }
  if (s.properties?.version && rec.version !== undefined) out.version = rec.version;
  return out;
}

for (const engine of engines()) {
  describe(`route permission matrix [${engine}]`, () => {
    let srv, doc, model;
    const ctx = { clients: {}, users: {}, owned: {}, contactOf: {}, followupOf: {}, attachmentOf: {} };
    const records = {}; // kind → [{label, id}]
    const routes = routeTable();
    const tally = { requests: 0, denied: 0, allowed: 0, cells: 0 };

    before(async () => {
      srv = await startServer({ engine, threads: 4 });
      await Promise.all(LOGINS.map(async (l) => { ctx.clients[l] = await srv.login(l); }));
      const admin = ctx.admin = ctx.clients.admin;
      const people = async () => {
        const users = (await admin.get(`${V1}/users?limit=500`)).body.items;
        for (const u of users) ctx.users[u.login] = u;
        const depts = (await admin.get(`${V1}/departments`)).body.items;
        model = ctx.model = policyModel(users, depts);
      };
      await people();
      doc = (await admin.get(`${V1}/openapi.json`)).body;
      await makeRecords();
      await people(); // with the users made for the matrix
    });
    after(async () => { await srv.stop(); });

    const ok = (r, what) => { assert.ok(r.status >= 200 && r.status < 300, `${what}: ${r.status} ${r.text.slice(0, 300)}`); return r.body; };
    const add = (kind, label, id) => (records[kind] ||= []).push({ label, id });

    /** The records of every kind, in the situations the policy tells apart:
     * the demo company's own (two teams: East China zhang, chen under li;
     * North China liu, zhao under huang; wang above both) and a few made here. */
    async function makeRecords() {
      const c = ctx.clients, u = ctx.users, admin = c.admin;
      // customers of liu (North China): plain, protected, protected and shared
      // with zhang (read) or chen (write) or once with zhao (ended); one in
      // the pool; one of zhang's (East China)
      const cust = {};
      const mk = async (key, who, body) => {
        const r = ok(await c[who].post(`${V1}/customers`, { name: `矩阵客户 ${key} ${engine}`, ...body }), `customer ${key}`);
        cust[key] = r.id;
      };
      await mk('plain', 'liu', { phone: '13900000001' });
      await mk('prot', 'liu', { phone: '13900000002', protected: true });
      await mk('shared_read', 'liu', { phone: '13900000003', protected: true });
      await mk('shared_write', 'liu', { phone: '13900000004', protected: true });
      await mk('pool', 'wang', { phone: '13900000005', owner_id: null });
      await mk('east', 'zhang', { phone: '13900000006' });
      await mk('share_ended', 'liu', { phone: '13900000007', protected: true });
      const ends = Date.now() + 1500;
      ok(await c.liu.post(`${V1}/customers/${cust.share_ended}/shares`,
        { user_id: u.zhao.id, mode: 'write', until: new Date(ends).toISOString() }), 'share');
      ok(await c.liu.post(`${V1}/customers/${cust.shared_read}/shares`, { user_id: u.zhang.id, mode: 'read' }), 'share');
      ok(await c.liu.post(`${V1}/customers/${cust.shared_write}/shares`, { user_id: u.chen.id, mode: 'write' }), 'share');
      // a salesperson in the After-sales department (headed by wu, an
      // after-sales agent, who manages nobody's records for that)
      u.qian = ok(await admin.post(`${V1}/users`, { login: 'qian', name: '钱 Qian', password: 'demo123', role: 'salesperson',
        department_id: u.wu.department_id }), 'user');
      c.qian = await srv.login('qian'); // a record owner, not one of the matrix's viewers
      await mk('after-sales salesperson', 'qian', { phone: '13900000008', protected: true });
      ctx.qianProject = ok(await c.qian.post(`${V1}/projects`, { name: `矩阵项目 ${engine}`, customer_id: cust['after-sales salesperson'] }), 'project').id;
      for (const [key, id] of Object.entries(cust)) {
        add('customer', key, id);
        const author = { pool: 'wang', east: 'zhang', 'after-sales salesperson': 'qian' }[key] || 'liu';
        const ct = ok(await c[author].post(`${V1}/customers/${id}/contacts`, { name: `联系人 ${key}` }), 'contact');
        ctx.contactOf[ct.id] = id;
        add('contact', key, ct.id);
        const fu = ok(await c[author].post(`${V1}/customers/${id}/followups`, { content: `跟进 ${key}` }), 'follow-up');
        ctx.followupOf[fu.id] = { customer_id: id, author_id: u[author].id, version: fu.version };
        add('followup', key, fu.id);
        const at = ok(await c[author].post(`${V1}/followups/${fu.id}/attachments`,
          { filename: `${key}.txt`, content_type: 'text/plain', data_base64: 'eA==' }), 'attachment');
        ctx.attachmentOf[at.id] = id;
        add('attachment', key, at.id);
      }
      ctx.fanTarget = cust.plain;
      // the demo's documents, found by their owners
      const items = async (path) => ok(await admin.get(`${V1}${path}`), path).items;
      const projects = await items('/projects?limit=500');
      const ownedBy = (kind, list, login, pred = () => true) => list.find((x) => x.owner_id === u[login]?.id && pred(x) &&
        !records[kind]?.some((r) => r.id === x.id));
      // a situation the demo company no longer has fails here, not silently
      const pick = (kind, label, x) => { assert.ok(x, `the demo company has no ${kind} "${label}"`); add(kind, label, x.id); };
      // liu's project with zhang (East) as a member; zhang's with an
      // after-sales member; one unassigned
      const members = {};
      for (const p of projects) members[p.id] = (await items(`/projects/${p.id}/members`)).map((m) => m.user_id);
      pick('project', 'north, east member', projects.find((p) => p.owner_id === u.liu.id && members[p.id].includes(u.zhang.id)));
      pick('project', 'east, after-sales member', projects.find((p) => p.owner_id === u.zhang.id && members[p.id].includes(u.wu.id)));
      pick('project', 'unassigned', projects.find((p) => p.owner_id == null));
      add('project', 'after-sales salesperson', ctx.qianProject);
      // zhang's documents for liu's customer shared with him: liu, the
      // customer's owner, reads them; liu's manager does not
      const prod = (await items('/products?limit=500'))[0];
      const docBody = { customer_id: cust.shared_read, lines: [{ product_id: prod.id, qty_milli: 1000 }] };
      add('quotation', 'east on a north customer', ok(await c.zhang.post(`${V1}/quotations`, docBody), 'quotation').id);
      add('contract', 'east on a north customer', ok(await c.zhang.post(`${V1}/contracts`, docBody), 'contract').id);
      const quotations = await items('/quotations?limit=500');
      pick('quotation', 'north', ownedBy('quotation', quotations, 'liu'));
      pick('quotation', 'east draft', ownedBy('quotation', quotations, 'zhang', (q) => q.state === 'draft'));
      const contracts = await items('/contracts?limit=500');
      pick('contract', 'north fulfilling', ownedBy('contract', contracts, 'liu', (x) => x.state === 'fulfilling'));
      pick('contract', 'east draft', ownedBy('contract', contracts, 'zhang', (x) => x.state === 'draft'));
      pick('contract', 'east effective', ownedBy('contract', contracts, 'zhang', (x) => x.state === 'effective'));
      for (const d of (await items('/deliveries?limit=500')).slice(0, 2)) add('delivery', `of contract ${d.contract_id}`, d.id);
      for (const r of (await items('/returns?limit=500')).slice(0, 2)) add('return', r.state, r.id);
      const approvals = await items('/approvals?box=all&limit=500');
      for (const type of ['return', 'customer_application', 'quotation', 'project_application', 'contract'])
        pick('approval', `${type} pending`, approvals.find((a) => a.doc_type === type && a.state === 'pending'));
      pick('customer_application', 'east applicant', (await items('/customer-applications?box=all&limit=500'))[0]);
      pick('project_application', 'north applicant', (await items('/project-applications?box=all&limit=500'))[0]);
      // private records of liu: a reminder, views (one shared with the team),
      // an import job, an API token, the calendar feed
      const rem = ok(await c.liu.post(`${V1}/reminders`, { kind: 'task', title: 'matrix', due_at: '2030-01-01' }), 'reminder');
      ctx.owned[`reminder:${rem.id}`] = { user_id: u.liu.id, login: 'liu', version: rem.version };
      add('reminder', 'liu\'s', rem.id);
      for (const shared of [false, true]) {
        const v = ok(await c.liu.post(`${V1}/views`, { resource: 'customers', name: `matrix ${shared}`, shared_with_department: shared }), 'view');
        ctx.owned[`view:${v.id}`] = { user_id: u.liu.id, login: 'liu' };
        add('view', shared ? 'shared with north' : 'private', v.id);
      }
      const up = ok(await c.liu.post(`${V1}/imports?filename=m.csv`, Buffer.from('名称,电话\n矩阵导入,13900000009\n'),
        { 'Content-Type': 'text/csv' }), 'import');
      ctx.owned[`import:${up.id}`] = { user_id: u.liu.id, login: 'liu' };
      add('import', 'liu\'s', up.id);
      const tok = ok(await c.liu.post(`${V1}/tokens`, { name: 'matrix' }), 'token');
      ctx.owned[`token:${tok.id}`] = { user_id: u.liu.id, login: 'liu' };
      add('token', 'liu\'s', tok.id);
      const feed = ok(await c.liu.post(`${V1}/reminders/feed`), 'feed');
      records.calendar_feed = [{ label: 'liu\'s', id: feed.url.split('/').pop() }];
      // the company's shared records: the first of each list
      const first = async (kind, path) => pick(kind, 'first', (await items(path))[0]);
      add('user', 'liu', u.liu.id);
      add('department', 'north', u.liu.department_id);
      await first('approval_flow', '/approval-flows');
      records.setting = [{ label: 'pool rules', id: 'pool_rules' }, { label: 'wechat', id: 'wechat' }];
      await first('dictionary', '/dictionaries');
      const cf = ok(await admin.post(`${V1}/custom-fields`, { entity: 'customer', key: 'matrix', label: '矩阵', type: 'text' }), 'custom field');
      add('custom_field', 'matrix', cf.id);
      await first('followup_template', '/followup-templates');
      await first('wechat_fan', '/wechat/fans?limit=500');
      await first('process_template', '/process-templates');
      records.document_template = [{ label: 'quotation', id: 'quotation' }];
      await first('product_category', '/product-categories');
      await first('product', '/products?limit=500');
      await first('warehouse', '/warehouses');
      await first('customer_tier', '/customer-tiers');
      await first('price_rule', '/price-rules?limit=500');
      records.currency = [{ label: 'USD', id: 'USD' }];
      await new Promise((done) => setTimeout(done, Math.max(0, ends + 200 - Date.now()))); // zhao's share has ended
    }

    /** The path of route rt for record rec (its facts f). */
    function pathOf(rt, rec, f) {
      const extra = KINDS[rt.kind].params?.(f) || {};
      let first = true, missing = false;
      let p = rt.pattern.replace(/\{(\w+)\}/g, (_, name) => {
        if (first) { first = false; return encodeURIComponent(rec.id); }
        if (extra[name] == null) missing = true;
        return encodeURIComponent(extra[name] ?? 1);
      });
      const params = doc.paths[rt.pattern]?.[rt.method.toLowerCase()]?.parameters || [];
      const q = params.filter((x) => x.in === 'query' && x.required)
        .map((x) => `${x.name}=${x.schema?.enum ? (x.schema.enum.includes('xlsx') ? 'xlsx' : x.schema.enum[0]) : 1}`);
      if (q.length) p += '?' + q.join('&');
      return { path: p, missing };
    }

    function bodyOf(rt, f) {
      if (rt.method === 'GET' || rt.method === 'DELETE') return undefined;
      const b = BODIES[rt.key];
      if (b) return b(f, ctx);
      return schemaBody(doc.paths[rt.pattern]?.[rt.method.toLowerCase()], f) ?? {};
    }

    /** The body an allowed writer gets: one that cannot pass (a stale
     * version, else an unknown member), so the matrix changes nothing. */
    function spoiled(body) {
      if (body === undefined || body.raw) return body;
      return 'version' in body ? { ...body, version: body.version + 1000 } : { ...body, matrix_probe: true };
    }

    function send(client, rt, path, body) {
      tally.requests++;
      if (body?.raw) return client.request(rt.method, path, body.raw, { 'Content-Type': body.type });
      return client.request(rt.method, path, body);
    }

    /** What the policy says of user u on route rt for the record with facts f. */
    function expected(rt, u, f) {
      const acc = KINDS[rt.kind].access(model, u, f);
      if (!model.allows(u, rt.perm)) return { allowed: false, acc };
      const need = NEEDS[rt.key] ?? (rt.method === 'GET' ? READ : WRITE);
      const allowed = typeof need === 'function' ? need(model, u, f, acc) : acc >= need;
      return { allowed, acc };
    }

    async function snapshot(kind, f) {
      const reader = ctx.clients[KINDS[kind].reader?.(f) || 'admin'];
      const out = [];
      for (const p of KINDS[kind].snap(f)) {
        const r = await reader.get(V1 + p);
        out.push(`${p} ${r.status} ${r.text}`);
      }
      return out;
    }

    it('every route with a record id names a record kind the matrix knows, and each kind has records', () => {
      const withId = routes.filter((r) => r.kind !== '-');
      assert.ok(withId.length > 100, 'a real route table');
      const unknown = withId.filter((r) => r.kind === '?' || !KINDS[r.kind]).map((r) => `${r.key} (${r.kind})`);
      assert.deepEqual(unknown, [], 'routes whose {id} names no kind the matrix knows');
      const empty = [...new Set(withId.map((r) => r.kind))].filter((k) => !records[k]?.length);
      assert.deepEqual(empty, [], 'kinds without a record to test');
      const stale = Object.keys(NEEDS).filter((k) => !routes.some((r) => r.key === k));
      assert.deepEqual(stale, [], 'rules for routes that no longer exist');
    });

    // The regression the matrix found: policy_is_manager_of and the list
    // filters let the head of any department manage its members' records,
    // where policy.h gives that to sales managers and administrators only.
    it('the head of a department of another role manages nobody: wu does not see a protected customer of a salesperson in After-sales', async () => {
      const id = records.customer.find((r) => r.label === 'after-sales salesperson').id;
      for (const [login, status] of [['wu', 404], ['zheng', 404], ['wang', 404], ['admin', 200], ['qian', 200]]) {
        const c = ctx.clients[login] || await srv.login(login);
        assert.equal((await c.get(`${V1}/customers/${id}`)).status, status, `${login} reads the customer`);
        const listed = (await c.get(`${V1}/customers?limit=500&protected=true`)).body.items.some((x) => x.id === id);
        assert.equal(listed, status === 200, `${login} lists the customer`);
      }
    });

    // Routes without a record id that name one in their JSON body (a
    // reminder, project, quotation or contract for a customer, a project or
    // a quotation): the body members come from the route table's body
    // schemas in the OpenAPI document. Whoever may not see the named record
    // gets no 2xx (its existence is not confirmed either: 403, 404 or 422).
    const BODY_REFS = { customer_id: 'customer', project_id: 'project', quotation_id: 'quotation' };
    it('routes that name a record in their body: nothing made for a record the user may not see', async () => {
      const failures = [];
      const prod = (await ctx.admin.get(`${V1}/products?limit=1`)).body.items[0];
      let checked = 0;
      for (const rt of routes.filter((r) => r.kind === '-' && r.method === 'POST')) {
        const op = doc.paths[rt.pattern]?.post;
        const schema = op?.requestBody?.content?.['application/json']?.schema;
        for (const prop of Object.keys(schema?.properties || {}).filter((x) => BODY_REFS[x])) {
          const kind = BODY_REFS[prop];
          for (const rec of records[kind]) {
            const f = await KINDS[kind].load(ctx, rec.id);
            const body = { ...schemaBody(op, {}), [prop]: rec.id };
            if (schema.properties.lines) body.lines = [{ product_id: prod.id, qty_milli: 1000 }];
            if (rt.pattern.endsWith('/reminders')) body.due_at = '2030-01-01';
            await Promise.all(LOGINS.map(async (l) => {
              const u = ctx.users[l];
              if (model.allows(u, rt.perm) && KINDS[kind].access(model, u, f) > NONE) return;
              checked++;
              const r = await send(ctx.clients[l], rt, V1 + rt.pattern.slice(V1.length), body);
              const cell = `${rt.key} {${prop}: ${kind} "${rec.label}" #${rec.id}} as ${l} (${u.role}): ${r.status}`;
              if (process.env.TF_MATRIX_DEBUG) console.log('body-ref', cell, r.text.slice(0, 160));
              if (r.status < 300 || r.status >= 500) failures.push(`${cell}, but the policy denies: ${r.text.slice(0, 200)}`);
              else if (![403, 404, 422].includes(r.status)) failures.push(`${cell}: 403, 404 or 422 expected: ${r.text.slice(0, 200)}`);
            }));
          }
        }
      }
      console.log(`route matrix [${engine}]: ${checked} refusals of records named in a body`);
      assert.ok(checked > 100, 'a real number of cases');
      assert.deepEqual(failures, [], `${failures.length} replies against the policy`);
    });

    it('every route × every demo user × every record: no 2xx where the policy denies, nothing changed', async () => {
      const failures = [];
      const fail = (msg) => { if (failures.length < 200) failures.push(msg); };
      const probes = []; // allowed writes, sent after every denial was checked
      const kinds = [...new Set(routes.filter((r) => KINDS[r.kind]).map((r) => r.kind))];
      for (const kind of kinds) {
        const rts = routes.filter((r) => r.kind === kind);
        for (const rec of records[kind] || []) {
          const f = await KINDS[kind].load(ctx, rec.id);
          for (const rt of rts) {
            const { path, missing } = pathOf(rt, rec, f);
            const body = bodyOf(rt, f);
            const who = LOGINS.map((l) => ({ l, u: ctx.users[l], ...expected(rt, ctx.users[l], f) }));
            tally.cells += who.length;
            const denied = who.filter((w) => !w.allowed);
            const unsafe = rt.method !== 'GET';
            const before = unsafe && denied.length ? await snapshot(kind, f) : null;
            const check = (w, r, allowed) => {
              const cell = `${rt.key} ${kind} "${rec.label}" #${rec.id} as ${w.l} (${w.u.role}): ${r.status}`;
              if (r.status >= 500) return fail(`${cell} server error ${r.text.slice(0, 200)}`);
              if (allowed) {
                tally.allowed++;
                if (process.env.TF_MATRIX_DEBUG && unsafe) console.log('allowed-write', r.status, cell, r.text.slice(0, 120));
                if (r.status === 403 || (r.status === 404 && !missing)) fail(`${cell}, but the policy allows: ${r.text.slice(0, 200)}`);
                else if (!unsafe && r.status >= 300 && !missing) fail(`${cell}: a read the policy allows must answer 2xx: ${r.text.slice(0, 200)}`);
              } else {
                tally.denied++;
                if (process.env.TF_MATRIX_DEBUG && r.status !== 403 && r.status !== 404) console.log('denied-other', r.status, cell, r.text.slice(0, 160));
                if (r.status < 300) fail(`${cell}, but the policy denies`);
                else if (w.acc === NONE && model.allows(w.u, rt.perm) && r.status !== 404)
                  fail(`${cell}, but the record is not theirs to see: 404 expected`);
              }
            };
            const sent = await Promise.all(who.map(async (w) => {
              if (!w.allowed) return [w, await send(ctx.clients[w.l], rt, path, body)];
              if (!unsafe) return [w, await send(ctx.clients[w.l], rt, path, undefined)];
              probes.push({ w, rt, kind, rec, path, body: HARMLESS.has(rt.key) ? body : spoiled(body), check });
              return null;
            }));
            for (const s of sent) if (s) check(s[0], s[1], s[0].allowed);
            if (before) {
              const afterSnap = await snapshot(kind, f);
              before.forEach((b, i) => {
                if (b !== afterSnap[i]) fail(`${rt.key} ${kind} "${rec.label}": changed by denied users ${denied.map((w) => w.l).join(',')}: ${b.slice(0, 300)}\n  → ${afterSnap[i].slice(0, 300)}`);
              });
            }
          }
        }
      }
      // the allowed writes: deletions last, and last of all those that take
      // someone's access away (a share, a membership); a deletion after a
      // successful one may find nothing
      const late = (p) => (p.rt.method !== 'DELETE' ? 0 : p.rt.pattern.endsWith('/{user_id}') ? 2 : 1);
      probes.sort((a, b) => late(a) - late(b));
      const gone = new Set();
      for (const p of probes) {
        const r = await send(ctx.clients[p.w.l], p.rt, p.path, p.body);
        const k = `${p.rt.key} ${p.rec.id}`;
        if (p.rt.method === 'DELETE' && r.status === 404 && gone.has(k)) { tally.allowed++; continue; }
        if (p.rt.method === 'DELETE' && r.status < 300) gone.add(k);
        p.check(p.w, r, true);
      }
      console.log(`route matrix [${engine}]: ${routes.filter((r) => r.kind !== '-').length} routes with a record id, ` +
        `${Object.keys(records).length} kinds, ${Object.values(records).flat().length} records, ${LOGINS.length} users: ` +
        `${tally.cells} cells, ${tally.denied} denied, ${tally.allowed} allowed, ${tally.requests} requests`);
      assert.deepEqual(failures, [], `${failures.length} replies against the policy`);
    });
  });
}
