/* invoices.c — the invoice routes: issuing an invoice on a contract
 * (POST /contracts/{id}/invoices, finance.write; the writing itself is
 * finance_write.c's), a contract's invoices, and the finance list of every
 * invoice the user may see (GET /invoices, newest first in keyset pages,
 * through the policy module's contract filter). */
#include "finance/finance_int.h"
#include "contracts/contract_progress.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <string.h>

static int h_create(req *r)
{
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    if (!r->in) return reply_problem(r, 400, "bad_request", "a JSON object body is required");
    json_t *errs = json_array();
    fin_invoice_in in;
    fin_invoice_parse(r->in, "", &in, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    fin_contract ct;
    int64_t iid = 0;
    int rc = db_begin(r->db);
    if (rc == 0) rc = fin_contract_load(r->db, &r->a, id, &ct);
    if (rc == 1) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    if (rc == 0) rc = fin_invoice_write(r->db, &r->a, &ct, &in, "", r->me.id, &iid, errs);
    if (rc == 0) rc = contract_progress(r->db, &r->a, id, r->me.id);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return fin_reply_refused(r, rc, &ct, 0, errs);
    }
    json_decref(errs);
    json_t *o = fin_invoice_json(r->db, &r->a, iid);
    if (!o) return reply_problem(r, 500, "internal", "could not read the invoice");
    json_object_set_new(o, "contract", fin_contract_figures(r->db, &r->a, id));
    return reply_json(r, 201, o);
}

/* GET /contracts/{id}/invoices — every invoice of the contract, oldest
 * first (a contract has a handful). */
static int h_contract_list(req *r)
{
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT " FIN_INVOICE_COLS FIN_INVOICE_FROM
                      " WHERE iv.contract_id = ? ORDER BY iv.id",
                      DBP(DBI(id)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o}", "items", db_rows_json(&res)));
}

/* GET /invoices?customer_id=&contract_id=&kind= */
static int h_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq sq;
    sqlq_init(&sq, &r->a, "SELECT " FIN_INVOICE_COLS FIN_INVOICE_FROM " WHERE 1 = 1");
    static const char *const ids[] = {"customer_id", "contract_id"};
    static const char *const conds[] = {" AND iv.customer_id = ?", " AND iv.contract_id = ?"};
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
        if (strcmp(kind, "vat_general") && strcmp(kind, "vat_special"))
            return reply_problem(r, 400, "bad_request", "kind must be vat_general or vat_special");
        sqlq_add(&sq, " AND iv.kind = ?", DBP(DBS(kind)));
    }
    policy_contract_filter(&r->me, &sq);
    if (cursor) sqlq_add(&sq, " AND iv.id < ?", DBP(DBI(cursor)));
    sqlq_add(&sq, " ORDER BY iv.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

const route invoices_routes[] = {
    {"GET", "/api/v1/invoices", h_list, "finance.read", 0,
     QUERY("page customer_id=id contract_id=id kind=vat_general|vat_special")
     "List the invoices of the contracts you may see, newest first",
     NULL},
    {"POST", "/api/v1/contracts/{id}/invoices", h_create, "finance.write", 0,
     REPLIES("409") "Issue an invoice on an effective contract (never above what is left to"
                    " invoice)",
     INVOICE_SCHEMA},
    {"GET", "/api/v1/contracts/{id}/invoices", h_contract_list, "contracts.read", 0,
     "The invoices of a contract", NULL},
    ROUTES_END,
};
