/* policy.c — roles, their permissions and data scopes, and the record-level
 * questions (does this user see records of that owner, who manages whom).
 * This file is the only place that knows what a role may do. */
#include "policy.h"
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
    return a;
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

bool policy_is_manager_of(db_conn *c, int64_t manager_id, int64_t user_id)
{
    if (manager_id == user_id) return false;
    /* user's department lies in the subtree of a department manager_id manages */
    int64_t n = 0;
    db_scalar_int(c, &n, 0,
                  "WITH RECURSIVE up(id, parent_id, manager_id) AS ("
                  " SELECT d.id, d.parent_id, d.manager_id FROM departments d"
                  " JOIN users u ON u.department_id = d.id WHERE u.id = ?"
                  " UNION ALL SELECT d.id, d.parent_id, d.manager_id FROM departments d"
                  " JOIN up ON d.id = up.parent_id)"
                  " SELECT COUNT(*) FROM up WHERE manager_id = ?",
                  DBP(DBI(user_id), DBI(manager_id)));
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
