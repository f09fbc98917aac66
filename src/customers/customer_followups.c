/* customer_followups.c — negotiation progress: a customer's follow-ups
 * (/api/v1/customers/{id}/followups), their attachments (/api/v1/followups/
 * {id}/attachments, /api/v1/attachments/{id}) and the follow-up templates
 * administrators keep (/api/v1/followup-templates) so that one click fills a
 * follow-up. A follow-up stamps the customer's last_followup_at and turns
 * its next contact date into a reminder for its author, in one transaction.
 * A follow-up may name one of the customer's contacts; correcting and
 * deleting one (its author, within a day) is followup_edit.c.
 * Also the demo company's follow-ups and reminders (followups_demo). */
#include "customers/customers.h"
#include "dicts/dicts.h"
#include "customers/followups.h"
#include "core/audit.h"
#include "base/util.h"
#include <sodium.h>
#include <string.h>

#define ATTACHMENT_MAX           (10 * 1024 * 1024) /* decoded bytes */
#define ATTACHMENTS_PER_FOLLOWUP 20
/* base64 of ATTACHMENT_MAX is 13,981,016 characters; plus the other fields */
#define ATTACHMENT_BODY_LIMIT (14 * 1024 * 1024)

#define FOLLOWUP_SELECT                                                                            \
    "SELECT f.id, f.customer_id, f.project_id, f.user_id, u.name AS user_name, f.method_id,"       \
    " d.name AS method_name, d.name_en AS method_name_en, f.content, f.next_step,"                 \
    " f.next_contact_at, f.template_id, f.contact_id, ct.name AS contact_name, f.created_at,"      \
    " f.edited_at, f.version FROM followups f"                                                     \
    " LEFT JOIN users u ON u.id = f.user_id LEFT JOIN dict_items d ON d.id = f.method_id"          \
    " LEFT JOIN contacts ct ON ct.id = f.contact_id"

#define ATTACHMENT_COLS                                                                            \
    "a.id, a.entity_id, a.filename, a.content_type, a.size, a.sha256, a.created_at"

/* Follow-ups --------------------------------------------------------------- */

/* Adds "editable_until" (created_at + FOLLOWUP_EDIT_S) to a follow-up. */
static void add_editable_until(json_t *o)
{
    time_t t;
    char until[TF_TS_LEN];
    if (!tf_ts_parse(json_string_value(json_object_get(o, "created_at")), &t)) return;
    tf_ts(until, t + FOLLOWUP_EDIT_S);
    json_object_set_new(o, "editable_until", json_string(until));
}

json_t *followup_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res, FOLLOWUP_SELECT " WHERE f.id = ?", DBP(DBI(id))) <= 0) return NULL;
    json_t *o = db_row_json(&res, 0);
    add_editable_until(o);
    return o;
}

int followup_contact_check(db_conn *c, int64_t contact_id, int64_t customer_id, json_t *errs)
{
    int64_t n = 0;
    if (!contact_id) return 0;
    int rc = db_scalar_int(c, &n, 0, "SELECT COUNT(*) FROM contacts WHERE id = ? AND customer_id = ?",
                           DBP(DBI(contact_id), DBI(customer_id)));
    if (rc < 0) return rc;
    if (!n)
        json_array_append_new(
            errs, field_error("contact_id", "not_found", "is not a contact of this customer"));
    return 0;
}

/* Adds "attachments": [...] to each follow-up of a page (one query). */
static int attach_lists(req *r, json_t *items, int64_t customer_id)
{
    size_t n = json_array_size(items), i;
    json_t *o;
    json_array_foreach(items, i, o) json_object_set_new(o, "attachments", json_array());
    if (!n) return 0;
    int64_t hi = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    int64_t lo = json_integer_value(json_object_get(json_array_get(items, n - 1), "id"));
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT " ATTACHMENT_COLS " FROM attachments a JOIN followups f ON"
                      " f.id = a.entity_id WHERE a.entity = 'followup' AND f.customer_id = ?"
                      " AND a.entity_id BETWEEN ? AND ? ORDER BY a.id",
                      DBP(DBI(customer_id), DBI(lo), DBI(hi)));
    for (int k = 0; rc > 0 && k < res.nrows; k++) {
        int64_t fid = db_get_int(&res, k, "entity_id");
        json_array_foreach(items, i, o)
        {
            if (json_integer_value(json_object_get(o, "id")) != fid) continue;
            json_t *att = db_row_json(&res, k);
            json_object_del(att, "entity_id");
            json_array_append_new(json_object_get(o, "attachments"), att);
        }
    }
    return rc < 0 ? rc : 0;
}

