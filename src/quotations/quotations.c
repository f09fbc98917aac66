/* quotations.c — the quotation resource (/api/v1/quotations): the list
 * (q, customer, owner, project and state filters, newest first in keyset
 * pages, through the policy module's filter), the detail with its lines,
 * tax rates, approval and what the user may do next, entry (blank, from a
 * customer or from a project), a preview that prices and totals a draft
 * without keeping it, the versioned edit of a draft, the history, and the
 * earlier versions with their side-by-side comparison. The state changes
 * live in quotation_flow.c, the pricing of a request in
 * quotation_build.c. */
#include "quotations/quotations.h"
#include "core/audit.h"
#include "core/settings.h"
#include "core/policy_quotations.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include "products/products.h"
#include <string.h>

#define QUOTE_COLS                                                                                 \
    "qt.id, qt.number, qt.customer_id, cu.number AS customer_number, cu.name AS customer_name,"    \
    " qt.project_id, pj.name AS project_name, qt.owner_id, ou.name AS owner_name, qt.state,"       \
    " qt.revision, qt.currency, qt.rate_micro, qt.quote_date, qt.valid_until,"                     \
    " qt.prices_include_tax, qt.header_discount, qt.freight, qt.payment_terms, qt.delivery_terms," \
    " qt.notes, qt.amount, qt.discount, qt.net, qt.tax, qt.total, qt.grand_total,"                 \
    " qt.grand_total_cny, qt.max_discount_bp, qt.needs_approval, qt.approval_request_id,"          \
    " qt.sent_at, qt.answered_at, qt.answer_note, qt.version, qt.created_at, qt.updated_at"
#define QUOTE_FROM                                                                                 \
    " FROM quotations qt JOIN customers cu ON cu.id = qt.customer_id LEFT JOIN projects pj ON"     \
    " pj.id = qt.project_id LEFT JOIN users ou ON ou.id = qt.owner_id"

json_t *quote_header_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, "SELECT " QUOTE_COLS QUOTE_FROM " WHERE qt.id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

/* Everything of the detail but its lines and rates (the detail reply takes
 * them as text from doc_texts, quote_json adds them as JSON). */
static json_t *quote_json_but_lines(db_conn *c, arena *a, int64_t id, int64_t *rev_out)
{
    json_t *o = quote_header_json(c, a, id);
    if (!o) return NULL;
    int64_t rev = json_integer_value(json_object_get(o, "revision"));
    *rev_out = rev;
    db_res r;
    json_object_set_new(o, "tier_name", json_null());
    if (db_query(c, a, &r,
                 "SELECT t.name FROM quotations qt JOIN customers cu ON cu.id = qt.customer_id"
                 " JOIN customer_tiers t ON t.id = cu.tier_id WHERE qt.id = ?",
                 DBP(DBI(id))) > 0)
        json_object_set_new(o, "tier_name", json_string(db_get_text(&r, 0, "name")));
    json_object_set_new(o, "approval", json_null());
    json_t *req_id = json_object_get(o, "approval_request_id");
    if (json_is_integer(req_id) &&
        db_query(c, a, &r,
                 "SELECT id, state, version, created_at, decided_at FROM approval_requests"
                 " WHERE id = ?",
                 DBP(DBI(json_integer_value(req_id)))) > 0)
        json_object_set_new(o, "approval", db_row_json(&r, 0));
    json_t *revs = json_array();
    for (int64_t i = 1; i <= rev; i++)
        json_array_append_new(revs, json_integer(i));
    json_object_set_new(o, "revisions", revs);
    return o;
}

json_t *quote_json(db_conn *c, arena *a, int64_t id)
{
    int64_t rev = 0;
    json_t *o = quote_json_but_lines(c, a, id, &rev);
    return doclines_add_json(c, a, QUOTE_DOC, id, rev, o);
}

int64_t quote_need(req *r, tf_access need, tf_access *acc)
{
    return record_need(r, need, policy_quotation_access, acc);
}

