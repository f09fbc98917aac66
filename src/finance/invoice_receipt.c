/* invoice_receipt.c — invoice and receipt in one step
 * (POST /contracts/{id}/invoice-and-receipt, finance.write): the invoice
 * issued and the payment recorded against it in one transaction, both or
 * nothing; the receipt is linked to the new invoice. The checks and the
 * writing are finance_write.c's, the same as each alone. */
#include "finance/finance_int.h"
#include "contracts/contract_progress.h"
#include "http/http.h"

static int h_invoice_receipt(req *r)
{
    static const field spec[] = {{"invoice", F_OBJ, F_REQ, 0, 0},
                                 {"receipt", F_OBJ, F_REQ, 0, 0},
                                 FIELDS_END};
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    fin_invoice_in inv;
    fin_receipt_in rec;
    fin_invoice_parse(json_object_get(r->in, "invoice"), "invoice.", &inv, errs);
    fin_receipt_parse(json_object_get(r->in, "receipt"), "receipt.", &rec, errs);
    if (!json_array_size(errs) && rec.invoice_id)
        json_array_append_new(errs, field_error("receipt.invoice_id", "invalid",
                                                "is the invoice issued in this step: leave it"
                                                " out"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    fin_contract ct;
    int64_t iid = 0, ids[2] = {0, 0}, due = 0;
    int rc = db_begin(r->db);
    if (rc == 0) rc = fin_contract_load(r->db, &r->a, id, &ct);
    if (rc == 1) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    if (rc == 0) rc = fin_invoice_write(r->db, &r->a, &ct, &inv, "invoice.", r->me.id, &iid, errs);
    if (rc == 0) {
        rec.invoice_id = iid;
        rc = fin_receipt_write(r->db, &r->a, &ct, &rec, "receipt.", r->me.id, ids, &due, errs);
    }
    if (rc == 0) rc = contract_progress(r->db, &r->a, id, r->me.id);
    if (rc == 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return fin_reply_refused(r, rc, &ct, due, errs);
    }
    json_decref(errs);
    json_t *o = fin_receipts_reply(r->db, &r->a, ids);
    json_object_set_new(o, "invoice", fin_invoice_json(r->db, &r->a, iid));
    json_object_set_new(o, "contract", fin_contract_figures(r->db, &r->a, id));
    return reply_json(r, 201, o);
}

const route invoice_receipt_routes[] = {
    {"POST", "/api/v1/contracts/{id}/invoice-and-receipt", h_invoice_receipt, "finance.write", 0,
     REPLIES("409") "Issue an invoice and record the payment against it in one step (both or"
                    " nothing)",
     "{\"type\":\"object\",\"required\":[\"invoice\",\"receipt\"],\"properties\":{\"invoice\":"
     INVOICE_SCHEMA ",\"receipt\":" RECEIPT_SCHEMA "}}"},
    ROUTES_END,
};
