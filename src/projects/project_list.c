/* project_list.c — GET /projects: the projects a user may see (policy
 * filter), with search, owner / member / stage / status / customer /
 * template / department filters, close-date and amount ranges, five sorts
 * and keyset paging; and the stage names the list and the board show. */
#include "projects/projects.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <string.h>

void project_stage_names(db_conn *c, arena *a, json_t *items)
{
    enum { CACHE = 16 };
    int64_t ids[CACHE];
    proc_version vs[CACHE];
    int n = 0;
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        int64_t vid = json_integer_value(json_object_get(o, "template_version_id"));
        const char *stage = json_string_value(json_object_get(o, "stage"));
        int k = 0;
        while (k < n && ids[k] != vid)
            k++;
        if (k == n) {
            if (n == CACHE || process_version_load(c, a, vid, &vs[n]) != 0) continue;
            ids[n++] = vid;
        }
        int si = process_stage_index(&vs[k], stage);
        json_object_set_new(o, "stage_name",
                            si >= 0 ? json_string(vs[k].stages[si].name) : json_null());
    }
}

/* GET /projects?q&owner=me|unassigned|ID&stage&status&customer_id&
 * template_id&member=me — newest first. */
/* The list's ranges: close_from / close_to (expected close date, inclusive)
 * and amount_min / amount_max (fen, inclusive). Replies 400 and returns -1
 * on a bad value. */
static int list_ranges(req *r, sqlq *q)
{
    static const struct {
        const char *param, *sql;
    } dates[] = {{"close_from", " AND p.expected_close_date >= ?"},
                 {"close_to", " AND p.expected_close_date <= ?"}},
      amounts[] = {{"amount_min", " AND p.amount >= ?"}, {"amount_max", " AND p.amount <= ?"}};
    for (size_t i = 0; i < 2; i++) {
        const char *d = req_query(r, dates[i].param);
        if (!d || !*d) continue;
        if (!project_date_ok(d)) {
            reply_problem(r, 400, "bad_request", "%s must be a date 2026-12-31", dates[i].param);
            return -1;
        }
        sqlq_add(q, dates[i].sql, 1, (db_val[]){DBS(d)});
    }
    for (size_t i = 0; i < 2; i++) {
        const char *m = req_query(r, amounts[i].param);
        int64_t v;
        if (!m || !*m) continue;
        if (!tf_parse_i64(m, &v) || v < 0 || v > PROJECT_AMOUNT_MAX) {
            reply_problem(r, 400, "bad_request", "%s must be an amount in fen from 0 to %lld",
                          amounts[i].param, (long long)PROJECT_AMOUNT_MAX);
            return -1;
        }
        sqlq_add(q, amounts[i].sql, 1, (db_val[]){DBI(v)});
    }
    return 0;
}

/* The list's order (sort=-id newest first, -amount, -weighted, close_date:
 * soonest first, no date last, -updated_at) with keyset paging: the cursor
 * is the id of the last row, other orders compare against that row's value
 * and break ties by id. Replies 400 and returns -1 on an unknown sort. */
static int list_order(req *r, sqlq *q, int64_t cursor, int limit)
{
#define AFTER(col, op, sub)                                                                        \
    " AND (? = 0 OR " col " " op " (" sub ") OR (" col " = (" sub ") AND p.id < ?))"
#define CLOSE_COL "COALESCE(p.expected_close_date, '9999-12-31')"
#define CLOSE_SUB "SELECT COALESCE(expected_close_date, '9999-12-31') FROM projects WHERE id = ?"
    static const struct {
        const char *name, *cond, *order;
    } sorts[] = {
        {"-id", " AND (? = 0 OR p.id < ?)", " ORDER BY p.id DESC"},
        {"-amount", AFTER("p.amount", "<", "SELECT amount FROM projects WHERE id = ?"),
         " ORDER BY p.amount DESC, p.id DESC"},
        {"-weighted", AFTER("p.weighted", "<", "SELECT weighted FROM projects WHERE id = ?"),
         " ORDER BY p.weighted DESC, p.id DESC"},
        {"close_date", AFTER(CLOSE_COL, ">", CLOSE_SUB), " ORDER BY " CLOSE_COL ", p.id DESC"},
        {"-updated_at", AFTER("p.updated_at", "<", "SELECT updated_at FROM projects WHERE id = ?"),
         " ORDER BY p.updated_at DESC, p.id DESC"},
    };
#undef AFTER
#undef CLOSE_COL
#undef CLOSE_SUB
    const char *sort = req_query(r, "sort");
    int si = -1;
    for (int i = 0; i < (int)(sizeof(sorts) / sizeof(sorts[0])); i++)
        if (strcmp(sorts[i].name, sort && *sort ? sort : "-id") == 0) si = i;
    if (si < 0) {
        reply_problem(r, 400, "bad_request",
                      "sort must be -id, -amount, -weighted, close_date or -updated_at");
        return -1;
    }
    int np = 0;
    for (const char *p = sorts[si].cond; *p; p++)
        np += *p == '?';
    db_val cp[4] = {DBI(cursor), DBI(cursor), DBI(cursor), DBI(cursor)};
    sqlq_add(q, sorts[si].cond, np, cp);
    sqlq_add(q, sorts[si].order, 0, NULL);
    sqlq_add(q, " LIMIT ?", 1, (db_val[]){DBI(limit + 1)});
    return 0;
}