int quote_reply_detail(req *r, int status, int64_t id, tf_access acc)
{
    int64_t rev;
    json_t *o = quote_json_but_lines(r->db, &r->a, id, &rev);
    if (!o) return reply_not_found(r);
    json_object_set_new(o, "access", json_string(policy_access_name(acc)));
    json_object_set_new(o, "actions", quote_actions_json(&r->me, acc, o));
    db_res u;
    const char *role = "salesperson";
    if (db_query(r->db, &r->a, &u, "SELECT role FROM users WHERE id = ?",
                 DBP(DBI(json_integer_value(json_object_get(o, "owner_id"))))) > 0)
        role = db_get_text(&u, 0, "role");
    json_object_set_new(o, "discount_limit_bp", json_integer(pricing_role_limit(r->db, role)));
    size_t len = 0;
    char *lines = doclines_reply_text(r->db, &r->a, QUOTE_DOC, id, rev, o, &len);
    return reply_json_plus(r, status, o, "lines", lines, len);
}

static bool state_ok(const char *s)
{
    static const char *const states[] = {"draft",    "in_approval", "approved", "sent",
                                         "accepted", "rejected",    "expired",  NULL};
    for (int i = 0; states[i]; i++)
        if (strcmp(states[i], s) == 0) return true;
    return false;
}

