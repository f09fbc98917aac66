/* finance_write.c — the writing of invoices and receipts that the single
 * routes and the one-step call share (finance_int.h): a contract's money
 * facts, the checks of an invoice and a receipt, the conditional UPDATEs
 * of the contract's running figures that settle races, the rows with their
 * numbers and audit rows, the replies to a refused write, and the receipt
 * of what is due that other modules' code records (finance.h). */
#include "finance/finance_int.h"
#include "contracts/contract_progress.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/settings.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include "products/products.h"
#include <string.h>
#include <time.h>

const char *const fin_receipt_methods[] = {"bank_transfer", "cash",   "cheque", "acceptance_bill",
                                           "wechat_pay",    "alipay", "other",  NULL};

int fin_contract_load(db_conn *c, arena *a, int64_t id, fin_contract *out)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT id, number, state, currency, customer_id, owner_id, version,"
                      " grand_total, tax, invoiced, received, refunded, returned_value,"
                      " effective_at FROM contracts WHERE id = ?",
                      DBP(DBI(id)));
    if (rc < 0) return rc;
    if (rc == 0) return 1;
    memset(out, 0, sizeof *out);
    out->id = id;
    out->number = db_get_text(&r, 0, "number");
    out->state = db_get_text(&r, 0, "state");
    out->currency = db_get_text(&r, 0, "currency");
    out->effective_at = db_get_text(&r, 0, "effective_at");
    out->customer_id = db_get_int(&r, 0, "customer_id");
    out->owner_id = db_get_int(&r, 0, "owner_id");
    out->version = db_get_int(&r, 0, "version");
    out->grand_total = db_get_int(&r, 0, "grand_total");
    out->tax = db_get_int(&r, 0, "tax");
    out->invoiced = db_get_int(&r, 0, "invoiced");
    out->received = db_get_int(&r, 0, "received");
    out->refunded = db_get_int(&r, 0, "refunded");
    out->returned_value = db_get_int(&r, 0, "returned_value");
    return 0;
}

