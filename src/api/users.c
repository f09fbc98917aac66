/* users.c — the users resource: list and search, read, create, update
 * (optimistic version), disable, history; `lang` is the language the user
 * chose (NULL until then), `locale` the one an administrator gave them.
 * Administrators write; every signed-in user may list colleagues (names
 * are needed to share and assign). */
#include "core/audit.h"
#include "core/auth.h"
#include "core/i18n.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include <sodium.h>
#include <string.h>

#define USER_COLS                                                                                  \
    "SELECT u.id, u.login, u.name, u.role, u.department_id, d.name AS department_name, u.email,"  \
    " u.locale, u.lang, u.active, u.version, u.created_at, u.updated_at FROM users u"              \
    " LEFT JOIN departments d ON d.id = u.department_id"

/* The user as JSON, or NULL if there is none (caller owns). */
static json_t *user_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, USER_COLS " WHERE u.id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

/* Role and department checks shared by create and update; appends errors. */
static void check_refs(req *r, json_t *errs)
{
    tf_role role;
    const char *rs = in_str(r, "role");
    if (rs && !role_parse(rs, &role))
        json_array_append_new(errs, field_error("role", "invalid",
                                                "must be one of admin, sales_manager, salesperson,"
                                                " finance, warehouse, aftersales"));
    json_t *dep = r->in ? json_object_get(r->in, "department_id") : NULL;
    if (json_is_integer(dep)) {
        int64_t n = 0;
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM departments WHERE id = ?",
                      DBP(DBI(json_integer_value(dep))));
        if (!n) json_array_append_new(errs, field_error("department_id", "not_found", "no such department"));
    }
    const char *loc = in_str(r, "locale");
    if (loc && strcmp(loc, "en") != 0 && strcmp(loc, "zh-CN") != 0)
        json_array_append_new(errs, field_error("locale", "invalid", "must be en or zh-CN"));
    const char *lang = in_str(r, "lang");
    if (lang && !i18n_lang_valid(lang))
        json_array_append_new(errs, field_error("lang", "invalid", "must be en or zh-CN"));
}