/* GET /customers/{id}/followups — newest first, with their attachments. */
static int h_followups_list(req *r)
{
    int64_t id = req_id(r, 0), cursor;
    int limit;
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      FOLLOWUP_SELECT " WHERE f.customer_id = ? AND (? = 0 OR f.id < ?)"
                                      " ORDER BY f.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res), *o;
    size_t i;
    json_array_foreach(items, i, o) add_editable_until(o);
    if ((rc = attach_lists(r, items, id)) < 0) {
        json_decref(items);
        return reply_db_error(r, rc);
    }
    return reply_page(r, items, limit, "id");
}

/* A follow-up's values after the template (if any) filled what the request
 * left out. Strings point into the request or the arena. */
typedef struct followup_in {
    int64_t method_id, template_id, project_id, contact_id;
    bool method_from_template;
    const char *content, *next_step;
    char next_contact_at[TF_TS_LEN]; /* "" when none */
} followup_in;

/* Reads and checks the follow-up body for the customer; 0, or -1 after
 * replying 422. */
static int followup_read(req *r, int64_t customer_id, followup_in *f)
{
    memset(f, 0, sizeof(*f));
    json_t *errs = json_array();
    f->method_id = in_int(r, "method_id", 0);
    f->template_id = in_int(r, "template_id", 0);
    f->project_id = in_int(r, "project_id", 0);
    f->contact_id = in_int(r, "contact_id", 0);
    f->content = in_str(r, "content");
    f->next_step = in_str(r, "next_step");
    time_t now = time(NULL), t;
    if (f->template_id) {
        db_res res;
        if (db_query(r->db, &r->a, &res,
                     "SELECT method_id, content, next_step, next_contact_days FROM"
                     " followup_templates WHERE id = ? AND retired = FALSE",
                     DBP(DBI(f->template_id))) <= 0) {
            json_array_append_new(
                errs, field_error("template_id", "not_found", "no such active template"));
        } else {
            if (!in_has(r, "method_id")) {
                f->method_id = db_get_int(&res, 0, "method_id");
                f->method_from_template = true;
            }
            if (!in_has(r, "content")) f->content = db_get_text(&res, 0, "content");
            if (!in_has(r, "next_step")) f->next_step = db_get_text(&res, 0, "next_step");
            const db_val *days = db_cell(&res, 0, "next_contact_days");
            if (!in_has(r, "next_contact_at") && days->t != DBV_NULL)
                tf_ts(f->next_contact_at,
                      now + (time_t)db_get_int(&res, 0, "next_contact_days") * 86400);
        }
    }
    if (!f->content || !*f->content)
        json_array_append_new(
            errs, field_error("content", "required", "is required (or send a template_id)"));
    if (f->method_id &&
        !dict_ref_ok(r->db, "followup_method", f->method_id, f->method_from_template))
        json_array_append_new(
            errs, field_error("method_id", "not_found", "is not an active follow-up method"));
    int64_t linked = 0;
    if (f->project_id)
        db_scalar_int(r->db, &linked, 0,
                      "SELECT COUNT(*) FROM projects WHERE id = ? AND customer_id = ?",
                      DBP(DBI(f->project_id), DBI(customer_id)));
    if (f->project_id && !linked)
        json_array_append_new(
            errs, field_error("project_id", "not_found", "is not a project of this customer"));
    if (followup_contact_check(r->db, f->contact_id, customer_id, errs) < 0) {
        json_decref(errs);
        reply_db_error(r, DB_ERR);
        return -1;
    }
    const char *when = in_str(r, "next_contact_at");
    bool date_only;
    if (when && !when_parse(when, &t, &date_only))
        json_array_append_new(errs, field_error("next_contact_at", "invalid", WHEN_FORMAT_MSG));
    else if (when && t < now - 86400)
        json_array_append_new(errs,
                              field_error("next_contact_at", "in_past", "may not lie in the past"));
    else if (when)
        tf_ts(f->next_contact_at, t);
    if (json_array_size(errs)) {
        reply_invalid(r, errs);
        return -1;
    }
    json_decref(errs);
    return 0;
}


