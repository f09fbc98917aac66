/* policy.c — roles, their permissions and data scopes, and the record-level
 * questions (does this user see records of that owner, who manages whom).
 * This file is the only place that knows what a role may do. */
#include "core/policy.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <string.h>

static const char *const role_names[ROLE_COUNT] = {"admin",       "sales_manager", "salesperson",
                                                   "finance",     "warehouse",     "aftersales"};

const char *role_name(tf_role r)
{
    return r < ROLE_COUNT ? role_names[r] : "unknown";
}

bool role_parse(const char *s, tf_role *out)
{
    for (int i = 0; s && i < ROLE_COUNT; i++)
        if (strcmp(s, role_names[i]) == 0) {
            *out = (tf_role)i;
            return true;
        }
    return false;
}

/* Bit per role: A admin, M sales manager, S salesperson, F finance,
 * W warehouse, V after-sales. */
enum { A = 1 << ROLE_ADMIN, M = 1 << ROLE_SALES_MANAGER, S = 1 << ROLE_SALESPERSON,
       F = 1 << ROLE_FINANCE, W = 1 << ROLE_WAREHOUSE, V = 1 << ROLE_AFTERSALES,
       ALL_ROLES = A | M | S | F | W | V };

static const struct {
    const char *perm;
    unsigned roles;
} perms[] = {
    {"users.read", A | M},           /* see the user list (managers pick assignees) */
    {"users.manage", A},             /* create, edit, disable users */
    {"departments.manage", A},       /* edit the department tree */
    {"flows.manage", A},             /* edit approval flows */
    {"approvals.read_all", A},       /* see every approval request */
    {"tokens.manage", ALL_ROLES},    /* own API tokens */
    {"audit.read", A},               /* read any record's history */
    {"metrics.read", A},
    {"customers.create", A | M | S},  /* enter customers */
    {"customers.assign", A | M},      /* assign / take back in batches, enter into the pool */
    {"customers.claim", M | S},       /* apply for and claim pool customers */
    {"customers.import", A | M | S},
    {"customers.export", ALL_ROLES},  /* what they can see, nothing more */
    {"dicts.manage", A},              /* dictionaries, custom fields, templates */
    {"settings.manage", A},           /* entry policy, pool rules, numbering, WeChat */
    {"documents.templates", A},       /* printable documents' templates, company logo */
    {"wechat.read", A | M | S},
    {"products.read", ALL_ROLES},     /* the catalogue, stock on hand, prices */
    {"products.manage", A},           /* categories, products, warehouses */
    {"products.cost", A | M | F | W}, /* see standard costs */
    {"pricing.manage", A},            /* tiers, customers' tiers, price rules, discount limits */
    {"stock.move", A | W},            /* opening balances and adjustments */
    {"quotations.read", A | M | S | F}, /* quotations they may see (policy_quotations.c) */
    {"quotations.write", A | M | S},    /* enter, edit, send quotations */
    {"contracts.read", ALL_ROLES},      /* contracts they may see (policy_quotations.c) */
    {"contracts.write", A | M | S},     /* enter, submit, amend contracts; request returns */
    {"finance.write", A | F},           /* invoices, receipts, refunds, payment plans */
    {"finance.read", A | M | S | F},    /* receivables, ageing, gross profit (in their scope) */
    {"goods.deliver", A | W},           /* deliveries out of a warehouse */
};

bool policy_allows(const principal *u, const char *perm)
{
    if (!u || !u->id) return false;
    if (!perm || !perm[0]) return true;
    for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
        if (strcmp(perms[i].perm, perm) == 0) return (perms[i].roles >> u->role) & 1;
    return false;
}

json_t *policy_permissions_json(const principal *u)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
        if ((perms[i].roles >> u->role) & 1) json_array_append_new(a, json_string(perms[i].perm));
    policy_project_permissions(u, a);
    return a;
}

