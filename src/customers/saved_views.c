/* saved_views.c — saved views of a list (its filters, chosen columns and
 * sort) kept on the server: each user's own, and those their department
 * shares. Who reads or changes a view comes from policy_view_filter /
 * policy_view_access. A view's query is checked with the list's own filter
 * parser (customer_filter.c), so a saved view always opens. */
#include "customers/customers.h"
#include "core/audit.h"
#include "http/record.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <stdlib.h>
#include <string.h>

enum { VIEWS_PER_USER = 50, QUERY_MAX_BYTES = 4096, COLUMNS_MAX = 40 };

/* The lists that have saved views, and the sort orders each accepts. */
static const struct {
    const char *resource;
    const char *const sorts[8];
} resources[] = {
    {"customers", {"-id", "id", "name", "-updated_at", "number", NULL}},
};
enum { NRESOURCES = sizeof(resources) / sizeof(resources[0]) };

static int resource_index(const char *s)
{
    for (int i = 0; s && i < NRESOURCES; i++)
        if (strcmp(resources[i].resource, s) == 0) return i;
    return -1;
}

#define VIEW_SELECT                                                                                \
    "SELECT v.id, v.user_id, u.name AS owner_name, v.resource, v.name, v.query_json,"              \
    " v.columns_json, v.sort, v.shared_with_department, v.created_at, v.updated_at, v.version"     \
    " FROM saved_views v JOIN users u ON u.id = v.user_id"

static json_t *view_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, VIEW_SELECT " WHERE v.id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    json_t *o = db_row_json(&res, 0);
    json_object_set_new(o, "mine", json_boolean(db_get_int(&res, 0, "user_id") == r->me.id));
    return o;
}

/* Checks query, columns and sort of a body against the view's resource;
 * appends field errors. The accepted JSON texts go to *query / *columns
 * (in the arena; NULL when not sent). */
static void check_body(req *r, int ri, json_t *errs, const char **query, const char **columns)
{
    *query = *columns = NULL;
    json_t *q = json_object_get(r->in, "query"), *cols = json_object_get(r->in, "columns");
    if (q) {
        char *s = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
        if (!s || strlen(s) > QUERY_MAX_BYTES) {
            json_array_append_new(errs, field_error("query", "too_long",
                                                    "must be at most 4096 bytes as JSON"));
        } else {
            customer_filter f;
            if (customer_filter_from_json(r, q, "query.", &f, errs) == 0)
                *query = arena_strdup(&r->a, s);
        }
        free(s);
    }
    if (cols) {
        size_t i;
        json_t *c;
        bool ok = json_array_size(cols) <= COLUMNS_MAX;
        json_array_foreach(cols, i, c)
        {
            const char *s = json_string_value(c);
            bool good = s && *s && strlen(s) <= 40;
            for (const char *p = s; good && *p; p++)
                good = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                       *p == '.';
            ok &= good;
        }
        if (!ok)
            json_array_append_new(errs, field_error("columns", "invalid",
                                                    "must be at most 40 column names"
                                                    " (a-z, 0-9, _ and .)"));
        else {
            char *s = json_dumps(cols, JSON_COMPACT);
            *columns = arena_strdup(&r->a, s);
            free(s);
        }
    }
    const char *sort = in_str(r, "sort");
    if (sort) {
        bool ok = false;
        for (int i = 0; resources[ri].sorts[i]; i++)
            ok |= strcmp(resources[ri].sorts[i], sort) == 0;
        if (!ok)
            json_array_append_new(errs,
                                  field_error("sort", "invalid", "is not a sort order of the list"));
    }
}