/* POST /customers/{id}/followups — write access; {"template_id": N} alone
 * fills method, content, next step and next contact from the template. */
static int h_followups_create(req *r)
{
    static const field spec[] = {{"method_id", F_INT, F_NULL, 0, 1},
                                 {"content", F_STR, 0, 5000, 1},
                                 {"next_step", F_STR, F_NULL, 500, 0},
                                 {"next_contact_at", F_STR, F_NULL, 40, 1},
                                 {"template_id", F_INT, F_NULL, 0, 1},
                                 {"project_id", F_INT, F_NULL, 0, 1},
                                 {"contact_id", F_INT, F_NULL, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    followup_in f;
    if (input_check(r, spec) < 0 || followup_read(r, id, &f) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res res;
    rc = db_query(r->db, &r->a, &res,
                  "INSERT INTO followups(customer_id, project_id, user_id, method_id, content,"
                  " next_step, next_contact_at, template_id, contact_id, created_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBI(id), f.project_id ? DBI(f.project_id) : DBNULL, DBI(r->me.id),
                      f.method_id ? DBI(f.method_id) : DBNULL, DBS(f.content),
                      DBS(f.next_step && *f.next_step ? f.next_step : NULL),
                      DBS(f.next_contact_at[0] ? f.next_contact_at : NULL),
                      f.template_id ? DBI(f.template_id) : DBNULL,
                      f.contact_id ? DBI(f.contact_id) : DBNULL, DBS(now)));
    int64_t fid = rc > 0 ? db_get_int(&res, 0, "id") : 0, reminder = 0;
    if (rc >= 0)
        rc = db_exec(r->db, "UPDATE customers SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(id)));
    if (rc >= 0 && f.next_contact_at[0]) {
        db_res cn;
        rc = db_query(r->db, &r->a, &cn, "SELECT name FROM customers WHERE id = ?", DBP(DBI(id)));
        const char *name = rc > 0 ? db_get_text(&cn, 0, "name") : "";
        const char *title =
            f.next_step && *f.next_step ? arena_printf(&r->a, "%s: %s", name, f.next_step) : name;
        if (rc >= 0)
            rc = reminder_insert(r->db, &r->a, r->me.id, id, "contact", tf_utf8_prefix(&r->a, title, 200),
                                 f.next_step, f.next_contact_at, &reminder);
    }
    json_t *after = rc >= 0 ? followup_json(r->db, &r->a, fid) : NULL;
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "customer", id, "followup_add", NULL, after);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    json_object_set_new(after, "attachments", json_array());
    json_object_set_new(after, "reminder_id", reminder ? json_integer(reminder) : json_null());
    return reply_json(r, 201, after);
}

/* Attachments -------------------------------------------------------------- */

/* The customer whose access decides who sees an attachment of an entity. */
static const struct {
    const char *entity, *customer_sql;
} attachment_owners[] = {
    {"followup", "SELECT customer_id FROM followups WHERE id = ?"},
};

static int64_t attachment_customer(db_conn *c, const char *entity, int64_t entity_id)
{
    int64_t cid = 0;
    for (size_t i = 0; i < sizeof(attachment_owners) / sizeof(attachment_owners[0]); i++)
        if (strcmp(entity, attachment_owners[i].entity) == 0)
            db_scalar_int(c, &cid, 0, attachment_owners[i].customer_sql, DBP(DBI(entity_id)));
    return cid;
}

/* A media type "type/subtype" of token characters, lower-cased in place. */
static bool content_type_ok(char *s)
{
    int slashes = 0;
    size_t n = strlen(s);
    if (!n || s[0] == '/' || s[n - 1] == '/') return false;
    for (char *p = s; *p; p++) {
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        if (*p == '/')
            slashes++;
        else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("!#$&^_.+-", *p)))
            return false;
    }
    return slashes == 1;
}

