// route_matrix_policy.mjs — the documented policy, written once for the route
// matrix (route_matrix.test.mjs): each role's permissions (core/policy.c and
// core/policy_projects.c), the data scopes, who manages whom, and for every
// record kind that `tradeflow routes` names, who sees a record (the access:
// 0 none, 1 read, 2 write, 3 manage) and what each of its routes needs. The
// rules come from the comments of policy.h, policy_quotations.h and the
// handlers' documented contracts, never from asking the server: the test
// compares the server's replies against them.

export const NONE = 0, READ = 1, WRITE = 2, MANAGE = 3;

// core/policy.c and core/policy_projects.c: permission → roles
const A = 'admin', M = 'sales_manager', S = 'salesperson', F = 'finance', W = 'warehouse', V = 'aftersales';
const EVERY = [A, M, S, F, W, V];
export const ROLE_PERMS = {
  'users.read': [A, M], 'users.manage': [A], 'departments.manage': [A], 'flows.manage': [A],
  'approvals.read_all': [A], 'tokens.manage': EVERY, 'audit.read': [A], 'metrics.read': [A],
  'customers.create': [A, M, S], 'customers.assign': [A, M], 'customers.claim': [M, S],
  'customers.import': [A, M, S], 'customers.export': EVERY, 'dicts.manage': [A],
  'settings.manage': [A], 'documents.templates': [A], 'wechat.read': [A, M, S],
  'products.read': EVERY, 'products.manage': [A], 'products.cost': [A, M, F, W],
  'pricing.manage': [A], 'stock.move': [A, W], 'quotations.read': [A, M, S, F],
  'quotations.write': [A, M, S], 'contracts.read': EVERY, 'contracts.write': [A, M, S],
  'finance.write': [A, F], 'finance.read': [A, M, S, F], 'goods.deliver': [A, W],
  'projects.create': [A, M, S], 'projects.assign': [A, M], 'projects.apply': [M, S],
  'projects.templates': [A, M],
};

/** The policy over the company's people: users [{id, role, department_id}],
 * departments [{id, parent_id, manager_id}]. */
