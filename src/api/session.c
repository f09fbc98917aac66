/* session.c — signing in and out (POST/DELETE /api/v1/session), the current
 * user (GET /api/v1/me) and their own choices (PATCH /api/v1/me: the
 * language), and personal API tokens (/api/v1/tokens). Login is throttled
 * per login name after LOGIN_MAX_FAILURES failures in a row. */
#include "core/audit.h"
#include "core/auth.h"
#include "core/i18n.h"
#include "base/util.h"
#include "http/http.h"
#include "http/server.h"
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* A valid hash of a random password: verifying against it when the login is
 * unknown makes a wrong login cost as much time as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void make_dummy(void)
{
    auth_hash_password(dummy_hash, sizeof(dummy_hash), "no-such-user-no-such-password");
}

static json_t *me_json(req *r, int64_t user_id, const char *csrf)
{
    db_res res;
    if (db_query(r->db, &r->a, &res,
                 "SELECT u.id, u.login, u.name, u.role, u.department_id, d.name AS department_name,"
                 " u.email, u.locale, u.lang FROM users u"
                 " LEFT JOIN departments d ON d.id = u.department_id"
                 " WHERE u.id = ?",
                 DBP(DBI(user_id))) <= 0)
        return NULL;
    json_t *o = db_row_json(&res, 0);
    principal p = r->me;
    role_parse(db_get_text(&res, 0, "role"), &p.role);
    p.id = user_id;
    json_object_set_new(o, "permissions", policy_permissions_json(&p));
    json_object_set_new(o, "data_scope", json_string((const char *[]){"own", "department", "all"}[policy_scope(&p)]));
    if (csrf) json_object_set_new(o, "csrf_token", json_string(csrf));
    return o;
}

static char *lower_login(arena *a, const char *s)
{
    char *o = arena_strdup(a, s);
    for (char *p = o; *p; p++) *p = (char)tolower((unsigned char)*p);
    return o;
}

