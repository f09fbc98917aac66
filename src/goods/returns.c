/* returns.c — sales return forms: POST /contracts/{id}/returns (a draft
 * return of delivered goods with a reason; its value is the returned
 * quantity at the contract lines' price incl. tax, and net excl. tax for
 * the gross profit, computed once here through core/money; never more than
 * delivered less returned less other pending returns; the refund defaults
 * to min(value, received) and may not exceed what was received), GET
 * /returns/{id} (with what the user may do and what would stop its
 * approval now), GET /contracts/{id}/returns and the list GET /returns
 * (keyset, through the policy module's contract filter). The state changes
 * and the approval live in return_flow.c. */
#include "goods/goods.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/settings.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include "kit/doclines.h"
#include "products/products.h"
#include <string.h>
#include <time.h>

extern const doc_transition return_states[];

#define RETURN_COLS                                                                                \
    "SELECT sr.id, sr.number, sr.contract_id, ct.number AS contract_number, ct.currency,"         \
    " sr.customer_id, cu.name AS customer_name, sr.owner_id, ou.name AS owner_name,"               \
    " sr.warehouse_id, w.name AS warehouse_name, sr.state, sr.reason, sr.value, sr.refund,"        \
    " sr.refund_method, sr.approval_request_id, sr.decided_at, sr.created_by, cb.name AS"          \
    " created_by_name, sr.version, sr.created_at, sr.updated_at FROM sales_returns sr JOIN"        \
    " contracts ct ON ct.id = sr.contract_id JOIN customers cu ON cu.id = sr.customer_id JOIN"     \
    " warehouses w ON w.id = sr.warehouse_id LEFT JOIN users ou ON ou.id = sr.owner_id LEFT JOIN"  \
    " users cb ON cb.id = sr.created_by"

json_t *goods_return_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, RETURN_COLS " WHERE sr.id = ?", DBP(DBI(id))) <= 0) return NULL;
    json_t *o = db_row_json(&r, 0);
    int rc = db_query(c, a, &r,
                      "SELECT rl.id, rl.product_id, p.code AS product_code, p.name AS"
                      " product_name, p.unit, rl.qty_milli, rl.value, rl.net, rl.unit_cost,"
                      " rl.cost, rl.movement_id FROM return_lines rl JOIN products p ON p.id ="
                      " rl.product_id WHERE rl.return_id = ? ORDER BY rl.id",
                      DBP(DBI(id)));
    json_object_set_new(o, "lines", rc >= 0 ? db_rows_json(&r) : json_array());
    json_object_set_new(o, "approval", json_null());
    json_t *rq = json_object_get(o, "approval_request_id");
    if (json_is_integer(rq) &&
        db_query(c, a, &r,
                 "SELECT id, state, current_step, approver_role, version, created_at,"
                 " decided_at FROM approval_requests WHERE id = ?",
                 DBP(DBI(json_integer_value(rq)))) > 0)
        json_object_set_new(o, "approval", db_row_json(&r, 0));
    return o;
}

int64_t goods_return_contract(db_conn *c, int64_t return_id)
{
    int64_t cid = 0;
    db_scalar_int(c, &cid, 0, "SELECT contract_id FROM sales_returns WHERE id = ?",
                  DBP(DBI(return_id)));
    return cid;
}

/* What may still be returned of a product: delivered less returned less
 * what other pending returns (draft, in approval) hold. */
