/* receipts.c — the receipt routes: recording a payment received on a
 * contract (POST /contracts/{id}/receipts, finance.write: up to the amount
 * due, the rest only as an advance when asked; the writing is
 * finance_write.c's), a contract's receipts (refunds included), and the
 * finance list of every receipt the user may see (GET /receipts, newest
 * first in keyset pages, through the policy module's contract filter). */
#include "finance/finance_int.h"
#include "contracts/contract_progress.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <string.h>

/* {receipts: [the receipt, and the advance part when there is one],
 * advance: the amount recorded as an advance} */
json_t *fin_receipts_reply(db_conn *c, arena *a, const int64_t ids[2])
{
    json_t *items = json_array();
    int64_t advance = 0;
    for (int i = 0; i < 2; i++) {
        if (!ids[i]) continue;
        json_t *o = fin_receipt_json(c, a, ids[i]);
        if (!o) continue;
        const char *kind = json_string_value(json_object_get(o, "kind"));
        if (kind && strcmp(kind, "advance") == 0)
            advance += json_integer_value(json_object_get(o, "amount"));
        json_array_append_new(items, o);
    }
    return json_pack("{s:o, s:I}", "receipts", items, "advance", (json_int_t)advance);
}

static int h_create(req *r)
{
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    if (!r->in) return reply_problem(r, 400, "bad_request", "a JSON object body is required");
    json_t *errs = json_array();
    fin_receipt_in in;
    fin_receipt_parse(r->in, "", &in, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    fin_contract ct;
    int64_t ids[2] = {0, 0}, due = 0;
    int rc = db_begin(r->db);
    if (rc == 0) rc = fin_contract_load(r->db, &r->a, id, &ct);
    if (rc == 1) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    if (rc == 0) rc = fin_receipt_write(r->db, &r->a, &ct, &in, "", r->me.id, ids, &due, errs);
    if (rc == 0) rc = contract_progress(r->db, &r->a, id, r->me.id);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return fin_reply_refused(r, rc, &ct, due, errs);
    }
    json_decref(errs);
    json_t *o = fin_receipts_reply(r->db, &r->a, ids);
    json_object_set_new(o, "contract", fin_contract_figures(r->db, &r->a, id));
    return reply_json(r, 201, o);
}

/* GET /contracts/{id}/receipts — receipts, advances and refunds, oldest
 * first. */
static int h_contract_list(req *r)
{
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT " FIN_RECEIPT_COLS FIN_RECEIPT_FROM
                      " WHERE rc.contract_id = ? ORDER BY rc.id",
                      DBP(DBI(id)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o}", "items", db_rows_json(&res)));
}

/* GET /receipts?customer_id=&contract_id=&kind= */
static int h_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq sq;
    sqlq_init(&sq, &r->a, "SELECT " FIN_RECEIPT_COLS FIN_RECEIPT_FROM " WHERE 1 = 1");
    static const char *const ids[] = {"customer_id", "contract_id"};
    static const char *const conds[] = {" AND rc.customer_id = ?", " AND rc.contract_id = ?"};
    for (int i = 0; i < 2; i++) {
        const char *s = req_query(r, ids[i]);
        int64_t v = 0;
        if (!s || !*s) continue;
        if (!tf_parse_i64(s, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "%s must be an id", ids[i]);
        sqlq_add(&sq, conds[i], DBP(DBI(v)));
    }
    const char *kind = req_query(r, "kind");
    if (kind && *kind) {
        if (strcmp(kind, "receipt") && strcmp(kind, "advance") && strcmp(kind, "refund"))
            return reply_problem(r, 400, "bad_request", "kind must be receipt, advance or refund");
        sqlq_add(&sq, " AND rc.kind = ?", DBP(DBS(kind)));
    }
    policy_contract_filter(&r->me, &sq);
    if (cursor) sqlq_add(&sq, " AND rc.id < ?", DBP(DBI(cursor)));
    sqlq_add(&sq, " ORDER BY rc.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

const route receipts_routes[] = {
    {"GET", "/api/v1/receipts", h_list, "finance.read", 0,
     QUERY("page customer_id=id contract_id=id kind=receipt|advance|refund")
     "List the receipts, advances and refunds of the contracts you may see, newest first",
     NULL},
    {"POST", "/api/v1/contracts/{id}/receipts", h_create, "finance.write", 0,
     REPLIES("409") "Record a payment received on an effective contract (above the amount due"
                    " only as an advance)",
     RECEIPT_SCHEMA},
    {"GET", "/api/v1/contracts/{id}/receipts", h_contract_list, "contracts.read", 0,
     "The receipts, advances and refunds of a contract", NULL},
    ROUTES_END,
};
