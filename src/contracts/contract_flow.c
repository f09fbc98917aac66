/* contract_flow.c — a contract's life: the one state table (checked on
 * every change, through kit/doclines.h), the guards beyond it, the actions
 * a user may take now, POST /contracts/{id}/submit | withdraw | cancel |
 * terminate, and the "contract" document type of the approvals engine (its
 * decision moves a contract in approval, or an amendment in approval).
 *
 *   draft       --edit--> draft   --submit--> in_approval   --cancel--> cancelled
 *   in_approval --approve--> effective  --return / withdraw--> draft  --cancel--> cancelled
 *   effective   --amend / submit-amendment / withdraw-amendment / discard-amendment--> effective
 *               --cancel (nothing invoiced, received or delivered)--> cancelled
 *               --terminate--> terminated   --progress--> fulfilling (contract_progress.c)
 *   fulfilling  --amend ...--> fulfilling  --terminate--> terminated  --complete--> completed
 * completed, cancelled and terminated are final: every change is refused. */
#include "contracts/contracts.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "http/http.h"
#include <string.h>

const doc_transition contract_states[] = {
    {"draft", "edit", "draft"},
    {"draft", "submit", "in_approval"},
    {"draft", "cancel", "cancelled"},
    {"in_approval", "approve", "effective"},
    {"in_approval", "return", "draft"},
    {"in_approval", "withdraw", "draft"},
    {"in_approval", "cancel", "cancelled"},
    {"effective", "amend", "effective"},
    {"effective", "submit-amendment", "effective"},
    {"effective", "withdraw-amendment", "effective"},
    {"effective", "discard-amendment", "effective"},
    {"effective", "cancel", "cancelled"},
    {"effective", "terminate", "terminated"},
    {"effective", "progress", "fulfilling"},
    {"fulfilling", "amend", "fulfilling"},
    {"fulfilling", "submit-amendment", "fulfilling"},
    {"fulfilling", "withdraw-amendment", "fulfilling"},
    {"fulfilling", "discard-amendment", "fulfilling"},
    {"fulfilling", "terminate", "terminated"},
    {"fulfilling", "complete", "completed"},
    {NULL, NULL, NULL},
};

/* Events only the approvals engine or the money and goods modules send. */
static bool engine_event(const char *e)
{
    return strcmp(e, "approve") == 0 || strcmp(e, "return") == 0 || strcmp(e, "progress") == 0 ||
           strcmp(e, "complete") == 0;
}

