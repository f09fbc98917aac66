/* contract_amend.c — amendments of an effective or fulfilling contract:
 * POST /contracts/{id}/amend drafts revision + 1 (its lines in doc_lines,
 * its proposed header in amendment_json; a second call edits the draft),
 * submit-amendment sends it through the approvals engine again,
 * withdraw-amendment takes it back, discard-amendment drops a draft. An
 * approved amendment replaces the revision in force (the earlier header is
 * frozen, its lines stay readable); a rejected or withdrawn one is
 * discarded. An amendment never puts a product's quantity below what was
 * delivered of it, nor the contract's total below what was received or
 * invoiced or what its payment plan's instalments come to, and keeps its
 * customer, project and currency. */
#include "contracts/contracts.h"
#include "contracts/contract_progress.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

int contract_check_delivered(db_conn *c, arena *a, int64_t id, const doc_line *l, int n,
                             json_t *errs)
{
    db_res g;
    int rc = db_query(c, a, &g,
                      "SELECT product_id, delivered_milli FROM contract_goods WHERE contract_id"
                      " = ? AND delivered_milli > 0",
                      DBP(DBI(id)));
    if (rc < 0) return rc;
    int bad = 0;
    for (int k = 0; k < g.nrows; k++) {
        int64_t pid = db_get_int(&g, k, "product_id"), sum = 0, delivered;
        delivered = db_get_int(&g, k, "delivered_milli");
        int last = -1;
        for (int i = 0; i < n; i++)
            if (l[i].product_id == pid) {
                sum += l[i].qty_milli;
                last = i;
            }
        if (sum >= delivered) continue;
        bad++;
        json_array_append_new(
            errs, field_error(last >= 0 ? arena_printf(a, "lines[%d].qty_milli", last) : "lines",
                              "below_delivered",
                              arena_printf(a,
                                           "product %lld: %lld.%03lld were already delivered; the"
                                           " contract cannot ask for less",
                                           (long long)pid, (long long)(delivered / 1000),
                                           (long long)(delivered % 1000))));
    }
    return bad ? -1 : 0;
}