static int available(db_conn *c, arena *a, int64_t cid, int64_t pid, int64_t except,
                     int64_t *avail, int64_t *delivered)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT COALESCE((SELECT delivered_milli - returned_milli FROM"
                      " contract_goods WHERE contract_id = ? AND product_id = ?), 0) AS left_,"
                      " COALESCE((SELECT delivered_milli FROM contract_goods WHERE contract_id ="
                      " ? AND product_id = ?), 0) AS delivered,"
                      " (SELECT CAST(COALESCE(SUM(rl.qty_milli), 0) AS BIGINT) FROM return_lines"
                      " rl JOIN sales_returns sr ON sr.id = rl.return_id WHERE rl.contract_id = ?"
                      " AND rl.product_id = ? AND sr.state IN ('draft', 'in_approval') AND"
                      " sr.id <> ?) AS pending",
                      DBP(DBI(cid), DBI(pid), DBI(cid), DBI(pid), DBI(cid), DBI(pid),
                          DBI(except)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *avail = db_get_int(&r, 0, "left_") - db_get_int(&r, 0, "pending");
    *delivered = db_get_int(&r, 0, "delivered");
    return 0;
}

json_t *goods_return_blockers(db_conn *c, arena *a, int64_t id)
{
    json_t *out = json_array();
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT sr.contract_id, sr.refund, sr.state, ct.received FROM sales_returns"
                      " sr JOIN contracts ct ON ct.id = sr.contract_id WHERE sr.id = ?",
                      DBP(DBI(id)));
    if (rc <= 0) return out;
    int64_t refund = db_get_int(&r, 0, "refund"), received = db_get_int(&r, 0, "received");
    const char *state = db_get_text(&r, 0, "state");
    if (strcmp(state, "draft") && strcmp(state, "in_approval")) return out;
    if (refund > received)
        json_array_append_new(out, json_pack("{s:s, s:s, s:I}", "code", "refund_above_received",
                                             "message",
                                             "the refund is larger than what the contract has"
                                             " received now",
                                             "received", (json_int_t)received));
    rc = db_query(c, a, &r,
                  "SELECT rl.product_id, p.code AS product_code, rl.qty_milli, COALESCE(g.delivered_milli"
                  " - g.returned_milli, 0) AS left_ FROM return_lines rl JOIN products p ON p.id ="
                  " rl.product_id LEFT JOIN contract_goods g ON g.contract_id = rl.contract_id AND"
                  " g.product_id = rl.product_id WHERE rl.return_id = ? ORDER BY rl.id",
                  DBP(DBI(id)));
    for (int i = 0; i < rc; i++)
        if (db_get_int(&r, i, "qty_milli") > db_get_int(&r, i, "left_"))
            json_array_append_new(
                out, json_pack("{s:s, s:s, s:I, s:I}", "code", "above_delivered", "message",
                               arena_printf(a, "%s: more than delivered less returned",
                                            db_get_text(&r, i, "product_code")),
                               "product_id", (json_int_t)db_get_int(&r, i, "product_id"),
                               "available_milli", (json_int_t)db_get_int(&r, i, "left_")));
    return out;
}

static json_t *actions(tf_access acc, const char *state)
{
    json_t *out = json_array();
    if (acc < ACCESS_WRITE) return out;
    json_t *ev = doc_events_json(return_states, state), *e;
    size_t i;
    json_array_foreach(ev, i, e)
    {
        const char *s = json_string_value(e);
        if (strcmp(s, "approve") && strcmp(s, "reject")) json_array_append(out, e);
    }
    json_decref(ev);
    return out;
}

int goods_reply_return(req *r, int status, int64_t id)
{
    json_t *o = goods_return_json(r->db, &r->a, id);
    if (!o) return reply_not_found(r);
    tf_access acc = policy_contract_access(r->db, &r->me,
                                           json_integer_value(json_object_get(o, "contract_id")));
    if (!policy_allows(&r->me, "contracts.write") && acc > ACCESS_READ) acc = ACCESS_READ;
    json_object_set_new(o, "access", json_string(policy_access_name(acc)));
    json_object_set_new(o, "actions",
                        actions(acc, json_string_value(json_object_get(o, "state"))));
    json_object_set_new(o, "blockers", goods_return_blockers(r->db, &r->a, id));
    return reply_json(r, status, o);
}

static bool method_ok(const char *m)
{
    static const char *const ms[] = {"bank_transfer", "cash", "cheque", "acceptance_bill",
                                     "wechat_pay", "alipay", "other", NULL};
    for (int i = 0; ms[i]; i++)
        if (strcmp(ms[i], m) == 0) return true;
    return false;
}

/* Each line checked and valued; field errors for what cannot be returned.
 * 0, 1 with errors, or DB_E*. */
static int value_lines(db_conn *c, arena *a, int64_t cid, const goods_line *l, int n,
                       int64_t *vals, int64_t *nets, json_t *errs)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const char *pre = arena_printf(a, "lines[%d]", i);
        int64_t q = 0, net = 0, total = 0, avail = 0, delivered = 0;
        int rc = goods_contracted(c, a, cid, l[i].product_id, &q, &net, &total);
        if (rc >= 0) rc = available(c, a, cid, l[i].product_id, 0, &avail, &delivered);
        if (rc < 0) return rc;
        if (delivered == 0) {
            json_array_append_new(errs, field_error(arena_printf(a, "%s.product_id", pre),
                                                    "not_delivered",
                                                    "the product was never delivered on this"
                                                    " contract"));
            bad++;
            continue;
        }
        if (l[i].qty_milli > avail) {
            json_t *e = field_error(arena_printf(a, "%s.qty_milli", pre), "above_delivered",
                                    "more than delivered less returned and pending returns");
            json_object_set_new(e, "available_milli", json_integer(avail < 0 ? 0 : avail));
            json_array_append_new(errs, e);
            bad++;
            continue;
        }
        /* valued as the share of the product's lines up to and including
         * these goods less the share of what came (or is coming) back
         * before, so that returning everything gives back exactly the
         * lines' total and net, whatever the rounding of each return */
        int64_t prior = delivered - avail, v0 = 0, v1 = 0, n0 = 0, n1 = 0;
        if (q == 0 || money_ratio(total, prior, q, &v0) < 0 ||
            money_ratio(total, prior + l[i].qty_milli, q, &v1) < 0 ||
            money_ratio(net, prior, q, &n0) < 0 ||
            money_ratio(net, prior + l[i].qty_milli, q, &n1) < 0) {
            json_array_append_new(errs, field_error(arena_printf(a, "%s.product_id", pre),
                                                    "not_on_contract",
                                                    "the product is no longer on the contract"));
            bad++;
            continue;
        }
        vals[i] = v1 - v0;
        nets[i] = n1 - n0;
    }
    return bad ? 1 : 0;
}