json_t *fin_contract_figures(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT id, number, state, version, currency, grand_total, invoiced, received,"
                 " refunded, returned_value, grand_total - returned_value - received AS due,"
                 " grand_total - returned_value - invoiced AS invoiceable FROM contracts"
                 " WHERE id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

static const char *text_or(json_t *obj, const char *k, const char *dflt)
{
    const char *s = json_string_value(json_object_get(obj, k));
    return s ? s : dflt;
}

static void err(json_t *errs, const char *prefix, const char *name, const char *code,
                const char *msg)
{
    char f[96];
    snprintf(f, sizeof f, "%s%s", prefix, name);
    json_array_append_new(errs, field_error(f, code, msg));
}

static const field invoice_spec[] = {{"kind", F_STR, F_REQ, 20, 1},
                                     {"invoice_date", F_STR, F_REQ, 10, 10},
                                     {"amount", F_INT, F_REQ, FIN_MONEY_MAX, 1},
                                     {"tax", F_INT, F_NULL, FIN_MONEY_MAX, 0},
                                     {"note", F_STR, F_NULL, 500, 0},
                                     FIELDS_END};
static const field receipt_spec[] = {{"amount", F_INT, F_REQ, FIN_MONEY_MAX, 1},
                                     {"receipt_date", F_STR, F_REQ, 10, 10},
                                     {"method", F_STR, F_REQ, 20, 1},
                                     {"bank_ref", F_STR, F_NULL, 100, 0},
                                     {"invoice_id", F_INT, F_NULL, 0, 1},
                                     {"advance", F_BOOL, F_NULL, 0, 0},
                                     {"note", F_STR, F_NULL, 500, 0},
                                     FIELDS_END};

void fin_invoice_parse(json_t *obj, const char *prefix, fin_invoice_in *in, json_t *errs)
{
    memset(in, 0, sizeof *in);
    size_t before = json_array_size(errs);
    input_check_obj(obj, invoice_spec, prefix, errs);
    if (json_array_size(errs) > before) return;
    in->kind = text_or(obj, "kind", "");
    in->date = text_or(obj, "invoice_date", "");
    in->note = text_or(obj, "note", "");
    in->amount = json_integer_value(json_object_get(obj, "amount"));
    json_t *tax = json_object_get(obj, "tax");
    in->has_tax = json_is_integer(tax);
    in->tax = in->has_tax ? json_integer_value(tax) : 0;
    if (strcmp(in->kind, "vat_general") && strcmp(in->kind, "vat_special"))
        err(errs, prefix, "kind", "invalid", "must be vat_general or vat_special");
    if (!products_date_ok(in->date) || strcmp(in->date, "2000-01-01") < 0)
        err(errs, prefix, "invoice_date", "invalid", "must be a date 2026-12-31");
    if (in->has_tax && in->tax > in->amount)
        err(errs, prefix, "tax", "invalid", "may not be more than the amount");
}

void fin_receipt_parse(json_t *obj, const char *prefix, fin_receipt_in *in, json_t *errs)
{
    memset(in, 0, sizeof *in);
    size_t before = json_array_size(errs);
    input_check_obj(obj, receipt_spec, prefix, errs);
    if (json_array_size(errs) > before) return;
    in->date = text_or(obj, "receipt_date", "");
    in->method = text_or(obj, "method", "");
    in->bank_ref = text_or(obj, "bank_ref", "");
    in->note = text_or(obj, "note", "");
    in->amount = json_integer_value(json_object_get(obj, "amount"));
    in->invoice_id = json_integer_value(json_object_get(obj, "invoice_id"));
    in->advance = json_is_true(json_object_get(obj, "advance"));
    if (!products_date_ok(in->date) || strcmp(in->date, "2000-01-01") < 0)
        err(errs, prefix, "receipt_date", "invalid", "must be a date 2026-12-31");
    bool ok = false;
    for (int i = 0; fin_receipt_methods[i]; i++)
        if (strcmp(fin_receipt_methods[i], in->method) == 0) ok = true;
    if (!ok)
        err(errs, prefix, "method", "invalid",
            "must be bank_transfer, cash, cheque, acceptance_bill, wechat_pay, alipay or other");
}

/* A money date may be at most a day after the company's today (time
 * zones), never further in the future. */
static bool date_not_future(db_conn *c, arena *a, const char *date)
{
    const char *today = products_today(c, a);
    time_t t;
    if (!today || !tf_ts_parse(today, &t)) return true;
    char tomorrow[TF_TS_LEN];
    tf_ts(tomorrow, t + 86400);
    return strncmp(date, tomorrow, 10) <= 0;
}

static const char *fmt_money(arena *a, int64_t v)
{
    char buf[48];
    if (money_format(buf, sizeof buf, v) < 0) return "?";
    return arena_strdup(a, buf);
}

static int contract_audit(db_conn *c, arena *a, const fin_contract *ct, const char *action,
                          int64_t actor)
{
    json_t *before = json_pack("{s:I, s:I, s:s}", "invoiced", (json_int_t)ct->invoiced,
                               "received", (json_int_t)ct->received, "state", ct->state);
    json_t *after = fin_contract_figures(c, a, ct->id);
    int rc = audit_record(c, actor, "contract", ct->id, action, before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

int fin_invoice_write(db_conn *c, arena *a, const fin_contract *ct, fin_invoice_in *in,
                      const char *prefix, int64_t actor, int64_t *id, json_t *errs)
{
    if (!contract_state_open(ct->state)) return FIN_ESTATE;
    if (!date_not_future(c, a, in->date)) {
        err(errs, prefix, "invoice_date", "invalid", "may not be in the future");
        return FIN_EINVALID;
    }
    if (!in->has_tax && ct->grand_total > 0 &&
        money_ratio(in->amount, ct->tax, ct->grand_total, &in->tax) < 0)
        in->tax = 0;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "UPDATE contracts SET invoiced = invoiced + ?, version = version + 1,"
                     " updated_at = ? WHERE id = ? AND state IN ('effective', 'fulfilling') AND"
                     " invoiced + ? <= grand_total - returned_value",
                     DBP(DBI(in->amount), DBS(now), DBI(ct->id), DBI(in->amount)));
    if (rc < 0) return rc;
    if (rc == 0) {
        fin_contract cur;
        if (fin_contract_load(c, a, ct->id, &cur) != 0) return DB_ERR;
        if (!contract_state_open(cur.state)) return FIN_ESTATE;
        int64_t left = cur.grand_total - cur.returned_value - cur.invoiced;
        err(errs, prefix, "amount", "above_invoiceable",
            arena_printf(a, "is above what can still be invoiced on the contract (%s)",
                         fmt_money(a, left < 0 ? 0 : left)));
        return FIN_EINVALID;
    }
    const char *number = settings_number_next(c, a, "invoice", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    db_res r;
    rc = db_query(c, a, &r,
                  "INSERT INTO invoices(number, contract_id, customer_id, kind, invoice_date,"
                  " amount, tax, note, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
                  " ?) RETURNING id",
                  DBP(DBS(number), DBI(ct->id), DBI(ct->customer_id), DBS(in->kind),
                      DBS(in->date), DBI(in->amount), DBI(in->tax), DBS(in->note), DBI(actor),
                      DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&r, 0, "id");
    json_t *after = fin_invoice_json(c, a, *id);
    rc = audit_record(c, actor, "invoice", *id, "create", NULL, after);
    json_decref(after);
    if (rc >= 0) rc = contract_audit(c, a, ct, "invoice", actor);
    return rc < 0 ? rc : 0;
}

static int insert_receipt(db_conn *c, arena *a, const fin_contract *ct, const fin_receipt_in *in,
                          const char *kind, int64_t amount, int64_t actor, int64_t *id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = 0;
    const char *number = settings_number_next(c, a, "receipt", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    db_res r;
    rc = db_query(c, a, &r,
                  "INSERT INTO receipts(number, contract_id, customer_id, kind, amount,"
                  " receipt_date, method, bank_ref, invoice_id, note, created_by, created_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBS(number), DBI(ct->id), DBI(ct->customer_id), DBS(kind), DBI(amount),
                      DBS(in->date), DBS(in->method), DBS(in->bank_ref),
                      in->invoice_id ? DBI(in->invoice_id) : DBNULL, DBS(in->note), DBI(actor),
                      DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&r, 0, "id");
    json_t *after = fin_receipt_json(c, a, *id);
    rc = audit_record(c, actor, "receipt", *id, "create", NULL, after);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

int fin_receipt_write(db_conn *c, arena *a, const fin_contract *ct, const fin_receipt_in *in,
                      const char *prefix, int64_t actor, int64_t ids[2], int64_t *due,
                      json_t *errs)
{
    ids[0] = ids[1] = 0;
    if (!contract_state_open(ct->state)) return FIN_ESTATE;
    if (!date_not_future(c, a, in->date)) {
        err(errs, prefix, "receipt_date", "invalid", "may not be in the future");
        return FIN_EINVALID;
    }
    if (in->invoice_id) {
        int64_t n = 0;
        int rc = db_scalar_int(c, &n, 0,
                               "SELECT COUNT(*) FROM invoices WHERE id = ? AND contract_id = ?",
                               DBP(DBI(in->invoice_id), DBI(ct->id)));
        if (rc < 0) return rc;
        if (!n) {
            err(errs, prefix, "invoice_id", "invalid", "is not an invoice of this contract");
            return FIN_EINVALID;
        }
    }
    char now[TF_TS_LEN];
    tf_now(now);
    /* the check and the write are one statement: two finance users
     * recording the same payment at once cannot both pass it */
    int rc = db_exec(c,
                     "UPDATE contracts SET received = received + ?, version = version + 1,"
                     " updated_at = ? WHERE id = ? AND state IN ('effective', 'fulfilling') AND"
                     " received + ? <= grand_total - returned_value",
                     DBP(DBI(in->amount), DBS(now), DBI(ct->id), DBI(in->amount)));
    if (rc < 0) return rc;
    int64_t plain = in->amount, extra = 0;
    if (rc == 0) {
        fin_contract cur;
        if (fin_contract_load(c, a, ct->id, &cur) != 0) return DB_ERR;
        if (!contract_state_open(cur.state)) return FIN_ESTATE;
        *due = cur.grand_total - cur.returned_value - cur.received;
        if (*due < 0) *due = 0;
        if (!in->advance) {
            err(errs, prefix, "amount", "above_due",
                arena_printf(a,
                             "is above the amount due (%s): it can be recorded as an advance"
                             " (advance: true)",
                             fmt_money(a, *due)));
            return FIN_EDUE;
        }
        /* an advance: the row is locked by this UPDATE, so what was due
         * before it is exact */
        db_res r;
        rc = db_query(c, a, &r,
                      "UPDATE contracts SET received = received + ?, version = version + 1,"
                      " updated_at = ? WHERE id = ? AND state IN ('effective', 'fulfilling')"
                      " RETURNING grand_total - returned_value - received + ? AS due_before",
                      DBP(DBI(in->amount), DBS(now), DBI(ct->id), DBI(in->amount)));
        if (rc < 0) return rc;
        if (rc == 0) return FIN_ESTATE;
        int64_t before = db_get_int(&r, 0, "due_before");
        plain = before > 0 ? (before < in->amount ? before : in->amount) : 0;
        extra = in->amount - plain;
    }
    int k = 0;
    if (plain > 0) rc = insert_receipt(c, a, ct, in, "receipt", plain, actor, &ids[k++]);
    if (rc >= 0 && extra > 0) rc = insert_receipt(c, a, ct, in, "advance", extra, actor, &ids[k++]);
    if (rc >= 0) rc = contract_audit(c, a, ct, extra > 0 ? "advance" : "receipt", actor);
    return rc < 0 ? rc : 0;
}

json_t *fin_invoice_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, "SELECT " FIN_INVOICE_COLS FIN_INVOICE_FROM " WHERE iv.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

json_t *fin_receipt_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, "SELECT " FIN_RECEIPT_COLS FIN_RECEIPT_FROM " WHERE rc.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

int64_t fin_contract_need(req *r)
{
    return record_need(r, ACCESS_READ, policy_contract_access, NULL);
}

int fin_reply_refused(req *r, int rc, const fin_contract *ct, int64_t due, json_t *errs)
{
    if (rc == FIN_EINVALID) return reply_invalid(r, errs);
    if (rc == FIN_EDUE) {
        json_t *e0 = json_array_get(errs, 0);
        const char *detail = arena_printf(
            &r->a, "%s %s", json_string_value(json_object_get(e0, "field")),
            json_string_value(json_object_get(e0, "message")));
        return reply_problem_with(r, 422, "validation_failed", detail,
                                  json_pack("{s:o, s:I}", "errors", errs, "due", (json_int_t)due));
    }
    json_decref(errs);
    if (rc == FIN_ESTATE)
        return reply_problem(r, 409, "conflict",
                             "money is recorded only on an effective contract or one being"
                             " fulfilled; %s is %s",
                             ct ? ct->number : "the contract", ct ? ct->state : "closed");
    return reply_db_error(r, rc);
}

int finance_receive_due(db_conn *c, arena *a, int64_t contract_id, const char *date,
                        const char *method, const char *bank_ref, int64_t actor,
                        int64_t *receipt_id)
{
    fin_contract ct;
    *receipt_id = 0;
    int rc = fin_contract_load(c, a, contract_id, &ct);
    if (rc != 0) return rc < 0 ? rc : FINANCE_ERECEIPT;
    int64_t due = ct.grand_total - ct.returned_value - ct.received, ids[2] = {0, 0};
    if (due <= 0) return contract_progress(c, a, contract_id, actor);
    fin_receipt_in in = {.date = date, .method = method, .bank_ref = bank_ref ? bank_ref : "",
                         .note = "", .amount = due};
    json_t *errs = json_array();
    rc = fin_receipt_write(c, a, &ct, &in, "", actor, ids, &due, errs);
    json_decref(errs);
    if (rc < 0 && rc <= FIN_EINVALID && rc >= FIN_EDUE) return FINANCE_ERECEIPT;
    if (rc < 0) return rc;
    *receipt_id = ids[0];
    return contract_progress(c, a, contract_id, actor);
}
