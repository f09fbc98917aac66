/* contracts_demo.c — the demo company's contracts: one made from the
 * accepted quotation, drafts, one waiting at the manager, effective ones
 * (one large enough to need the general manager's step) approved step by
 * step by the real approvers through the approvals engine, a cancelled one
 * and a terminated one. The money and goods modules' demo steps make some
 * of the effective ones fulfilling and completed; contracts_demo_late, the
 * last step, adds effective ones on which nothing was recorded yet. */
#include "contracts/contracts.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "products/products.h"
#include <string.h>

extern int contracts_demo(db_conn *c, arena *a);
extern int contracts_demo_late(db_conn *c, arena *a);

static const struct {
    const char *owner;
    int customer_nth;
    const char *state; /* draft, in_approval, effective, cancelled, terminated */
    bool from_quotation;
    int nlines;
    int64_t qty; /* thousandths, the first line's */
    const char *title, *payment, *delivery;
    bool late; /* made by contracts_demo_late, after the money and goods demos */
} demo[] = {
    {"zhang", 2, "effective", true, 0, 0, "年度绕组线供货 Annual winding wire supply", NULL, NULL,
     false},
    {"zhang", 0, "draft", false, 2, 300000, "变压器线试单 Transformer wire trial order",
     "预付 30% 30% advance", "送货上门 Delivered", false},
    {"chen", 0, "in_approval", false, 2, 500000, "电机厂扁线 Flat wire for the motor plant",
     "月结 60 天 60 days net", "送货上门 Delivered", false},
    {"chen", 1, "effective", false, 3, 9000000, "框架合同第一期 Framework contract, phase 1",
     "分期付款 Instalments", "郑州工厂交货 Ex works Zhengzhou", false},
    {"liu", 0, "effective", false, 2, 400000, "维修备件 Repair spares",
     "款到发货 Payment before delivery", "客户自提 Collected", false},
    {"liu", 1, "terminated", false, 2, 250000, "出口订单 Export order", "T/T 30 days",
     "FOB Shanghai", false},
    {"zhao", 0, "cancelled", false, 1, 100000, "样品合同 Sample contract",
     "款到发货 Payment before delivery", "快递 Courier", false},
    {"zhao", 1, "effective", false, 2, 600000, "年度补货 Yearly restock", "月结 30 天 30 days net",
     "送货上门 Delivered", false},
    {"zhang", 1, "effective", false, 2, 350000, "新签未执行 Signed, nothing recorded yet",
     "月结 30 天 30 days net", "送货上门 Delivered", true},
    {"chen", 0, "effective", false, 1, 200000, "本周新签 Signed this week", "预付 30% 30% advance",
     "郑州工厂交货 Ex works Zhengzhou", true},
};

static int64_t user_id(db_conn *c, const char *login)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(login)));
    return id;
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

/* Submits the draft and, unless it is to wait, has every step approved. */
static int submit(db_conn *c, arena *a, int64_t id, int64_t owner, bool decide)
{
    json_t *before = contract_header_json(c, a, id);
    if (!before) return DB_ERR;
    int rc = db_exec(c,
                     "UPDATE contracts SET state = 'in_approval', version = version + 1"
                     " WHERE id = ?",
                     DBP(DBI(id)));
    json_t *mid = rc >= 0 ? contract_header_json(c, a, id) : NULL;
    if (rc >= 0) rc = audit_record(c, owner, "contract", id, "submit", before, mid);
    json_decref(mid);
    if (rc >= 0)
        rc = contract_submit_approval(c, a, before, false, "年度合同 Annual contract", owner);
    json_decref(before);
    int64_t rid = 0;
    db_scalar_int(c, &rid, 0, "SELECT approval_request_id FROM contracts WHERE id = ?",
                  DBP(DBI(id)));
    for (int step = 0; decide && rc >= 0 && step < APPROVALS_MAX_STEPS; step++) {
        approval_request q;
        rc = approvals_load(c, a, rid, &q);
        if (rc < 0) break;
        bool pending = strcmp(q.state, "pending") == 0;
        principal p;
        if (pending) rc = approver(c, a, &q, &p);
        approvals_request_free(&q);
        if (!pending || rc < 0) break;
        rc = approvals_decide(c, a, rid, &p, true, "同意 Approved", -1);
    }
    return rc < 0 ? rc : 0;
}