/* GET /views?resource=customers — mine first, then those shared with me. */
static int h_views_list(req *r)
{
    const char *resource = req_query(r, "resource");
    if (resource_index(resource) < 0)
        return reply_problem(r, 400, "bad_request", "resource must be customers");
    sqlq q;
    sqlq_init(&q, &r->a, VIEW_SELECT " WHERE 1 = 1");
    sqlq_add(&q, " AND v.resource = ?", 1, (db_val[]){DBS(resource)});
    policy_view_filter(&r->me, &q);
    sqlq_add(&q, " ORDER BY CASE WHEN v.user_id = ? THEN 0 ELSE 1 END, v.name, v.id LIMIT 500", 1,
             (db_val[]){DBI(r->me.id)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    for (int i = 0; i < res.nrows; i++) {
        json_t *o = db_row_json(&res, i);
        json_object_set_new(o, "mine", json_boolean(db_get_int(&res, i, "user_id") == r->me.id));
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static int h_views_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? view_json(r, id) : NULL;
    if (!o) return reply_not_found(r);
    if (policy_view_access(r->db, &r->me, json_integer_value(json_object_get(o, "user_id")),
                           json_is_true(json_object_get(o, "shared_with_department"))) ==
        ACCESS_NONE) {
        json_decref(o);
        return reply_not_found(r);
    }
    return reply_json(r, 200, o);
}

#define VIEW_FIELDS                                                                                \
    {"name", F_STR, 0, 80, 1}, {"query", F_OBJ, 0, 0, 0}, {"columns", F_ARR, 0, COLUMNS_MAX, 0},  \
        {"sort", F_STR, F_NULL, 20, 1}, {"shared_with_department", F_BOOL, 0, 0, 0}

static int h_views_create(req *r)
{
    static const field spec[] = {VIEW_FIELDS, {"resource", F_STR, F_REQ, 40, 1}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int ri = resource_index(in_str(r, "resource"));
    if (ri < 0) json_array_append_new(errs, field_error("resource", "invalid", "must be customers"));
    if (!in_str(r, "name"))
        json_array_append_new(errs, field_error("name", "required", "is required"));
    const char *query = NULL, *columns = NULL;
    if (ri >= 0) check_body(r, ri, errs, &query, &columns);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    /* the user row's lock (PostgreSQL) keeps two creates from both passing
     * the count; SQLite's write transaction runs alone anyway */
    int64_t have = 0;
    rc = db_exec(r->db, "UPDATE users SET updated_at = updated_at WHERE id = ?", DBP(DBI(r->me.id)));
    if (rc >= 0)
        rc = db_scalar_int(r->db, &have, 0, "SELECT COUNT(*) FROM saved_views WHERE user_id = ?",
                           DBP(DBI(r->me.id)));
    if (rc >= 0 && have >= VIEWS_PER_USER) {
        db_rollback(r->db);
        return reply_problem(r, 422, "validation_failed",
                             "you have %d saved views, the most there may be; delete one first",
                             VIEWS_PER_USER);
    }
    db_res res;
    if (rc >= 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO saved_views(user_id, resource, name, query_json, columns_json,"
                      " sort, shared_with_department, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBI(r->me.id), DBS(in_str(r, "resource")), DBS(in_str(r, "name")),
                          DBS(query ? query : "{}"), DBS(columns ? columns : "[]"),
                          DBS(in_str(r, "sort")), DBB(in_bool(r, "shared_with_department", false)),
                          DBS(now), DBS(now)));
    return audit_finish_create(r, rc, &res, "saved_view", view_json);
}

/* Loads the view for a change by its owner: 404 when u cannot see it, 403
 * when u only reads it (shared). Returns the view or NULL after replying. */
static json_t *view_for_change(req *r, int64_t id)
{
    json_t *o = id > 0 ? view_json(r, id) : NULL;
    tf_access acc = o ? policy_view_access(
                            r->db, &r->me, json_integer_value(json_object_get(o, "user_id")),
                            json_is_true(json_object_get(o, "shared_with_department")))
                      : ACCESS_NONE;
    if (acc == ACCESS_MANAGE) return o;
    json_decref(o);
    if (acc == ACCESS_NONE) reply_not_found(r);
    else reply_problem(r, 403, "forbidden", "only the owner of a view changes it");
    return NULL;
}

static int h_views_update(req *r)
{
    static const field spec[] = {VIEW_FIELDS, {"version", F_INT, F_REQ, 0, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = view_for_change(r, id);
    if (!before) {
        db_rollback(r->db);
        return 0;
    }
    json_t *errs = json_array();
    const char *query = NULL, *columns = NULL;
    check_body(r, resource_index(json_string_value(json_object_get(before, "resource"))), errs,
               &query, &columns);
    if (json_array_size(errs)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(r->db,
                 "UPDATE saved_views SET name = COALESCE(?, name), query_json = COALESCE(?,"
                 " query_json), columns_json = COALESCE(?, columns_json),"
                 " sort = CASE WHEN ? = 1 THEN ? ELSE sort END,"
                 " shared_with_department = COALESCE(?, shared_with_department),"
                 " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBS(query), DBS(columns), DBI(in_has(r, "sort")),
                     DBS(in_str(r, "sort")),
                     in_has(r, "shared_with_department")
                         ? DBB(in_bool(r, "shared_with_department", false))
                         : DBNULL,
                     DBS(now), DBI(id), DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "saved_view", id, before, view_json);
}

static int h_views_delete(req *r)
{
    int64_t id = req_id(r, 0);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = view_for_change(r, id);
    if (!before) { /* view_for_change replied */
        db_rollback(r->db);
        return 0;
    }
    return audit_finish_delete(r, before, "saved_view", id, "delete",
                               "DELETE FROM saved_views WHERE id = ?", DBP(DBI(id)));
}

#define VIEW_SCHEMA(required)                                                                      \
    "{\"type\":\"object\"," required "\"properties\":{\"resource\":{\"enum\":[\"customers\"]},"    \
    "\"name\":{\"type\":\"string\",\"maxLength\":80},\"query\":{\"type\":\"object\","             \
    "\"description\":\"the list's filters (for customers: those of GET /customers), at most"      \
    " 4096 bytes\"},\"columns\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":" \
    "40},\"sort\":{\"type\":[\"string\",\"null\"]},\"shared_with_department\":{\"type\":"         \
    "\"boolean\"},\"version\":{\"type\":\"integer\"}}}"

const route saved_views_routes[] = {
    {"GET", "/api/v1/views", h_views_list, PERM_SIGNED_IN, 0,
     QUERY("resource!=customers")
     "My saved views of a list (resource=customers) and those my department shares", NULL},
    {"POST", "/api/v1/views", h_views_create, PERM_SIGNED_IN, 16384,
     "Save a view: name, query (the list's filters), columns, sort, shared_with_department;"
     " at most 50 per user",
     VIEW_SCHEMA("\"required\":[\"resource\",\"name\"],")},
    {"GET", "/api/v1/views/{id}", h_views_get, PERM_SIGNED_IN, 0, "A saved view", NULL},
    {"PATCH", "/api/v1/views/{id}", h_views_update, PERM_SIGNED_IN, 16384,
     "Change a saved view (its owner; send version)", VIEW_SCHEMA("\"required\":[\"version\"],")},
    {"DELETE", "/api/v1/views/{id}", h_views_delete, PERM_SIGNED_IN, 0,
     "Delete a saved view (its owner)", NULL},
    ROUTES_END,
};