static int64_t geti(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Why an event the table allows may not happen now (NULL: it may). */
static const char *guard(const char *event, json_t *ct)
{
    const char *am = json_string_value(json_object_get(ct, "amendment_state"));
    const char *state = json_string_value(json_object_get(ct, "state"));
    if (strcmp(event, "amend") == 0 && am && strcmp(am, "draft"))
        return "the contract's amendment awaits approval";
    if ((strcmp(event, "submit-amendment") == 0 || strcmp(event, "discard-amendment") == 0) &&
        (!am || strcmp(am, "draft")))
        return "the contract has no amendment being drafted";
    if (strcmp(event, "withdraw-amendment") == 0 && (!am || strcmp(am, "in_approval")))
        return "the contract has no amendment awaiting approval";
    if ((strcmp(event, "cancel") == 0 || strcmp(event, "terminate") == 0) && am &&
        strcmp(am, "in_approval") == 0)
        return "withdraw the amendment awaiting approval first";
    if (strcmp(event, "cancel") == 0 && strcmp(state, "effective") == 0) {
        if (geti(ct, "invoiced") || geti(ct, "received") || geti(ct, "refunded") ||
            geti(ct, "returned_value"))
            return "money was invoiced or received on the contract: terminate it instead";
        json_t *g;
        size_t i;
        json_array_foreach(
            json_object_get(ct, "goods"), i,
            g) if (geti(g, "delivered_milli")) return "goods were delivered on the contract: "
                                                      "terminate it instead";
    }
    return NULL;
}

/* A pending approval is withdrawn (also by cancelling) only by who
 * submitted it: the approvals engine's rule. */
static bool applicant_only(const principal *u, const char *event, json_t *ct)
{
    json_t *ap = json_object_get(ct, "approval");
    bool pending = json_is_object(ap) && json_is_string(json_object_get(ap, "state")) &&
                   strcmp(json_string_value(json_object_get(ap, "state")), "pending") == 0;
    if (!pending || !u) return false;
    bool in_approval = strcmp(json_string_value(json_object_get(ct, "state")), "in_approval") == 0;
    bool withdraws =
        strcmp(event, "withdraw-amendment") == 0 ||
        (in_approval && (strcmp(event, "withdraw") == 0 || strcmp(event, "cancel") == 0));
    return withdraws && geti(ap, "applicant_id") != u->id;
}

json_t *contract_actions_json(const principal *u, tf_access acc, json_t *ct)
{
    json_t *out = json_array();
    if (acc < ACCESS_WRITE) return out;
    const char *state = json_string_value(json_object_get(ct, "state"));
    json_t *ev = doc_events_json(contract_states, state), *e;
    size_t i;
    json_array_foreach(ev, i, e)
    {
        const char *s = json_string_value(e);
        if (engine_event(s) || guard(s, ct) || applicant_only(u, s, ct)) continue;
        json_array_append(out, e);
    }
    json_decref(ev);
    return out;
}

int contract_submit_approval(db_conn *c, arena *a, json_t *before, bool amendment,
                             const char *reason, int64_t actor)
{
    int64_t id = geti(before, "id"), request_id = 0;
    bool approved_now = false;
    const char *number = json_string_value(json_object_get(before, "number"));
    const char *cname = json_string_value(json_object_get(before, "customer_name"));
    const char *title = amendment
                            ? arena_printf(a, "合同变更 Contract amendment %s (%lld) — %s", number,
                                           (long long)geti(before, "revision") + 1, cname)
                            : arena_printf(a, "合同 Contract %s — %s", number, cname);
    int64_t amount = geti(before, "grand_total_cny");
    json_t *am = json_object_get(before, "amendment");
    if (amendment) {
        json_t *h = json_object_get(am, "header");
        if (json_is_integer(json_object_get(h, "grand_total_cny")))
            amount = geti(h, "grand_total_cny");
    }
    int rc =
        approvals_submit(c, a, CONTRACT_DOC, id, title, amount, actor, &request_id, &approved_now);
    if (rc >= 0)
        rc = approvals_set_context(
            c, request_id,
            reason && *reason ? reason
                              : (amendment ? json_string_value(json_object_get(am, "reason"))
                                           : json_string_value(json_object_get(before, "title"))),
            "contract", id, number, true);
    if (rc >= 0)
        rc = db_exec(c, "UPDATE contracts SET approval_request_id = ? WHERE id = ?",
                     DBP(DBI(request_id), DBI(id)));
    return rc < 0 ? rc : 0;
}

/* on_decided of the contract document type, inside the deciding
 * transaction: the contract's own approval, or its amendment's. */
static int on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome, int64_t actor,
                      const char **why)
{
    json_t *before = contract_header_json(c, a, doc_id);
    if (!before) return DB_ERR;
    const char *state = json_string_value(json_object_get(before, "state"));
    const char *am = json_string_value(json_object_get(before, "amendment_state"));
    bool approved = strcmp(outcome, "approved") == 0, rejected = strcmp(outcome, "rejected") == 0;
    int rc = APPR_ECALLBACK;
    if (strcmp(state, "in_approval") == 0) {
        const char *event = approved ? "approve" : rejected ? "return" : "withdraw";
        const char *to = doc_transition_to(contract_states, state, event);
        char now[TF_TS_LEN];
        tf_now(now);
        rc = db_exec(c,
                     "UPDATE contracts SET state = ?, effective_at = CASE WHEN ? = 'effective'"
                     " THEN ? ELSE effective_at END, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND state = ?",
                     DBP(DBS(to), DBS(to), DBS(now), DBS(now), DBI(doc_id), DBS(state)));
        if (rc == 0) {
            *why = "the contract no longer awaits approval";
            rc = APPR_ECALLBACK;
        }
        /* an effective contract is the customer's last deal (the customer
         * page shows it; the pool's no-deal clock restarts from it) */
        if (rc > 0 && approved)
            rc = db_exec(
                c, "UPDATE customers SET last_deal_at = ? WHERE id = ?",
                DBP(DBS(now), DBI(json_integer_value(json_object_get(before, "customer_id")))));
        if (rc >= 0) {
            json_t *after = contract_header_json(c, a, doc_id);
            rc = audit_record(c, actor, "contract", doc_id, event, before, after);
            json_decref(after);
        }
    } else if (am && strcmp(am, "in_approval") == 0) {
        rc = approved
                 ? contract_amendment_apply(c, a, doc_id, actor, why)
                 : contract_amendment_discard(
                       c, a, doc_id, rejected ? "amendment-rejected" : "withdraw-amendment", actor);
    } else {
        *why = "the contract no longer awaits approval";
    }
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static bool can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    return policy_contract_access(c, u, doc_id) != ACCESS_NONE;
}

static const approval_doc_type contract_doc_type = {
    CONTRACT_DOC, "Contract", "合同", on_decided, can_view,
};

void contracts_register(void)
{
    approvals_register(&contract_doc_type);
}

