/* quotations_demo.c — the demo company's quotations, one or more in every
 * state: drafts, one waiting for the manager's approval of a large
 * discount, one approved, sent ones, accepted, rejected, one past its validity
 * date (sent, which the expiry job turns expired), a quotation in
 * US dollars, and one in its second version. Priced by the pricing
 * function like any other. */
#include "quotations/quotations.h"
#include "core/approvals.h"
#include "base/util.h"
#include "products/products.h"
#include <string.h>

extern int quotations_demo(db_conn *c, arena *a);

static const struct {
    const char *owner;
    int customer_nth; /* the owner's n-th customer, oldest first */
    const char *state;
    const char *currency;
    int64_t discount_bp; /* on the first line */
    int nlines;
    const char *valid_until; /* NULL: 30 days */
    const char *payment, *delivery;
} demo[] = {
    {"zhang", 0, "draft", "CNY", 0, 2, NULL, "预付 30%，发货前付清 30% advance, balance before shipment",
     "郑州工厂交货 Ex works Zhengzhou"},
    {"zhang", 1, "in_approval", "CNY", 1200, 3, NULL, "月结 30 天 30 days net", "送货上门 Delivered"},
    {"chen", 0, "approved", "CNY", 800, 2, NULL, "月结 60 天 60 days net", "送货上门 Delivered"},
    {"chen", 1, "sent", "CNY", 300, 2, NULL, "预付 30% 30% advance", "郑州工厂交货 Ex works Zhengzhou"},
    {"zhang", 2, "accepted", "CNY", 0, 3, NULL, "月结 30 天 30 days net", "送货上门 Delivered"},
    {"liu", 0, "rejected", "CNY", 200, 1, NULL, "款到发货 Payment before delivery",
     "客户自提 Collected"},
    {"zhao", 0, "expired", "CNY", 0, 2, "2026-01-31", "月结 30 天 30 days net",
     "送货上门 Delivered"},
    {"zhao", 1, "sent", "USD", 0, 2, "2027-03-31", "T/T 30 days", "FOB Shanghai"},
    {"liu", 1, "revised", "CNY", 400, 2, NULL, "预付 30% 30% advance", "送货上门 Delivered"},
};

static int64_t user_id(db_conn *c, const char *login)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(login)));
    return id;
}

static int set_state(db_conn *c, int64_t id, const char *state, const char *now)
{
    return db_exec(c,
                   "UPDATE quotations SET state = ?, sent_at = CASE WHEN ? IN ('sent', 'accepted',"
                   " 'rejected', 'expired') THEN ? ELSE sent_at END, answered_at = CASE WHEN ? IN"
                   " ('accepted', 'rejected') THEN ? ELSE NULL END, version = version + 1 WHERE"
                   " id = ?",
                   DBP(DBS(state), DBS(state), DBS(now), DBS(state), DBS(now), DBI(id)));
}

int quotations_demo(db_conn *c, arena *a)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "INSERT INTO currency_rates(currency, rate_micro, updated_by, updated_at)"
                     " VALUES ('USD', 7120000, ?, ?), ('EUR', 7750000, ?, ?)",
                     DBP(DBI(user_id(c, "admin")), DBS(now), DBI(user_id(c, "admin")), DBS(now)));
    const char *today = products_today(c, a);
    db_res prods;
    if (rc >= 0)
        rc = db_query(c, a, &prods, "SELECT id FROM products WHERE active = TRUE ORDER BY id LIMIT 21",
                      DBP0);
    for (size_t i = 0; rc >= 0 && i < sizeof demo / sizeof demo[0]; i++) {
        int64_t owner = user_id(c, demo[i].owner), cust = 0;
        db_scalar_int(c, &cust, 0,
                      "SELECT id FROM customers WHERE owner_id = ? ORDER BY id LIMIT 1 OFFSET ?",
                      DBP(DBI(owner), DBI(demo[i].customer_nth)));
        if (!cust) /* fewer customers than that: the first */
            db_scalar_int(c, &cust, 0, "SELECT id FROM customers WHERE owner_id = ? ORDER BY id LIMIT 1",
                          DBP(DBI(owner)));
        if (!cust || prods.nrows < 3) continue;
        quote_input q;
        memset(&q, 0, sizeof q);
        q.customer_id = cust;
        q.owner_id = owner;
        q.currency = demo[i].currency;
        q.rate_micro = quote_table_rate(c, q.currency);
        q.quote_date = today;
        q.valid_until = demo[i].valid_until ? demo[i].valid_until : "2027-06-30";
        q.prices_include_tax = true;
        q.freight = i % 3 == 0 ? 80000 : 0;
        q.payment_terms = demo[i].payment;
        q.delivery_terms = demo[i].delivery;
        q.notes = "";
        q.n = demo[i].nlines;
        q.lines = arena_alloc(a, (size_t)q.n * sizeof *q.lines);
        for (int k = 0; k < q.n; k++) {
            q.lines[k].product_id = db_get_int(&prods, (int)((i * 5 + (size_t)k * 7) % (size_t)prods.nrows), "id");
            q.lines[k].qty_milli = (int64_t)(k + 1) * 150000 * (int64_t)(i % 4 + 1);
            q.lines[k].discount_bp = k == 0 ? (int32_t)demo[i].discount_bp : 0;
            q.lines[k].note = "";
        }
        json_t *errs = json_array();
        int64_t id = 0;
        rc = quote_finish(c, a, &q, errs) < 0 ? DB_ERR : 0;
        json_decref(errs);
        if (rc >= 0) rc = quote_insert(c, a, &q, owner, &id);
        if (rc < 0) break;
        const char *state = demo[i].state;
        if (strcmp(state, "in_approval") == 0) {
            int64_t req = 0;
            bool now_ok = false;
            rc = set_state(c, id, "in_approval", now);
            if (rc >= 0)
                rc = approvals_submit(c, a, QUOTE_DOC, id, "报价 Quotation (demo)", q.grand_total_cny,
                                      owner, &req, &now_ok);
            db_res cn;
            const char *name = NULL;
            if (rc >= 0 && db_query(c, a, &cn, "SELECT name FROM customers WHERE id = ?",
                                    DBP(DBI(cust))) > 0)
                name = db_get_text(&cn, 0, "name");
            if (rc >= 0)
                rc = approvals_set_context(c, req, "大客户年度框架价 Annual framework price",
                                           "customer", cust, name, true);
            if (rc >= 0)
                rc = db_exec(c, "UPDATE quotations SET approval_request_id = ? WHERE id = ?",
                             DBP(DBI(req), DBI(id)));
        } else if (strcmp(state, "revised") == 0) {
            json_t *head = quote_header_json(c, a, id);
            rc = set_state(c, id, "sent", now);
            if (rc >= 0) rc = doclines_freeze(c, QUOTE_DOC, id, 1, head, owner);
            json_decref(head);
            if (rc >= 0) rc = doclines_copy(c, QUOTE_DOC, id, 1, 2);
            if (rc >= 0)
                rc = db_exec(c,
                             "UPDATE quotations SET revision = 2, state = 'draft', sent_at = NULL,"
                             " version = version + 1 WHERE id = ?",
                             DBP(DBI(id)));
        } else if (strcmp(state, "draft")) {
            rc = set_state(c, id, state, now);
        }
    }
    return rc < 0 ? rc : 0;
}