int contract_amendment_discard(db_conn *c, arena *a, int64_t id, const char *event, int64_t actor)
{
    json_t *before = contract_json(c, a, id);
    if (!before) return DB_ERR;
    int64_t rev = json_integer_value(json_object_get(before, "revision"));
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = doclines_drop(c, CONTRACT_DOC, id, rev + 1);
    if (rc >= 0)
        rc = db_exec(c,
                     "UPDATE contracts SET amendment_state = NULL, amendment_json = NULL,"
                     " amendment_reason = NULL, version = version + 1, updated_at = ? WHERE"
                     " id = ?",
                     DBP(DBS(now), DBI(id)));
    json_t *after = rc >= 0 ? contract_header_json(c, a, id) : NULL;
    json_object_del(before, "lines");
    if (rc >= 0) rc = audit_record(c, actor, "contract", id, event, before, after);
    json_decref(after);
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

int contract_amendment_apply(db_conn *c, arena *a, int64_t id, int64_t actor, const char **why)
{
    json_t *before = contract_json(c, a, id);
    if (!before) return DB_ERR;
    int64_t rev = jint(before, "revision");
    json_t *h = json_object_get(json_object_get(before, "amendment"), "header");
    doc_line *l = NULL;
    json_t *errs = json_array();
    int n = doclines_load(c, a, CONTRACT_DOC, id, rev + 1, &l);
    int rc = n < 0 ? n : 0;
    /* goods may have been delivered, money received or the plan changed
     * since the amendment was drafted */
    if (rc >= 0 && (!json_is_object(h) || contract_check_delivered(c, a, id, l, n, errs) != 0)) {
        const char *m = json_string_value(json_object_get(json_array_get(errs, 0), "message"));
        *why = m ? arena_strdup(a, m) : "the amendment no longer fits the contract";
        rc = APPR_ECALLBACK;
    }
    json_decref(errs);
    int64_t total = jint(h, "grand_total"), planned = 0;
    if (rc >= 0)
        rc = db_scalar_int(c, &planned, 0,
                           "SELECT COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM"
                           " contract_instalments WHERE contract_id = ?",
                           DBP(DBI(id)));
    int64_t floor = jint(before, "received") + jint(before, "returned_value"),
            inv = jint(before, "invoiced");
    const char *below = total < floor     ? "what was received and returned"
                        : total < inv     ? "what was invoiced"
                        : total < planned ? "what the payment plan's instalments come to"
                                          : NULL;
    if (rc >= 0 && below) {
        int64_t v = total < floor ? floor : total < inv ? inv : planned;
        *why = arena_printf(a, "the amended total (%lld.%02lld) is below %s (%lld.%02lld)",
                            (long long)(total / 100), (long long)(total % 100), below,
                            (long long)(v / 100), (long long)(v % 100));
        rc = APPR_ECALLBACK;
    }
    json_t *frozen = json_deep_copy(before);
    json_object_del(frozen, "lines");
    json_object_del(frozen, "amendment");
    if (rc >= 0) rc = doclines_freeze(c, CONTRACT_DOC, id, rev, frozen, actor);
    json_decref(frozen);
    char now[TF_TS_LEN];
    tf_now(now);
    if (rc >= 0)
        rc = db_exec(
            c,
            "UPDATE contracts SET revision = revision + 1, title = ?, sign_date = ?, start_date ="
            " ?, end_date = ?, rate_micro = ?, prices_include_tax = ?, header_discount = ?,"
            " freight = ?, payment_terms = ?, delivery_terms = ?, notes = ?, amount = ?,"
            " discount = ?, net = ?, tax = ?, total = ?, grand_total = ?, grand_total_cny = ?,"
            " amendment_state = NULL, amendment_json = NULL, amendment_reason = NULL, version ="
            " version + 1, updated_at = ? WHERE id = ? AND revision = ?",
            DBP(DBS(jstr(h, "title")), DBS(jstr(h, "sign_date")),
                *jstr(h, "start_date") ? DBS(jstr(h, "start_date")) : DBNULL,
                *jstr(h, "end_date") ? DBS(jstr(h, "end_date")) : DBNULL,
                DBI(jint(h, "rate_micro")),
                DBB(json_is_true(json_object_get(h, "prices_include_tax"))),
                DBI(jint(h, "header_discount")), DBI(jint(h, "freight")),
                DBS(jstr(h, "payment_terms")), DBS(jstr(h, "delivery_terms")),
                DBS(jstr(h, "notes")), DBI(jint(h, "amount")), DBI(jint(h, "discount")),
                DBI(jint(h, "net")), DBI(jint(h, "tax")), DBI(jint(h, "total")),
                DBI(jint(h, "grand_total")), DBI(jint(h, "grand_total_cny")), DBS(now), DBI(id),
                DBI(rev)));
    if (rc == 0) {
        *why = "the contract changed while the amendment was in approval";
        rc = APPR_ECALLBACK;
    }
    json_t *after = rc >= 0 ? contract_json(c, a, id) : NULL;
    if (rc >= 0) rc = audit_record(c, actor, "contract", id, "amendment-approved", before, after);
    json_decref(after);
    /* a smaller contract may now be delivered and paid in full */
    if (rc >= 0 && strcmp(jstr(before, "state"), "fulfilling") == 0)
        rc = contract_progress(c, a, id, actor);
    json_decref(before);
    return rc < 0 ? rc : 0;
}

/* The contract as an amendment's base: the draft amendment when there is
 * one (its header over the contract's, its lines at revision + 1), else the
 * revision in force. Caller owns. */
static json_t *amend_base(json_t *ct)
{
    json_t *base = json_deep_copy(ct), *am = json_object_get(ct, "amendment");
    if (json_is_object(am)) {
        json_object_update(base, json_object_get(am, "header"));
        json_object_set_new(base, "revision", json_integer(jint(ct, "revision") + 1));
    }
    return base;
}

static int reply_amend_error(req *r, int rc, int64_t id)
{
    if (rc == APPR_EPENDING)
        return reply_problem(r, 409, "duplicate", "the contract already awaits approval");
    if (rc == APPR_EFORBIDDEN)
        return reply_problem(r, 409, "conflict",
                             "only who submitted the amendment may withdraw it");
    if (rc == APPR_ESTALE) {
        int64_t v = 0;
        db_scalar_int(r->db, &v, 0, "SELECT version FROM contracts WHERE id = ?", DBP(DBI(id)));
        return reply_conflict_version(r, v);
    }
    if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
        return reply_problem(r, 409, "conflict", "the approval could not be changed");
    return reply_db_error(r, rc);
}

/* Loads the contract for an event inside a new transaction and checks the
 * version, the table and the guards (replied and rolled back: NULL). */
static json_t *event_start(req *r, int64_t id, const char *event)
{
    int rc = db_begin(r->db);
    if (rc < 0) {
        reply_db_error(r, rc);
        return NULL;
    }
    json_t *ct = contract_json(r->db, &r->a, id);
    if (!ct) {
        db_rollback(r->db);
        reply_not_found(r);
        return NULL;
    }
    int64_t cur = jint(ct, "version");
    const char *state = jstr(ct, "state");
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        reply_conflict_version(r, cur);
        json_decref(ct);
        return NULL;
    }
    bool allowed = false;
    json_t *acts = contract_actions_json(NULL, ACCESS_MANAGE, ct), *e;
    size_t i;
    json_array_foreach(acts, i, e) if (strcmp(json_string_value(e), event) == 0) allowed = true;
    json_decref(acts);
    if (!allowed) {
        db_rollback(r->db);
        reply_problem(
            r, 409, "conflict", "%s",
            doc_transition_to(contract_states, state, event)
                ? arena_printf(&r->a, "the contract's amendment does not allow %s now", event)
                : arena_printf(&r->a, "a contract that is %s cannot be amended (%s)", state,
                               event));
        json_decref(ct);
        return NULL;
    }
    return ct;
}

