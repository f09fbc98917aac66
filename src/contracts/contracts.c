/* contracts.c — the contract resource (/api/v1/contracts): the list (q,
 * state, customer, owner, project filters, newest first in keyset pages,
 * through the policy module's filter), the detail with its lines, tax
 * rates, running figures (invoiced, received, refunded, returned value,
 * due), approval, amendment in progress and the actions the user may take,
 * entry (blank, from a customer, a project or an accepted quotation), the
 * versioned edit of a draft, the history, and the revisions with their
 * side-by-side comparison. The state changes live in contract_flow.c and
 * contract_amend.c, the building of a request in contract_build.c. */
#include "contracts/contracts.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/policy_quotations.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

#define CONTRACT_COLS                                                                              \
    "ct.id, ct.number, ct.title, ct.customer_id, cu.number AS customer_number, cu.name AS"         \
    " customer_name, ct.project_id, pj.name AS project_name, ct.quotation_id, qt.number AS"        \
    " quotation_number, ct.owner_id, ou.name AS owner_name, ct.state, ct.revision,"                \
    " ct.amendment_state, ct.amendment_reason, ct.currency, ct.rate_micro, ct.sign_date,"          \
    " ct.start_date, ct.end_date, ct.prices_include_tax, ct.header_discount, ct.freight,"          \
    " ct.payment_terms, ct.delivery_terms, ct.notes, ct.amount, ct.discount, ct.net, ct.tax,"      \
    " ct.total, ct.grand_total, ct.grand_total_cny, ct.approval_request_id, ct.effective_at,"      \
    " ct.closed_at, ct.close_reason, ct.invoiced, ct.received, ct.refunded, ct.returned_value,"    \
    " ct.grand_total - ct.returned_value - ct.received AS due, ct.version, ct.created_at,"         \
    " ct.updated_at"
#define CONTRACT_FROM                                                                              \
    " FROM contracts ct JOIN customers cu ON cu.id = ct.customer_id LEFT JOIN projects pj ON"      \
    " pj.id = ct.project_id LEFT JOIN quotations qt ON qt.id = ct.quotation_id LEFT JOIN users"    \
    " ou ON ou.id = ct.owner_id"

json_t *contract_header_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, "SELECT " CONTRACT_COLS CONTRACT_FROM " WHERE ct.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

/* Everything of the detail but its lines and rates (the bulk of a long
 * contract: the detail reply takes them as text from doc_texts,
 * contract_json adds them as JSON). */
static json_t *contract_json_but_lines(db_conn *c, arena *a, int64_t id, int64_t *rev_out)
{
    json_t *o = contract_header_json(c, a, id);
    if (!o) return NULL;
    int64_t rev = json_integer_value(json_object_get(o, "revision"));
    *rev_out = rev;
    db_res r;
    json_object_set_new(o, "approval", json_null());
    json_t *req_id = json_object_get(o, "approval_request_id");
    if (json_is_integer(req_id) &&
        db_query(c, a, &r,
                 "SELECT id, state, version, current_step, applicant_id, created_at, decided_at"
                 " FROM approval_requests WHERE id = ?",
                 DBP(DBI(json_integer_value(req_id)))) > 0)
        json_object_set_new(o, "approval", db_row_json(&r, 0));
    json_object_set_new(o, "goods", json_array());
    if (db_query(c, a, &r,
                 "SELECT product_id, delivered_milli, returned_milli FROM contract_goods WHERE"
                 " contract_id = ? ORDER BY product_id",
                 DBP(DBI(id))) >= 0)
        json_object_set_new(o, "goods", db_rows_json(&r));
    /* an amendment in progress: its header, reason and lines (revision + 1) */
    json_object_set_new(o, "amendment", json_null());
    const char *ast = json_string_value(json_object_get(o, "amendment_state"));
    if (ast &&
        db_query(c, a, &r, "SELECT amendment_json FROM contracts WHERE id = ?", DBP(DBI(id))) > 0) {
        json_t *am = json_pack("{s:s, s:I, s:O}", "state", ast, "revision", (json_int_t)rev + 1,
                               "reason", json_object_get(o, "amendment_reason"));
        json_t *row = db_row_json(&r, 0);
        json_object_set(am, "header", json_object_get(row, "amendment"));
        json_decref(row);
        json_t *al = doclines_json(c, a, CONTRACT_DOC, id, rev + 1);
        json_object_set_new(am, "lines", al ? al : json_array());
        json_object_set_new(o, "amendment", am);
    }
    json_t *revs = json_array();
    for (int64_t i = 1; i <= rev; i++)
        json_array_append_new(revs, json_integer(i));
    json_object_set_new(o, "revisions", revs);
    return o;
}