int goods_return_enter(db_conn *c, arena *a, const goods_return_in *in, int64_t actor,
                       json_t *errs, int64_t *id)
{
    db_res res;
    int rc = db_query(c, a, &res,
                      "SELECT state, customer_id, owner_id, received FROM contracts WHERE id = ?",
                      DBP(DBI(in->contract_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    const char *state = db_get_text(&res, 0, "state");
    if (strcmp(state, "draft") == 0 || strcmp(state, "in_approval") == 0 ||
        strcmp(state, "cancelled") == 0)
        return GOODS_ESTATE;
    int64_t customer = db_get_int(&res, 0, "customer_id"), owner = db_get_int(&res, 0, "owner_id"),
            received = db_get_int(&res, 0, "received"), value = 0;
    int64_t *vals = arena_alloc(a, (size_t)in->n * sizeof *vals),
            *nets = arena_alloc(a, (size_t)in->n * sizeof *nets);
    rc = value_lines(c, a, in->contract_id, in->lines, in->n, vals, nets, errs);
    if (rc != 0) return rc;
    for (int i = 0; i < in->n; i++) value += vals[i];
    int64_t paid = received > 0 ? received : 0, refund = value < paid ? value : paid;
    if (in->refund >= 0) {
        refund = in->refund;
        if (refund > value || refund > paid) {
            json_t *e = field_error("refund", "above_received",
                                    refund > value ? "more than the value of the goods returned"
                                                   : "more than the contract has received");
            json_object_set_new(e, "received", json_integer(received));
            json_object_set_new(e, "value", json_integer(value));
            json_array_append_new(errs, e);
            return 1;
        }
    }
    char now[TF_TS_LEN];
    tf_now(now);
    const char *number = settings_number_next(c, a, "return", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    rc = db_query(c, a, &res,
                  "INSERT INTO sales_returns(number, contract_id, customer_id, owner_id,"
                  " warehouse_id, state, reason, value, refund, refund_method, created_by,"
                  " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?,"
                  " ?) RETURNING id",
                  DBP(DBS(number), DBI(in->contract_id), DBI(customer), DBI(owner),
                      DBI(in->warehouse_id), DBS(in->reason), DBI(value), DBI(refund),
                      DBS(in->method ? in->method : "bank_transfer"), DBI(actor), DBS(now),
                      DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    int64_t rid = db_get_int(&res, 0, "id");
    for (int i = 0; rc >= 0 && i < in->n; i++)
        rc = db_exec(c,
                     "INSERT INTO return_lines(return_id, contract_id, product_id, qty_milli,"
                     " value, net) VALUES (?, ?, ?, ?, ?, ?)",
                     DBP(DBI(rid), DBI(in->contract_id), DBI(in->lines[i].product_id),
                         DBI(in->lines[i].qty_milli), DBI(vals[i]), DBI(nets[i])));
    json_t *after = rc >= 0 ? goods_return_json(c, a, rid) : NULL;
    if (rc >= 0 && !after) rc = DB_ERR;
    if (rc >= 0) rc = audit_record(c, actor, "return", rid, "create", NULL, after);
    json_decref(after);
    if (rc < 0) return rc;
    *id = rid;
    return 0;
}

/* POST /contracts/{id}/returns */
static int h_create(req *r)
{
    static const field spec[] = {{"warehouse_id", F_INT, F_REQ, 0, 1},
                                 {"reason", F_STR, F_REQ, 500, 1},
                                 {"lines", F_ARR, F_REQ, GOODS_LINES_MAX, 0},
                                 {"refund", F_INT, F_NULL, 0, 0},
                                 {"refund_method", F_STR, F_NULL, 20, 0},
                                 FIELDS_END};
    int64_t cid = record_need(r, ACCESS_WRITE, policy_contract_access, NULL);
    if (cid < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    goods_line *lines = NULL;
    goods_return_in in = {.contract_id = cid,
                          .warehouse_id = in_int(r, "warehouse_id", 0),
                          .reason = in_str(r, "reason"),
                          .method = in_str(r, "refund_method"),
                          .refund = -1};
    in.n = goods_lines_parse(&r->a, json_object_get(r->in, "lines"), &lines, errs);
    in.lines = lines;
    if (!in.method || !*in.method) in.method = "bank_transfer";
    if (!method_ok(in.method))
        json_array_append_new(errs, field_error("refund_method", "invalid",
                                                "must be bank_transfer, cash, cheque,"
                                                " acceptance_bill, wechat_pay, alipay or other"));
    if (json_is_integer(json_object_get(r->in, "refund"))) {
        in.refund = in_int(r, "refund", 0);
        if (in.refund < 0)
            json_array_append_new(errs,
                                  field_error("refund", "invalid", "must not be negative"));
    }
    if (!products_ref_ok(r->db, "warehouses", in.warehouse_id))
        json_array_append_new(errs,
                              field_error("warehouse_id", "not_found", "no such active warehouse"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    int64_t id = 0;
    int rc = db_begin(r->db);
    if (rc >= 0) rc = goods_return_enter(r->db, &r->a, &in, r->me.id, errs, &id);
    if (rc == GOODS_ESTATE) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_problem(r, 409, "conflict",
                             "the contract has no delivered goods to return in its state");
    }
    if (rc == 1) {
        db_rollback(r->db);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return goods_reply_return(r, 201, id);
}

/* GET /returns/{id} */
static int h_get(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    int64_t cid = goods_return_contract(r->db, id);
    if (!cid || policy_contract_access(r->db, &r->me, cid) == ACCESS_NONE)
        return reply_not_found(r);
    return goods_reply_return(r, 200, id);
}

/* GET /returns/{id}/history */
static int h_history(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    int64_t cid = goods_return_contract(r->db, id);
    if (!cid || policy_contract_access(r->db, &r->me, cid) == ACCESS_NONE)
        return reply_not_found(r);
    return audit_reply_history(r, "return", id);
}

/* GET /contracts/{id}/returns — every return of the contract with its lines
 * and what would stop the approval of a pending one now. */
static int h_of_contract(req *r)
{
    int64_t cid = record_need(r, ACCESS_READ, policy_contract_access, NULL);
    if (cid < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id FROM sales_returns WHERE contract_id = ? ORDER BY id DESC"
                      " LIMIT 500",
                      DBP(DBI(cid)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    for (int i = 0; i < rc; i++) {
        int64_t id = db_get_int(&res, i, "id");
        json_t *o = goods_return_json(r->db, &r->a, id);
        if (!o) continue;
        json_object_set_new(o, "blockers", goods_return_blockers(r->db, &r->a, id));
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static bool state_ok(const char *s)
{
    static const char *const ss[] = {"draft", "in_approval", "approved", "rejected",
                                     "cancelled", NULL};
    for (int i = 0; ss[i]; i++)
        if (strcmp(ss[i], s) == 0) return true;
    return false;
}

/* GET /returns?state=&contract_id= — newest first, the contracts the user
 * sees. */
static int h_list(req *r)
{
    int limit;
    int64_t cursor, cid = 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *cs = req_query(r, "contract_id"), *st = req_query(r, "state");
    if (cs && *cs && (!tf_parse_i64(cs, &cid) || cid < 1))
        return reply_problem(r, 400, "bad_request", "contract_id must be an id");
    if (st && *st && !state_ok(st))
        return reply_problem(r, 400, "bad_request",
                             "state must be draft, in_approval, approved, rejected or cancelled");
    sqlq q;
    sqlq_init(&q, &r->a,
              "SELECT sr.id, sr.number, sr.contract_id, ct.number AS contract_number,"
              " ct.currency, sr.customer_id, cu.name AS customer_name, sr.owner_id, ou.name AS"
              " owner_name, sr.warehouse_id, w.name AS warehouse_name, sr.state, sr.reason,"
              " sr.value, sr.refund, sr.created_at, sr.decided_at, sr.version FROM"
              " sales_returns sr JOIN contracts ct ON ct.id = sr.contract_id JOIN customers cu"
              " ON cu.id = ct.customer_id JOIN warehouses w ON w.id = sr.warehouse_id LEFT JOIN"
              " users ou ON ou.id = sr.owner_id WHERE 1 = 1");
    if (cid) sqlq_add(&q, " AND sr.contract_id = ?", DBP(DBI(cid)));
    if (st && *st) sqlq_add(&q, " AND sr.state = ?", DBP(DBS(st)));
    policy_contract_filter(&r->me, &q);
    if (cursor) sqlq_add(&q, " AND sr.id < ?", DBP(DBI(cursor)));
    sqlq_add(&q, " ORDER BY sr.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

const route returns_routes[] = {
    {"POST", "/api/v1/contracts/{id}/returns", h_create, "contracts.write", 0,
     REPLIES("409 422")
     "Enter a sales return (a draft) of delivered goods with a reason and the refund",
     "{\"type\":\"object\",\"required\":[\"warehouse_id\",\"reason\",\"lines\"],\"properties\":{"
     "\"warehouse_id\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"},\"refund\":{"
     "\"type\":[\"integer\",\"null\"],\"description\":\"minor units; default min(value,"
     " received)\"},\"refund_method\":{\"type\":[\"string\",\"null\"]},\"lines\":{\"type\":"
     "\"array\",\"items\":{\"type\":\"object\",\"required\":[\"product_id\",\"qty_milli\"],"
     "\"properties\":{\"product_id\":{\"type\":\"integer\"},\"qty_milli\":{\"type\":"
     "\"integer\"}}}}}}"},
    {"GET", "/api/v1/contracts/{id}/returns", h_of_contract, "contracts.read", 0,
     "The returns of a contract with their lines, newest first", NULL},
    {"GET", "/api/v1/returns", h_list, "contracts.read", 0,
     QUERY("page state=draft|in_approval|approved|rejected|cancelled contract_id=id")
     "Sales returns of the contracts the user sees, newest first", NULL},
    {"GET", "/api/v1/returns/{id}", h_get, "contracts.read", 0,
     "A sales return with its lines, approval, actions and what stops its approval now", NULL},
    {"GET", "/api/v1/returns/{id}/history", h_history, "contracts.read", 0,
     QUERY("page") "The history of a sales return", NULL},
    ROUTES_END,
};
