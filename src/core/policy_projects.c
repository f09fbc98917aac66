/* policy_projects.c — every permission and visibility decision about
 * projects (opportunities): the project permissions of each role, who sees
 * a project and with what access, whose pipeline a manager sums up, who may
 * override a stage gate, and what of the customer a project's viewer sees.
 * The rules are written once in policy.h; the SQL filters and the
 * one-record answers below must agree with each other. */
#include "core/policy.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <string.h>

enum { A = 1 << ROLE_ADMIN, M = 1 << ROLE_SALES_MANAGER, S = 1 << ROLE_SALESPERSON };

static const struct {
    const char *perm;
    unsigned roles;
} perms[] = {
    {"projects.create", A | M | S}, /* enter projects */
    {"projects.assign", A | M},     /* assign / take back in batches, override gates */
    {"projects.apply", M | S},      /* apply for unassigned projects */
    {"projects.templates", A | M},  /* define process templates */
};

bool policy_project_allows(const principal *u, const char *perm)
{
    if (!u || !u->id || !perm) return false;
    for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
        if (strcmp(perms[i].perm, perm) == 0) return (perms[i].roles >> u->role) & 1;
    return false;
}

void policy_project_permissions(const principal *u, json_t *out)
{
    for (size_t i = 0; i < sizeof(perms) / sizeof(perms[0]); i++)
        if (u && u->id && ((perms[i].roles >> u->role) & 1))
            json_array_append_new(out, json_string(perms[i].perm));
}

static bool sales_role(const principal *u)
{
    return u->role == ROLE_SALESPERSON || u->role == ROLE_SALES_MANAGER;
}

/* Is the user row aliased `ou` one whose projects u sees by owner: u, a
 * user below the departments u manages, or (department scope) a user of
 * u's department subtree. Parameters: u->id, policy_manager_id(u)
 * [, u->department_id].
 * The department lists are small and built once per statement; the board
 * and the pipeline test each candidate owner against them by primary key
 * (an EXISTS) instead of building the list of every covered user, which
 * costs a millisecond for a manager of a thousand people. */
#define OWNER_COVERED_HEAD                                                                         \
    "(ou.id = ? OR ou.department_id IN (WITH RECURSIVE pm_sub(id) AS (SELECT id FROM departments"  \
    " WHERE manager_id = ? UNION ALL SELECT d.id FROM departments d JOIN pm_sub ON d.parent_id ="  \
    " pm_sub.id) SELECT id FROM pm_sub)"
#define OWNER_COVERED_DEPT                                                                         \
    " OR ou.department_id IN (WITH RECURSIVE pd_sub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL"    \
    " SELECT d.id FROM departments d JOIN pd_sub ON d.parent_id = pd_sub.id) SELECT id FROM"       \
    " pd_sub)"

static void owner_covered(const principal *u, sqlq *q)
{
    sqlq_add(q, OWNER_COVERED_HEAD, 2, (db_val[]){DBI(u->id), DBI(policy_manager_id(u))});
    if (policy_scope(u) == SCOPE_DEPT && u->department_id)
        sqlq_add(q, OWNER_COVERED_DEPT, 1, (db_val[]){DBI(u->department_id)});
    sqlq_add(q, ")", 0, NULL);
}

/* "EXISTS (the owner in `col` is covered)": `col` is a constant column;
 * pre is " AND ", " AND NOT " or " OR ". */
static void owner_exists_as(const principal *u, sqlq *q, const char *pre, const char *col)
{
    sqlq_add(q, pre, 0, NULL);
    sqlq_add(q, "EXISTS (SELECT 1 FROM users ou WHERE ou.id = ", 0, NULL);
    sqlq_add(q, col, 0, NULL);
    sqlq_add(q, " AND ", 0, NULL);
    owner_covered(u, q);
    sqlq_add(q, ")", 0, NULL);
}

static void owner_exists(const principal *u, sqlq *q, const char *col)
{
    owner_exists_as(u, q, " AND ", col);
}

/* The ids of the users whose projects u sees by owner (as a subquery). */
static void owners_subquery(const principal *u, sqlq *q)
{
    sqlq_add(q, "SELECT ou.id FROM users ou WHERE ", 0, NULL);
    owner_covered(u, q);
}

enum { PB_ALL, PB_OWN, PB_TEAM, PB_DEPT, PB_UNASSIGNED, PB_MEMBER };

