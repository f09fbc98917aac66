/* contacts.c — a customer's contacts (/api/v1/customers/{id}/contacts,
 * /api/v1/contacts/{id}): several people per customer, one of them primary.
 * Reading needs READ access to the customer, changing WRITE access (both
 * from policy_customer_access); every change re-indexes the customer so
 * quick search finds it by a contact's name, phone or WeChat. */
#include "customers/customers.h"
#include "customers/followups.h"
#include "core/audit.h"
#include "base/textsearch.h"
#include "base/util.h"
#include <string.h>

#define CONTACTS_MAX 100 /* per customer */

#define CONTACT_SELECT                                                                             \
    "SELECT id, customer_id, name, title, phone, mobile, email, wechat, is_primary, version,"      \
    " created_at FROM contacts"

#define CONTACT_FIELDS                                                                             \
    {"title", F_STR, F_NULL, 100, 0}, {"phone", F_STR, F_NULL, 40, 0},                             \
        {"mobile", F_STR, F_NULL, 40, 0}, {"email", F_STR, F_NULL, 200, 0},                        \
        {"wechat", F_STR, F_NULL, 64, 0},                                                          \
    {                                                                                              \
        "is_primary", F_BOOL, 0, 0, 0                                                              \
    }

int query_version(req *r, int64_t *out)
{
    const char *v = req_query(r, "version");
    if (!v || !tf_parse_i64(v, out) || *out < 1) {
        reply_problem(r, 400, "bad_request", "send the record's version as ?version=N");
        return -1;
    }
    return 0;
}

static json_t *contact_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res, CONTACT_SELECT " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

/* The customer a contact belongs to, 0 if there is no such contact. */
static int64_t contact_customer(db_conn *c, int64_t id)
{
    int64_t cid = 0;
    db_scalar_int(c, &cid, 0, "SELECT customer_id FROM contacts WHERE id = ?", DBP(DBI(id)));
    return cid;
}

/* Field checks beyond type and length: e-mail shape, phones with digits. */
static int contact_validate(req *r)
{
    json_t *errs = json_array();
    const char *email = in_str(r, "email");
    if (email && *email && (!strchr(email, '@') || email[0] == '@'))
        json_array_append_new(errs, field_error("email", "invalid", "must be an e-mail address"));
    static const char *const phones[] = {"phone", "mobile"};
    for (int i = 0; i < 2; i++) {
        const char *p = in_str(r, phones[i]);
        if (p && *p && !ts_phone(&r->a, p))
            json_array_append_new(errs, field_error(phones[i], "invalid", "must contain digits"));
    }
    if (json_array_size(errs)) {
        reply_invalid(r, errs);
        return -1;
    }
    json_decref(errs);
    return 0;
}

/* Leaves no other primary contact on the customer (inside the transaction). */
static int clear_primary(db_conn *c, int64_t customer_id, int64_t keep_id)
{
    int rc = db_exec(c,
                     "UPDATE contacts SET is_primary = FALSE, version = version + 1"
                     " WHERE customer_id = ? AND is_primary = TRUE AND id <> ?",
                     DBP(DBI(customer_id), DBI(keep_id)));
    return rc < 0 ? rc : 0;
}

/* Makes the oldest contact primary when none is (after a delete or unset). */
static int ensure_primary(db_conn *c, int64_t customer_id)
{
    int rc = db_exec(c,
                     "UPDATE contacts SET is_primary = TRUE, version = version + 1 WHERE id ="
                     " (SELECT MIN(id) FROM contacts WHERE customer_id = ?) AND NOT EXISTS"
                     " (SELECT 1 FROM contacts WHERE customer_id = ? AND is_primary = TRUE)",
                     DBP(DBI(customer_id), DBI(customer_id)));
    return rc < 0 ? rc : 0;
}

/* Ends a contact change: primary kept, re-index, audit on the customer,
 * commit. Steals before; replies with the contact (0 after a delete: 204)
 * or the error. */
static int finish(req *r, int rc, int64_t customer_id, int64_t contact_id, const char *action,
                  json_t *before, int status)
{
    json_t *after = NULL;
    if (rc >= 0) rc = ensure_primary(r->db, customer_id);
    if (rc >= 0 && contact_id) after = contact_json(r->db, &r->a, contact_id);
    if (rc >= 0) rc = customer_reindex(r->db, &r->a, customer_id);
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "customer", customer_id, action, before, after);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    if (!contact_id) return reply_empty(r, 204);
    return reply_json(r, status, after);
}