static int h_projects_list(req *r)
{
    int limit;
    int64_t cursor, v;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq q;
    sqlq_init(&q, &r->a, PROJECT_LIST_COLS " WHERE 1 = 1");
    policy_project_filter(&r->me, &q);
    const char *s = req_query(r, "q");
    if (s && *s) {
        if (strlen(s) > 200 || !tf_utf8_valid(s, strlen(s)))
            return reply_problem(r, 400, "bad_request", "q must be text of at most 200 bytes");
        const char *norm = ts_normalize(&r->a, s);
        if (*norm) {
            const char *like = tf_like_contains(&r->a, norm);
            sqlq_add(&q, " AND (p.name_norm LIKE ? ESCAPE '\\' OR cu.name_norm LIKE ? ESCAPE '\\')",
                     2, (db_val[]){DBS(like), DBS(like)});
        }
    }
    const char *owner = req_query(r, "owner");
    if (owner && *owner) {
        if (strcmp(owner, "me") == 0)
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(r->me.id)});
        else if (strcmp(owner, "unassigned") == 0)
            sqlq_add(&q, " AND p.owner_id IS NULL", 0, NULL);
        else if (tf_parse_i64(owner, &v))
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(v)});
        else
            return reply_problem(r, 400, "bad_request",
                                 "owner must be me, unassigned or a user id");
    }
    const char *member = req_query(r, "member");
    if (member && *member) {
        if (strcmp(member, "me") != 0)
            return reply_problem(r, 400, "bad_request", "member must be me");
        sqlq_add(&q, " AND p.id IN (SELECT project_id FROM project_members WHERE user_id = ?)", 1,
                 (db_val[]){DBI(r->me.id)});
    }
    const char *stage = req_query(r, "stage");
    if (stage && *stage) {
        if (strlen(stage) > 40) return reply_problem(r, 400, "bad_request", "stage is too long");
        sqlq_add(&q, " AND p.stage = ?", 1, (db_val[]){DBS(stage)});
    }
    const char *status = req_query(r, "status");
    if (status && *status) {
        if (strcmp(status, "open") && strcmp(status, "won") && strcmp(status, "lost"))
            return reply_problem(r, 400, "bad_request", "status must be open, won or lost");
        sqlq_add(&q, " AND p.status = ?", 1, (db_val[]){DBS(status)});
    }
    static const struct {
        const char *param, *sql;
    } ids[] = {{"customer_id", " AND p.customer_id = ?"},
               {"template_id", " AND p.template_id = ?"}};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const char *p = req_query(r, ids[i].param);
        if (!p || !*p) continue;
        if (!tf_parse_i64(p, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "%s must be an id", ids[i].param);
        sqlq_add(&q, ids[i].sql, 1, (db_val[]){DBI(v)});
    }
    const char *dept = req_query(r, "department_id");
    if (dept && *dept) { /* the owner's department or one below it */
        if (!tf_parse_i64(dept, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "department_id must be an id");
        sqlq_add(&q, " AND p.owner_id IN (SELECT du.id FROM users du WHERE du.department_id IN (",
                 0, NULL);
        sqlq_add(&q, POLICY_DEPT_SUBTREE_SQL, 1, (db_val[]){DBI(v)});
        sqlq_add(&q, "))", 0, NULL);
    }
    if (list_ranges(r, &q) < 0) return 0;
    if (list_order(r, &q, cursor, limit) < 0) return 0;
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res);
    project_stage_names(r->db, &r->a, items);
    return reply_page(r, items, limit, "id");
}

const route project_list_routes[] = {
    {"GET", "/api/v1/projects", h_projects_list, PERM_SIGNED_IN, 0,
     QUERY("page q owner=me|unassigned|ID member=me stage status=open|won|lost customer_id=id"
           " template_id=id department_id=id close_from=date close_to=date amount_min=int"
           " amount_max=int sort=-id|-amount|-weighted|close_date|-updated_at")
     "Projects you may see (q, owner=me|unassigned|ID, member=me, stage, status=open|won|lost,"
     " customer_id, template_id, department_id (the owner's, with sub-departments),"
     " close_from, close_to, amount_min, amount_max (fen); sort=-id|-amount|-weighted|"
     "close_date|-updated_at)",
     NULL},
    ROUTES_END,
};
