/* auth_req.c — resolving a request's caller from its session cookie or its
 * Bearer API token (sliding expiry, last use of a token), and the CSRF check
 * of cookie sessions. */
#include "http/auth_req.h"
#include "base/util.h"
#include "core/auth.h"
#include "http/http.h"
#include "http/server.h"
#include <sodium.h>
#include <string.h>
#include <strings.h>

static int load_principal(req *r, const db_res *res)
{
    tf_role role;
    if (!role_parse(db_get_text(res, 0, "role"), &role)) return 0;
    r->me.id = db_get_int(res, 0, "id");
    r->me.login = db_get_text(res, 0, "login");
    r->me.name = db_get_text(res, 0, "name");
    r->me.locale = db_get_text(res, 0, "locale");
    r->me.lang = db_get_text(res, 0, "lang");
    r->me.department_id = db_get_int(res, 0, "department_id");
    r->me.role = role;
    r->signed_in = true;
    return 1;
}

int auth_resolve(req *r)
{
    char now[TF_TS_LEN];
    tf_now(now);
    const char *authz = req_header(r, "Authorization");
    db_res res;
    int rc;
    if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
        const char *tok = authz + 7;
        if (strlen(tok) > 256) return 0;
        char *h = tf_token_hash(&r->a, tok);
        rc = db_query(r->db, &r->a, &res,
                      "SELECT u.id, u.login, u.name, u.role, u.locale, u.lang, u.department_id, t.id AS tid,"
                      " t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id"
                      " WHERE t.token_hash = ? AND t.revoked = FALSE AND u.active = TRUE",
                      DBP(DBS(h)));
        if (rc <= 0) return rc;
        r->via_token = true;
        const char *last = db_get_text(&res, 0, "last_used_at");
        if (!last || strncmp(last, now, 15) != 0) /* at most one write per ten minutes */
            db_exec(r->db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                    DBP(DBS(now), DBI(db_get_int(&res, 0, "tid"))));
        return load_principal(r, &res);
    }
    const char *cookie = req_cookie(r, SESSION_COOKIE);
    if (!cookie || strlen(cookie) > 256) return 0;
    r->session_hash = tf_token_hash(&r->a, cookie);
    rc = db_query(r->db, &r->a, &res,
                  "SELECT u.id, u.login, u.name, u.role, u.locale, u.lang, u.department_id, s.id AS sid,"
                  " s.last_seen_at, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id"
                  " WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = TRUE",
                  DBP(DBS(r->session_hash), DBS(now)));
    if (rc <= 0) return rc;
    /* sliding expiry, refreshed at most every ten minutes to spare writes */
    const char *seen = db_get_text(&res, 0, "last_seen_at");
    if (!seen || strncmp(seen, now, 15) != 0) {
        char exp[TF_TS_LEN];
        tf_ts(exp, time(NULL) + (time_t)tf_app.session_hours * 3600);
        db_exec(r->db, "UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                DBP(DBS(now), DBS(exp), DBI(db_get_int(&res, 0, "sid"))));
    }
    r->csrf = db_get_text(&res, 0, "csrf_token");
    return load_principal(r, &res);
}

bool auth_csrf_ok(req *r)
{
    const char *sent = req_header(r, "X-CSRF-Token");
    if (!sent || !r->csrf || strlen(sent) != strlen(r->csrf)) return false;
    return sodium_memcmp(sent, r->csrf, strlen(sent)) == 0;
}