json_t *contract_json(db_conn *c, arena *a, int64_t id)
{
    int64_t rev = 0;
    json_t *o = contract_json_but_lines(c, a, id, &rev);
    return doclines_add_json(c, a, CONTRACT_DOC, id, rev, o);
}

int64_t contract_need(req *r, tf_access need, tf_access *acc)
{
    return record_need(r, need, policy_contract_access, acc);
}

int contract_reply_detail(req *r, int status, int64_t id, tf_access acc)
{
    int64_t rev;
    json_t *o = contract_json_but_lines(r->db, &r->a, id, &rev);
    if (!o) return reply_not_found(r);
    json_object_set_new(o, "access", json_string(policy_access_name(acc)));
    json_object_set_new(o, "actions", contract_actions_json(&r->me, acc, o));
    size_t len = 0;
    char *lines = doclines_reply_text(r->db, &r->a, CONTRACT_DOC, id, rev, o, &len);
    return reply_json_plus(r, status, o, "lines", lines, len);
}

static bool state_ok(const char *s)
{
    static const char *const states[] = {"draft",     "in_approval", "effective",  "fulfilling",
                                         "completed", "cancelled",   "terminated", NULL};
    for (int i = 0; states[i]; i++)
        if (strcmp(states[i], s) == 0) return true;
    return false;
}

