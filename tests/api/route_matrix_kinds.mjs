// route_matrix_kinds.mjs — for the route matrix (route_matrix.test.mjs), every
// record kind that `tradeflow routes` names: how its facts are read (as the
// administrator, or the owner of a private record), who has which access to it
// (route_matrix_policy.mjs), and what each route on it needs beyond its route
// permission. A route not listed in NEEDS needs read access for GET and write
// access otherwise. A route's further parameters come from the kind's
// `params` (a share's user, a member, a revision); when the record has no such
// part, the allowed users may find nothing (404). A new kind is missing here until someone writes its rule,
// and the matrix fails until then.
import { NONE, READ, WRITE, MANAGE } from './route_matrix_policy.mjs';

const V1 = '/api/v1';
const get = async (c, path) => {
  const r = await c.get(V1 + path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text.slice(0, 200)}`);
  return r.body;
};

async function customerFacts(ctx, id) {
  const c = await get(ctx.admin, `/customers/${id}`);
  const shares = (await get(ctx.admin, `/customers/${id}/shares`)).items;
  return { id, owner_id: c.owner_id, protected: c.protected, version: c.version, shares };
}
async function docFacts(ctx, path) {
  const d = await get(ctx.admin, path);
  const cu = await get(ctx.admin, `/customers/${d.customer_id}`);
  return { ...d, customer_owner: cu.owner_id };
}
const custSnap = (cid) => [`/customers/${cid}`, `/customers/${cid}/history`, `/customers/${cid}/contacts`,
  `/customers/${cid}/shares`, `/customers/${cid}/followups?limit=500`];
const contractSnap = (id) => [`/contracts/${id}`, `/contracts/${id}/history`, `/contracts/${id}/deliveries`,
  `/contracts/${id}/returns`, `/contracts/${id}/invoices`, `/contracts/${id}/receipts`, `/contracts/${id}/payment-plan`];
// a kind with no per-record visibility: the route permission decides
const config = (snap, extra = {}) => ({ load: async (ctx, id) => ({ id }), access: () => MANAGE, snap, ...extra });

export const KINDS = {
  customer: {
    load: (ctx, id) => customerFacts(ctx, id),
    access: (m, u, c) => m.customer(u, c),
    snap: (c) => custSnap(c.id),
    params: (c) => ({ user_id: c.shares[0]?.user_id }),
  },
  contact: {
    load: async (ctx, id) => {
      const customer = await customerFacts(ctx, ctx.contactOf[id]);
      const ct = (await get(ctx.admin, `/customers/${customer.id}/contacts`)).items.find((x) => x.id === id);
      return { id, version: ct.version, customer };
    },
    access: (m, u, c) => m.customer(u, c.customer),
    snap: (c) => custSnap(c.customer.id),
  },
  followup: {
    load: async (ctx, id) => ({ id, ...ctx.followupOf[id], customer: await customerFacts(ctx, ctx.followupOf[id].customer_id) }),
    access: (m, u, f) => m.customer(u, f.customer),
    snap: (f) => custSnap(f.customer.id),
  },
  attachment: {
    load: async (ctx, id) => ({ id, customer: await customerFacts(ctx, ctx.attachmentOf[id]) }),
    access: (m, u, a) => m.customer(u, a.customer),
    snap: (a) => custSnap(a.customer.id),
  },
  project: {
    load: async (ctx, id) => {
      const p = await get(ctx.admin, `/projects/${id}`);
      const members = (await get(ctx.admin, `/projects/${id}/members`)).items.map((x) => x.user_id);
      // a task of the current stage (a field's item is ticked by the field)
      const stage = (p.process?.stages || []).find((st) => st.current);
      const item = stage?.items.find((i) => i.kind === 'task')?.key;
      return { id, owner_id: p.owner_id, version: p.version, members, item };
    },
    access: (m, u, p) => m.project(u, p),
    snap: (p) => [`/projects/${p.id}`, `/projects/${p.id}/history`, `/projects/${p.id}/members`, `/projects/${p.id}/followups`],
    params: (p) => ({ user_id: p.members[0], item_key: p.item }),
  },
  quotation: {
    load: (ctx, id) => docFacts(ctx, `/quotations/${id}`),
    access: (m, u, q) => m.quotation(u, q),
    snap: (q) => [`/quotations/${q.id}`, `/quotations/${q.id}/history`],
    params: (q) => ({ n: q.revision }),
  },
  contract: {
    load: (ctx, id) => docFacts(ctx, `/contracts/${id}`),
    access: (m, u, c) => m.contract(u, c),
    snap: (c) => contractSnap(c.id),
    params: (c) => ({ n: c.revision }),
  },
  delivery: {
    load: async (ctx, id) => ({ id, contract: await docFacts(ctx, `/contracts/${(await get(ctx.admin, `/deliveries/${id}`)).contract_id}`) }),
    access: (m, u, d) => m.contract(u, d.contract),
    snap: (d) => [`/deliveries/${d.id}`, ...contractSnap(d.contract.id)],
  },
  return: {
    load: async (ctx, id) => {
      const r = await get(ctx.admin, `/returns/${id}`);
      return { id, version: r.version, contract: await docFacts(ctx, `/contracts/${r.contract_id}`) };
    },
    access: (m, u, r) => m.contract(u, r.contract),
    snap: (r) => [`/returns/${r.id}`, `/returns/${r.id}/history`, ...contractSnap(r.contract.id)],
  },
  approval: {
    load: async (ctx, id) => {
      const q = await get(ctx.admin, `/approvals/${id}`);
      const kind = { return: 'return', quotation: 'quotation', contract: 'contract' }[q.doc_type];
      let doc = null;
      if (kind) doc = await KINDS[kind].load(ctx, q.doc_id);
      else if (q.doc_type === 'customer_application') doc = await get(ctx.admin, `/customer-applications/${q.doc_id}`);
      else if (q.doc_type === 'project_application') doc = await get(ctx.admin, `/project-applications/${q.doc_id}`);
      else throw new Error(`approval ${id}: no rule for documents of type ${q.doc_type}`);
      // an application's approval: its applicant's managers, and with the
      // assign permission whoever covers the applicant
      const perm = q.doc_type === 'customer_application' ? 'customers.assign' : 'projects.assign';
      const m = ctx.model;
      const docAccess = (u) => kind ? KINDS[kind].access(m, u, doc)
        : m.isManagerOf(u, doc.applicant_id) || (m.allows(u, perm) && m.seesOwner(u, doc.applicant_id)) ? READ : NONE;
      return { id, ...q, docAccess };
    },
    access: (m, u, q) => (m.approvalView(u, q) ? READ : NONE),
    snap: (q) => [`/approvals/${q.id}`, `/approvals/${q.id}/history`],
  },
  customer_application: {
    load: async (ctx, id) => get(ctx.admin, `/customer-applications/${id}`),
    access: (m, u, a) => m.application(u, a, 'customers.assign'),
    snap: (a) => [`/customer-applications/${a.id}`],
  },
  project_application: {
    load: async (ctx, id) => get(ctx.admin, `/project-applications/${id}`),
    access: (m, u, a) => m.application(u, a, 'projects.assign'),
    snap: (a) => [`/project-applications/${a.id}`],
  },
  // private records: their owner alone (an import job is also read by
  // administrators, to help)
  reminder: {
    load: async (ctx, id) => ({ id, ...ctx.owned[`reminder:${id}`] }),
    access: (m, u, r) => (r.user_id === u.id ? MANAGE : NONE),
    snap: () => ['/reminders?limit=500'], reader: (r) => r.login,
  },
  view: {
    load: async (ctx, id) => ({ id, ...ctx.owned[`view:${id}`], ...(await get(ctx.clients[ctx.owned[`view:${id}`].login], `/views/${id}`)) }),
    access: (m, u, v) => m.view(u, v),
    snap: (v) => [`/views/${v.id}`], reader: (v) => v.login,
  },
  import: {
    load: async (ctx, id) => ({ id, ...ctx.owned[`import:${id}`] }),
    access: (m, u, j) => (j.user_id === u.id ? MANAGE : u.role === 'admin' ? READ : NONE),
    snap: (j) => [`/imports/${j.id}`], reader: (j) => j.login,
  },
  token: {
    load: async (ctx, id) => ({ id, ...ctx.owned[`token:${id}`] }),
    access: (m, u, t) => (t.user_id === u.id ? MANAGE : NONE),
    snap: () => ['/tokens'], reader: (t) => t.login,
  },
  calendar_feed: config(() => []), // public: the token in the path is the secret
  user: config((x) => [`/users/${x.id}`, `/users/${x.id}/history`]),
  department: config((x) => [`/departments/${x.id}`, `/departments/${x.id}/history`]),
  approval_flow: config((x) => [`/approval-flows/${x.id}`, `/approval-flows/${x.id}/history`]),
  setting: config((x) => [`/settings/${x.id}`]), // everyone reads (the WeChat token masked)
  dictionary: config(() => ['/dictionaries']),
  custom_field: config(() => ['/custom-fields']),
  followup_template: config(() => ['/followup-templates']),
  wechat_fan: {
    load: async (ctx, id) => {
      const f = await get(ctx.admin, `/wechat/fans/${id}`);
      return { id, version: f.version, current: f.customer_id && await customerFacts(ctx, f.customer_id), target: await customerFacts(ctx, ctx.fanTarget) };
    },
    access: () => MANAGE,
    snap: (f) => [`/wechat/fans/${f.id}`, `/wechat/fans/${f.id}/history`],
  },
  process_template: config((x) => [`/process-templates/${x.id}`, `/process-templates/${x.id}/history`], { params: () => ({ number: 1 }) }),
  document_template: config(() => ['/document-templates'], { params: () => ({ format: 'docx' }) }),
  product_category: config(() => ['/product-categories']),
  product: config((x) => [`/products/${x.id}`, `/products/${x.id}/history`]),
  warehouse: config(() => ['/warehouses']),
  customer_tier: config(() => ['/customer-tiers']),
  price_rule: config(() => ['/price-rules']),
  currency: config(() => ['/currency-rates']),
};

const owner = (m, u, c) => c.owner_id === u.id;
// What a route needs beyond its route permission and, unless said, beyond
// seeing the record (GET: read, otherwise write): an access level, or a
// function (model, user, record, access) → allowed.
export const NEEDS = {
  'PUT /api/v1/customers/{id}/protection': MANAGE,
  'POST /api/v1/customers/{id}/shares': MANAGE,
  'DELETE /api/v1/customers/{id}/shares/{user_id}': MANAGE,
  'POST /api/v1/customers/{id}/claim': READ, // not in the pool: 409
  'POST /api/v1/customers/{id}/apply': READ,
  'POST /api/v1/customers/{id}/release': (m, u, c, acc) => acc > NONE && owner(m, u, c), // managers take back instead
  'PATCH /api/v1/followups/{id}': (m, u, f, acc) => acc > NONE && f.author_id === u.id, // the author, within a day
  'DELETE /api/v1/followups/{id}': (m, u, f, acc) => acc > NONE && f.author_id === u.id,
  'PATCH /api/v1/projects/{id}': MANAGE,
  'POST /api/v1/projects/{id}/members': MANAGE,
  'PATCH /api/v1/projects/{id}/members/{user_id}': MANAGE,
  'DELETE /api/v1/projects/{id}/members/{user_id}': (m, u, p, acc) => acc >= MANAGE || (acc > NONE && p.members[0] === u.id), // or leaves
  'POST /api/v1/projects/{id}/stage': MANAGE,
  'POST /api/v1/projects/{id}/close': MANAGE,
  'POST /api/v1/projects/{id}/reopen': (m, u, p, acc) => acc >= MANAGE && m.allows(u, 'projects.assign'), // a manager's act
  'POST /api/v1/projects/{id}/apply': (m, u, p, acc) => acc > NONE && m.allows(u, 'projects.apply'),
  'PATCH /api/v1/process-templates/{id}': (m, u) => m.allows(u, 'projects.templates'),
  'POST /api/v1/contracts/{id}/deliveries': READ, // goods.deliver on the route
  'POST /api/v1/contracts/{id}/invoices': READ, // finance.write on the route
  'POST /api/v1/contracts/{id}/receipts': READ,
  'POST /api/v1/contracts/{id}/invoice-and-receipt': READ,
  'PUT /api/v1/contracts/{id}/payment-plan': (m, u, c, acc) => acc >= WRITE || (acc > NONE && m.allows(u, 'finance.write')),
  'POST /api/v1/approvals/{id}/approve': (m, u, q, acc) => acc > NONE && m.approvalDecide(u, q),
  'POST /api/v1/approvals/{id}/reject': (m, u, q, acc) => acc > NONE && m.approvalDecide(u, q),
  'POST /api/v1/approvals/{id}/cancel': (m, u, q, acc) => acc > NONE && q.applicant_id === u.id,
  // a fan moves between customers their writers agree on
  'POST /api/v1/wechat/fans/{id}/transfer': (m, u, f) =>
    m.customer(u, f.target) >= WRITE && (!f.current || m.customer(u, f.current) >= WRITE),
  'PATCH /api/v1/views/{id}': MANAGE,
  'DELETE /api/v1/views/{id}': MANAGE,
  'PUT /api/v1/imports/{id}/mapping': MANAGE,
  'POST /api/v1/imports/{id}/dry-run': MANAGE,
  'POST /api/v1/imports/{id}/run': MANAGE,
  'DELETE /api/v1/imports/{id}': MANAGE,
  'DELETE /api/v1/tokens/{id}': MANAGE,
};