static bool filename_ok(const char *s)
{
    if (!*s || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' || *p == '"') return false;
    return true;
}

/* POST /followups/{id}/attachments {filename, content_type, data_base64} */
static int h_attachments_create(req *r)
{
    static const field spec[] = {{"filename", F_STR, F_REQ, 200, 1},
                                 {"content_type", F_STR, F_REQ, 100, 3},
                                 {"data_base64", F_STR, F_REQ, ATTACHMENT_BODY_LIMIT, 0},
                                 FIELDS_END};
    int64_t fid = req_id(r, 0);
    int64_t cust = fid > 0 ? attachment_customer(r->db, "followup", fid) : 0;
    tf_access acc = cust ? policy_customer_access(r->db, &r->me, cust) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    const char *b64 = in_str(r, "data_base64");
    size_t b64len = strlen(b64), chars = 0;
    for (size_t i = 0; i < b64len; i++)
        chars += !strchr(" \t\r\n", b64[i]);
    if (chars / 4 * 3 > ATTACHMENT_MAX + 2)
        return reply_problem(r, 413, "payload_too_large", "an attachment is at most %d bytes",
                             ATTACHMENT_MAX);
    char *type = arena_strdup(&r->a, in_str(r, "content_type"));
    const char *filename = in_str(r, "filename");
    json_t *errs = json_array();
    unsigned char *bin = arena_alloc(&r->a, chars / 4 * 3 + 3);
    size_t binlen = 0;
    if (!filename_ok(filename))
        json_array_append_new(errs, field_error("filename", "invalid",
                                                "may not hold control characters, quotes or"
                                                " slashes"));
    if (!content_type_ok(type))
        json_array_append_new(errs, field_error("content_type", "invalid",
                                                "must be a media type such as application/pdf"));
    if (sodium_base642bin(bin, chars / 4 * 3 + 3, b64, b64len, " \t\r\n", &binlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        json_array_append_new(errs, field_error("data_base64", "invalid", "is not valid base64"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    if (binlen > ATTACHMENT_MAX)
        return reply_problem(r, 413, "payload_too_large", "an attachment is at most %d bytes",
                             ATTACHMENT_MAX);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, bin, binlen);
    char *hex = arena_alloc(&r->a, sizeof(h) * 2 + 1);
    sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
    size_t enclen = sodium_base64_ENCODED_LEN(binlen, sodium_base64_VARIANT_ORIGINAL);
    char *canon = arena_alloc(&r->a, enclen);
    sodium_bin2base64(canon, enclen, bin, binlen, sodium_base64_VARIANT_ORIGINAL);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    int64_t count = 0;
    db_scalar_int(r->db, &count, 0,
                  "SELECT COUNT(*) FROM attachments WHERE entity = 'followup' AND entity_id = ?",
                  DBP(DBI(fid)));
    if (count >= ATTACHMENTS_PER_FOLLOWUP) {
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict", "a follow-up has at most %d attachments",
                             ATTACHMENTS_PER_FOLLOWUP);
    }
    db_res res;
    rc = db_query(r->db, &r->a, &res,
                  "INSERT INTO attachments(entity, entity_id, filename, content_type, size, sha256,"
                  " data_b64, uploaded_by, created_at) VALUES ('followup', ?, ?, ?, ?, ?, ?, ?, ?)"
                  " RETURNING id",
                  DBP(DBI(fid), DBS(filename), DBS(type), DBI(binlen), DBS(hex), DBS(canon),
                      DBI(r->me.id), DBS(now)));
    json_t *after = NULL;
    if (rc > 0) {
        int64_t aid = db_get_int(&res, 0, "id");
        after = json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:s}", "id", (json_int_t)aid,
                          "followup_id", (json_int_t)fid, "filename", filename, "content_type",
                          type, "size", (json_int_t)binlen, "sha256", hex, "created_at", now, "url",
                          arena_printf(&r->a, "/api/v1/attachments/%lld", (long long)aid));
        rc = audit_record(r->db, r->me.id, "customer", cust, "attachment_add", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, after);
}

/* Content-Disposition for a stored file name: an ASCII fallback and the
 * RFC 5987 UTF-8 form. Always "attachment": a stored file never renders
 * inside the application's origin. */
static const char *disposition(arena *a, const char *name)
{
    size_t n = strlen(name);
    char *ascii = arena_alloc(a, n + 1), *pct = arena_alloc(a, n * 3 + 1);
    char *o = ascii, *q = pct;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        *o++ = (*p < 0x80 && *p >= 0x20 && *p != '"' && *p != '\\' && *p != '%') ? (char)*p : '_';
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p)) {
            *q++ = (char)*p;
        } else {
            static const char hexd[] = "0123456789ABCDEF";
            *q++ = '%';
            *q++ = hexd[*p >> 4];
            *q++ = hexd[*p & 15];
        }
    }
    return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, pct);
}