/* GET /customers/{id}/contacts — primary first, then in entry order. */
static int h_contacts_list(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      CONTACT_SELECT " WHERE customer_id = ? ORDER BY is_primary DESC, id LIMIT ?",
                      DBP(DBI(id), DBI(CONTACTS_MAX)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

/* POST /customers/{id}/contacts — the first contact becomes primary. */
static int h_contacts_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 100, 1}, CONTACT_FIELDS, FIELDS_END};
    int64_t id = req_id(r, 0);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (input_check(r, spec) < 0 || contact_validate(r) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    int64_t n = 0;
    db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM contacts WHERE customer_id = ?",
                  DBP(DBI(id)));
    if (n >= CONTACTS_MAX) {
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict", "a customer has at most %d contacts",
                             CONTACTS_MAX);
    }
    db_res res;
    rc = db_query(r->db, &r->a, &res,
                  "INSERT INTO contacts(customer_id, name, title, phone, mobile, email, wechat,"
                  " is_primary, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBI(id), DBS(in_str(r, "name")), DBS(in_str(r, "title")),
                      DBS(in_str(r, "phone")), DBS(in_str(r, "mobile")), DBS(in_str(r, "email")),
                      DBS(in_str(r, "wechat")), DBB(in_bool(r, "is_primary", n == 0)), DBS(now)));
    int64_t cid = rc > 0 ? db_get_int(&res, 0, "id") : 0;
    if (rc > 0 && in_bool(r, "is_primary", false)) rc = clear_primary(r->db, id, cid);
    return finish(r, rc, id, cid, "contact_add", NULL, 201);
}

/* PATCH /contacts/{id} {version, ...} */
static int h_contacts_update(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1}, {"name", F_STR, 0, 100, 1}, CONTACT_FIELDS, FIELDS_END};
    int64_t id = req_id(r, 0);
    int64_t cust = id > 0 ? contact_customer(r->db, id) : 0;
    tf_access acc = cust ? policy_customer_access(r->db, &r->me, cust) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (input_check(r, spec) < 0 || contact_validate(r) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = contact_json(r->db, &r->a, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
#define OPT_TEXT(k) DBI(in_has(r, k)), DBS(in_str(r, k))
    rc = db_exec(r->db,
                 "UPDATE contacts SET name = COALESCE(?, name),"
                 " title = CASE WHEN ? = 1 THEN ? ELSE title END,"
                 " phone = CASE WHEN ? = 1 THEN ? ELSE phone END,"
                 " mobile = CASE WHEN ? = 1 THEN ? ELSE mobile END,"
                 " email = CASE WHEN ? = 1 THEN ? ELSE email END,"
                 " wechat = CASE WHEN ? = 1 THEN ? ELSE wechat END,"
                 " is_primary = COALESCE(?, is_primary), version = version + 1"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), OPT_TEXT("title"), OPT_TEXT("phone"),
                     OPT_TEXT("mobile"), OPT_TEXT("email"), OPT_TEXT("wechat"),
                     in_has(r, "is_primary") ? DBB(in_bool(r, "is_primary", false)) : DBNULL,
                     DBI(id), DBI(in_int(r, "version", 0))));
#undef OPT_TEXT
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) rc = in_bool(r, "is_primary", false) ? clear_primary(r->db, cust, id) : 0;
    return finish(r, rc, cust, id, "contact_update", before, 200);
}

/* DELETE /contacts/{id}?version=N */
static int h_contacts_delete(req *r)
{
    int64_t id = req_id(r, 0), version;
    int64_t cust = id > 0 ? contact_customer(r->db, id) : 0;
    tf_access acc = cust ? policy_customer_access(r->db, &r->me, cust) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (query_version(r, &version) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = contact_json(r->db, &r->a, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    /* follow-ups with this contact keep their text; their tie goes */
    rc = db_exec(r->db, "UPDATE followups SET contact_id = NULL WHERE contact_id = ?",
                 DBP(DBI(id)));
    if (rc >= 0)
        rc = db_exec(r->db, "DELETE FROM contacts WHERE id = ? AND version = ?",
                     DBP(DBI(id), DBI(version)));
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    return finish(r, rc, cust, 0, "contact_delete", before, 204);
}

#define CONTACT_PROPERTIES                                                                         \
    "\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":100},"                            \
    "\"title\":{\"type\":[\"string\",\"null\"]},\"phone\":{\"type\":[\"string\",\"null\"]},"       \
    "\"mobile\":{\"type\":[\"string\",\"null\"]},\"email\":{\"type\":[\"string\",\"null\"]},"      \
    "\"wechat\":{\"type\":[\"string\",\"null\"]},\"is_primary\":{\"type\":\"boolean\"},"           \
    "\"version\":{\"type\":\"integer\"}}"
#define CONTACT_SCHEMA "{\"type\":\"object\"," CONTACT_PROPERTIES "}"
/* an update names the version it read (h_contacts_update requires it) */
#define CONTACT_UPDATE_SCHEMA                                                                      \
    "{\"type\":\"object\",\"required\":[\"version\"]," CONTACT_PROPERTIES "}"

const route contacts_routes[] = {
    {"GET", "/api/v1/customers/{id}/contacts", h_contacts_list, PERM_SIGNED_IN, 0,
     "A customer's contacts, primary first", NULL},
    {"POST", "/api/v1/customers/{id}/contacts", h_contacts_create, PERM_SIGNED_IN, 8192,
     "Add a contact to a customer (write access)", CONTACT_SCHEMA},
    {"PATCH", "/api/v1/contacts/{id}", h_contacts_update, PERM_SIGNED_IN, 8192,
     "Update a contact (send version)", CONTACT_UPDATE_SCHEMA},
    {"DELETE", "/api/v1/contacts/{id}", h_contacts_delete, PERM_SIGNED_IN, 0,
     QUERY("version!=id")
     "Delete a contact (?version=N)", NULL},
    ROUTES_END,
};
