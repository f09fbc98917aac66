/* customer_shares.c — sharing a customer with colleagues
 * (/api/v1/customers/{id}/shares): read-only or read-write, optionally until
 * a day or moment, after which the share stops granting access (the policy
 * module compares `until` with the time of each request). Who may share
 * (MANAGE access: the owner and their managers) and what a share grants are
 * the policy module's decisions; this file keeps the rows. */
#include "customers/customers.h"
#include "customers/followups.h"
#include "core/audit.h"
#include "http/record.h"
#include "base/util.h"
#include <string.h>

#define SHARE_SELECT                                                                               \
    "SELECT s.user_id, u.login AS user_login, u.name AS user_name, s.mode, s.until,"               \
    " s.created_by, cb.name AS created_by_name, s.created_at FROM customer_shares s"               \
    " JOIN users u ON u.id = s.user_id LEFT JOIN users cb ON cb.id = s.created_by"

/* The share rows as JSON, each with "expired" (until has passed); caller owns. */
static json_t *shares_json(db_res *res, const char *now)
{
    json_t *items = db_rows_json(res);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        const char *until = json_string_value(json_object_get(o, "until"));
        json_object_set_new(o, "expired", json_boolean(until && strcmp(until, now) <= 0));
    }
    return items;
}

static json_t *share_json(req *r, int64_t customer_id, int64_t user_id, const char *now)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, SHARE_SELECT " WHERE s.customer_id = ? AND s.user_id = ?",
                 DBP(DBI(customer_id), DBI(user_id))) <= 0)
        return NULL;
    json_t *items = shares_json(&res, now), *o = json_incref(json_array_get(items, 0));
    json_decref(items);
    return o;
}

/* GET /customers/{id}/shares — everyone who sees the customer sees who else
 * works on it; expired shares are listed (marked) until removed. */
static int h_shares_list(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc =
        db_query(r->db, &r->a, &res,
                 SHARE_SELECT " WHERE s.customer_id = ? ORDER BY s.id LIMIT 500", DBP(DBI(id)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200,
                      json_pack("{s:o, s:n}", "items", shares_json(&res, now), "next_cursor"));
}

/* POST /customers/{id}/shares {user_id, mode, until} — creates or replaces
 * the share with that user (201 new, 200 replaced). A date `until` lasts to
 * the end of that day (UTC). */
static int h_shares_put(req *r)
{
    static const field spec[] = {{"user_id", F_INT, F_REQ, 0, 1},
                                 {"mode", F_STR, F_REQ, 10, 1},
                                 {"until", F_STR, F_NULL, 40, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_MANAGE) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    int64_t user = in_int(r, "user_id", 0), owner = 0, active = 0;
    const char *mode = in_str(r, "mode"), *until_in = in_str(r, "until");
    db_scalar_int(r->db, &owner, 0, "SELECT owner_id FROM customers WHERE id = ?", DBP(DBI(id)));
    if (!owner)
        return reply_problem(r, 409, "conflict",
                             "a customer in the pool is seen by everyone; it cannot be shared");
    db_scalar_int(r->db, &active, 0, "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE",
                  DBP(DBI(user)));
    json_t *errs = json_array();
    if (user == r->me.id)
        json_array_append_new(errs,
                              field_error("user_id", "invalid", "cannot share with yourself"));
    else if (user == owner)
        json_array_append_new(
            errs, field_error("user_id", "invalid", "is the owner, who sees the customer anyway"));
    else if (!active)
        json_array_append_new(errs, field_error("user_id", "not_found", "no such active user"));
    if (strcmp(mode, "read") != 0 && strcmp(mode, "write") != 0)
        json_array_append_new(errs, field_error("mode", "invalid", "must be read or write"));
    char now[TF_TS_LEN], until[TF_TS_LEN] = "";
    tf_now(now);
    if (until_in) {
        time_t t;
        bool date_only;
        if (!when_parse(until_in, &t, &date_only))
            json_array_append_new(errs, field_error("until", "invalid", WHEN_FORMAT_MSG));
        else {
            tf_ts(until, date_only ? t + 86399 : t);
            if (strcmp(until, now) <= 0)
                json_array_append_new(errs,
                                      field_error("until", "in_past", "must be in the future"));
        }
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = share_json(r, id, user, now), *after = NULL;
    rc = db_exec(
        r->db,
        "INSERT INTO customer_shares(customer_id, user_id, mode, until, created_by,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id, user_id) DO"
        " UPDATE SET mode = excluded.mode, until = excluded.until,"
        " created_by = excluded.created_by, created_at = excluded.created_at",
        DBP(DBI(id), DBI(user), DBS(mode), DBS(until_in ? until : NULL), DBI(r->me.id), DBS(now)));
    if (rc >= 0) {
        after = share_json(r, id, user, now);
        rc = audit_record(r->db, r->me.id, "customer", id, "share", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    int status = before ? 200 : 201;
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, status, after);
}

/* DELETE /customers/{id}/shares/{user_id} */
static int h_shares_delete(req *r)
{
    int64_t id = req_id(r, 0), user = req_id(r, 1);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE || user < 0) return reply_not_found(r);
    if (acc < ACCESS_MANAGE) return reply_forbidden(r);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    return audit_finish_delete(r, share_json(r, id, user, now), "customer", id, "unshare",
                               "DELETE FROM customer_shares WHERE customer_id = ? AND user_id = ?",
                               DBP(DBI(id), DBI(user)));
}

const route customer_shares_routes[] = {
    {"GET", "/api/v1/customers/{id}/shares", h_shares_list, PERM_SIGNED_IN, 0,
     "Who a customer is shared with (mode read|write, until, expired)", NULL},
    {"POST", "/api/v1/customers/{id}/shares", h_shares_put, PERM_SIGNED_IN, 1024,
     "Share a customer with a user, or change the share (owner and managers)",
     "{\"type\":\"object\",\"required\":[\"user_id\",\"mode\"],\"properties\":{\"user_id\":{"
     "\"type\":\"integer\"},\"mode\":{\"enum\":[\"read\",\"write\"]},\"until\":{\"type\":["
     "\"string\",\"null\"],\"description\":\"date (through its end) or date-time\"}}}"},
    {"DELETE", "/api/v1/customers/{id}/shares/{user_id}", h_shares_delete, PERM_SIGNED_IN, 0,
     "Stop sharing a customer with a user", NULL},
    ROUTES_END,
};