/* POST /contracts/{id}/{submit|withdraw|cancel|terminate} {version, reason?} */
static int h_event(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1}, {"reason", F_STR, F_NULL, 500, 0}, FIELDS_END};
    const char *event = strrchr(r->path, '/') + 1;
    tf_access acc;
    int64_t id = contract_need(r, ACCESS_WRITE, &acc);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    const char *reason = in_str(r, "reason");
    if (strcmp(event, "terminate") == 0 && (!reason || !*reason))
        return reply_invalid(
            r, json_pack("[o]", field_error("reason", "required", "say why the contract ends")));
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = contract_json(r->db, &r->a, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    const char *state = arena_strdup(&r->a, json_string_value(json_object_get(before, "state")));
    int64_t cur = geti(before, "version");
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_conflict_version(r, cur);
    }
    const char *to = doc_transition_to(contract_states, state, event);
    const char *why =
        !to ? arena_printf(&r->a, "a contract that is %s cannot be sent the event %s", state, event)
            : guard(event, before);
    if (why) {
        db_rollback(r->db);
        json_decref(before);
        return reply_problem(r, 409, "conflict", "%s", why);
    }
    char now[TF_TS_LEN];
    tf_now(now);
    bool audited = false;
    if (strcmp(event, "submit") == 0) {
        rc = db_exec(r->db,
                     "UPDATE contracts SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND version = ? AND state = ?",
                     DBP(DBS(to), DBS(now), DBI(id), DBI(cur), DBS(state)));
        if (rc == 0) rc = APPR_ESTALE;
        json_t *mid = rc > 0 ? contract_header_json(r->db, &r->a, id) : NULL;
        if (rc > 0) rc = audit_record(r->db, r->me.id, "contract", id, "submit", before, mid);
        json_decref(mid);
        if (rc >= 0) rc = contract_submit_approval(r->db, &r->a, before, false, reason, r->me.id);
        audited = true;
    } else if (strcmp(event, "withdraw") == 0) {
        rc =
            approvals_cancel(r->db, &r->a, geti(before, "approval_request_id"), &r->me, reason, -1);
        audited = true; /* on_decided writes the row */
    } else {
        /* cancel, terminate: a pending approval is withdrawn, a draft
         * amendment dropped */
        if (strcmp(state, "in_approval") == 0)
            rc = approvals_cancel(r->db, &r->a, geti(before, "approval_request_id"), &r->me, reason,
                                  -1);
        const char *am = json_string_value(json_object_get(before, "amendment_state"));
        if (rc >= 0 && am)
            rc = contract_amendment_discard(r->db, &r->a, id, "discard-amendment", r->me.id);
        if (rc >= 0)
            rc = db_exec(r->db,
                         "UPDATE contracts SET state = ?, closed_at = ?, close_reason = ?,"
                         " version = version + 1, updated_at = ? WHERE id = ? AND state IN (?,"
                         " 'draft')",
                         DBP(DBS(to), DBS(now), reason ? DBS(reason) : DBNULL, DBS(now), DBI(id),
                             DBS(state)));
        if (rc == 0) rc = APPR_ESTALE;
        /* a cancelled contract owes nothing: its payment plan's reminders
         * are done */
        if (rc > 0 && strcmp(event, "cancel") == 0)
            rc = db_exec(r->db,
                         "UPDATE reminders SET done = TRUE, version = version + 1 WHERE done ="
                         " FALSE AND id IN (SELECT reminder_id FROM contract_instalments WHERE"
                         " contract_id = ?)",
                         DBP(DBI(id)));
    }
    json_t *after = rc >= 0 ? contract_header_json(r->db, &r->a, id) : NULL;
    if (rc >= 0 && !audited)
        rc = audit_record(r->db, r->me.id, "contract", id, event, before, after);
    json_decref(after);
    json_decref(before);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        if (rc == APPR_EPENDING)
            return reply_problem(r, 409, "duplicate", "the contract already awaits approval");
        if (rc == APPR_EFORBIDDEN)
            return reply_problem(r, 409, "conflict",
                                 "only who submitted the contract may withdraw its approval");
        if (rc == APPR_ESTALE) {
            int64_t v = 0;
            db_scalar_int(r->db, &v, 0, "SELECT version FROM contracts WHERE id = ?", DBP(DBI(id)));
            return reply_conflict_version(r, v);
        }
        if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
            return reply_problem(r, 409, "conflict", "the approval could not be changed");
        return reply_db_error(r, rc);
    }
    return contract_reply_detail(r, 200, id, acc);
}

#define EVENT_BODY                                                                                 \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"       \
    "\"integer\"},\"reason\":{\"type\":[\"string\",\"null\"]}}}"

const route contract_flow_routes[] = {
    {"POST", "/api/v1/contracts/{id}/submit", h_event, "contracts.write", 0,
     REPLIES("409") "Submit a draft contract for approval (approved: effective)", EVENT_BODY},
    {"POST", "/api/v1/contracts/{id}/withdraw", h_event, "contracts.write", 0,
     REPLIES("409") "Withdraw a contract from approval (back to draft)", EVENT_BODY},
    {"POST", "/api/v1/contracts/{id}/cancel", h_event, "contracts.write", 0,
     REPLIES("409") "Cancel a draft, a contract in approval, or an effective contract on which"
                    " nothing was invoiced, received or delivered",
     EVENT_BODY},
    {"POST", "/api/v1/contracts/{id}/terminate", h_event, "contracts.write", 0,
     REPLIES("409") "Terminate an effective or fulfilling contract (reason required)", EVENT_BODY},
    ROUTES_END,
};