static int h_users_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *q = req_query(r, "q");
    if (q && tf_utf8_len(q) > 100) return reply_problem(r, 400, "bad_request", "q is too long");
    /* q is a substring, not a pattern: "100%" or "a_b" match only themselves */
    char *pat = q && *q ? tf_like_contains(&r->a, q) : NULL;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      USER_COLS " WHERE u.id > ? AND (CAST(? AS TEXT) IS NULL"
                                " OR LOWER(u.login) LIKE LOWER(?) ESCAPE '\\'"
                                " OR LOWER(u.name) LIKE LOWER(?) ESCAPE '\\') ORDER BY u.id LIMIT ?",
                      DBP(DBI(cursor), DBS(pat), DBS(pat), DBS(pat), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

static int h_users_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? user_json(r, id) : NULL;
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

static const field user_create_spec[] = {
    {"login", F_STR, F_REQ, 64, 2},     {"name", F_STR, F_REQ, 100, 1},
    {"password", F_STR, F_REQ, 200, 6}, {"role", F_STR, F_REQ, 20, 1},
    {"department_id", F_INT, F_NULL, 0, 1}, {"email", F_STR, F_NULL, 200, 0},
    {"locale", F_STR, 0, 10, 2},        {"lang", F_STR, F_NULL, 10, 2},
    FIELDS_END};

static int h_users_create(req *r)
{
    if (input_check(r, user_create_spec) < 0) return 0;
    json_t *errs = json_array();
    if (!auth_login_ok(in_str(r, "login")))
        json_array_append_new(errs, field_error("login", "invalid",
                                                "use 2-64 lower-case letters, digits, '.', '_' or '-'"));
    check_refs(r, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char hash[crypto_pwhash_STRBYTES], now[TF_TS_LEN];
    if (auth_hash_password(hash, sizeof(hash), in_str(r, "password")) != 0)
        return reply_problem(r, 503, "unavailable", "out of memory hashing the password");
    tf_now(now);
    json_t *dep = json_object_get(r->in, "department_id");
    int64_t id = 0;
    int rc = db_begin(r->db);
    db_res res;
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO users(login, name, password_hash, role, department_id, email,"
                      " locale, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      " RETURNING id",
                      DBP(DBS(in_str(r, "login")), DBS(in_str(r, "name")), DBS(hash),
                          DBS(in_str(r, "role")), json_is_integer(dep) ? DBI(json_integer_value(dep)) : DBNULL,
                          DBS(in_str(r, "email")), DBS(in_str(r, "locale") ? in_str(r, "locale") : "en"),
                          DBS(in_str(r, "lang")), DBS(now), DBS(now)));
    json_t *after = NULL;
    if (rc > 0) {
        id = db_get_int(&res, 0, "id");
        after = user_json(r, id);
        rc = audit_record(r->db, r->me.id, "user", id, "create", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        if (rc == DB_EUNIQUE)
            return reply_invalid(r, json_pack("[o]", field_error("login", "taken",
                                                                 "another user has this login")));
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, after);
}

static int h_users_update(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1},   {"name", F_STR, 0, 100, 1},
        {"password", F_STR, 0, 200, 6},    {"role", F_STR, 0, 20, 1},
        {"department_id", F_INT, F_NULL, 0, 1}, {"email", F_STR, F_NULL, 200, 0},
        {"locale", F_STR, 0, 10, 2},       {"active", F_BOOL, 0, 0, 0},
        {"lang", F_STR, F_NULL, 10, 2},    FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    check_refs(r, errs);
    if (id == r->me.id && in_has(r, "active") && !in_bool(r, "active", true))
        json_array_append_new(errs, field_error("active", "self", "you cannot disable yourself"));
    if (id == r->me.id && in_str(r, "role") && strcmp(in_str(r, "role"), "admin") != 0)
        json_array_append_new(errs, field_error("role", "self", "you cannot remove your own administrator role"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char hash[crypto_pwhash_STRBYTES] = "", now[TF_TS_LEN];
    if (in_str(r, "password") && auth_hash_password(hash, sizeof(hash), in_str(r, "password")) != 0)
        return reply_problem(r, 503, "unavailable", "out of memory hashing the password");
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = user_json(r, id), *after = NULL;
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    json_t *dep = json_object_get(r->in, "department_id");
    /* COALESCE keeps fields the body leaves out; department_id can be set to
     * null, so it has its own "was it sent" flag. */
    rc = db_exec(r->db,
                 "UPDATE users SET name = COALESCE(?, name), role = COALESCE(?, role),"
                 " email = CASE WHEN ? = 1 THEN ? ELSE email END,"
                 " locale = COALESCE(?, locale), active = COALESCE(?, active),"
                 " lang = CASE WHEN ? = 1 THEN ? ELSE lang END,"
                 " department_id = CASE WHEN ? = 1 THEN ? ELSE department_id END,"
                 " password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END,"
                 " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBS(in_str(r, "role")), DBI(in_has(r, "email")),
                     DBS(in_str(r, "email")), DBS(in_str(r, "locale")),
                     in_has(r, "active") ? DBB(in_bool(r, "active", true)) : DBNULL,
                     DBI(in_has(r, "lang")), DBS(in_str(r, "lang")),
                     DBI(dep != NULL), json_is_integer(dep) ? DBI(json_integer_value(dep)) : DBNULL,
                     DBS(hash), DBS(hash), DBS(now), DBI(id), DBI(in_int(r, "version", 0))));
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) {
        after = user_json(r, id);
        if (hash[0] || !in_bool(r, "active", true)) /* a new password or a disabled user signs out everywhere */
            rc = db_exec(r->db, "DELETE FROM sessions WHERE user_id = ?", DBP(DBI(id)));
        if (rc >= 0) {
            if (hash[0]) json_object_set_new(after, "password_changed", json_true());
            rc = audit_record(r->db, r->me.id, "user", id, "update", before, after);
            json_object_del(after, "password_changed");
        }
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

static int h_users_history(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? user_json(r, id) : NULL;
    if (!o) return reply_not_found(r);
    json_decref(o);
    return audit_reply_history(r, "user", id);
}

const route users_routes[] = {
    {"GET", "/api/v1/users", h_users_list, PERM_SIGNED_IN, 0,
     QUERY("page q") "List and search users (q, limit, cursor)", NULL},
    {"POST", "/api/v1/users", h_users_create, "users.manage", 8192, "Create a user",
     "{\"type\":\"object\",\"required\":[\"login\",\"name\",\"password\",\"role\"],\"properties\":{"
     "\"login\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"},\"password\":{\"type\":"
     "\"string\"},\"role\":{\"type\":\"string\",\"enum\":[\"admin\",\"sales_manager\","
     "\"salesperson\",\"finance\",\"warehouse\",\"aftersales\"]},\"department_id\":{\"type\":["
     "\"integer\",\"null\"]},\"email\":{\"type\":[\"string\",\"null\"]},\"locale\":{\"type\":"
     "\"string\"},\"lang\":{\"type\":[\"string\",\"null\"],\"enum\":[\"en\",\"zh-CN\",null]}}}"},
    {"GET", "/api/v1/users/{id}", h_users_get, PERM_SIGNED_IN, 0, "Read a user", NULL},
    {"PATCH", "/api/v1/users/{id}", h_users_update, "users.manage", 8192,
     "Update a user (send version; 409 if stale)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"},\"name\":{\"type\":\"string\"},\"password\":{\"type\":\"string\"},\"role\":{"
     "\"type\":\"string\"},\"department_id\":{\"type\":[\"integer\",\"null\"]},\"email\":{\"type\":"
     "[\"string\",\"null\"]},\"locale\":{\"type\":\"string\"},\"lang\":{\"type\":[\"string\","
     "\"null\"],\"enum\":[\"en\",\"zh-CN\",null]},\"active\":{\"type\":\"boolean\"}}}"},
    {"GET", "/api/v1/users/{id}/history", h_users_history, "users.manage", 0,
     QUERY("page")
     "History of changes to a user", NULL},
    ROUTES_END,
};