/* GET /contracts?q=&state=&customer_id=&owner_id=&project_id=&quotation_id= */
static int h_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    static const char *const ids[] = {"customer_id", "owner_id", "project_id", "quotation_id"};
    static const char *const conds[] = {" AND ct.customer_id = ?", " AND ct.owner_id = ?",
                                        " AND ct.project_id = ?", " AND ct.quotation_id = ?"};
    sqlq sq;
    sqlq_init(&sq, &r->a,
              "SELECT ct.id, ct.number, ct.title, ct.customer_id, cu.name AS customer_name,"
              " ct.project_id, pj.name AS project_name, ct.owner_id, ou.name AS owner_name,"
              " ct.state, ct.revision, ct.amendment_state, ct.currency, ct.grand_total,"
              " ct.grand_total_cny, ct.invoiced, ct.received, ct.refunded, ct.returned_value,"
              " ct.grand_total - ct.returned_value - ct.received AS due, ct.sign_date,"
              " ct.effective_at, ct.version, ct.updated_at" CONTRACT_FROM " WHERE 1 = 1");
    for (int i = 0; i < 4; i++) {
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
                                 "state must be draft, in_approval, effective, fulfilling,"
                                 " completed, cancelled or terminated");
        sqlq_add(&sq, " AND ct.state = ?", DBP(DBS(st)));
    }
    if (q && *q) {
        const char *norm = ts_normalize(&r->a, q);
        if (norm && *norm)
            sqlq_add(&sq, " AND ct.search_text LIKE ? ESCAPE '\\'",
                     DBP(DBS(tf_like_contains(&r->a, norm))));
    }
    policy_contract_filter(&r->me, &sq);
    if (cursor) sqlq_add(&sq, " AND ct.id < ?", DBP(DBI(cursor)));
    sqlq_add(&sq, " ORDER BY ct.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* GET /contracts/summary?customer_id= — a customer's contracts that the
 * user sees, in sum: how many, what is still receivable on the open ones
 * (in yuan, each at its contract's rate) and the last deal. */
static int h_summary(req *r)
{
    const char *s = req_query(r, "customer_id");
    int64_t cust = 0;
    if (!s || !tf_parse_i64(s, &cust) || cust < 1)
        return reply_problem(r, 400, "bad_request", "customer_id must be an id");
    if (policy_customer_access(r->db, &r->me, cust) == ACCESS_NONE) return reply_not_found(r);
    sqlq sq;
    sqlq_init(&sq, &r->a,
              "SELECT ct.id, ct.number, ct.state, ct.currency, ct.rate_micro, ct.grand_total,"
              " ct.grand_total - ct.returned_value - ct.received AS due, ct.sign_date FROM"
              " contracts ct JOIN customers cu ON cu.id = ct.customer_id WHERE 1 = 1");
    sqlq_add(&sq, " AND ct.customer_id = ?", DBP(DBI(cust)));
    policy_contract_filter(&r->me, &sq);
    sqlq_add(&sq, " ORDER BY ct.id DESC LIMIT 5000", DBP0);
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    int64_t receivable = 0, open = 0;
    int last = -1;
    for (int i = 0; i < res.nrows; i++) {
        const char *st = db_get_text(&res, i, "state");
        bool live = strcmp(st, "effective") == 0 || strcmp(st, "fulfilling") == 0;
        bool dealt = live || strcmp(st, "completed") == 0;
        if (dealt && (last < 0 || strcmp(db_get_text(&res, i, "sign_date"),
                                         db_get_text(&res, last, "sign_date")) > 0))
            last = i;
        if (!live) continue;
        open++;
        int64_t cny = 0;
        if (money_ratio(db_get_int(&res, i, "due"), db_get_int(&res, i, "rate_micro"),
                        CONTRACT_RATE_ONE, &cny) == 0)
            receivable += cny;
    }
    json_t *o = json_pack("{s:i, s:I, s:I, s:n}", "contracts", res.nrows, "open", (json_int_t)open,
                          "receivable_cny", (json_int_t)receivable, "last_deal");
    if (last >= 0)
        json_object_set_new(o, "last_deal",
                            json_pack("{s:I, s:s, s:s, s:I, s:s}", "id",
                                      (json_int_t)db_get_int(&res, last, "id"), "number",
                                      db_get_text(&res, last, "number"), "sign_date",
                                      db_get_text(&res, last, "sign_date"), "grand_total",
                                      (json_int_t)db_get_int(&res, last, "grand_total"), "currency",
                                      db_get_text(&res, last, "currency")));
    return reply_json(r, 200, o);
}

static int h_get(req *r)
{
    tf_access acc;
    int64_t id = contract_need(r, ACCESS_READ, &acc);
    if (id < 0) return 0;
    return contract_reply_detail(r, 200, id, acc);
}

static int h_history(req *r)
{
    int64_t id = contract_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    return audit_reply_history(r, "contract", id);
}

static const field create_spec[] = {{"customer_id", F_INT, F_NULL, 0, 1},
                                    {"project_id", F_INT, F_NULL, 0, 1},
                                    {"quotation_id", F_INT, F_NULL, 0, 1},
                                    CONTRACT_HEADER_FIELDS,
                                    FIELDS_END};

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
    contract_input k;
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    rc = contract_build(r, NULL, &k, errs);
    int64_t id = 0;
    if (rc == 0) rc = contract_insert(r->db, &r->a, &k, r->me.id, &id);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_built(r, rc, errs);
    }
    json_decref(errs);
    return contract_reply_detail(r, 201, id, policy_contract_access(r->db, &r->me, id));
}

/* POST /contracts/preview — the same body as an entry (or as an edit, with
 * the contract's id): the lines priced and the totals computed, nothing
 * kept. */
