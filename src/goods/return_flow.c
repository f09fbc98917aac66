/* return_flow.c — a sales return's life and its approval:
 *
 *   draft       --submit--> in_approval  --approve--> approved
 *   draft       --cancel--> cancelled    --reject-->  rejected
 *   in_approval --withdraw--> draft
 *
 * POST /returns/{id}/submit | withdraw | cancel, and the "return" document
 * type of the approvals engine. On approval (on_decided, inside the
 * deciding transaction): the goods come back into the return's warehouse
 * through stock_move at the cost they left with; contract_goods' returned
 * figures move by a conditional UPDATE that never goes above what was
 * delivered; the contract's returned value grows by the return's value; the
 * refund is recorded through finance_refund (refused: the whole decision
 * rolls back); contract_progress. A refusal tells the approver why (the
 * goods no longer there to return, a refund above what is received now),
 * through the engine's reason. */
#include "goods/goods.h"
#include "contracts/contract_progress.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/policy_quotations.h"
#include "base/log.h"
#include "base/util.h"
#include "finance/finance.h"
#include "http/http.h"
#include "http/record.h"
#include "kit/doclines.h"
#include "products/products.h"
#include <string.h>

enum { GOODS_ERETURN = -50 }; /* the goods are no longer there to return */

const doc_transition return_states[] = {
    {"draft", "submit", "in_approval"},    {"draft", "cancel", "cancelled"},
    {"in_approval", "withdraw", "draft"},  {"in_approval", "approve", "approved"},
    {"in_approval", "reject", "rejected"}, {NULL, NULL, NULL},
};

/* Why a line cannot come back: `left` of the product is still out. */
static int no_goods(arena *a, const db_res *l, int i, int64_t left, const char **why)
{
    int64_t qty = db_get_int(l, i, "qty_milli");
    if (left < 0) left = 0;
    *why = arena_printf(a,
                        "product %s: %lld.%03lld delivered are left to return; the return brings"
                        " back %lld.%03lld",
                        db_get_text(l, i, "product_code"), (long long)(left / 1000),
                        (long long)(left % 1000), (long long)(qty / 1000), (long long)(qty % 1000));
    return GOODS_ERETURN;
}

/* One line back into the warehouse. */
static int restock_line(db_conn *c, arena *a, int64_t rid, int64_t cid, int64_t wid,
                        const db_res *l, int i, const char *ref, const char *reason, int64_t actor,
                        const char **why)
{
    int64_t lid = db_get_int(l, i, "id"), pid = db_get_int(l, i, "product_id"),
            qty = db_get_int(l, i, "qty_milli"), net = db_get_int(l, i, "net");
    /* the row locked first (PostgreSQL), so the cost is read as it stands */
    int rc = db_exec(c,
                     "UPDATE contract_goods SET returned_milli = returned_milli WHERE contract_id"
                     " = ? AND product_id = ?",
                     DBP(DBI(cid), DBI(pid)));
    if (rc <= 0) return rc < 0 ? rc : no_goods(a, l, i, 0, why);
    db_res g;
    rc = db_query(c, a, &g,
                  "SELECT delivered_milli - returned_milli AS q, delivered_cost - returned_cost"
                  " AS cost FROM contract_goods WHERE contract_id = ? AND product_id = ?",
                  DBP(DBI(cid), DBI(pid)));
    if (rc <= 0) return rc < 0 ? rc : no_goods(a, l, i, 0, why);
    int64_t left = db_get_int(&g, 0, "q"), left_cost = db_get_int(&g, 0, "cost"), cost = 0,
            unit_cost = 0;
    if (qty > left) {
        tf_log("info", "return %lld: product %lld has %lld left to return, asked %lld",
               (long long)rid, (long long)pid, (long long)left, (long long)qty);
        return no_goods(a, l, i, left, why);
    }
    /* the share of what is still out at its cost: a return of everything
     * left brings back exactly the cost that left */
    if (money_ratio(left_cost, qty, left, &cost) < 0 ||
        money_ratio(cost, 1000, qty, &unit_cost) < 0)
        return GOODS_ERETURN;
    rc = db_exec(c,
                 "UPDATE contract_goods SET returned_milli = returned_milli + ?, returned_cost ="
                 " returned_cost + ?, returned_net = returned_net + ? WHERE contract_id = ? AND"
                 " product_id = ? AND returned_milli + ? <= delivered_milli",
                 DBP(DBI(qty), DBI(cost), DBI(net), DBI(cid), DBI(pid), DBI(qty)));
    if (rc <= 0) return rc < 0 ? rc : no_goods(a, l, i, left, why);
    int64_t mid = stock_move(c, a, pid, wid, qty, unit_cost, "return", ref, reason, actor);
    if (mid == 0)
        *why = arena_printf(a, "product %s: the warehouse does not take the goods back",
                            db_get_text(l, i, "product_code"));
    if (mid <= 0) return mid < 0 ? (int)mid : GOODS_ERETURN;
    return db_exec(c,
                   "UPDATE return_lines SET unit_cost = ?, cost = ?, movement_id = ? WHERE id = ?",
                   DBP(DBI(unit_cost), DBI(cost), DBI(mid), DBI(lid)));
}

