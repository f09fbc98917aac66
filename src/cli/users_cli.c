/* users_cli.c — `tradeflow user add|passwd|disable|list`: user administration
 * from the shell, for the first administrator and for lost passwords. Every
 * change is written to the history like a change made through the API. */
#include "cli/demo.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/policy.h"
#include "base/util.h"
#include <sodium.h>
#include <string.h>

static db_conn *conn(db *d)
{
    char err[256];
    db_conn *c = db_acquire(d, err, sizeof(err));
    if (!c) fprintf(stderr, "tradeflow: %s\n", err);
    return c;
}

int cli_user_add(db *d, const char *login, const char *name, const char *role,
                 const char *password, long long department_id)
{
    tf_role rl;
    if (!auth_login_ok(login)) {
        fprintf(stderr, "tradeflow: the login must be 2-64 lower-case letters, digits, '.', '_' or "
                        "'-'\n");
        return -1;
    }
    if (!role_parse(role, &rl)) {
        fprintf(stderr, "tradeflow: --role must be one of admin, sales_manager, salesperson, "
                        "finance, warehouse, aftersales\n");
        return -1;
    }
    if (strlen(password) < 6) {
        fprintf(stderr, "tradeflow: the password must have at least 6 characters\n");
        return -1;
    }
    char hash[crypto_pwhash_STRBYTES], now[TF_TS_LEN];
    if (auth_hash_password(hash, sizeof(hash), password) != 0) return -1;
    tf_now(now);
    db_conn *c = conn(d);
    if (!c) return -1;
    arena a;
    arena_init(&a);
    db_res res;
    int rc = db_begin(c);
    if (rc == 0)
        rc = db_query(c, &a, &res,
                      "INSERT INTO users(login, name, password_hash, role, department_id,"
                      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBS(login), DBS(name), DBS(hash), DBS(role),
                          department_id > 0 ? DBI(department_id) : DBNULL, DBS(now), DBS(now)));
    if (rc > 0) {
        json_t *after = json_pack("{s:s, s:s, s:s}", "login", login, "name", name, "role", role);
        rc = audit_record(c, 0, "user", db_get_int(&res, 0, "id"), "create", NULL, after);
        json_decref(after);
    }
    if (rc >= 0) rc = db_commit(c);
    if (rc < 0) {
        fprintf(stderr, "tradeflow: cannot add %s: %s\n", login,
                rc == DB_EUNIQUE ? "the login is taken" : db_errmsg(c));
        db_rollback(c);
    }
    arena_free(&a);
    db_release(c);
    return rc < 0 ? -1 : 0;
}

static int update_one(db *d, const char *login, const char *sql, int n, const db_val *p,
                      const char *action)
{
    db_conn *c = conn(d);
    if (!c) return -1;
    int64_t id = 0;
    int rc = db_begin(c);
    if (rc == 0) db_scalar_int(c, &id, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(login)));
    if (rc == 0 && !id) {
        fprintf(stderr, "tradeflow: no user %s\n", login);
        rc = -1;
    }
    if (rc == 0) rc = db_exec(c, sql, n, p);
    if (rc >= 0) rc = db_exec(c, "DELETE FROM sessions WHERE user_id = ?", DBP(DBI(id)));
    if (rc >= 0) rc = audit_record(c, 0, "user", id, action, NULL, NULL);
    if (rc >= 0) rc = db_commit(c);
    else db_rollback(c);
    db_release(c);
    return rc < 0 ? -1 : 0;
}

int cli_user_passwd(db *d, const char *login, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (strlen(password) < 6) {
        fprintf(stderr, "tradeflow: the password must have at least 6 characters\n");
        return -1;
    }
    if (auth_hash_password(hash, sizeof(hash), password) != 0) return -1;
    return update_one(d, login,
                      "UPDATE users SET password_hash = ?, version = version + 1 WHERE login = ?",
                      DBP(DBS(hash), DBS(login)), "password_reset");
}

int cli_user_disable(db *d, const char *login)
{
    return update_one(d, login,
                      "UPDATE users SET active = FALSE, version = version + 1 WHERE login = ?",
                      DBP(DBS(login)), "disable");
}

int cli_user_list(db *d, FILE *out)
{
    db_conn *c = conn(d);
    if (!c) return -1;
    arena a;
    arena_init(&a);
    db_res res;
    int rc = db_query(c, &a, &res, "SELECT login, name, role, active FROM users ORDER BY id", DBP0);
    for (int i = 0; i < res.nrows; i++)
        fprintf(out, "%-16s %-14s %s%s\n", db_get_text(&res, i, "login"), db_get_text(&res, i, "role"),
                db_get_text(&res, i, "name"), db_get_int(&res, i, "active") ? "" : " (disabled)");
    arena_free(&a);
    db_release(c);
    return rc < 0 ? -1 : 0;
}