static int h_preview(req *r)
{
    static const field spec[] = {{"id", F_INT, F_NULL, 0, 1},
                                 {"customer_id", F_INT, F_NULL, 0, 1},
                                 {"project_id", F_INT, F_NULL, 0, 1},
                                 {"quotation_id", F_INT, F_NULL, 0, 1},
                                 CONTRACT_HEADER_FIELDS,
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    int64_t id = in_int(r, "id", 0);
    if (id && policy_contract_access(r->db, &r->me, id) < ACCESS_READ) return reply_not_found(r);
    json_t *errs = json_array(), *current = id ? contract_json(r->db, &r->a, id) : NULL;
    contract_input k;
    int rc = db_begin(r->db);
    if (rc == 0) rc = contract_build(r, current, &k, errs);
    db_rollback(r->db);
    json_decref(current);
    if (rc < 0) return reply_built(r, rc, errs);
    json_decref(errs);
    return reply_json(r, 200, contract_input_json(&k));
}

/* PATCH /contracts/{id} — a draft changes; an effective one only through an
 * amendment. */
static int h_update(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1}, CONTRACT_HEADER_FIELDS, FIELDS_END};
    tf_access acc;
    int64_t id = contract_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = contract_json(r->db, &r->a, id), *errs = json_array();
    contract_input k;
    const char *state = "";
    if (!before) {
        rc = -2;
        goto fail;
    }
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    state = arena_strdup(&r->a, json_string_value(json_object_get(before, "state")));
    if (cur != in_int(r, "version", 0)) {
        rc = -3;
        goto fail;
    }
    const char *to = doc_transition_to(contract_states, state, "edit");
    if (!to) {
        rc = -4;
        goto fail;
    }
    rc = contract_build(r, before, &k, errs);
    if (rc < 0) goto fail;
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(
        r->db,
        "UPDATE contracts SET state = ?, title = ?, currency = ?, rate_micro = ?, sign_date = ?,"
        " start_date = ?, end_date = ?, prices_include_tax = ?, header_discount = ?, freight = ?,"
        " payment_terms = ?, delivery_terms = ?, notes = ?, amount = ?, discount = ?, net = ?,"
        " tax = ?, total = ?, grand_total = ?, grand_total_cny = ?, search_text = ?, version ="
        " version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = ?",
        DBP(DBS(to), DBS(k.title), DBS(k.currency), DBI(k.rate_micro), DBS(k.sign_date),
            *k.start_date ? DBS(k.start_date) : DBNULL, *k.end_date ? DBS(k.end_date) : DBNULL,
            DBB(k.prices_include_tax), DBI(k.header_discount), DBI(k.freight), DBS(k.payment_terms),
            DBS(k.delivery_terms), DBS(k.notes), DBI(k.d.amount), DBI(k.d.discount), DBI(k.d.net),
            DBI(k.d.tax), DBI(k.d.total), DBI(k.grand_total), DBI(k.grand_total_cny),
            DBS(contract_search_text(r->db, &r->a,
                                     json_string_value(json_object_get(before, "number")), k.title,
                                     k.customer_id, k.project_id)),
            DBS(now), DBI(id), DBI(cur), DBS(state)));
    if (rc == 0) {
        rc = -3;
        goto fail;
    }
    if (rc > 0)
        rc = doclines_save(r->db, CONTRACT_DOC, id,
                           json_integer_value(json_object_get(before, "revision")), k.lines, k.n);
    json_t *after = rc >= 0 ? contract_json(r->db, &r->a, id) : NULL;
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "contract", id, "update", before, after);
    json_decref(after);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) goto fail;
    json_decref(before);
    json_decref(errs);
    return contract_reply_detail(r, 200, id, acc);
fail:
    db_rollback(r->db);
    json_decref(before);
    if (rc == -1) return reply_invalid(r, errs);
    json_decref(errs);
    if (rc == -2) return reply_not_found(r);
    if (rc == -3) {
        int64_t v = 0;
        db_scalar_int(r->db, &v, 0, "SELECT version FROM contracts WHERE id = ?", DBP(DBI(id)));
        return reply_conflict_version(r, v);
    }
    if (rc == -4)
        return reply_problem(r, 409, "conflict",
                             "a contract that is %s cannot be edited: only a draft is; an"
                             " effective contract changes through an amendment",
                             state);
    return reply_db_error(r, rc);
}

/* The last revision that may be read: the one in force, or the amendment's
 * draft above it. */
static int64_t last_revision(json_t *head)
{
    int64_t rev = json_integer_value(json_object_get(head, "revision"));
    return json_is_string(json_object_get(head, "amendment_state")) ? rev + 1 : rev;
}

/* A revision's header: frozen (earlier), current, or the amendment's. */
static json_t *revision_header(req *r, int64_t id, json_t *head, int64_t n)
{
    int64_t rev = json_integer_value(json_object_get(head, "revision"));
    if (n == rev) return json_incref(head);
    if (n < rev) return doclines_frozen(r->db, &r->a, CONTRACT_DOC, id, n);
    json_t *full = contract_json(r->db, &r->a, id);
    json_t *am = json_object_get(full, "amendment"), *h = json_object_get(am, "header");
    json_t *o = json_is_object(h) ? json_copy(h) : json_object();
    json_object_set_new(o, "amendment", json_true());
    json_decref(full);
    return o;
}