int policy_project_branches(db_conn *c, arena *a, const principal *u, project_branches *out)
{
    memset(out, 0, sizeof(*out));
    out->u = u;
    if (policy_scope(u) == SCOPE_ALL) {
        out->kind[out->n++] = PB_ALL;
        return out->n;
    }
    out->kind[out->n++] = PB_OWN;
    /* the departments u covers: those below the ones u manages, and with
     * department scope u's own subtree (as owner_covered has them) */
    sqlq q;
    sqlq_init(&q, a,
              "WITH RECURSIVE pm_sub(id) AS (SELECT id FROM departments WHERE manager_id = ?"
              " UNION ALL SELECT d.id FROM departments d JOIN pm_sub ON d.parent_id = pm_sub.id)"
              " SELECT id FROM pm_sub");
    q.p[q.n++] = DBI(policy_manager_id(u));
    if (policy_scope(u) == SCOPE_DEPT && u->department_id)
        sqlq_add(&q,
                 " UNION SELECT id FROM (WITH RECURSIVE pd_sub(id) AS (SELECT CAST(? AS BIGINT)"
                 " UNION ALL SELECT d.id FROM departments d JOIN pd_sub ON d.parent_id = pd_sub.id)"
                 " SELECT id FROM pd_sub) pd",
                 1, (db_val[]){DBI(u->department_id)});
    sqlq_add(&q, " LIMIT ?", 1, (db_val[]){DBI(PROJECT_TEAM_DEPTS_MAX + 1)});
    db_res res;
    int rc = sqlq_run(c, &q, &res);
    if (rc >= 0 && res.nrows <= PROJECT_TEAM_DEPTS_MAX) {
        /* none, or a small team: a page per department, each one index range */
        for (int i = 0; i < res.nrows; i++) {
            out->dept[out->n] = db_get_int(&res, i, "id");
            out->kind[out->n++] = PB_DEPT;
        }
    } else { /* many departments (or no answer): each card's owner tested */
        out->kind[out->n++] = PB_TEAM;
    }
    if (sales_role(u)) out->kind[out->n++] = PB_UNASSIGNED;
    out->kind[out->n++] = PB_MEMBER;
    return out->n;
}

/* Longer member lists keep the subquery (and the statement's parameters
 * stay well inside SQLQ_MAX_PARAMS). */
enum { MEMBER_LIST_MAX = 500, MEMBER_STAGE_MAX = 32 };

void policy_project_members_load(db_conn *c, arena *a, project_branches *b, int64_t tid)
{
    b->members_loaded = false;
    if (policy_scope(b->u) == SCOPE_ALL) return;
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT p.id, p.stage FROM project_members pmm JOIN projects p ON p.id ="
                 " pmm.project_id WHERE pmm.user_id = ? AND +p.template_id = ? LIMIT ?",
                 /* the unary + keeps the read on u's memberships: SQLite
                  * otherwise walked the template's every project (48 ms) */
                 DBP(DBI(b->u->id), DBI(tid), DBI(MEMBER_LIST_MAX + 1))) < 0 ||
        res.nrows > MEMBER_LIST_MAX)
        return;
    int64_t *ids = arena_alloc(a, sizeof(int64_t) * (size_t)(res.nrows + 1));
    const char **stages = arena_alloc(a, sizeof(char *) * (size_t)(res.nrows + 1));
    for (int i = 0; i < res.nrows; i++) {
        ids[i] = db_get_int(&res, i, "id");
        stages[i] = db_get_text(&res, i, "stage");
    }
    b->nmembers = res.nrows;
    b->member_id = ids;
    b->member_stage = stages;
    b->members_loaded = true;
}

/* The member branch of a column from the loaded list; false if the stage
 * has too many (the subquery then). */
static bool member_list(const project_branches *b, const char *stage, sqlq *q)
{
    int n = 0;
    for (int k = 0; k < b->nmembers; k++)
        if (b->member_stage[k] && strcmp(b->member_stage[k], stage) == 0) n++;
    if (n > MEMBER_STAGE_MAX) return false;
    if (n == 0) {
        sqlq_add(q, " AND 1 = 0", 0, NULL);
        return true;
    }
    sqlq_add(q, " AND p.id IN (", 0, NULL);
    for (int k = 0, put = 0; k < b->nmembers; k++)
        if (b->member_stage[k] && strcmp(b->member_stage[k], stage) == 0)
            sqlq_add(q, put++ ? ", ?" : "?", 1, (db_val[]){DBI(b->member_id[k])});
    sqlq_add(q, ")", 0, NULL);
    return true;
}

void policy_project_branch(const project_branches *b, int i, const char *stage, sqlq *q)
{
    const principal *u = b->u;
    switch (i >= 0 && i < b->n ? b->kind[i] : -1) {
    case PB_ALL:
        sqlq_add(q, " AND 1 = 1", 0, NULL);
        break;
    case PB_OWN: /* a seek on (template_id, stage, owner_id, id) */
        sqlq_add(q, " AND p.owner_id = ?", 1, (db_val[]){DBI(u->id)});
        break;
    case PB_DEPT: /* a seek on (template_id, stage, owner_department_id, id) */
        sqlq_add(q, " AND p.owner_department_id = ?", 1, (db_val[]){DBI(b->dept[i])});
        break;
    case PB_TEAM: /* many owners: the page is read newest first on (template_id,
                   * stage, id, owner_id), each candidate's owner tested by key */
        owner_exists(u, q, "p.owner_id");
        break;
    case PB_UNASSIGNED:
        sqlq_add(q, " AND p.owner_id IS NULL", 0, NULL);
        break;
    case PB_MEMBER:
        if (b->members_loaded && stage && member_list(b, stage, q)) break;
        sqlq_add(q,
                 " AND p.id IN (SELECT pmm.project_id FROM project_members pmm WHERE"
                 " pmm.user_id = ?)",
                 1, (db_val[]){DBI(u->id)});
        break;
    default:
        sqlq_add(q, " AND 1 = 0", 0, NULL);
        break;
    }
}

