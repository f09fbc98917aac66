/* goods_demo.c — the demo company's deliveries and returns, after its
 * contracts and their money: zhang's contract made from the accepted
 * quotation delivered in full, with a return approved by the manager and
 * the warehouse (its refund out of what was received), then the rest of its
 * money received by finance (sun) through the finance module's receipt, so
 * that it is completed; liu's delivered in
 * part, with a return awaiting the manager; chen's large framework
 * contract and zhao's (still effective: nothing recorded on it) wait at the
 * warehouse. Everything goes
 * through the same functions as the API, by the warehouse keeper (zhou) and
 * the owners, and the approvals engine with the real approvers. */
#include "goods/goods.h"
#include "core/approvals.h"
#include "base/util.h"
#include "finance/finance.h"
#include "products/products.h"
#include <string.h>

extern int goods_demo(db_conn *c, arena *a);

static int64_t one_id(db_conn *c, const char *sql, const char *arg)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, sql, DBP(DBS(arg)));
    return id;
}

/* The open contract of the owner with this login (its first). */
static int64_t contract_of(db_conn *c, const char *login)
{
    return one_id(c,
                  "SELECT ct.id FROM contracts ct JOIN users u ON u.id = ct.owner_id WHERE"
                  " u.login = ? AND ct.state IN ('effective', 'fulfilling') ORDER BY ct.id LIMIT 1",
                  login);
}

/* Delivers pct % of what is still to deliver of each product (at most the
 * stock on hand), the first `nlines` products only. */
static int deliver(db_conn *c, arena *a, int64_t cid, int64_t wid, int pct, int nlines,
                   int64_t actor, const char *carrier)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT l.product_id, CAST(SUM(l.qty_milli) AS BIGINT) - COALESCE((SELECT"
                      " g.delivered_milli FROM contract_goods g WHERE g.contract_id = ct.id AND"
                      " g.product_id = l.product_id), 0) AS q, MIN(l.seq) AS seq, COALESCE((SELECT s.qty_milli FROM stock_levels s WHERE s.product_id ="
                      " l.product_id AND s.warehouse_id = ?), 0) AS onhand FROM contracts ct JOIN"
                      " doc_lines l ON l.doc_type = 'contract' AND l.doc_id = ct.id AND"
                      " l.revision = ct.revision WHERE ct.id = ? GROUP BY ct.id, l.product_id ORDER BY"
                      " MIN(l.seq)",
                      DBP(DBI(wid), DBI(cid)));
    if (rc <= 0) return rc;
    goods_line *lines = arena_alloc(a, (size_t)r.nrows * sizeof *lines);
    int n = 0;
    for (int i = 0; i < r.nrows && n < nlines; i++) {
        int64_t q = db_get_int(&r, i, "q") * pct / 100, onhand = db_get_int(&r, i, "onhand");
        q -= q % 1000; /* whole kilograms */
        if (q > onhand) q = onhand - onhand % 1000;
        if (q <= 0) continue;
        lines[n].product_id = db_get_int(&r, i, "product_id");
        lines[n].qty_milli = q;
        n++;
    }
    if (n == 0) return 0;
    goods_delivery d = {.contract_id = cid,
                        .warehouse_id = wid,
                        .carrier = carrier,
                        .tracking_no = "SF1234567890",
                        .note = "按合同发货 Delivered per contract",
                        .lines = lines,
                        .n = n};
    json_t *errs = json_array();
    int64_t did = 0;
    rc = goods_deliver(c, a, &d, actor, errs, &did);
    json_decref(errs);
    return rc == 1 ? DB_ERR : rc; /* refused lines would leave a half delivery */
}