/* POST /contracts/{id}/amend {version, reason, header fields?, lines?} */
static int h_amend(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"reason", F_STR, F_NULL, 500, 0},
                                 CONTRACT_HEADER_FIELDS,
                                 FIELDS_END};
    tf_access acc;
    int64_t id = contract_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *ct = event_start(r, id, "amend");
    if (!ct) return 0;
    json_t *errs = json_array(), *base = amend_base(ct);
    const char *reason = in_str(r, "reason");
    if (!reason || !*reason) reason = json_string_value(json_object_get(ct, "amendment_reason"));
    if (!reason || !*reason)
        json_array_append_new(errs, field_error("reason", "required",
                                                "say why the contract"
                                                " changes"));
    if (in_has(r, "currency") &&
        strcmp(in_str(r, "currency") ? in_str(r, "currency") : "", jstr(ct, "currency")))
        json_array_append_new(
            errs, field_error("currency", "fixed", "an amendment keeps the contract's currency"));
    contract_input k;
    int rc = json_array_size(errs) ? -1 : contract_build(r, base, &k, errs);
    if (rc == 0 && contract_check_delivered(r->db, &r->a, id, k.lines, k.n, errs) != 0) rc = -1;
    if (rc == 0 && (k.grand_total < jint(ct, "received") + jint(ct, "returned_value") ||
                    k.grand_total < jint(ct, "invoiced"))) {
        json_array_append_new(errs, field_error("lines", "below_received",
                                                "the amended total is below what was already"
                                                " received or invoiced"));
        rc = -1;
    }
    int64_t planned = 0;
    if (rc == 0)
        db_scalar_int(r->db, &planned, 0,
                      "SELECT COALESCE(CAST(SUM(amount) AS BIGINT), 0) FROM contract_instalments"
                      " WHERE contract_id = ?",
                      DBP(DBI(id)));
    if (rc == 0 && k.grand_total < planned) {
        json_array_append_new(errs, field_error("lines", "below_plan",
                                                "the amended total is below what the payment"
                                                " plan's instalments come to: change the plan"
                                                " first"));
        rc = -1;
    }
    int64_t rev = jint(ct, "revision");
    char now[TF_TS_LEN];
    tf_now(now);
    json_t *header = rc == 0 ? contract_input_header(&k) : NULL;
    char *text = header ? json_dumps(header, JSON_COMPACT) : NULL;
    json_decref(header);
    if (rc == 0) rc = doclines_save(r->db, CONTRACT_DOC, id, rev + 1, k.lines, k.n);
    if (rc == 0)
        rc = db_exec(r->db,
                     "UPDATE contracts SET amendment_state = 'draft', amendment_json = ?,"
                     " amendment_reason = ?, version = version + 1, updated_at = ? WHERE id = ?"
                     " AND version = ?",
                     DBP(DBS(text), DBS(reason), DBS(now), DBI(id), DBI(jint(ct, "version"))));
    free(text);
    if (rc == 0) rc = APPR_ESTALE;
    json_t *after = rc > 0 ? contract_json(r->db, &r->a, id) : NULL;
    if (rc > 0) rc = audit_record(r->db, r->me.id, "contract", id, "amend", ct, after);
    json_decref(after);
    json_decref(base);
    json_decref(ct);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        if (rc == -1) return reply_invalid(r, errs);
        json_decref(errs);
        return reply_amend_error(r, rc, id);
    }
    json_decref(errs);
    return contract_reply_detail(r, 200, id, acc);
}