/* GET /quotations?q=&customer_id=&owner_id=&project_id=&state= */
static int h_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    static const char *const ids[] = {"customer_id", "owner_id", "project_id"};
    static const char *const conds[] = {" AND qt.customer_id = ?", " AND qt.owner_id = ?",
                                        " AND qt.project_id = ?"};
    sqlq sq;
    sqlq_init(&sq, &r->a,
              "SELECT qt.id, qt.number, qt.customer_id, cu.name AS customer_name, qt.project_id,"
              " pj.name AS project_name, qt.owner_id, ou.name AS owner_name, qt.state,"
              " qt.revision, qt.currency, qt.grand_total, qt.grand_total_cny, qt.quote_date,"
              " qt.valid_until, qt.needs_approval, qt.version, qt.updated_at" QUOTE_FROM
              " WHERE 1 = 1");
    for (int i = 0; i < 3; i++) {
        const char *s = req_query(r, ids[i]);
        int64_t v = 0;
        if (!s || !*s) continue;
        if (!tf_parse_i64(s, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "%s must be an id", ids[i]);
        sqlq_add(&sq, conds[i], DBP(DBI(v)));
    }
    const char *st = req_query(r, "state"), *q = req_query(r, "q");
    if (st && *st) {
        if (!state_ok(st))
            return reply_problem(r, 400, "bad_request",
                                 "state must be draft, in_approval, approved, sent, accepted,"
                                 " rejected or expired");
        sqlq_add(&sq, " AND qt.state = ?", DBP(DBS(st)));
    }
    if (q && *q) {
        const char *norm = ts_normalize(&r->a, q);
        if (norm && *norm)
            sqlq_add(&sq, " AND qt.search_text LIKE ? ESCAPE '\\'",
                     DBP(DBS(tf_like_contains(&r->a, norm))));
    }
    policy_quotation_filter(&r->me, &sq);
    if (cursor) sqlq_add(&sq, " AND qt.id < ?", DBP(DBI(cursor)));
    sqlq_add(&sq, " ORDER BY qt.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

static int h_get(req *r)
{
    tf_access acc;
    int64_t id = quote_need(r, ACCESS_READ, &acc);
    if (id < 0) return 0;
    return quote_reply_detail(r, 200, id, acc);
}

static int h_history(req *r)
{
    int64_t id = quote_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    return audit_reply_history(r, "quotation", id);
}

#define HEADER_FIELDS                                                                              \
    {"currency", F_STR, 0, 3, 3}, {"rate_micro", F_INT, F_NULL, QUOTE_RATE_MAX, 1},                \
        {"valid_until", F_STR, F_NULL, 10, 0}, {"prices_include_tax", F_BOOL, 0, 0, 0},            \
        {"header_discount", F_INT, 0, QUOTE_MONEY_MAX, 0},                                         \
        {"freight", F_INT, 0, QUOTE_MONEY_MAX, 0}, {"payment_terms", F_STR, F_NULL, 500, 0},       \
        {"delivery_terms", F_STR, F_NULL, 500, 0}, {"notes", F_STR, F_NULL, 2000, 0},              \
    {                                                                                              \
        "lines", F_ARR, 0, DOCLINES_MAX, 0                                                         \
    }

static const field create_spec[] = {{"customer_id", F_INT, F_NULL, 0, 1},
                                    {"project_id", F_INT, F_NULL, 0, 1},
                                    HEADER_FIELDS,
                                    FIELDS_END};

/* The search text: number, customer and project names. */
static const char *search_text(db_conn *c, arena *a, const char *number, int64_t customer,
                               int64_t project)
{
    db_res r;
    const char *cn = "", *pn = "";
    if (db_query(c, a, &r,
                 "SELECT cu.name AS cn, (SELECT name FROM projects WHERE id = ?) AS pn FROM"
                 " customers cu WHERE cu.id = ?",
                 DBP(DBI(project), DBI(customer))) > 0) {
        cn = db_get_text(&r, 0, "cn");
        pn = db_get_text(&r, 0, "pn");
    }
    const char *s =
        ts_normalize(a, arena_printf(a, "%s %s %s", number, cn ? cn : "", pn ? pn : ""));
    return s ? s : "";
}

int quote_insert(db_conn *c, arena *a, const quote_input *q, int64_t actor, int64_t *id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = 0;
    const char *number = settings_number_next(c, a, "quotation", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    db_res res;
    rc = db_query(
        c, a, &res,
        "INSERT INTO quotations(number, customer_id, project_id, owner_id, state, revision,"
        " currency, rate_micro, quote_date, valid_until, prices_include_tax, header_discount,"
        " freight, payment_terms, delivery_terms, notes, amount, discount, net, tax, total,"
        " grand_total, grand_total_cny, max_discount_bp, needs_approval, search_text, created_by,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DBP(DBS(number), DBI(q->customer_id), q->project_id ? DBI(q->project_id) : DBNULL,
            DBI(q->owner_id), DBS(q->currency), DBI(q->rate_micro), DBS(q->quote_date),
            DBS(q->valid_until), DBB(q->prices_include_tax), DBI(q->header_discount),
            DBI(q->freight), DBS(q->payment_terms), DBS(q->delivery_terms), DBS(q->notes),
            DBI(q->d.amount), DBI(q->d.discount), DBI(q->d.net), DBI(q->d.tax), DBI(q->d.total),
            DBI(q->grand_total), DBI(q->grand_total_cny), DBI(q->max_discount_bp),
            DBB(q->needs_approval), DBS(search_text(c, a, number, q->customer_id, q->project_id)),
            DBI(actor), DBS(now), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&res, 0, "id");
    rc = doclines_save(c, QUOTE_DOC, *id, 1, q->lines, q->n);
    if (rc < 0) return rc;
    json_t *after = quote_json(c, a, *id);
    rc = audit_record(c, actor, "quotation", *id, "create", NULL, after);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

static int reply_built(req *r, int rc, json_t *errs)
{
    if (rc == -1) return reply_invalid(r, errs);
    json_decref(errs);
    return reply_db_error(r, rc);
}

static int h_create(req *r)
{
    if (input_check(r, create_spec) < 0) return 0;
    json_t *errs = json_array();
    quote_input q;
    int rc = quote_build(r, NULL, &q, errs);
    json_decref(q.unmatched);
    if (rc < 0) return reply_built(r, rc, errs);
    json_decref(errs);
    int64_t id = 0;
    rc = db_begin(r->db);
    if (rc == 0) rc = quote_insert(r->db, &r->a, &q, r->me.id, &id);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return quote_reply_detail(r, 201, id, policy_quotation_access(r->db, &r->me, id));
}

/* POST /quotations/preview — the same body as an entry: the lines priced
 * and the totals computed, nothing kept. With a project and no lines, the
 * project's products come back as lines (and those that match no product
 * as unmatched_products). */
static int h_preview(req *r)
{
    if (input_check(r, create_spec) < 0) return 0;
    json_t *errs = json_array();
    quote_input q;
    int rc = quote_build(r, NULL, &q, errs);
    if (rc == -1 && !in_has(r, "lines") && json_array_size(q.unmatched) > 0) {
        /* a project none of whose products the catalogue has: say which */
        json_decref(errs);
        return reply_json(r, 200,
                          json_pack("{s:I, s:I, s:[], s:o}", "customer_id",
                                    (json_int_t)q.customer_id, "project_id",
                                    (json_int_t)q.project_id, "lines", "unmatched_products",
                                    q.unmatched));
    }
    if (rc < 0) {
        json_decref(q.unmatched);
        return reply_built(r, rc, errs);
    }
    json_decref(errs);
    json_t *o = quote_input_json(&q);
    json_decref(q.unmatched);
    return reply_json(r, 200, o);
}

/* PATCH /quotations/{id} — a draft (or an approved one, which goes back to
 * draft) changes; a sent one only through a new version. */
static int h_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1}, HEADER_FIELDS, FIELDS_END};
    tf_access acc;
    int64_t id = quote_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = quote_json(r->db, &r->a, id), *errs = json_array();
    quote_input q = {0};
    if (!before) {
        rc = -2;
        goto fail;
    }
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    const char *state = arena_strdup(&r->a, json_string_value(json_object_get(before, "state")));
    const char *to = doc_transition_to(quote_states, state, "edit");
    if (cur != in_int(r, "version", 0)) {
        rc = -3;
        goto fail;
    }
    if (!to) {
        rc = -4;
        goto fail;
    }
    rc = quote_build(r, before, &q, errs);
    json_decref(q.unmatched);
    if (rc < 0) goto fail;
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(r->db,
                 "UPDATE quotations SET state = ?, currency = ?, rate_micro = ?, valid_until = ?,"
                 " prices_include_tax = ?, header_discount = ?, freight = ?, payment_terms = ?,"
                 " delivery_terms = ?, notes = ?, amount = ?, discount = ?, net = ?, tax = ?,"
                 " total = ?, grand_total = ?, grand_total_cny = ?, max_discount_bp = ?,"
                 " needs_approval = ?, version = version + 1, updated_at = ? WHERE id = ? AND"
                 " version = ?",
                 DBP(DBS(to), DBS(q.currency), DBI(q.rate_micro), DBS(q.valid_until),
                     DBB(q.prices_include_tax), DBI(q.header_discount), DBI(q.freight),
                     DBS(q.payment_terms), DBS(q.delivery_terms), DBS(q.notes), DBI(q.d.amount),
                     DBI(q.d.discount), DBI(q.d.net), DBI(q.d.tax), DBI(q.d.total),
                     DBI(q.grand_total), DBI(q.grand_total_cny), DBI(q.max_discount_bp),
                     DBB(q.needs_approval), DBS(now), DBI(id), DBI(cur)));
    if (rc == 0) {
        rc = -3;
        goto fail;
    }
    if (rc > 0)
        rc = doclines_save(r->db, QUOTE_DOC, id,
                           json_integer_value(json_object_get(before, "revision")), q.lines, q.n);
    json_t *after = rc >= 0 ? quote_json(r->db, &r->a, id) : NULL;
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "quotation", id, "update", before, after);
    json_decref(after);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) goto fail;
    json_decref(before);
    json_decref(errs);
    return quote_reply_detail(r, 200, id, acc);