const char *policy_access_name(tf_access a)
{
    static const char *const names[] = {"none", "read", "write", "manage"};
    return a >= ACCESS_NONE && a <= ACCESS_MANAGE ? names[a] : "none";
}

tf_scope policy_scope(const principal *u)
{
    switch (u->role) {
    case ROLE_SALESPERSON: return SCOPE_OWN;
    case ROLE_SALES_MANAGER: return SCOPE_DEPT;
    default: return SCOPE_ALL;
    }
}

const char POLICY_DEPT_SUBTREE_SQL[] =
    "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL "
    "SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) SELECT id FROM sub";

int64_t policy_manager_id(const principal *u)
{
    return u->role == ROLE_SALES_MANAGER || u->role == ROLE_ADMIN ? u->id : 0;
}

/* The departments from `user`'s (an SQL expression) up to the root, as
 * "up"; with "SELECT ... FROM up WHERE manager_id = ?" it asks whether
 * someone manages the user. */
#define WALK_UP(user)                                                                              \
    "WITH RECURSIVE up(id, parent_id, manager_id) AS ("                                            \
    " SELECT d.id, d.parent_id, d.manager_id FROM departments d"                                  \
    " JOIN users u ON u.department_id = d.id WHERE u.id = " user                                  \
    " UNION ALL SELECT d.id, d.parent_id, d.manager_id FROM departments d"                        \
    " JOIN up ON d.id = up.parent_id)"

bool policy_is_manager_of(db_conn *c, int64_t manager_id, int64_t user_id)
{
    if (manager_id == user_id) return false;
    /* user's department lies in the subtree of a department manager_id
     * manages, and manager_id's role manages (policy_manager_id) */
    int64_t n = 0;
    db_scalar_int(c, &n, 0,
                  WALK_UP("?") " SELECT COUNT(*) FROM up WHERE manager_id = ? AND EXISTS (SELECT"
                               " 1 FROM users m WHERE m.id = ? AND m.role IN ('sales_manager',"
                               " 'admin'))",
                  DBP(DBI(user_id), DBI(manager_id), DBI(manager_id)));
    return n > 0;
}

bool policy_sees_owner(db_conn *c, const principal *u, int64_t owner_id)
{
    switch (policy_scope(u)) {
    case SCOPE_ALL: return true;
    case SCOPE_OWN: return owner_id == u->id;
    case SCOPE_DEPT: {
        if (owner_id == u->id) return true;
        if (!u->department_id) return false;
        int64_t n = 0;
        db_scalar_int(c, &n, 0,
                      "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL "
                      "SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id) "
                      "SELECT COUNT(*) FROM users WHERE id = ? AND department_id IN "
                      "(SELECT id FROM sub)",
                      DBP(DBI(u->department_id), DBI(owner_id)));
        return n > 0;
    }
    }
    return false;
}

int64_t policy_manager_for(db_conn *c, int64_t user_id)
{
    int64_t m = 0;
    db_scalar_int(c, &m, 0,
                  "WITH RECURSIVE up(id, parent_id, manager_id, depth) AS ("
                  " SELECT d.id, d.parent_id, d.manager_id, 0 FROM departments d"
                  " JOIN users u ON u.department_id = d.id WHERE u.id = ?"
                  " UNION ALL SELECT d.id, d.parent_id, d.manager_id, up.depth + 1"
                  " FROM departments d JOIN up ON d.id = up.parent_id)"
                  " SELECT manager_id FROM up WHERE manager_id IS NOT NULL AND manager_id <> ?"
                  " ORDER BY depth LIMIT 1",
                  DBP(DBI(user_id), DBI(user_id)));
    return m;
}

/* Users whose department lies below a department `?` manages. */
#define MANAGED_OWNERS                                                                             \
    "SELECT mu.id FROM users mu WHERE mu.department_id IN (WITH RECURSIVE msub(id) AS ("          \
    "SELECT id FROM departments WHERE manager_id = ? UNION ALL SELECT d.id FROM departments d"    \
    " JOIN msub ON d.parent_id = msub.id) SELECT id FROM msub)"