export function policyModel(users, departments) {
  const user = new Map(users.map((u) => [u.id, u]));
  const dept = new Map(departments.map((d) => [d.id, d]));
  const up = (d) => { const out = []; for (let x = dept.get(d); x; x = dept.get(x.parent_id)) out.push(x); return out; };
  const m = {
    allows(u, perm) {
      if (perm === 'public' || perm === 'signed-in') return true;
      return (ROLE_PERMS[perm] || []).includes(u.role);
    },
    scope(u) { return u.role === S ? 'own' : u.role === M ? 'dept' : 'all'; },
    /** manager manages user: a department at or above the user's names them,
     * and their role manages (policy.h: sales manager or administrator; the
     * head of the finance, warehouse or after-sales department does not). */
    isManagerOf(manager, userId) {
      if (!userId || manager.id === userId || ![A, M].includes(manager.role)) return false;
      return up(user.get(userId)?.department_id).some((d) => d.manager_id === manager.id);
    },
    /** u's data scope covers owner: own, department subtree, or all. */
    seesOwner(u, owner) {
      if (!owner) return false;
      const s = m.scope(u);
      if (s === 'all') return true;
      if (owner === u.id) return true;
      if (s === 'own' || !u.department_id) return false;
      return up(user.get(owner)?.department_id).some((d) => d.id === u.department_id);
    },
    // policy.h: the customer's owner, the pool for everyone, sharees, the
    // owner's managers, and unless protected whoever's scope covers the owner
    customer(u, c) {
      const assign = m.allows(u, 'customers.assign');
      if (!c.owner_id) return assign ? MANAGE : READ;
      if (c.owner_id === u.id || m.isManagerOf(u, c.owner_id)) return MANAGE;
      const sh = c.shares.find((s) => s.user_id === u.id && !s.expired);
      if (sh) return sh.mode === 'write' ? WRITE : READ;
      if (!c.protected && m.seesOwner(u, c.owner_id)) return assign ? MANAGE : READ;
      return NONE;
    },
    // policy.h: scope covers the owner, the owner's managers, members (write),
    // unassigned ones for salespeople and managers; manage for the owner, the
    // owner's managers and, with projects.assign, whoever covers the owner
    project(u, p) {
      const assign = m.allows(u, 'projects.assign');
      let acc = NONE;
      if (m.scope(u) === 'all') acc = assign ? MANAGE : READ;
      if (!p.owner_id) {
        if (u.role === S || u.role === M) acc = Math.max(acc, assign ? MANAGE : READ);
      } else if (p.owner_id === u.id || m.isManagerOf(u, p.owner_id)) acc = MANAGE;
      else if (m.seesOwner(u, p.owner_id)) acc = Math.max(acc, assign ? MANAGE : READ);
      if (p.members.includes(u.id)) acc = Math.max(acc, WRITE);
      return acc;
    },
    // policy_quotations.h: owner, owner's managers, scope, the customer's
    // owner; manage for administrators and the owner's managers, write for
    // the owner (both with the write permission), read for the rest
    ownerDoc(u, d, readPerm, writePerm) {
      if (!m.allows(u, readPerm)) return NONE;
      const writes = m.allows(u, writePerm);
      if (writes && (u.role === A || m.isManagerOf(u, d.owner_id))) return MANAGE;
      if (writes && d.owner_id === u.id) return WRITE;
      if (d.owner_id === u.id || d.customer_owner === u.id || m.seesOwner(u, d.owner_id) ||
          m.isManagerOf(u, d.owner_id)) return READ;
      return NONE;
    },
    quotation(u, q) { return m.ownerDoc(u, q, 'quotations.read', 'quotations.write'); },
    contract(u, c) { return m.ownerDoc(u, c, 'contracts.read', 'contracts.write'); },
    /** applications: the applicant; with the assign permission whoever
     * manages or covers the applicant (approvals/applications.c). */
    application(u, a, assignPerm) {
      if (a.applicant_id === u.id) return READ;
      if (!m.allows(u, assignPerm)) return NONE;
      return m.isManagerOf(u, a.applicant_id) || m.seesOwner(u, a.applicant_id) ? READ : NONE;
    },
    /** core/approvals.c: the applicant, administrators, the deciders of its
     * steps (by person or role) and the managers above a named decider, and
     * whoever may see the document. */
    approvalView(u, q) {
      if (u.id === q.applicant_id || u.role === A) return true;
      for (const s of q.steps) {
        if (s.user_id === u.id) return true;
        if (s.user_id == null && s.role === u.role) return true;
      }
      if (q.steps.some((s) => s.user_id && m.managesAbove(u, s.user_id))) return true;
      return q.docAccess(u) > NONE;
    },
    /** u manages a department strictly above the one that `decider` manages. */
    managesAbove(u, decider) {
      for (const d of dept.values()) {
        if (d.manager_id !== decider || !d.parent_id) continue;
        if (up(d.parent_id).some((x) => x.manager_id === u.id)) return true;
      }
      return false;
    },
    approvalDecide(u, q) {
      if (q.state !== 'pending') return false;
      if (u.role === A) return true;
      if (u.id === q.applicant_id) return false;
      const step = q.steps.find((s) => s.seq === q.current_step);
      if (!step) return false;
      return step.user_id ? step.user_id === u.id : step.role === u.role;
    },
    /** Saved views: the owner; a view shared with the department for everyone
     * whose department is the owner's or beneath it. */
    view(u, v) {
      if (v.user_id === u.id) return MANAGE;
      if (!v.shared_with_department || !u.department_id) return NONE;
      return up(u.department_id).some((d) => d.id === user.get(v.user_id)?.department_id) ? READ : NONE;
    },
  };
  return m;
}