/* POST /contracts/{id}/submit-amendment | withdraw-amendment |
 * discard-amendment {version, reason?} */
static int h_amendment_event(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1}, {"reason", F_STR, F_NULL, 500, 0}, FIELDS_END};
    const char *event = strrchr(r->path, '/') + 1;
    tf_access acc;
    int64_t id = contract_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *ct = event_start(r, id, event);
    if (!ct) return 0;
    int rc;
    char now[TF_TS_LEN];
    tf_now(now);
    if (strcmp(event, "submit-amendment") == 0) {
        rc = db_exec(r->db,
                     "UPDATE contracts SET amendment_state = 'in_approval', version = version +"
                     " 1, updated_at = ? WHERE id = ? AND version = ? AND amendment_state ="
                     " 'draft'",
                     DBP(DBS(now), DBI(id), DBI(jint(ct, "version"))));
        if (rc == 0) rc = APPR_ESTALE;
        json_t *mid = rc > 0 ? contract_header_json(r->db, &r->a, id) : NULL;
        json_t *was = json_deep_copy(ct);
        json_object_del(was, "lines");
        if (rc > 0) rc = audit_record(r->db, r->me.id, "contract", id, event, was, mid);
        json_decref(was);
        json_decref(mid);
        if (rc >= 0)
            rc = contract_submit_approval(r->db, &r->a, ct, true, in_str(r, "reason"), r->me.id);
    } else if (strcmp(event, "withdraw-amendment") == 0) {
        rc = approvals_cancel(r->db, &r->a, jint(ct, "approval_request_id"), &r->me,
                              in_str(r, "reason"), -1);
    } else {
        rc = contract_amendment_discard(r->db, &r->a, id, event, r->me.id);
    }
    json_decref(ct);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_amend_error(r, rc, id);
    }
    return contract_reply_detail(r, 200, id, acc);
}

#define EVENT_BODY                                                                                 \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"       \
    "\"integer\"},\"reason\":{\"type\":[\"string\",\"null\"]}}}"

const route contract_amend_routes[] = {
    {"POST", "/api/v1/contracts/{id}/amend", h_amend, "contracts.write", 0,
     REPLIES("409") "Draft (or edit the draft of) an amendment of an effective contract:"
                    " revision + 1 of its header and lines",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"},\"reason\":{\"type\":[\"string\",\"null\"]}," CONTRACT_BODY "}}"},
    {"POST", "/api/v1/contracts/{id}/submit-amendment", h_amendment_event, "contracts.write", 0,
     REPLIES("409") "Submit the drafted amendment for approval", EVENT_BODY},
    {"POST", "/api/v1/contracts/{id}/withdraw-amendment", h_amendment_event, "contracts.write", 0,
     REPLIES("409") "Withdraw the amendment awaiting approval (it is discarded)", EVENT_BODY},
    {"POST", "/api/v1/contracts/{id}/discard-amendment", h_amendment_event, "contracts.write", 0,
     REPLIES("409") "Drop the drafted amendment", EVENT_BODY},
    ROUTES_END,
};