const char POLICY_MANAGED_OWNERS_SQL[] = MANAGED_OWNERS;

/* Users in the department subtree of `?`. */
#define DEPT_OWNERS                                                                                \
    "SELECT du.id FROM users du WHERE du.department_id IN (WITH RECURSIVE dsub(id) AS ("          \
    "SELECT CAST(? AS BIGINT) UNION ALL SELECT d.id FROM departments d"                           \
    " JOIN dsub ON d.parent_id = dsub.id) SELECT id FROM dsub)"
#define SHARED_WITH                                                                                \
    "EXISTS (SELECT 1 FROM customer_shares s WHERE s.customer_id = c.id AND s.user_id = ?"        \
    " AND (s.until IS NULL OR s.until > ?))"

/* The customer's owner is one of the users below a department `?` manages,
 * or (OWNER_IN_DEPT) in the department subtree of `?`. Written as a lookup
 * of the owner's row against the (small) set of department ids, which the
 * engine builds once per statement: the former "owner_id IN (users of those
 * departments)" built the list of every user below the root department (2,000
 * for an administrator) for every query and every point read. The same rows:
 * an owner is in that user list exactly when its department is in the set.
 * OWNER_MANAGED first asks, once per statement, whether u manages any
 * department at all, so most users pay nothing per row for it. */
#define OWNER_MANAGED                                                                              \
    "(EXISTS (SELECT 1 FROM departments WHERE manager_id = ?) AND"                                 \
    " EXISTS (SELECT 1 FROM users mu WHERE mu.id = c.owner_id AND mu.department_id IN (WITH"       \
    " RECURSIVE msub(id) AS (SELECT id FROM departments WHERE manager_id = ? UNION ALL SELECT d.id" \
    " FROM departments d JOIN msub ON d.parent_id = msub.id) SELECT id FROM msub)))"
#define OWNER_IN_DEPT                                                                              \
    "EXISTS (SELECT 1 FROM users du WHERE du.id = c.owner_id AND du.department_id IN (WITH"        \
    " RECURSIVE dsub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT d.id FROM departments d"     \
    " JOIN dsub ON d.parent_id = dsub.id) SELECT id FROM dsub))"

/* At most this many customers shared with u are written into the filter as
 * values; beyond, the SHARED_WITH lookup per row. */
enum { SHARES_INLINE = POLICY_SHARES_LISTED };

/* The customers shared with u as of now, in id order: at most
 * SHARES_INLINE + 1 (so that "more than SHARES_INLINE" shows); -1 on error. */
static int shares_of(db_conn *c, arena *a, const principal *u, const char *now, db_res *sh)
{
    return db_query(c, a, sh,
                    "SELECT customer_id FROM customer_shares WHERE user_id = ? AND"
                    " (until IS NULL OR until > ?) ORDER BY customer_id LIMIT ?",
                    DBP(DBI(u->id), DBS(now), DBI(SHARES_INLINE + 1)));
}

