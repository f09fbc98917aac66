/* quotation_flow.c — a quotation's life: the one state table (checked on
 * every change, through kit/doclines.h), the actions a user may take now,
 * POST /quotations/{id}/submit | withdraw | send | accept | reject | revise,
 * the quotation document type of the approvals engine (a hand discount
 * beyond the owner's role limit needs the manager's approval before the
 * quotation can be sent; the decision moves the state), and the job that
 * expires sent quotations past their validity date.
 *
 *   draft       --edit--> draft      --submit--> in_approval  --send--> sent
 *   in_approval --approve--> approved  --return--> draft  --withdraw--> draft
 *   approved    --edit--> draft      --send--> sent
 *   sent        --accept--> accepted  --reject--> rejected  --expire--> expired
 *   sent, rejected, expired --revise--> draft (a new version; the earlier
 *                                       one stays readable)
 * An accepted quotation is final: ready to become a contract. */
#include "quotations/quotations.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "core/jobs.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "http/http.h"
#include "products/products.h"
#include <string.h>

const doc_transition quote_states[] = {
    {"draft", "edit", "draft"},
    {"draft", "submit", "in_approval"},
    {"draft", "send", "sent"},
    {"in_approval", "approve", "approved"},
    {"in_approval", "return", "draft"},
    {"in_approval", "withdraw", "draft"},
    {"approved", "edit", "draft"},
    {"approved", "send", "sent"},
    {"sent", "accept", "accepted"},
    {"sent", "reject", "rejected"},
    {"sent", "expire", "expired"},
    {"sent", "revise", "draft"},
    {"rejected", "revise", "draft"},
    {"expired", "revise", "draft"},
    {NULL, NULL, NULL},
};

/* Events only the approvals engine or the job sends. */
static bool engine_event(const char *e)
{
    return strcmp(e, "approve") == 0 || strcmp(e, "return") == 0 || strcmp(e, "expire") == 0;
}

/* A guard beyond the table: a draft with a hand discount beyond the limit
 * is sent only once approved, and only such a draft is submitted. */
static const char *guard(const char *event, const char *state, bool needs_approval)
{
    if (strcmp(event, "send") == 0 && needs_approval && strcmp(state, "draft") == 0)
        return "a discount beyond your limit needs approval before the quotation is sent";
    if (strcmp(event, "submit") == 0 && !needs_approval)
        return "the quotation needs no approval: send it";
    return NULL;
}

json_t *quote_actions_json(const principal *u, tf_access acc, json_t *quote)
{
    json_t *out = json_array();
    if (acc < ACCESS_WRITE) return out;
    const char *state = json_string_value(json_object_get(quote, "state"));
    bool needs = json_is_true(json_object_get(quote, "needs_approval"));
    json_t *ev = doc_events_json(quote_states, state), *e;
    size_t i;
    json_array_foreach(ev, i, e)
    {
        const char *s = json_string_value(e);
        if (engine_event(s) || guard(s, state, needs)) continue;
        json_array_append(out, e);
    }
    json_decref(ev);
    return out;
}

/* on_decided of the quotation document type, inside the deciding
 * transaction. */
static int on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome, int64_t actor,
                      const char **why)
{
    (void)why;
    const char *event = strcmp(outcome, "approved") == 0   ? "approve"
                        : strcmp(outcome, "rejected") == 0 ? "return"
                                                           : "withdraw";
    json_t *before = quote_header_json(c, a, doc_id);
    if (!before) return DB_ERR;
    const char *state = json_string_value(json_object_get(before, "state"));
    const char *to = doc_transition_to(quote_states, state, event);
    int rc = APPR_ECALLBACK;
    if (to) {
        char now[TF_TS_LEN];
        tf_now(now);
        rc = db_exec(c,
                     "UPDATE quotations SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND state = ?",
                     DBP(DBS(to), DBS(now), DBI(doc_id), DBS(state)));
        if (rc == 0) rc = APPR_ECALLBACK;
        if (rc > 0) {
            json_t *after = quote_header_json(c, a, doc_id);
            rc = audit_record(c, actor, "quotation", doc_id, event, before, after);
            json_decref(after);
        }
    }
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static bool can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    return policy_quotation_access(c, u, doc_id) != ACCESS_NONE;
}

static const approval_doc_type quote_doc_type = {
    QUOTE_DOC, "Quotation", "报价单", on_decided, can_view,
};

