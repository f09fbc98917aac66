/* finance_demo.c — the demo company's money, on the effective contracts
 * the contracts demo made: payment plans with instalments in the past and
 * the future (so that the ageing report has an amount in every bucket,
 * 0-30 / 31-60 / 61-90 / 90+ days overdue, and some not yet due),
 * invoices and receipts recorded by finance (sun), one of them in one step,
 * partial payments, and a contract left without a plan (aged from its
 * effective date); the newest effective contract keeps nothing recorded.
 * Written through the same functions as the routes. */
#include "finance/finance_int.h"
#include "contracts/contract_progress.h"
#include "core/money.h"
#include "base/util.h"
#include "products/products.h"
#include <string.h>

extern int finance_demo(db_conn *c, arena *a);

/* The demo's plans: instalment due dates in days from today and their
 * shares (weights) of the grand total; paid: per mille of the grand total
 * received; invoiced likewise; one_step: the receipt with its invoice. */
static const struct {
    int n;
    int days[5];
    int64_t weights[5];
    int paid, invoiced;
    bool one_step;
} plans[] = {
    /* the first effective contract is the one the goods demo delivers in
     * full and has paid in full (completed): its plan is the short one */
    {2, {-20, 40}, {50, 50}, 300, 500, true},
    {5, {-120, -75, -45, -15, 30}, {20, 20, 20, 20, 20}, 100, 200, true},
    {0, {0}, {0}, 0, 300, false},
    {3, {-100, 10, 70}, {30, 30, 40}, 150, 300, false},
    {1, {60}, {100}, 0, 0, false},
};

static const char *day_from(arena *a, const char *today, int days)
{
    time_t t;
    if (!tf_ts_parse(today, &t)) return today;
    char out[TF_TS_LEN];
    tf_ts(out, t + (time_t)days * 86400);
    out[10] = 0;
    return arena_strdup(a, out);
}

static int money_on(db_conn *c, arena *a, int64_t id, int k, const char *today, int64_t sun)
{
    fin_contract ct;
    int rc = fin_contract_load(c, a, id, &ct);
    if (rc != 0 || ct.grand_total <= 0) return rc < 0 ? rc : 0;
    if (plans[k].n > 0) {
        int64_t parts[5];
        if (money_allocate(ct.grand_total, plans[k].weights, plans[k].n, parts) < 0) return 0;
        fin_plan_item v[5];
        for (int i = 0; i < plans[k].n; i++) {
            v[i].due = day_from(a, today, plans[k].days[i]);
            v[i].note = i == plans[k].n - 1 ? "尾款 Balance" : "";
            v[i].amount = parts[i];
            v[i].idx = i;
        }
        rc = fin_plan_write(c, a, &ct, v, plans[k].n, ct.owner_id);
        if (rc < 0) return rc;
    }
    json_t *errs = json_array();
    int64_t iid = 0, ids[2], due = 0, amount;
    if (plans[k].invoiced > 0 && money_ratio(ct.grand_total, plans[k].invoiced, 1000, &amount) == 0 &&
        amount > 0) {
        fin_invoice_in inv = {.kind = k % 2 ? "vat_general" : "vat_special",
                              .date = day_from(a, today, -130 + 10 * k),
                              .note = "",
                              .amount = amount};
        rc = fin_invoice_write(c, a, &ct, &inv, "", sun, &iid, errs);
    }
    if (rc >= 0 && plans[k].paid > 0 &&
        money_ratio(ct.grand_total, plans[k].paid, 1000, &amount) == 0 && amount > 0) {
        fin_receipt_in rec = {.date = day_from(a, today, -110 + 10 * k),
                              .method = k % 2 ? "acceptance_bill" : "bank_transfer",
                              .bank_ref = arena_printf(a, "ICBC-%06d", 204810 + k * 37),
                              .note = "",
                              .amount = amount,
                              .invoice_id = plans[k].one_step ? iid : 0};
        rc = fin_receipt_write(c, a, &ct, &rec, "", sun, ids, &due, errs);
    }
    json_decref(errs);
    if (rc >= 0 && (plans[k].paid > 0 || plans[k].invoiced > 0))
        rc = contract_progress(c, a, id, sun);
    /* a refused write (FIN_E*) only means less demo money, not a failure */
    return rc < 0 && rc > FIN_EINVALID ? rc : 0;
}

int finance_demo(db_conn *c, arena *a)
{
    int64_t sun = 0;
    db_scalar_int(c, &sun, 0, "SELECT id FROM users WHERE login = 'sun'", DBP0);
    if (!sun) return 0;
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT id FROM contracts WHERE state = 'effective' AND invoiced = 0 AND"
                      " received = 0 ORDER BY id LIMIT ?",
                      DBP(DBI((int64_t)(sizeof plans / sizeof plans[0]) + 1)));
    if (rc <= 0) return rc < 0 ? rc : 0;
    const char *today = products_today(c, a);
    /* the newest effective contract is left as it is: one with nothing
     * recorded yet, for the other modules' demos and a first look */
    int n = r.nrows - 1 < (int)(sizeof plans / sizeof plans[0]) ? r.nrows - 1
                                                                 : (int)(sizeof plans / sizeof plans[0]);
    for (int i = 0; i < n; i++) {
        rc = money_on(c, a, db_get_int(&r, i, "id"), i, today, sun);
        if (rc < 0) return rc;
    }
    return 0;
}