void policy_customer_filter(db_conn *c, const principal *u, sqlq *q, const char *now)
{
    /* the customers shared with u, read once: most users have none or a
     * few, and a lookup in customer_shares for every row scanned was a
     * third of a salesperson's search */
    db_res sh;
    int nsh = shares_of(c, q->a, u, now, &sh);
    /* the cheapest tests first: both engines stop at the first true term, and
     * for the administrator nearly every row is settled by "not protected" */
    sqlq_add(q, " AND (", 0, NULL);
    if (policy_scope(u) == SCOPE_ALL) sqlq_add(q, "c.protected = FALSE OR ", 0, NULL);
    sqlq_add(q, "c.owner_id = ? OR c.owner_id IS NULL", 1, (db_val[]){DBI(u->id)});
    if (nsh < 0 || nsh > SHARES_INLINE) {
        sqlq_add(q, " OR " SHARED_WITH, 2, (db_val[]){DBI(u->id), DBS(now)});
    } else if (nsh > 0) {
        /* "+": not a use of the primary key, so the engine does not turn the
         * OR into index lookups of every pool customer followed by a sort */
        sqlq_add(q, " OR +c.id IN (?", 1, (db_val[]){DBI(db_get_int(&sh, 0, "customer_id"))});
        for (int i = 1; i < nsh; i++)
            sqlq_add(q, ", ?", 1, (db_val[]){DBI(db_get_int(&sh, i, "customer_id"))});
        sqlq_add(q, ")", 0, NULL);
    }
    sqlq_add(q, " OR " OWNER_MANAGED, 2,
             (db_val[]){DBI(policy_manager_id(u)), DBI(policy_manager_id(u))});
    if (policy_scope(u) == SCOPE_DEPT && u->department_id)
        sqlq_add(q, " OR (c.protected = FALSE AND " OWNER_IN_DEPT ")", 1,
                 (db_val[]){DBI(u->department_id)});
    sqlq_add(q, ")", 0, NULL);
}

bool policy_customer_parts(db_conn *c, const principal *u, const char *now, customer_parts *out)
{
    /* exactly the terms policy_customer_filter writes for such a user: no
     * "not protected" (own scope), no department, and OWNER_MANAGED false
     * because u manages no department */
    if (policy_scope(u) != SCOPE_OWN) return false;
    int64_t manages = 1;
    if (db_scalar_int(c, &manages, 1, "SELECT COUNT(*) FROM departments WHERE manager_id = ?",
                      DBP(DBI(policy_manager_id(u)))) < 0 ||
        manages > 0)
        return false;
    arena a;
    arena_init(&a);
    db_res sh;
    int nsh = shares_of(c, &a, u, now, &sh);
    bool ok = nsh >= 0 && nsh <= SHARES_INLINE;
    if (ok) {
        out->owner = u->id;
        out->nshared = nsh;
        for (int i = 0; i < nsh; i++) out->shared[i] = db_get_int(&sh, i, "customer_id");
    }
    arena_free(&a);
    return ok;
}

tf_access policy_customer_access(db_conn *c, const principal *u, int64_t customer_id)
{
    arena a;
    arena_init(&a);
    db_res r;
    tf_access acc = ACCESS_NONE;
    char now[32];
    tf_ts(now, time(NULL));
    /* one statement (on PostgreSQL one round trip): a primary-key read, a
     * share lookup and, when the owner is someone else, whether u manages
     * them (policy_is_manager_of's walk up from the owner's department, a
     * few index lookups) */
    if (db_query(c, &a, &r,
                 "SELECT c.owner_id, c.protected,"
                 " (SELECT s.mode FROM customer_shares s WHERE s.customer_id = c.id AND"
                 "  s.user_id = ? AND (s.until IS NULL OR s.until > ?)) AS share_mode,"
                 " CASE WHEN c.owner_id IS NULL OR c.owner_id = ? THEN 0 ELSE (SELECT COUNT(*)"
                 "  FROM (" WALK_UP("c.owner_id") " SELECT 1 FROM up WHERE manager_id = ?) m)"
                 " END AS managed"
                 " FROM customers c WHERE c.id = ?",
                 DBP(DBI(u->id), DBS(now), DBI(u->id), DBI(u->id), DBI(customer_id))) <= 0)
        goto done;
    const db_val *owner = db_cell(&r, 0, "owner_id");
    bool prot = db_get_int(&r, 0, "protected") != 0;
    const char *share = db_get_text(&r, 0, "share_mode");
    bool may_assign = policy_allows(u, "customers.assign");
    if (owner->t == DBV_NULL) {
        acc = may_assign ? ACCESS_MANAGE : ACCESS_READ;
    } else if (owner->i == u->id) {
        acc = ACCESS_MANAGE;
    } else if (policy_manager_id(u) && db_get_int(&r, 0, "managed") > 0) {
        /* policy_is_manager_of: a department u heads, and u's role manages */
        acc = ACCESS_MANAGE;
    } else if (share) {
        acc = strcmp(share, "write") == 0 ? ACCESS_WRITE : ACCESS_READ;
    } else if (!prot && policy_sees_owner(c, u, owner->i)) {
        acc = may_assign ? ACCESS_MANAGE : ACCESS_READ;
    }
done:
    arena_free(&a);
    return acc;
}