void quotations_register(void)
{
    approvals_register(&quote_doc_type);
}

/* Refuses a new version holding a product retired since it was quoted. */
static int check_active(req *r, int64_t id, int64_t rev, json_t *errs)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT l.seq, l.product_code FROM doc_lines l JOIN products p ON p.id ="
                      " l.product_id WHERE l.doc_type = ? AND l.doc_id = ? AND l.revision = ? AND"
                      " p.active = FALSE ORDER BY l.seq",
                      DBP(DBS(QUOTE_DOC), DBI(id), DBI(rev)));
    for (int i = 0; i < rc; i++)
        json_array_append_new(
            errs, field_error(arena_printf(&r->a, "lines[%lld].product_id",
                                           (long long)db_get_int(&res, i, "seq") - 1),
                              "retired",
                              "the product is retired and cannot be quoted"));
    return rc;
}

/* POST /quotations/{id}/{event} {"version", "reason"?} */
static int h_event(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"reason", F_STR, F_NULL, 500, 0},
                                 FIELDS_END};
    const char *event = strrchr(r->path, '/') + 1;
    tf_access acc;
    int64_t id = quote_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    const char *reason = in_str(r, "reason");
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = quote_header_json(r->db, &r->a, id), *errs = json_array();
    if (!before) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    const char *state = arena_strdup(&r->a, json_string_value(json_object_get(before, "state")));
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    int64_t rev = json_integer_value(json_object_get(before, "revision"));
    bool needs = json_is_true(json_object_get(before, "needs_approval"));
    const char *to = doc_transition_to(quote_states, state, event), *why = NULL;
    char now[TF_TS_LEN];
    tf_now(now);
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(before);
        json_decref(errs);
        return reply_conflict_version(r, cur);
    }
    if (!to)
        why = arena_printf(&r->a, "a quotation that is %s cannot be sent the event %s", state,
                           event);
    else
        why = guard(event, state, needs);
    if (why) {
        db_rollback(r->db);
        json_decref(before);
        json_decref(errs);
        return reply_problem(r, 409, "conflict", "%s", why);
    }
    if (strcmp(event, "submit") == 0) {
        rc = db_exec(r->db,
                     "UPDATE quotations SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ?",
                     DBP(DBS(to), DBS(now), DBI(id)));
        int64_t request_id = 0;
        bool approved_now = false;
        const char *title = arena_printf(
            &r->a, "报价 Quotation %s — %s",
            json_string_value(json_object_get(before, "number")),
            json_string_value(json_object_get(before, "customer_name")));
        if (rc >= 0)
            rc = approvals_submit(r->db, &r->a, QUOTE_DOC, id, title,
                                  json_integer_value(json_object_get(before, "grand_total_cny")),
                                  r->me.id, &request_id, &approved_now);
        if (rc >= 0)
            rc = approvals_set_context(
                r->db, request_id,
                reason ? reason
                       : arena_printf(&r->a, "折扣 %lld.%02lld %% Discount",
                                      (long long)(json_integer_value(json_object_get(
                                                      before, "max_discount_bp")) /
                                                  100),
                                      (long long)(json_integer_value(json_object_get(
                                                      before, "max_discount_bp")) %
                                                  100)),
                "customer", json_integer_value(json_object_get(before, "customer_id")),
                json_string_value(json_object_get(before, "customer_name")), true);
        if (rc >= 0)
            rc = db_exec(r->db, "UPDATE quotations SET approval_request_id = ? WHERE id = ?",
                         DBP(DBI(request_id), DBI(id)));
    } else if (strcmp(event, "withdraw") == 0) {
        int64_t req_id = json_integer_value(json_object_get(before, "approval_request_id"));
        rc = approvals_cancel(r->db, &r->a, req_id, &r->me, reason, -1);
    } else if (strcmp(event, "revise") == 0) {
        if (check_active(r, id, rev, errs) > 0) {
            db_rollback(r->db);
            json_decref(before);
            return reply_invalid(r, errs);
        }
        rc = doclines_freeze(r->db, QUOTE_DOC, id, rev, before, r->me.id);
        if (rc >= 0) rc = doclines_copy(r->db, QUOTE_DOC, id, rev, rev + 1);
        if (rc >= 0)
            rc = db_exec(r->db,
                         "UPDATE quotations SET state = ?, revision = revision + 1, sent_at ="
                         " NULL, answered_at = NULL, answer_note = NULL, approval_request_id ="
                         " NULL, version = version + 1, updated_at = ? WHERE id = ?",
                         DBP(DBS(to), DBS(now), DBI(id)));
    } else if (strcmp(event, "send") == 0) {
        rc = db_exec(r->db,
                     "UPDATE quotations SET state = ?, sent_at = ?, version = version + 1,"
                     " updated_at = ? WHERE id = ?",
                     DBP(DBS(to), DBS(now), DBS(now), DBI(id)));
    } else { /* accept, reject: the customer's answer */
        rc = db_exec(r->db,
                     "UPDATE quotations SET state = ?, answered_at = ?, answer_note = ?,"
                     " version = version + 1, updated_at = ? WHERE id = ?",
                     DBP(DBS(to), DBS(now), DBS(reason), DBS(now), DBI(id)));
    }
    json_t *after = rc >= 0 ? quote_header_json(r->db, &r->a, id) : NULL;
    /* a withdrawal's row is written by on_decided */
    if (rc >= 0 && strcmp(event, "withdraw"))
        rc = audit_record(r->db, r->me.id, "quotation", id, event, before, after);
    json_decref(after);
    json_decref(before);
    json_decref(errs);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        if (rc == APPR_EPENDING)
            return reply_problem(r, 409, "duplicate", "the quotation already awaits approval");
        if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
            return reply_problem(r, 409, "conflict", "the approval could not be changed");
        return reply_db_error(r, rc);
    }
    return quote_reply_detail(r, 200, id, acc);
}