static int h_session_create(req *r)
{
    static const field spec[] = {{"login", F_STR, F_REQ, 64, 1},
                                 {"password", F_STR, F_REQ, 200, 1},
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    pthread_once(&dummy_once, make_dummy);
    const char *login = lower_login(&r->a, in_str(r, "login"));
    const char *password = in_str(r, "password");
    char now[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(now, t);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT failures, locked_until FROM login_throttle WHERE login = ?",
                      DBP(DBS(login)));
    if (rc < 0) return reply_db_error(r, rc);
    const char *locked = db_get_text(&res, 0, "locked_until");
    if (rc > 0 && locked && strcmp(locked, now) > 0) {
        time_t until;
        tf_ts_parse(locked, &until);
        r->extra_header_name = "Retry-After";
        r->extra_header_value = arena_printf(&r->a, "%lld", (long long)(until - t + 1));
        return reply_problem(r, 429, "throttled",
                             "too many failed sign-ins; try again in %lld seconds",
                             (long long)(until - t + 1));
    }
    rc = db_query(r->db, &r->a, &res,
                  "SELECT id, password_hash FROM users WHERE login = ? AND active = TRUE",
                  DBP(DBS(login)));
    if (rc < 0) return reply_db_error(r, rc);
    const char *hash = rc > 0 ? db_get_text(&res, 0, "password_hash") : dummy_hash;
    bool ok = auth_verify_password(hash, password) && rc > 0;
    if (!ok) {
        int64_t failures = 0;
        db_begin(r->db);
        db_exec(r->db,
                "INSERT INTO login_throttle(login, failures, updated_at) VALUES (?, 1, ?)"
                " ON CONFLICT(login) DO UPDATE SET failures = login_throttle.failures + 1,"
                " updated_at = excluded.updated_at",
                DBP(DBS(login), DBS(now)));
        db_scalar_int(r->db, &failures, 0, "SELECT failures FROM login_throttle WHERE login = ?",
                      DBP(DBS(login)));
        if (failures >= LOGIN_MAX_FAILURES) {
            int64_t shift = failures - LOGIN_MAX_FAILURES;
            int64_t secs = 30LL << (shift > 5 ? 5 : shift); /* 30 s doubling, at most 16 min */
            char until[TF_TS_LEN];
            tf_ts(until, t + (time_t)secs);
            db_exec(r->db, "UPDATE login_throttle SET locked_until = ? WHERE login = ?",
                    DBP(DBS(until), DBS(login)));
        }
        rc = db_commit(r->db);
        if (rc < 0) return reply_db_error(r, rc);
        return reply_problem(r, 401, "unauthorized", "wrong login or password");
    }
    int64_t uid = db_get_int(&res, 0, "id");
    char *token = tf_random_token(&r->a, 32), *csrf = tf_random_token(&r->a, 24);
    char exp[TF_TS_LEN];
    tf_ts(exp, t + (time_t)tf_app.session_hours * 3600);
    if ((rc = db_begin(r->db)) < 0) return reply_db_error(r, rc);
    db_exec(r->db, "DELETE FROM login_throttle WHERE login = ?", DBP(DBS(login)));
    db_exec(r->db, "DELETE FROM sessions WHERE user_id = ? AND expires_at < ?",
            DBP(DBI(uid), DBS(now)));
    rc = db_exec(r->db,
                 "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at,"
                 " last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                 DBP(DBS(tf_token_hash(&r->a, token)), DBI(uid), DBS(csrf), DBS(now), DBS(exp),
                     DBS(now)));
    if (rc < 0 || (rc = db_commit(r->db)) < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    r->set_cookie = arena_printf(&r->a, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
                                 SESSION_COOKIE, token, tf_app.session_hours * 3600,
                                 tf_app.secure_cookie ? "; Secure" : "");
    json_t *me = me_json(r, uid, csrf);
    return reply_json(r, 200, json_pack("{s:s, s:o}", "csrf_token", csrf, "user", me ? me : json_null()));
}

static int h_session_delete(req *r)
{
    if (r->session_hash) {
        int rc = db_exec(r->db, "DELETE FROM sessions WHERE token_hash = ?",
                         DBP(DBS(r->session_hash)));
        if (rc < 0) return reply_db_error(r, rc);
    }
    r->set_cookie = arena_printf(&r->a, "%s=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0",
                                 SESSION_COOKIE);
    return reply_empty(r, 204);
}

static int h_me(req *r)
{
    json_t *me = me_json(r, r->me.id, r->via_token ? NULL : r->csrf);
    if (!me) return reply_not_found(r);
    return reply_json(r, 200, me);
}

/* PATCH /me {"lang": "en" | "zh-CN" | null} — the language the user chose
 * with the UI's switch: their next sign-in anywhere comes up in it, and
 * everything the server writes for them follows it (null forgets it). */
static int h_me_update(req *r)
{
    static const field spec[] = {{"lang", F_STR, F_NULL, 10, 2}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    if (!in_has(r, "lang"))
        return reply_invalid(r, json_pack("[o]", field_error("lang", "required", "is required")));
    const char *lang = in_str(r, "lang");
    if (lang && !i18n_lang_valid(lang))
        return reply_invalid(r,
                             json_pack("[o]", field_error("lang", "invalid", "must be en or zh-CN")));
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res res;
    rc = db_query(r->db, &r->a, &res, "SELECT lang FROM users WHERE id = ?", DBP(DBI(r->me.id)));
    const char *old = rc > 0 ? db_get_text(&res, 0, "lang") : NULL;
    if (rc > 0 && (old ? !lang || strcmp(old, lang) != 0 : lang != NULL)) {
        rc = db_exec(r->db,
                     "UPDATE users SET lang = ?, version = version + 1, updated_at = ? WHERE id = ?",
                     DBP(DBS(lang), DBS(now), DBI(r->me.id)));
        json_t *before = json_pack("{s:s?}", "lang", old), *after = json_pack("{s:s?}", "lang", lang);
        if (rc >= 0) rc = audit_record(r->db, r->me.id, "user", r->me.id, "update", before, after);
        json_decref(before);
        json_decref(after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    r->me.lang = lang; /* this reply already speaks it */
    json_t *me = me_json(r, r->me.id, r->via_token ? NULL : r->csrf);
    if (!me) return reply_not_found(r);
    return reply_json(r, 200, me);
}

static int h_tokens_list(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, name, created_at, last_used_at, revoked FROM api_tokens"
                      " WHERE user_id = ? ORDER BY id",
                      DBP(DBI(r->me.id)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_tokens_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 100, 1}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    char *token = arena_printf(&r->a, "tf_%s", tf_random_token(&r->a, 32));
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO api_tokens(user_id, name, token_hash, created_at) VALUES"
                      " (?, ?, ?, ?) RETURNING id, name, created_at",
                      DBP(DBI(r->me.id), DBS(in_str(r, "name")), DBS(tf_token_hash(&r->a, token)),
                          DBS(now)));
    if (rc >= 0) {
        json_t *o = db_row_json(&res, 0);
        rc = audit_record(r->db, r->me.id, "api_token", db_get_int(&res, 0, "id"), "create", NULL, o);
        if (rc == 0) rc = db_commit(r->db);
        if (rc == 0) {
            json_object_set_new(o, "token", json_string(token));
            return reply_json(r, 201, o);
        }
        json_decref(o);
    }
    db_rollback(r->db);
    return reply_db_error(r, rc);
}

static int h_tokens_delete(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_exec(r->db,
                     "UPDATE api_tokens SET revoked = TRUE WHERE id = ? AND user_id = ? AND"
                     " revoked = FALSE",
                     DBP(DBI(id), DBI(r->me.id)));
    if (rc == 0) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    if (rc > 0) rc = audit_record(r->db, r->me.id, "api_token", id, "revoke", NULL, NULL);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

const route session_routes[] = {
    {"POST", "/api/v1/session", h_session_create, PERM_PUBLIC, 4096,
     REPLIES("429")
     "Sign in; sets the session cookie and returns the CSRF token",
     "{\"type\":\"object\",\"required\":[\"login\",\"password\"],\"properties\":{\"login\":{"
     "\"type\":\"string\"},\"password\":{\"type\":\"string\"}}}"},
    {"DELETE", "/api/v1/session", h_session_delete, PERM_SIGNED_IN, 0, "Sign out", NULL},
    {"GET", "/api/v1/me", h_me, PERM_SIGNED_IN, 0, "The signed-in user and their permissions",
     NULL},
    {"PATCH", "/api/v1/me", h_me_update, PERM_SIGNED_IN, 4096,
     "Change my own choices: lang, the language everything the server writes for me follows"
     " (null: none chosen)",
     "{\"type\":\"object\",\"required\":[\"lang\"],\"properties\":{\"lang\":{\"type\":"
     "[\"string\",\"null\"],\"enum\":[\"en\",\"zh-CN\",null]}}}"},
    {"GET", "/api/v1/tokens", h_tokens_list, "tokens.manage", 0, "My API tokens", NULL},
    {"POST", "/api/v1/tokens", h_tokens_create, "tokens.manage", 4096,
     "Create an API token (shown once)",
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{\"name\":{\"type\":"
     "\"string\"}}}"},
    {"DELETE", "/api/v1/tokens/{id}", h_tokens_delete, "tokens.manage", 0, "Revoke an API token",
     NULL},
    ROUTES_END,
};