/* The user who decides the request's current step. */
static int approver(db_conn *c, arena *a, const approval_request *q, principal *p)
{
    db_res r;
    int rc = q->current_user_id
                 ? db_query(c, a, &r,
                            "SELECT id, login, name, role, department_id FROM users WHERE id = ?",
                            DBP(DBI(q->current_user_id)))
                 : db_query(c, a, &r,
                            "SELECT id, login, name, role, department_id FROM users WHERE role ="
                            " ? AND active = TRUE AND id <> ? ORDER BY id LIMIT 1",
                            DBP(DBS(q->approver_role ? q->approver_role : "admin"),
                                DBI(q->applicant_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    memset(p, 0, sizeof *p);
    p->id = db_get_int(&r, 0, "id");
    p->login = db_get_text(&r, 0, "login");
    p->name = db_get_text(&r, 0, "name");
    p->locale = "zh-CN";
    p->department_id = db_get_int(&r, 0, "department_id");
    role_parse(db_get_text(&r, 0, "role"), &p->role);
    return 0;
}

/* A return of qty of the contract's first delivered product (the
 * `nth`), submitted; approved at every step when `approve`. */
static int give_back(db_conn *c, arena *a, int64_t cid, int64_t wid, int nth, int64_t qty,
                     const char *reason, bool approve)
{
    db_res g;
    int rc = db_query(c, a, &g,
                      "SELECT product_id FROM contract_goods WHERE contract_id = ? AND"
                      " delivered_milli - returned_milli >= ? ORDER BY product_id",
                      DBP(DBI(cid), DBI(qty)));
    if (rc <= nth) return rc < 0 ? rc : 0;
    int64_t owner = 0, rid = 0;
    db_scalar_int(c, &owner, 0, "SELECT owner_id FROM contracts WHERE id = ?", DBP(DBI(cid)));
    goods_line l = {.product_id = db_get_int(&g, nth, "product_id"), .qty_milli = qty};
    goods_return_in in = {.contract_id = cid, .warehouse_id = wid, .refund = -1,
                          .reason = reason, .method = "bank_transfer", .lines = &l, .n = 1};
    json_t *errs = json_array(), *why = NULL;
    rc = goods_return_enter(c, a, &in, owner, errs, &rid);
    json_decref(errs);
    if (rc != 0) return rc == 1 ? DB_ERR : rc;
    rc = goods_return_submit(c, a, rid, owner, &why);
    json_decref(why);
    if (rc != 0) return rc == 1 ? 0 : rc;
    int64_t req = 0;
    db_scalar_int(c, &req, 0, "SELECT approval_request_id FROM sales_returns WHERE id = ?",
                  DBP(DBI(rid)));
    for (int step = 0; approve && rc >= 0 && step < APPROVALS_MAX_STEPS; step++) {
        approval_request q;
        rc = approvals_load(c, a, req, &q);
        if (rc < 0) break;
        bool pending = strcmp(q.state, "pending") == 0;
        principal p;
        if (pending) rc = approver(c, a, &q, &p);
        approvals_request_free(&q);
        if (!pending || rc < 0) break;
        rc = approvals_decide(c, a, req, &p, true, "同意退货 Return approved", -1);
    }
    return rc < 0 ? rc : 0;
}

int goods_demo(db_conn *c, arena *a)
{
    int64_t zhou = one_id(c, "SELECT id FROM users WHERE login = ?", "zhou");
    int64_t wid = one_id(c, "SELECT id FROM warehouses WHERE code = ?", "ZZ");
    if (!zhou || !wid) return 0;
    int64_t full = contract_of(c, "zhang"), part = contract_of(c, "liu");
    int rc = 0;
    if (full) rc = deliver(c, a, full, wid, 100, 100, zhou, "顺丰速运 SF Express");
    if (rc >= 0 && full)
        rc = give_back(c, a, full, wid, 0, 20000, "包装破损，线盘受潮 Damaged spools, wet", true);
    /* paid in full: delivered and paid, the contract is completed */
    int64_t sun = one_id(c, "SELECT id FROM users WHERE login = ?", "sun"), receipt = 0;
    if (rc >= 0 && full && sun) {
        rc = finance_receive_due(c, a, full, products_today(c, a), "bank_transfer",
                                 "ICBC-209931", sun, &receipt);
        if (rc == FINANCE_ERECEIPT) rc = 0; /* less demo money, not a failure */
    }
    if (rc >= 0 && part) rc = deliver(c, a, part, wid, 100, 1, zhou, "德邦物流 Deppon");
    if (rc >= 0 && part) rc = deliver(c, a, part, wid, 50, 100, zhou, "自有车辆 Own truck");
    if (rc >= 0 && part)
        rc = give_back(c, a, part, wid, 0, 10000, "规格不符 Wrong width delivered", false);
    return rc < 0 ? rc : 0;
}
