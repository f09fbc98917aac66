/* departments.c — the department tree: list, create, rename / move / set the
 * manager (optimistic version, no cycles), delete when empty, history. */
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

#define DEPT_COLS                                                                                  \
    "SELECT d.id, d.name, d.parent_id, d.manager_id, u.name AS manager_name, d.version,"          \
    " d.created_at FROM departments d LEFT JOIN users u ON u.id = d.manager_id"

static json_t *dept_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, DEPT_COLS " WHERE d.id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_departments_list(req *r)
{
    db_res res;
    /* The whole tree at once: a company has tens of departments, not thousands. */
    int rc = db_query(r->db, &r->a, &res, DEPT_COLS " ORDER BY d.id LIMIT 10000", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_departments_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? dept_json(r, id) : NULL;
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

/* parent and manager must exist; parent must not be id itself or below it. */
static void check_refs(req *r, int64_t id, json_t *errs)
{
    json_t *p = json_object_get(r->in, "parent_id"), *m = json_object_get(r->in, "manager_id");
    int64_t n = 0;
    if (json_is_integer(p)) {
        int64_t pid = json_integer_value(p);
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM departments WHERE id = ?", DBP(DBI(pid)));
        if (!n) json_array_append_new(errs, field_error("parent_id", "not_found", "no such department"));
        if (id) {
            db_scalar_int(r->db, &n, 0,
                          "WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT) UNION ALL"
                          " SELECT d.id FROM departments d JOIN sub ON d.parent_id = sub.id)"
                          " SELECT COUNT(*) FROM sub WHERE id = ?",
                          DBP(DBI(id), DBI(pid)));
            if (n) json_array_append_new(errs, field_error("parent_id", "cycle",
                                                           "a department cannot sit below itself"));
        }
    }
    if (json_is_integer(m)) {
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE",
                      DBP(DBI(json_integer_value(m))));
        if (!n) json_array_append_new(errs, field_error("manager_id", "not_found", "no such active user"));
    }
}

static db_val opt_id(req *r, const char *name)
{
    json_t *v = json_object_get(r->in, name);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}

static int h_departments_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 100, 1},
                                 {"parent_id", F_INT, F_NULL, 0, 1},
                                 {"manager_id", F_INT, F_NULL, 0, 1},
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    check_refs(r, 0, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO departments(name, parent_id, manager_id, created_at)"
                      " VALUES (?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "name")), opt_id(r, "parent_id"), opt_id(r, "manager_id"),
                          DBS(now)));
    return audit_finish_create(r, rc, &res, "department", dept_json);
}

static int h_departments_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"parent_id", F_INT, F_NULL, 0, 1},
                                 {"manager_id", F_INT, F_NULL, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = dept_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    json_t *errs = json_array();
    check_refs(r, id, errs);
    if (json_array_size(errs)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    rc = db_exec(r->db,
                 "UPDATE departments SET name = COALESCE(?, name),"
                 " parent_id = CASE WHEN ? = 1 THEN ? ELSE parent_id END,"
                 " manager_id = CASE WHEN ? = 1 THEN ? ELSE manager_id END,"
                 " version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBI(in_has(r, "parent_id")), opt_id(r, "parent_id"),
                     DBI(in_has(r, "manager_id")), opt_id(r, "manager_id"), DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "department", id, before, dept_json);
}

static int h_departments_delete(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = dept_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    int64_t users = 0, children = 0;
    db_scalar_int(r->db, &users, 0, "SELECT COUNT(*) FROM users WHERE department_id = ?", DBP(DBI(id)));
    db_scalar_int(r->db, &children, 0, "SELECT COUNT(*) FROM departments WHERE parent_id = ?",
                  DBP(DBI(id)));
    if (users || children) {
        db_rollback(r->db);
        json_decref(before);
        return reply_problem(r, 409, "in_use",
                             "the department still has %lld users and %lld sub-departments",
                             (long long)users, (long long)children);
    }
    return audit_finish_delete(r, before, "department", id, "delete",
                               "DELETE FROM departments WHERE id = ?", DBP(DBI(id)));
}

static int h_departments_history(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    return audit_reply_history(r, "department", id);
}

const route departments_routes[] = {
    {"GET", "/api/v1/departments", h_departments_list, PERM_SIGNED_IN, 0,
     "The whole department tree (flat, with parent_id)", NULL},
    {"POST", "/api/v1/departments", h_departments_create, "departments.manage", 4096,
     "Create a department",
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":\"string\"},"
     "\"parent_id\":{\"type\":[\"integer\",\"null\"]},\"manager_id\":{\"type\":[\"integer\","
     "\"null\"]}}}"},
    {"GET", "/api/v1/departments/{id}", h_departments_get, PERM_SIGNED_IN, 0, "Read a department",
     NULL},
    {"PATCH", "/api/v1/departments/{id}", h_departments_update, "departments.manage", 4096,
     "Rename, move or set the manager of a department",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"},\"name\":{\"type\":\"string\"},\"parent_id\":{\"type\":[\"integer\",\"null\"]},"
     "\"manager_id\":{\"type\":[\"integer\",\"null\"]}}}"},
    {"DELETE", "/api/v1/departments/{id}", h_departments_delete, "departments.manage", 0,
     "Delete an empty department", NULL},
    {"GET", "/api/v1/departments/{id}/history", h_departments_history, "audit.read", 0,
     QUERY("page")
     "History of changes to a department", NULL},
    ROUTES_END,
};