void policy_project_filter(const principal *u, sqlq *q)
{
    if (policy_scope(u) == SCOPE_ALL) return;
    sqlq_add(q, " AND (p.owner_id IN (", 0, NULL);
    owners_subquery(u, q);
    sqlq_add(q, ")", 0, NULL);
    if (sales_role(u)) sqlq_add(q, " OR p.owner_id IS NULL", 0, NULL);
    sqlq_add(q,
             " OR p.id IN (SELECT pmm.project_id FROM project_members pmm WHERE pmm.user_id = ?))",
             1, (db_val[]){DBI(u->id)});
}

void policy_project_owner_filter(const principal *u, sqlq *q, const char *col)
{
    if (policy_scope(u) == SCOPE_ALL) return;
    owner_exists(u, q, col);
}

void policy_project_totals_filter(db_conn *c, const principal *u, sqlq *q, const char *col)
{
    if (policy_scope(u) == SCOPE_ALL) return;
    int64_t manages = 0;
    if (policy_scope(u) == SCOPE_OWN)
        db_scalar_int(c, &manages, 0, "SELECT COUNT(*) FROM departments WHERE manager_id = ?",
                      DBP(DBI(policy_manager_id(u))));
    if (policy_scope(u) == SCOPE_OWN && !manages) { /* only u's own rows (and unassigned) */
        sqlq_add(q, " AND (", 0, NULL);
        sqlq_add(q, col, 0, NULL);
        sqlq_add(q, " = ?", 1, (db_val[]){DBI(u->id)});
        if (sales_role(u)) {
            sqlq_add(q, " OR ", 0, NULL);
            sqlq_add(q, col, 0, NULL);
            sqlq_add(q, " = 0", 0, NULL);
        }
        sqlq_add(q, ")", 0, NULL);
        return;
    }
    sqlq_add(q, " AND (1 = 0", 0, NULL);
    owner_exists_as(u, q, " OR ", col);
    if (sales_role(u)) {
        sqlq_add(q, " OR ", 0, NULL);
        sqlq_add(q, col, 0, NULL);
        sqlq_add(q, " = 0", 0, NULL);
    }
    sqlq_add(q, ")", 0, NULL);
}

void policy_project_member_rest(const principal *u, sqlq *q)
{
    if (policy_scope(u) == SCOPE_ALL) {
        sqlq_add(q, " AND 1 = 0", 0, NULL);
        return;
    }
    sqlq_add(q,
             " AND p.id IN (SELECT pmm.project_id FROM project_members pmm WHERE"
             " pmm.user_id = ?)",
             1, (db_val[]){DBI(u->id)});
    owner_exists_as(u, q, " AND NOT ", "p.owner_id");
    if (sales_role(u)) sqlq_add(q, " AND p.owner_id IS NOT NULL", 0, NULL);
}

static tf_access max_access(tf_access a, tf_access b)
{
    return a > b ? a : b;
}

tf_access policy_project_access(db_conn *c, const principal *u, int64_t project_id)
{
    arena a;
    arena_init(&a);
    db_res r;
    tf_access acc = ACCESS_NONE;
    if (db_query(c, &a, &r,
                 "SELECT p.owner_id, (SELECT COUNT(*) FROM project_members m WHERE m.project_id ="
                 " p.id AND m.user_id = ?) AS member FROM projects p WHERE p.id = ?",
                 DBP(DBI(u->id), DBI(project_id))) <= 0)
        goto done;
    const db_val *owner = db_cell(&r, 0, "owner_id");
    bool may_assign = policy_project_allows(u, "projects.assign");
    if (policy_scope(u) == SCOPE_ALL) acc = may_assign ? ACCESS_MANAGE : ACCESS_READ;
    if (owner->t == DBV_NULL) {
        if (sales_role(u)) acc = max_access(acc, may_assign ? ACCESS_MANAGE : ACCESS_READ);
    } else if (owner->i == u->id || policy_is_manager_of(c, u->id, owner->i)) {
        acc = ACCESS_MANAGE;
    } else if (acc == ACCESS_NONE && policy_sees_owner(c, u, owner->i)) {
        acc = may_assign ? ACCESS_MANAGE : ACCESS_READ;
    }
    if (db_get_int(&r, 0, "member")) acc = max_access(acc, ACCESS_WRITE);
done:
    arena_free(&a);
    return acc;
}

bool policy_project_may_override(db_conn *c, const principal *u, int64_t project_id)
{
    return policy_project_allows(u, "projects.assign") &&
           policy_project_access(c, u, project_id) == ACCESS_MANAGE;
}

bool policy_project_customer_records(db_conn *c, const principal *u, int64_t customer_id)
{
    return customer_id > 0 && policy_customer_access(c, u, customer_id) >= ACCESS_READ;
}