/* GET /contracts/{id}/revisions/{n} */
static int h_revision(req *r)
{
    int64_t id = contract_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    int64_t n = req_id(r, 1);
    json_t *head = contract_header_json(r->db, &r->a, id);
    int64_t last = last_revision(head);
    json_t *o = n >= 1 && n <= last ? revision_header(r, id, head, n) : NULL;
    json_decref(head);
    if (!o) return reply_not_found(r);
    json_t *lines = doclines_json(r->db, &r->a, CONTRACT_DOC, id, n);
    json_object_set_new(o, "lines", lines ? lines : json_array());
    json_object_set_new(o, "revision", json_integer(n));
    return reply_json(r, 200, o);
}

/* GET /contracts/{id}/compare?a=1&b=2 */
static int h_compare(req *r)
{
    int64_t id = contract_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    json_t *head = contract_header_json(r->db, &r->a, id);
    int64_t last = last_revision(head), v[2] = {0, 0};
    const char *names[2] = {"a", "b"};
    json_t *errs = json_array();
    for (int i = 0; i < 2; i++) {
        const char *s = req_query(r, names[i]);
        if (!s || !tf_parse_i64(s, &v[i]) || v[i] < 1 || v[i] > last)
            json_array_append_new(
                errs, field_error(names[i], "invalid", "must be a revision of the contract"));
    }
    if (json_array_size(errs)) {
        json_decref(head);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    json_t *o = doclines_compare_json(r->db, &r->a, CONTRACT_DOC, id, v[0], v[1]);
    if (!o) {
        json_decref(head);
        return reply_problem(r, 500, "internal", "could not read the revisions");
    }
    for (int i = 0; i < 2; i++) {
        json_t *h = revision_header(r, id, head, v[i]);
        json_object_set_new(o, names[i], h ? h : json_null());
    }
    json_decref(head);
    return reply_json(r, 200, o);
}

#define CREATE_BODY                                                                                \
    "{\"type\":\"object\",\"properties\":{\"customer_id\":{\"type\":[\"integer\",\"null\"]},"      \
    "\"project_id\":{\"type\":[\"integer\",\"null\"]},\"quotation_id\":{\"type\":[\"integer\","    \
    "\"null\"]}," CONTRACT_BODY "}}"

const route contracts_routes[] = {
    {"GET", "/api/v1/contracts", h_list, "contracts.read", 0,
     QUERY(
         "page q customer_id=id owner_id=id project_id=id quotation_id=id"
         " state=draft|in_approval|effective|fulfilling|completed|cancelled|terminated") "List the "
                                                                                         "contracts"
                                                                                         " you may "
                                                                                         "see, "
                                                                                         "newest "
                                                                                         "first",
     NULL},
    {"POST", "/api/v1/contracts", h_create, "contracts.write", 0,
     "Enter a contract (blank, for a customer or a project, or from an accepted quotation with"
     " its lines, prices, currency and terms)",
     CREATE_BODY},
    {"GET", "/api/v1/contracts/summary", h_summary, "contracts.read", 0,
     QUERY("customer_id!=id") REPLIES(
         "404") "A customer's contracts in sum: how many, the receivable in yuan and the last deal",
     NULL},
    {"POST", "/api/v1/contracts/preview", h_preview, "contracts.write", 0,
     "Price and total a contract (new, or a draft or amendment given its id) without keeping"
     " it",
     "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":[\"integer\",\"null\"]},"
     "\"customer_id\":{\"type\":[\"integer\",\"null\"]},\"project_id\":{\"type\":["
     "\"integer\",\"null\"]},\"quotation_id\":{\"type\":[\"integer\",\"null\"]}," CONTRACT_BODY
     "}}"},
    {"GET", "/api/v1/contracts/{id}", h_get, "contracts.read", 0,
     "A contract with its lines, figures, approval, amendment and the actions you may take", NULL},
    {"PATCH", "/api/v1/contracts/{id}", h_update, "contracts.write", 0,
     REPLIES("409") "Edit a draft contract",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"}," CONTRACT_BODY "}}"},
    {"GET", "/api/v1/contracts/{id}/history", h_history, "contracts.read", 0,
     QUERY("page") "Who changed the contract, when and what", NULL},
    {"GET", "/api/v1/contracts/{id}/revisions/{n}", h_revision, "contracts.read", 0,
     "A revision of the contract as it was (or the amendment's draft): its header and lines", NULL},
    {"GET", "/api/v1/contracts/{id}/compare", h_compare, "contracts.read", 0,
     QUERY("a!=int b!=int") "Two revisions' lines side by side with their headers", NULL},
    ROUTES_END,
};