fail:
    db_rollback(r->db);
    if (rc == -1) {
        json_decref(before);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    if (rc == -2) return reply_not_found(r);
    if (rc == -3) {
        json_decref(before);
        int64_t v = 0;
        db_scalar_int(r->db, &v, 0, "SELECT version FROM quotations WHERE id = ?", DBP(DBI(id)));
        return reply_conflict_version(r, v);
    }
    if (rc == -4) {
        json_decref(before);
        return reply_problem(r, 409, "conflict",
                             "a quotation that is %s cannot be edited: a sent quotation is"
                             " changed only by a new version",
                             state);
    }
    json_decref(before);
    return reply_db_error(r, rc);
}

/* GET /quotations/{id}/revisions/{n} — an earlier version as it was (its
 * frozen header and its lines), or the current one. */
static int h_revision(req *r)
{
    int64_t id = quote_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    int64_t n = req_id(r, 1);
    json_t *cur = quote_header_json(r->db, &r->a, id);
    int64_t last = json_integer_value(json_object_get(cur, "revision"));
    if (n < 1 || n > last) {
        json_decref(cur);
        return reply_not_found(r);
    }
    json_t *o = n == last ? cur : doclines_frozen(r->db, &r->a, QUOTE_DOC, id, n);
    if (n != last) json_decref(cur);
    if (!o) return reply_not_found(r);
    json_t *lines = doclines_json(r->db, &r->a, QUOTE_DOC, id, n);
    json_object_set_new(o, "lines", lines ? lines : json_array());
    json_object_set_new(o, "revision", json_integer(n));
    json_object_set_new(o, "current", json_boolean(n == last));
    return reply_json(r, 200, o);
}

/* GET /quotations/{id}/compare?a=1&b=2 — two versions' lines side by side
 * and their totals. */