/* The expiry job: sent quotations past their validity date (the company's
 * date) become expired, each in its own transaction; idempotent. */
static int expire_run(db_conn *c, arena *a)
{
    const char *today = products_today(c, a);
    db_res res;
    int rc = db_query(c, a, &res,
                      "SELECT id FROM quotations WHERE state = 'sent' AND valid_until < ?"
                      " ORDER BY id LIMIT 500",
                      DBP(DBS(today)));
    if (rc < 0) return rc;
    int done = 0;
    for (int i = 0; i < res.nrows; i++) {
        int64_t id = db_get_int(&res, i, "id");
        char now[TF_TS_LEN];
        tf_now(now);
        if ((rc = db_begin(c)) < 0) return rc;
        json_t *before = quote_header_json(c, a, id);
        rc = db_exec(c,
                     "UPDATE quotations SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND state = 'sent' AND valid_until < ?",
                     DBP(DBS(doc_transition_to(quote_states, "sent", "expire")), DBS(now),
                         DBI(id), DBS(today)));
        if (rc > 0) {
            json_t *after = quote_header_json(c, a, id);
            int arc = audit_record(c, 0, "quotation", id, "expire", before, after);
            json_decref(after);
            if (arc < 0) rc = arc;
            else done++;
        }
        json_decref(before);
        if (rc >= 0) rc = db_commit(c);
        if (rc < 0) {
            db_rollback(c);
            return rc;
        }
    }
    return done;
}

const job_def quotations_expire_job = {"quotations_expire", 600, expire_run};

#define EVENT_BODY                                                                                 \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"       \
    "\"integer\"},\"reason\":{\"type\":[\"string\",\"null\"]}}}"

const route quotation_flow_routes[] = {
    {"POST", "/api/v1/quotations/{id}/submit", h_event, "quotations.write", 0,
     REPLIES("409") "Submit a draft whose discount is beyond the limit for approval", EVENT_BODY},
    {"POST", "/api/v1/quotations/{id}/withdraw", h_event, "quotations.write", 0,
     REPLIES("409") "Withdraw a quotation from approval (back to draft)", EVENT_BODY},
    {"POST", "/api/v1/quotations/{id}/send", h_event, "quotations.write", 0,
     REPLIES("409") "Send a draft (or approved) quotation to the customer", EVENT_BODY},
    {"POST", "/api/v1/quotations/{id}/accept", h_event, "quotations.write", 0,
     REPLIES("409") "Record that the customer accepted a sent quotation", EVENT_BODY},
    {"POST", "/api/v1/quotations/{id}/reject", h_event, "quotations.write", 0,
     REPLIES("409") "Record that the customer rejected a sent quotation", EVENT_BODY},
    {"POST", "/api/v1/quotations/{id}/revise", h_event, "quotations.write", 0,
     REPLIES("409") "Make a new version of a sent, rejected or expired quotation (a draft)",
     EVENT_BODY},
    ROUTES_END,
};