/* GET /attachments/{id} — the file itself, for whoever may read its customer. */
static int h_attachments_get(req *r)
{
    int64_t id = req_id(r, 0);
    db_res res;
    if (id < 0) return reply_not_found(r);
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT entity, entity_id, filename, content_type, size, data_b64"
                      " FROM attachments WHERE id = ?",
                      DBP(DBI(id)));
    if (rc < 0) return reply_db_error(r, rc);
    int64_t cust = rc > 0 ? attachment_customer(r->db, db_get_text(&res, 0, "entity"),
                                                db_get_int(&res, 0, "entity_id"))
                          : 0;
    if (!cust || policy_customer_access(r->db, &r->me, cust) == ACCESS_NONE)
        return reply_not_found(r);
    const char *b64 = db_get_text(&res, 0, "data_b64");
    size_t cap = (size_t)db_get_int(&res, 0, "size") + 3, len = 0;
    unsigned char *bin = arena_alloc(&r->a, cap);
    if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return reply_problem(r, 500, "internal", "the stored file is damaged");
    r->extra_header_name = "Content-Disposition";
    r->extra_header_value = disposition(&r->a, db_get_text(&res, 0, "filename"));
    r->cache_control = "private, no-store";
    return reply_raw(r, 200, db_get_text(&res, 0, "content_type"), (const char *)bin, len);
}

/* Templates ---------------------------------------------------------------- */

#define TEMPLATE_SELECT                                                                            \
    "SELECT t.id, t.name, t.method_id, d.name AS method_name, d.name_en AS method_name_en,"        \
    " t.content, t.next_step, t.next_contact_days, t.retired, t.version FROM followup_templates t" \
    " LEFT JOIN dict_items d ON d.id = t.method_id"

static json_t *template_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, TEMPLATE_SELECT " WHERE t.id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* GET /followup-templates[?include_retired=true] */
static int h_templates_list(req *r)
{
    const char *all = req_query(r, "include_retired");
    if (all && strcmp(all, "true") != 0 && strcmp(all, "false") != 0)
        return reply_problem(r, 400, "bad_request", "include_retired must be true or false");
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      TEMPLATE_SELECT " WHERE (t.retired = FALSE OR ? = 1) ORDER BY t.id LIMIT 500",
                      DBP(DBI(all && strcmp(all, "true") == 0)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int template_check_method(req *r)
{
    json_t *m = json_object_get(r->in, "method_id");
    if (json_is_integer(m) &&
        !dict_ref_ok(r->db, "followup_method", json_integer_value(m), false)) {
        reply_invalid(r, json_pack("[o]", field_error("method_id", "not_found",
                                                      "is not an active follow-up method")));
        return -1;
    }
    return 0;
}

static int template_done(req *r, int rc, int64_t id, const char *action, json_t *before, int status)
{
    json_t *after = rc >= 0 ? template_json(r, id) : NULL;
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "followup_template", id, action, before, after);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, status, after);
}

#define TEMPLATE_FIELDS                                                                            \
    {"method_id", F_INT, F_NULL, 0, 1}, {"next_step", F_STR, F_NULL, 500, 0},                      \
    {                                                                                              \
        "next_contact_days", F_INT, F_NULL, 365, 0                                                 \
    }

/* POST /followup-templates (dicts.manage) */
static int h_templates_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 100, 1},
                                 {"content", F_STR, F_REQ, 5000, 1},
                                 TEMPLATE_FIELDS,
                                 FIELDS_END};
    if (input_check(r, spec) < 0 || template_check_method(r) < 0) return 0;
    json_t *m = json_object_get(r->in, "method_id"),
           *d = json_object_get(r->in, "next_contact_days");
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res res;
    rc = db_query(r->db, &r->a, &res,
                  "INSERT INTO followup_templates(name, method_id, content, next_step,"
                  " next_contact_days) VALUES (?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBS(in_str(r, "name")),
                      json_is_integer(m) ? DBI(json_integer_value(m)) : DBNULL,
                      DBS(in_str(r, "content")), DBS(in_str(r, "next_step")),
                      json_is_integer(d) ? DBI(json_integer_value(d)) : DBNULL));
    return template_done(r, rc, rc > 0 ? db_get_int(&res, 0, "id") : 0, "create", NULL, 201);
}