/* The approved return's effects; *why says what refuses them. */
static int approve(db_conn *c, arena *a, int64_t rid, int64_t actor, const char **why)
{
    db_res h;
    int rc = db_query(c, a, &h,
                      "SELECT contract_id, warehouse_id, value, refund, refund_method, number,"
                      " reason, created_by FROM sales_returns WHERE id = ?",
                      DBP(DBI(rid)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    int64_t cid = db_get_int(&h, 0, "contract_id"), wid = db_get_int(&h, 0, "warehouse_id"),
            value = db_get_int(&h, 0, "value"), refund = db_get_int(&h, 0, "refund");
    if (actor <= 0) actor = db_get_int(&h, 0, "created_by");
    const char *ref = arena_printf(a, "return:%lld", (long long)rid);
    db_res l;
    rc = db_query(c, a, &l,
                  "SELECT rl.id, rl.product_id, p.code AS product_code, rl.qty_milli, rl.net FROM"
                  " return_lines rl JOIN products p ON p.id = rl.product_id WHERE rl.return_id = ?"
                  " ORDER BY rl.product_id", /* the locking order of deliveries */
                  DBP(DBI(rid)));
    if (rc < 0) return rc;
    for (int i = 0; i < l.nrows && rc >= 0; i++)
        rc =
            restock_line(c, a, rid, cid, wid, &l, i, ref, db_get_text(&h, 0, "number"), actor, why);
    if (rc < 0) return rc;
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(c,
                 "UPDATE contracts SET returned_value = returned_value + ?, returned_net ="
                 " returned_net + (SELECT COALESCE(SUM(net), 0) FROM return_lines WHERE"
                 " return_id = ?), returned_cost = returned_cost + (SELECT COALESCE(SUM(cost),"
                 " 0) FROM return_lines WHERE return_id = ?), version = version + 1,"
                 " updated_at = ? WHERE id = ?",
                 DBP(DBI(value), DBI(rid), DBI(rid), DBS(now), DBI(cid)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    if (refund > 0) {
        int64_t receipt = 0;
        const char *method = db_get_text(&h, 0, "refund_method");
        rc = finance_refund(c, a, cid, rid, refund, method ? method : "bank_transfer",
                            products_today(c, a), actor, &receipt);
        if (rc == FINANCE_EREFUND) {
            int64_t received = 0;
            db_scalar_int(c, &received, 0, "SELECT received FROM contracts WHERE id = ?",
                          DBP(DBI(cid)));
            if (received < 0) received = 0;
            *why = arena_printf(a,
                                "the refund of %lld.%02lld is more than the contract has received"
                                " (%lld.%02lld)",
                                (long long)(refund / 100), (long long)(refund % 100),
                                (long long)(received / 100), (long long)(received % 100));
            tf_log("info", "return %lld: refund %lld is larger than what contract %lld received",
                   (long long)rid, (long long)refund, (long long)cid);
        }
        if (rc < 0) return rc;
    }
    json_t *note = json_pack("{s:I, s:s, s:I, s:I}", "return_id", (json_int_t)rid, "number",
                             db_get_text(&h, 0, "number"), "value", (json_int_t)value, "refund",
                             (json_int_t)refund);
    rc = audit_record(c, actor, "contract", cid, "return", NULL, note);
    json_decref(note);
    if (rc >= 0) rc = contract_progress(c, a, cid, actor);
    return rc < 0 ? rc : 0;
}

/* on_decided of the return document type, inside the deciding transaction. */
static int on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome, int64_t actor,
                      const char **why)
{
    const char *event = strcmp(outcome, "approved") == 0   ? "approve"
                        : strcmp(outcome, "rejected") == 0 ? "reject"
                                                           : "withdraw";
    json_t *before = goods_return_json(c, a, doc_id);
    if (!before) return DB_ERR;
    const char *to = doc_transition_to(return_states, "in_approval", event);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "UPDATE sales_returns SET state = ?, decided_at = CASE WHEN ? = 'draft' THEN"
                     " NULL ELSE ? END, version = version + 1, updated_at = ? WHERE id = ? AND"
                     " state = 'in_approval'",
                     DBP(DBS(to), DBS(to), DBS(now), DBS(now), DBI(doc_id)));
    if (rc == 0) {
        *why = "the return no longer awaits approval";
        rc = APPR_ECALLBACK;
    }
    if (rc > 0 && strcmp(event, "approve") == 0) rc = approve(c, a, doc_id, actor, why);
    if (rc >= 0) {
        json_t *after = goods_return_json(c, a, doc_id);
        rc = audit_record(c, actor > 0 ? actor : 0, "return", doc_id, event, before, after);
        json_decref(after);
    }
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static bool can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    int64_t cid = goods_return_contract(c, doc_id);
    return cid && policy_contract_access(c, u, cid) != ACCESS_NONE;
}

static const approval_doc_type return_doc_type = {
    RETURN_DOC, "Sales return", "销售退货", on_decided, can_view,
};

void goods_register(void)
{
    approvals_register(&return_doc_type);
}

int goods_return_submit(db_conn *c, arena *a, int64_t id, int64_t actor, json_t **why)
{
    json_t *before = goods_return_json(c, a, id);
    if (!before) return DB_ERR;
    *why = goods_return_blockers(c, a, id);
    if (json_array_size(*why)) {
        json_decref(before);
        return 1;
    }
    json_decref(*why);
    *why = NULL;
    char now[TF_TS_LEN];
    tf_now(now);
    const char *to = doc_transition_to(return_states, "draft", "submit");
    int rc = db_exec(c,
                     "UPDATE sales_returns SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND state = 'draft'",
                     DBP(DBS(to), DBS(now), DBI(id)));
    if (rc == 0) rc = APPR_ESTATE;
    int64_t request_id = 0, rate = 1000000, amount = 0,
            cid = json_integer_value(json_object_get(before, "contract_id"));
    bool approved_now = false;
    db_scalar_int(c, &rate, 1000000, "SELECT rate_micro FROM contracts WHERE id = ?",
                  DBP(DBI(cid)));
    money_ratio(json_integer_value(json_object_get(before, "value")), rate, 1000000, &amount);
    /* the audit row of the submission comes before any decision's */
    json_t *mid = json_deep_copy(before);
    json_object_set_new(mid, "state", json_string(to));
    if (rc >= 0) rc = audit_record(c, actor, "return", id, "submit", before, mid);
    json_decref(mid);
    const char *title =
        arena_printf(a, "退货 Return %s — %s", json_string_value(json_object_get(before, "number")),
                     json_string_value(json_object_get(before, "customer_name")));
    if (rc >= 0)
        rc = approvals_submit(c, a, RETURN_DOC, id, title, amount, actor, &request_id,
                              &approved_now);
    if (rc >= 0)
        rc = approvals_set_context(
            c, request_id, json_string_value(json_object_get(before, "reason")), "contract",
            json_integer_value(json_object_get(before, "contract_id")),
            json_string_value(json_object_get(before, "contract_number")), true);
    if (rc >= 0)
        rc = db_exec(c, "UPDATE sales_returns SET approval_request_id = ? WHERE id = ?",
                     DBP(DBI(request_id), DBI(id)));
    json_decref(before);
    return rc < 0 ? rc : 0;
}

/* POST /returns/{id}/{submit|withdraw|cancel} {"version", "comment"?} */
static int h_event(req *r)
{
    static const field spec[] = {
        {"version", F_INT, F_REQ, 0, 1}, {"comment", F_STR, F_NULL, 500, 0}, FIELDS_END};
    const char *event = strrchr(r->path, '/') + 1;
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    int64_t cid = goods_return_contract(r->db, id);
    tf_access acc = cid ? policy_contract_access(r->db, &r->me, cid) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = goods_return_json(r->db, &r->a, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    const char *state = arena_strdup(&r->a, json_string_value(json_object_get(before, "state")));
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_conflict_version(r, cur);
    }
    const char *to = doc_transition_to(return_states, state, event);
    if (!to) {
        db_rollback(r->db);
        json_decref(before);
        return reply_problem(r, 409, "conflict", "a return that is %s cannot be sent the event %s",
                             state, event);
    }
    char now[TF_TS_LEN];
    tf_now(now);
    if (strcmp(event, "submit") == 0) {
        json_t *why = NULL;
        rc = goods_return_submit(r->db, &r->a, id, r->me.id, &why);
        if (rc == 1) {
            db_rollback(r->db);
            json_decref(before);
            return reply_problem_with(r, 409, "conflict",
                                      "the return cannot be approved as it stands",
                                      json_pack("{s:o}", "blockers", why));
        }
    } else if (strcmp(event, "withdraw") == 0) {
        int64_t req_id = json_integer_value(json_object_get(before, "approval_request_id"));
        rc = approvals_cancel(r->db, &r->a, req_id, &r->me, in_str(r, "comment"), -1);
    } else { /* cancel a draft */
        rc = db_exec(r->db,
                     "UPDATE sales_returns SET state = ?, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND state = 'draft'",
                     DBP(DBS(to), DBS(now), DBI(id)));
        json_t *after = rc > 0 ? goods_return_json(r->db, &r->a, id) : NULL;
        if (rc == 0) rc = DB_ERR;
        if (rc > 0) rc = audit_record(r->db, r->me.id, "return", id, "cancel", before, after);
        json_decref(after);
    }
    json_decref(before);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        if (rc == APPR_EPENDING)
            return reply_problem(r, 409, "duplicate", "the return already awaits approval");
        if (rc == APPR_EFORBIDDEN)
            return reply_problem(r, 403, "forbidden",
                                 "only who submitted the return may withdraw it");
        if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
            return reply_problem(r, 409, "conflict",
                                 "the return cannot be approved as it stands (goods or money"
                                 " changed since it was entered)");
        return reply_db_error(r, rc);
    }
    return goods_reply_return(r, 200, id);
}

#define EVENT_BODY                                                                                 \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"       \
    "\"integer\"},\"comment\":{\"type\":[\"string\",\"null\"]}}}"

const route return_flow_routes[] = {
    {"POST", "/api/v1/returns/{id}/submit", h_event, "contracts.write", 0,
     REPLIES("409") "Submit a draft return for approval", EVENT_BODY},
    {"POST", "/api/v1/returns/{id}/withdraw", h_event, "contracts.write", 0,
     REPLIES("409") "Withdraw a return from approval (back to draft)", EVENT_BODY},
    {"POST", "/api/v1/returns/{id}/cancel", h_event, "contracts.write", 0,
     REPLIES("409") "Cancel a draft return", EVENT_BODY},
    ROUTES_END,
};