static int h_compare(req *r)
{
    int64_t id = quote_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    json_t *cur = quote_header_json(r->db, &r->a, id);
    int64_t last = json_integer_value(json_object_get(cur, "revision")), v[2] = {0, 0};
    const char *names[2] = {"a", "b"};
    json_t *errs = json_array(), *heads[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++) {
        const char *s = req_query(r, names[i]);
        if (!s || !tf_parse_i64(s, &v[i]) || v[i] < 1 || v[i] > last)
            json_array_append_new(
                errs, field_error(names[i], "invalid", "must be a version of the quotation"));
    }
    if (json_array_size(errs)) {
        json_decref(cur);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    for (int i = 0; i < 2; i++)
        heads[i] =
            v[i] == last ? json_incref(cur) : doclines_frozen(r->db, &r->a, QUOTE_DOC, id, v[i]);
    json_decref(cur);
    json_t *o = doclines_compare_json(r->db, &r->a, QUOTE_DOC, id, v[0], v[1]);
    if (!o) {
        json_decref(heads[0]);
        json_decref(heads[1]);
        return reply_problem(r, 500, "internal", "could not read the versions");
    }
    for (int i = 0; i < 2; i++) {
        json_object_del(heads[i] ? heads[i] : json_null(), "lines");
        json_object_set_new(o, names[i], heads[i] ? heads[i] : json_null());
    }
    return reply_json(r, 200, o);
}

#define QUOTE_BODY                                                                                 \
    "\"currency\":{\"enum\":[\"CNY\",\"USD\",\"EUR\"]},\"rate_micro\":{\"type\":[\"integer\","     \
    "\"null\"],\"description\":\"yuan per unit of the currency, in millionths\"},"                 \
    "\"valid_until\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"                        \
    "\"prices_include_tax\":{\"type\":\"boolean\"},\"header_discount\":{\"type\":\"integer\","     \
    "\"minimum\":0},\"freight\":{\"type\":\"integer\",\"minimum\":0},\"payment_terms\":{\"type\":" \
    "[\"string\",\"null\"]},\"delivery_terms\":{\"type\":[\"string\",\"null\"]},\"notes\":{"       \
    "\"type\":[\"string\",\"null\"]},\"lines\":{\"type\":\"array\",\"maxItems\":200,\"items\":{"   \
    "\"type\":\"object\",\"required\":[\"product_id\",\"qty_milli\"],\"properties\":{"             \
    "\"product_id\":{\"type\":\"integer\"},\"qty_milli\":{\"type\":\"integer\",\"minimum\":1},"    \
    "\"discount_bp\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000},\"note\":{\"type\":"   \
    "[\"string\",\"null\"]}}}}"
#define CREATE_BODY                                                                                \
    "{\"type\":\"object\",\"properties\":{\"customer_id\":{\"type\":[\"integer\",\"null\"]},"      \
    "\"project_id\":{\"type\":[\"integer\",\"null\"]}," QUOTE_BODY "}}"

const route quotations_routes[] = {
    {"GET", "/api/v1/quotations", h_list, "quotations.read", 0,
     QUERY("page q customer_id=id owner_id=id project_id=id"
           " state=draft|in_approval|approved|sent|accepted|rejected|expired") "List the "
                                                                               "quotations you may "
                                                                               "see, newest first",
     NULL},
    {"POST", "/api/v1/quotations", h_create, "quotations.write", 0,
     "Enter a quotation (blank, for a customer, or from a project with its products); each line"
     " priced by the pricing function",
     CREATE_BODY},
    {"POST", "/api/v1/quotations/preview", h_preview, "quotations.write", 0,
     "Price and total a quotation without keeping it", CREATE_BODY},
    {"GET", "/api/v1/quotations/{id}", h_get, "quotations.read", 0,
     "A quotation with its lines, tax rates, approval and the actions you may take", NULL},
    {"PATCH", "/api/v1/quotations/{id}", h_update, "quotations.write", 0,
     REPLIES("409") "Edit a draft quotation (its lines are priced again)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"}," QUOTE_BODY "}}"},
    {"GET", "/api/v1/quotations/{id}/history", h_history, "quotations.read", 0,
     QUERY("page") "Who changed the quotation, when and what", NULL},
    {"GET", "/api/v1/quotations/{id}/revisions/{n}", h_revision, "quotations.read", 0,
     "A version of the quotation as it was: its header and lines", NULL},
    {"GET", "/api/v1/quotations/{id}/compare", h_compare, "quotations.read", 0,
     QUERY("a!=int b!=int") "Two versions' lines side by side with their totals", NULL},
    ROUTES_END,
};