/* PATCH /followup-templates/{id} {version, ...} (dicts.manage) */
static int h_templates_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"content", F_STR, 0, 5000, 1},
                                 {"retired", F_BOOL, 0, 0, 0},
                                 TEMPLATE_FIELDS,
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0 || template_check_method(r) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = template_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    json_t *m = json_object_get(r->in, "method_id"),
           *d = json_object_get(r->in, "next_contact_days");
    rc = db_exec(r->db,
                 "UPDATE followup_templates SET name = COALESCE(?, name),"
                 " content = COALESCE(?, content), retired = COALESCE(?, retired),"
                 " method_id = CASE WHEN ? = 1 THEN ? ELSE method_id END,"
                 " next_step = CASE WHEN ? = 1 THEN ? ELSE next_step END,"
                 " next_contact_days = CASE WHEN ? = 1 THEN ? ELSE next_contact_days END,"
                 " version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBS(in_str(r, "content")),
                     in_has(r, "retired") ? DBB(in_bool(r, "retired", false)) : DBNULL,
                     DBI(m != NULL), json_is_integer(m) ? DBI(json_integer_value(m)) : DBNULL,
                     DBI(in_has(r, "next_step")), DBS(in_str(r, "next_step")), DBI(d != NULL),
                     json_is_integer(d) ? DBI(json_integer_value(d)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    return template_done(r, rc, id, "update", before, 200);
}

#define TEMPLATE_SCHEMA                                                                            \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":100},"       \
    "\"content\":{\"type\":\"string\",\"maxLength\":5000},\"method_id\":{\"type\":[\"integer\","   \
    "\"null\"]},\"next_step\":{\"type\":[\"string\",\"null\"]},\"next_contact_days\":{\"type\":["  \
    "\"integer\",\"null\"],\"minimum\":0,\"maximum\":365},\"retired\":{\"type\":\"boolean\"},"     \
    "\"version\":{\"type\":\"integer\"}}}"

const route customer_followups_routes[] = {
    {"GET", "/api/v1/customers/{id}/followups", h_followups_list, PERM_SIGNED_IN, 0,
     QUERY("page")
     "A customer's follow-ups (negotiation progress), newest first, with attachments", NULL},
    {"POST", "/api/v1/customers/{id}/followups", h_followups_create, PERM_SIGNED_IN, 32768,
     "Record a follow-up (write access); template_id fills the fields left out; next_contact_at"
     " becomes a contact reminder",
     "{\"type\":\"object\",\"properties\":{\"method_id\":{\"type\":[\"integer\",\"null\"]},"
     "\"content\":{\"type\":\"string\",\"maxLength\":5000},\"next_step\":{\"type\":[\"string\","
     "\"null\"]},\"next_contact_at\":{\"type\":[\"string\",\"null\"],\"description\":\"date or"
     " date-time with zone\"},\"template_id\":{\"type\":[\"integer\",\"null\"]},\"project_id\":{"
     "\"type\":[\"integer\",\"null\"]},\"contact_id\":{\"type\":[\"integer\",\"null\"],"
     "\"description\":\"one of the customer's contacts\"}}}"},
    {"POST", "/api/v1/followups/{id}/attachments", h_attachments_create, PERM_SIGNED_IN,
     ATTACHMENT_BODY_LIMIT, "Attach a file (at most 10 MiB, base64 in JSON) to a follow-up",
     "{\"type\":\"object\",\"required\":[\"filename\",\"content_type\",\"data_base64\"],"
     "\"properties\":{\"filename\":{\"type\":\"string\",\"maxLength\":200},\"content_type\":{"
     "\"type\":\"string\"},\"data_base64\":{\"type\":\"string\",\"contentEncoding\":\"base64\"}}}"},
    {"GET", "/api/v1/attachments/{id}", h_attachments_get, PERM_SIGNED_IN, 0,
     "Download an attachment (as a file, with its content type)", NULL},
    {"GET", "/api/v1/followup-templates", h_templates_list, PERM_SIGNED_IN, 0,
     QUERY("include_retired=bool")
     "Follow-up templates (include_retired=true for all)", NULL},
    {"POST", "/api/v1/followup-templates", h_templates_create, "dicts.manage", 16384,
     "Add a follow-up template", TEMPLATE_SCHEMA},
    {"PATCH", "/api/v1/followup-templates/{id}", h_templates_update, "dicts.manage", 16384,
     "Update or retire a follow-up template (send version)", TEMPLATE_SCHEMA},
    ROUTES_END,
};

/* Demo ------------------------------------------------------------------------ */

extern int followups_demo(db_conn *c, arena *a);

/* A few follow-ups (from the demo templates) on zhang's and chen's
 * customers, with the contact reminders they leave, and some tasks and
 * mails: some already due, so the badge shows something. */
int followups_demo(db_conn *c, arena *a)
{
    static const struct {
        const char *customer, *login;
        int tpl, days_ago;
    } fs[] = {
        {"郑州宇通电机有限公司", "zhang", 0, 20},    {"郑州宇通电机有限公司", "zhang", 1, 12},
        {"郑州宇通电机有限公司", "zhang", 2, 4},     {"洛阳中州变压器厂", "zhang", 0, 9},
        {"苏州华能风电设备有限公司", "chen", 0, 15}, {"苏州华能风电设备有限公司", "chen", 3, 2},
        {"上海申联电力设备有限公司", "chen", 2, 6},
    };
    db_res tp;
    int rc = db_query(c, a, &tp,
                      "SELECT id, method_id, content, next_step, next_contact_days FROM"
                      " followup_templates ORDER BY id LIMIT 4",
                      DBP0);
    if (rc < 4) return rc < 0 ? rc : 0; /* no demo templates: nothing to build on */
    time_t now = time(NULL);
    for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++) {
        int64_t cust = 0, user = 0;
        db_scalar_int(c, &cust, 0, "SELECT id FROM customers WHERE name = ?",
                      DBP(DBS(fs[i].customer)));
        db_scalar_int(c, &user, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(fs[i].login)));
        if (!cust || !user) continue;
        int t = fs[i].tpl;
        char at[TF_TS_LEN], next[TF_TS_LEN];
        time_t when = now - (time_t)fs[i].days_ago * 86400;
        tf_ts(at, when);
        tf_ts(next, when + (time_t)db_get_int(&tp, t, "next_contact_days") * 86400);
        rc = db_exec(c,
                     "INSERT INTO followups(customer_id, user_id, method_id, content, next_step,"
                     " next_contact_at, template_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     DBP(DBI(cust), DBI(user), DBI(db_get_int(&tp, t, "method_id")),
                         DBS(db_get_text(&tp, t, "content")), DBS(db_get_text(&tp, t, "next_step")),
                         DBS(next), DBI(db_get_int(&tp, t, "id")), DBS(at)));
        if (rc >= 0)
            rc = db_exec(c,
                         "UPDATE customers SET last_followup_at = ? WHERE id = ? AND"
                         " (last_followup_at IS NULL OR last_followup_at < ?)",
                         DBP(DBS(at), DBI(cust), DBS(at)));
        /* the latest follow-up of each customer leaves its contact reminder */
        bool latest =
            i + 1 == sizeof(fs) / sizeof(fs[0]) || strcmp(fs[i + 1].customer, fs[i].customer);
        if (rc >= 0 && latest)
            rc = reminder_insert(
                c, a, user, cust, "contact",
                arena_printf(a, "%s: %s", fs[i].customer, db_get_text(&tp, t, "next_step")),
                db_get_text(&tp, t, "next_step"), next, NULL);
        if (rc < 0) return rc;
    }
    static const struct {
        const char *login, *kind, *title, *notes;
        int hours; /* due in (negative: overdue) */
    } rs[] = {
        {"zhang", "task", "整理宇通电机年度用量预测 Yutong annual volume forecast", NULL, -20},
        {"zhang", "mail", "寄送薄膜绕包线产品目录 Send the film-wrapped wire catalogue",
         "附上 30/50/150 kg 木盘包装说明", 30},
        {"zhang", "task", "准备技术交流资料 Prepare the technical meeting", NULL, 72},
        {"chen", "mail", "回复华能风电的报价问询 Answer Huaneng's quotation request", NULL, -3},
        {"chen", "task", "申联电力样品试绕结果跟进 Sample winding results", NULL, 48},
    };
    for (size_t i = 0; i < sizeof(rs) / sizeof(rs[0]); i++) {
        int64_t user = 0;
        db_scalar_int(c, &user, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(rs[i].login)));
        if (!user) continue;
        char due[TF_TS_LEN];
        tf_ts(due, now + (time_t)rs[i].hours * 3600);
        if ((rc = reminder_insert(c, a, user, 0, rs[i].kind, rs[i].title, rs[i].notes, due, NULL)) <
            0)
            return rc;
    }
    return 0;
}