bool policy_may_assign_to(db_conn *c, const principal *u, int64_t user_id)
{
    int64_t ok = 0;
    db_scalar_int(c, &ok, 0,
                  "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                  " ('salesperson', 'sales_manager')",
                  DBP(DBI(user_id)));
    if (!ok) return false;
    return policy_sees_owner(c, u, user_id) || policy_is_manager_of(c, u->id, user_id);
}

void policy_user_filter(const principal *u, sqlq *q, const char *col)
{
    if (policy_scope(u) == SCOPE_ALL) return; /* every owner: no condition to test per row */
    sqlq_add(q, " AND (", 0, NULL);
    sqlq_add(q, col, 0, NULL);
    sqlq_add(q, " = ? OR ", 1, (db_val[]){DBI(u->id)});
    sqlq_add(q, col, 0, NULL);
    sqlq_add(q, " IN (" MANAGED_OWNERS ")", 1, (db_val[]){DBI(policy_manager_id(u))});
    switch (policy_scope(u)) {
    case SCOPE_ALL:
        sqlq_add(q, " OR 1 = 1", 0, NULL);
        break;
    case SCOPE_DEPT:
        if (u->department_id) {
            sqlq_add(q, " OR ", 0, NULL);
            sqlq_add(q, col, 0, NULL);
            sqlq_add(q, " IN (" DEPT_OWNERS ")", 1, (db_val[]){DBI(u->department_id)});
        }
        break;
    case SCOPE_OWN:
        break;
    }
    sqlq_add(q, ")", 0, NULL);
}

bool policy_import_job_access(const principal *u, int64_t job_user_id, bool change)
{
    if (!u || !u->id) return false;
    return u->id == job_user_id || (!change && u->role == ROLE_ADMIN);
}

/* Saved views ------------------------------------------------------------- */

/* The departments a view shared by their members reaches u from: u's own
 * department and every department above it (one `?`: u's department). */
#define VIEW_DEPTS                                                                                 \
    "WITH RECURSIVE up(id) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT d.parent_id FROM"         \
    " departments d JOIN up ON d.id = up.id WHERE d.parent_id IS NOT NULL) SELECT id FROM up"

void policy_view_filter(const principal *u, sqlq *q)
{
    sqlq_add(q, " AND (v.user_id = ?", 1, (db_val[]){DBI(u->id)});
    if (u->department_id)
        sqlq_add(q,
                 " OR (v.shared_with_department = TRUE AND v.user_id IN (SELECT vu.id FROM users vu"
                 " WHERE vu.department_id IN (" VIEW_DEPTS ")))",
                 1, (db_val[]){DBI(u->department_id)});
    sqlq_add(q, ")", 0, NULL);
}

tf_access policy_view_access(db_conn *c, const principal *u, int64_t owner_id, bool shared)
{
    if (!u || !u->id) return ACCESS_NONE;
    if (owner_id == u->id) return ACCESS_MANAGE;
    if (!shared || !u->department_id) return ACCESS_NONE;
    int64_t n = 0;
    db_scalar_int(c, &n, 0,
                  "SELECT COUNT(*) FROM users vu WHERE vu.id = ? AND vu.department_id IN (" VIEW_DEPTS
                  ")",
                  DBP(DBI(owner_id), DBI(u->department_id)));
    return n > 0 ? ACCESS_READ : ACCESS_NONE;
}