static int close_as(db_conn *c, arena *a, int64_t id, const char *state, const char *reason,
                    int64_t actor)
{
    char now[TF_TS_LEN];
    tf_now(now);
    json_t *before = contract_header_json(c, a, id);
    int rc = db_exec(c,
                     "UPDATE contracts SET state = ?, closed_at = ?, close_reason = ?, version ="
                     " version + 1, updated_at = ? WHERE id = ?",
                     DBP(DBS(state), DBS(now), DBS(reason), DBS(now), DBI(id)));
    json_t *after = contract_header_json(c, a, id);
    if (rc >= 0)
        rc = audit_record(c, actor, "contract", id,
                          strcmp(state, "cancelled") == 0 ? "cancel" : "terminate", before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

static int make(db_conn *c, arena *a, bool late)
{
    db_res prods;
    int rc = db_query(c, a, &prods,
                      "SELECT id FROM products WHERE active = TRUE ORDER BY id LIMIT 21", DBP0);
    if (rc < 3) return rc < 0 ? rc : 0;
    for (size_t i = 0; rc >= 0 && i < sizeof demo / sizeof demo[0]; i++) {
        if (demo[i].late != late) continue;
        int64_t owner = user_id(c, demo[i].owner), cust = 0;
        contract_input k;
        memset(&k, 0, sizeof k);
        if (demo[i].from_quotation) {
            db_res q;
            if (db_query(c, a, &q,
                         "SELECT id, customer_id, project_id, revision, currency, rate_micro,"
                         " prices_include_tax, header_discount, freight, payment_terms,"
                         " delivery_terms, notes FROM quotations WHERE state = 'accepted' AND"
                         " owner_id = ? ORDER BY id LIMIT 1",
                         DBP(DBI(owner))) <= 0)
                continue;
            k.quotation_id = db_get_int(&q, 0, "id");
            cust = db_get_int(&q, 0, "customer_id");
            k.project_id = db_get_int(&q, 0, "project_id");
            k.currency = db_get_text(&q, 0, "currency");
            k.rate_micro = db_get_int(&q, 0, "rate_micro");
            k.prices_include_tax = db_get_int(&q, 0, "prices_include_tax") != 0;
            k.header_discount = db_get_int(&q, 0, "header_discount");
            k.freight = db_get_int(&q, 0, "freight");
            k.payment_terms = db_get_text(&q, 0, "payment_terms");
            k.delivery_terms = db_get_text(&q, 0, "delivery_terms");
            k.notes = db_get_text(&q, 0, "notes");
            k.n = doclines_load(c, a, "quotation", k.quotation_id, db_get_int(&q, 0, "revision"),
                                &k.lines);
            if (k.n <= 0) continue;
        } else {
            db_scalar_int(c, &cust, 0,
                          "SELECT id FROM customers WHERE owner_id = ? ORDER BY id LIMIT 1"
                          " OFFSET ?",
                          DBP(DBI(owner), DBI(demo[i].customer_nth)));
            if (!cust)
                db_scalar_int(c, &cust, 0,
                              "SELECT id FROM customers WHERE owner_id = ? ORDER BY id LIMIT 1",
                              DBP(DBI(owner)));
            k.currency = "CNY";
            k.rate_micro = CONTRACT_RATE_ONE;
            k.prices_include_tax = true;
            k.freight = i % 2 ? 50000 : 0;
            k.payment_terms = demo[i].payment;
            k.delivery_terms = demo[i].delivery;
            k.notes = "";
            k.n = demo[i].nlines;
            k.lines = arena_alloc(a, (size_t)k.n * sizeof *k.lines);
            memset(k.lines, 0, (size_t)k.n * sizeof *k.lines);
            for (int j = 0; j < k.n; j++) {
                k.lines[j].product_id =
                    db_get_int(&prods, (int)((i * 3 + (size_t)j * 5) % (size_t)prods.nrows), "id");
                k.lines[j].qty_milli = demo[i].qty / (j + 1);
                k.lines[j].unit_price = -1;
                k.lines[j].discount_bp = j == 1 ? 300 : 0;
                k.lines[j].note = "";
            }
        }
        if (!cust) continue;
        k.customer_id = cust;
        k.owner_id = owner;
        k.title = demo[i].title;
        k.sign_date = products_today(c, a);
        k.start_date = k.sign_date;
        k.end_date = "2027-12-31";
        json_t *errs = json_array();
        int64_t id = 0;
        rc = contract_finish(c, a, &k, errs) < 0 ? DB_ERR : 0;
        json_decref(errs);
        if (rc >= 0) rc = contract_insert(c, a, &k, owner, &id);
        if (rc < 0) break;
        const char *st = demo[i].state;
        if (strcmp(st, "draft") == 0) continue;
        if (strcmp(st, "cancelled") == 0) {
            rc = close_as(c, a, id, "cancelled",
                          "客户改用其他型号 The customer chose another model", owner);
            continue;
        }
        rc = submit(c, a, id, owner, strcmp(st, "in_approval") != 0);
        if (rc >= 0 && strcmp(st, "terminated") == 0)
            rc = close_as(c, a, id, "terminated",
                          "客户项目取消 The customer's project was cancelled", owner);
    }
    return rc < 0 ? rc : 0;
}

int contracts_demo(db_conn *c, arena *a)
{
    return make(c, a, false);
}

/* Effective contracts on which nothing was recorded yet: made after the
 * money and goods demos, which record on every effective contract. */
int contracts_demo_late(db_conn *c, arena *a)
{
    return make(c, a, true);
}
