/* deliveries.c — goods out of a warehouse against a contract:
 * POST /contracts/{id}/deliveries (partial deliveries; per product never
 * more than the lines in force contract, checked by one conditional UPDATE
 * of contract_goods so two deliveries at once cannot both pass; stock out
 * through stock_move at the product's standard cost of the day, kept on the
 * line; all lines or nothing), GET /contracts/{id}/deliveries, GET
 * /deliveries/{id} and the warehouse's list GET /deliveries (keyset, through
 * the policy module's contract filter). Also the shared line parser and the
 * contracted quantities of goods.h. */
#include "goods/goods.h"
#include "contracts/contract_progress.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/settings.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include "products/products.h"
#include <string.h>
#include <time.h>

int goods_lines_parse(arena *a, json_t *lines, goods_line **out, json_t *errs)
{
    size_t n = json_array_size(lines);
    if (!json_is_array(lines) || n == 0 || n > GOODS_LINES_MAX) {
        json_array_append_new(errs,
                              field_error("lines", "invalid", "must be a list of 1 to 200 lines"));
        return -1;
    }
    goods_line *l = arena_alloc(a, n * sizeof *l);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(lines, i);
        json_t *p = json_object_get(o, "product_id"), *q = json_object_get(o, "qty_milli");
        const char *pre = arena_printf(a, "lines[%zu]", i);
        if (!json_is_object(o)) {
            json_array_append_new(errs, field_error(pre, "invalid", "must be an object"));
            bad++;
            continue;
        }
        const char *k;
        json_t *v;
        json_object_foreach(o, k, v)
        {
            if (strcmp(k, "product_id") && strcmp(k, "qty_milli")) {
                json_array_append_new(errs, field_error(arena_printf(a, "%s.%s", pre, k), "unknown",
                                                        "unknown field"));
                bad++;
            }
        }
        l[i].product_id = json_is_integer(p) ? json_integer_value(p) : 0;
        l[i].qty_milli = json_is_integer(q) ? json_integer_value(q) : 0;
        if (l[i].product_id < 1) {
            json_array_append_new(errs, field_error(arena_printf(a, "%s.product_id", pre),
                                                    "invalid", "must be a product id"));
            bad++;
        }
        if (l[i].qty_milli < 1 || l[i].qty_milli > PRODUCT_QTY_MAX) {
            json_array_append_new(errs, field_error(arena_printf(a, "%s.qty_milli", pre), "invalid",
                                                    "must be a quantity above 0 (thousandths)"));
            bad++;
        }
        for (size_t j = 0; j < i && l[i].product_id > 0; j++)
            if (l[j].product_id == l[i].product_id) {
                json_array_append_new(errs,
                                      field_error(arena_printf(a, "%s.product_id", pre),
                                                  "duplicate", "the product is already listed"));
                bad++;
                break;
            }
    }
    if (bad) return -1;
    *out = l;
    return (int)n;
}

int goods_contracted(db_conn *c, arena *a, int64_t contract_id, int64_t product_id, int64_t *qty,
                     int64_t *net, int64_t *total)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT CAST(COALESCE(SUM(l.qty_milli), 0) AS BIGINT) AS q,"
                      " CAST(COALESCE(SUM(l.net), 0) AS BIGINT) AS net,"
                      " CAST(COALESCE(SUM(l.total), 0) AS BIGINT) AS total"
                      " FROM contracts ct JOIN doc_lines l ON l.doc_type = 'contract' AND"
                      " l.doc_id = ct.id AND l.revision = ct.revision"
                      " WHERE ct.id = ? AND l.product_id = ?",
                      DBP(DBI(contract_id), DBI(product_id)));
    if (rc < 0) return rc;
    *qty = rc ? db_get_int(&r, 0, "q") : 0;
    if (net) *net = rc ? db_get_int(&r, 0, "net") : 0;
    if (total) *total = rc ? db_get_int(&r, 0, "total") : 0;
    return 0;
}

#define DELIVERY_COLS                                                                              \
    "SELECT d.id, d.number, d.contract_id, ct.number AS contract_number, d.customer_id,"           \
    " cu.name AS customer_name, d.warehouse_id, w.code AS warehouse_code, w.name AS"               \
    " warehouse_name, d.delivery_date, d.carrier, d.tracking_no, d.note, d.cost, d.created_by,"    \
    " u.name AS created_by_name, d.created_at FROM deliveries d JOIN contracts ct ON ct.id ="      \
    " d.contract_id JOIN customers cu ON cu.id = d.customer_id JOIN warehouses w ON w.id ="        \
    " d.warehouse_id LEFT JOIN users u ON u.id = d.created_by"

json_t *goods_delivery_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, DELIVERY_COLS " WHERE d.id = ?", DBP(DBI(id))) <= 0) return NULL;
    json_t *o = db_row_json(&r, 0);
    int rc =
        db_query(c, a, &r,
                 "SELECT dl.id, dl.product_id, p.code AS product_code, p.name AS"
                 " product_name, p.unit, dl.qty_milli, dl.unit_cost, dl.cost, dl.net,"
                 " dl.movement_id FROM delivery_lines dl JOIN products p ON p.id = dl.product_id"
                 " WHERE dl.delivery_id = ? ORDER BY dl.id",
                 DBP(DBI(id)));
    json_object_set_new(o, "lines", rc >= 0 ? db_rows_json(&r) : json_array());
    return o;
}

/* One line: the contract_goods row moves by one conditional UPDATE (never
 * above what the lines in force contract), then the stock goes out. The
 * line's net (excl. tax) is the delivered quantity's cumulative share of
 * the product's lines in force less what was recognised before, so
 * delivering everything gives exactly the lines' net. 0, 1 when a field
 * error was added, or DB_E*. */
static int deliver_line(db_conn *c, arena *a, int64_t cid, int64_t did, const char *ref, int i,
                        const goods_line *l, int64_t wid, int64_t actor, int64_t *cost_sum,
                        json_t *errs)
{
    const char *pre = arena_printf(a, "lines[%d]", i);
    int64_t contracted = 0, lines_net = 0, unit_cost = 0, cost = 0;
    int rc = goods_contracted(c, a, cid, l->product_id, &contracted, &lines_net, NULL);
    if (rc < 0) return rc;
    if (contracted == 0) {
        json_array_append_new(errs,
                              field_error(arena_printf(a, "%s.product_id", pre), "not_on_contract",
                                          "the product is not on the contract"));
        return 1;
    }
    rc = db_scalar_int(c, &unit_cost, 0, "SELECT standard_cost FROM products WHERE id = ?",
                       DBP(DBI(l->product_id)));
    if (rc < 0) return rc;
    if (money_line_total(unit_cost, l->qty_milli, &cost) < 0) {
        json_array_append_new(errs, field_error(arena_printf(a, "%s.qty_milli", pre), "invalid",
                                                "the quantity is too large"));
        return 1;
    }
    rc = db_exec(c,
                 "INSERT INTO contract_goods(contract_id, product_id) VALUES (?, ?)"
                 " ON CONFLICT (contract_id, product_id) DO NOTHING",
                 DBP(DBI(cid), DBI(l->product_id)));
    if (rc < 0) return rc;
    db_res g;
    rc = db_query(c, a, &g,
                  "UPDATE contract_goods SET delivered_milli = delivered_milli + ?,"
                  " delivered_cost = delivered_cost + ? WHERE contract_id = ? AND product_id = ?"
                  " AND delivered_milli + ? <= (SELECT COALESCE(SUM(l.qty_milli), 0) FROM"
                  " contracts ct JOIN doc_lines l ON l.doc_type = 'contract' AND l.doc_id = ct.id"
                  " AND l.revision = ct.revision WHERE ct.id = ? AND l.product_id = ?)"
                  " RETURNING delivered_milli, delivered_net",
                  DBP(DBI(l->qty_milli), DBI(cost), DBI(cid), DBI(l->product_id), DBI(l->qty_milli),
                      DBI(cid), DBI(l->product_id)));
    if (rc < 0) return rc;
    if (rc == 0) {
        int64_t done = 0;
        db_scalar_int(c, &done, 0,
                      "SELECT delivered_milli FROM contract_goods WHERE contract_id = ? AND"
                      " product_id = ?",
                      DBP(DBI(cid), DBI(l->product_id)));
        json_t *e = field_error(arena_printf(a, "%s.qty_milli", pre), "above_contract",
                                "more than the contract still has to deliver");
        json_object_set_new(e, "remaining_milli", json_integer(contracted - done));
        json_array_append_new(errs, e);
        return 1;
    }
    /* the row is locked now: the share up to what is delivered, less what
     * earlier deliveries recognised (their share at the lines then in
     * force: an amendment's new prices are caught up here) */
    int64_t cum = 0, before = db_get_int(&g, 0, "delivered_net");
    if (money_ratio(lines_net, db_get_int(&g, 0, "delivered_milli"), contracted, &cum) < 0)
        return DB_ERR;
    rc = db_exec(c,
                 "UPDATE contract_goods SET delivered_net = ? WHERE contract_id = ? AND"
                 " product_id = ?",
                 DBP(DBI(cum), DBI(cid), DBI(l->product_id)));
    if (rc < 0) return rc;
    int64_t mid = stock_move(c, a, l->product_id, wid, -l->qty_milli, unit_cost, "delivery", ref,
                             NULL, actor);
    if (mid < 0) return (int)mid;
    if (mid == 0) {
        int64_t onhand = 0;
        db_scalar_int(c, &onhand, 0,
                      "SELECT qty_milli FROM stock_levels WHERE product_id = ? AND"
                      " warehouse_id = ?",
                      DBP(DBI(l->product_id), DBI(wid)));
        json_t *e = field_error(arena_printf(a, "%s.qty_milli", pre), "insufficient_stock",
                                "more than the warehouse has in stock");
        json_object_set_new(e, "on_hand_milli", json_integer(onhand));
        json_array_append_new(errs, e);
        return 1;
    }
    rc = db_exec(c,
                 "INSERT INTO delivery_lines(delivery_id, contract_id, product_id, qty_milli,"
                 " unit_cost, cost, net, movement_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 DBP(DBI(did), DBI(cid), DBI(l->product_id), DBI(l->qty_milli), DBI(unit_cost),
                     DBI(cost), DBI(cum - before), DBI(mid)));
    if (rc < 0) return rc;
    *cost_sum += cost;
    return 0;
}

int goods_deliver(db_conn *c, arena *a, const goods_delivery *d, int64_t actor, json_t *errs,
                  int64_t *id)
{
    db_res res;
    int rc = db_query(c, a, &res, "SELECT state, customer_id FROM contracts WHERE id = ?",
                      DBP(DBI(d->contract_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    if (!contract_state_open(db_get_text(&res, 0, "state"))) return GOODS_ESTATE;
    int64_t customer = db_get_int(&res, 0, "customer_id"), did = 0, cost = 0;
    const char *number = settings_number_next(c, a, "delivery", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_query(c, a, &res,
                  "INSERT INTO deliveries(number, contract_id, customer_id, warehouse_id,"
                  " delivery_date, carrier, tracking_no, note, created_by, created_at)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBS(number), DBI(d->contract_id), DBI(customer), DBI(d->warehouse_id),
                      DBS(d->date ? d->date : products_today(c, a)),
                      DBS(d->carrier ? d->carrier : ""), DBS(d->tracking_no ? d->tracking_no : ""),
                      DBS(d->note ? d->note : ""), DBI(actor), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    did = db_get_int(&res, 0, "id");
    const char *ref = arena_printf(a, "delivery:%lld", (long long)did);
    int bad = 0;
    /* in product order, so that two deliveries at once lock the contract's
     * goods and the stock rows in the same order (no deadlock) */
    int *order = arena_alloc(a, (size_t)d->n * sizeof *order);
    for (int i = 0; i < d->n; i++) {
        int j = i;
        for (; j > 0 && d->lines[order[j - 1]].product_id > d->lines[i].product_id; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (int k = 0; k < d->n; k++) {
        int i = order[k];
        rc = deliver_line(c, a, d->contract_id, did, ref, i, &d->lines[i], d->warehouse_id, actor,
                          &cost, errs);
        if (rc < 0) return rc;
        bad += rc;
    }
    if (bad) return 1;
    rc = db_exec(c, "UPDATE deliveries SET cost = ? WHERE id = ?", DBP(DBI(cost), DBI(did)));
    /* the contract's sums of its goods (the gross profit report reads them) */
    if (rc >= 0)
        rc = db_exec(c,
                     "UPDATE contracts SET delivered_net = delivered_net + (SELECT"
                     " COALESCE(SUM(net), 0) FROM delivery_lines WHERE delivery_id = ?),"
                     " delivered_cost = delivered_cost + ? WHERE id = ?",
                     DBP(DBI(did), DBI(cost), DBI(d->contract_id)));
    json_t *after = rc >= 0 ? goods_delivery_json(c, a, did) : NULL;
    if (rc >= 0 && !after) rc = DB_ERR;
    if (rc >= 0) rc = audit_record(c, actor, "delivery", did, "create", NULL, after);
    json_decref(after);
    if (rc >= 0) {
        json_t *note = json_pack("{s:I, s:s}", "delivery_id", (json_int_t)did, "number", number);
        rc = audit_record(c, actor, "contract", d->contract_id, "deliver", NULL, note);
        json_decref(note);
    }
    if (rc >= 0) rc = contract_progress(c, a, d->contract_id, actor);
    if (rc < 0) return rc;
    *id = did;
    return 0;
}

/* POST /contracts/{id}/deliveries */
static int h_create(req *r)
{
    static const field spec[] = {{"warehouse_id", F_INT, F_REQ, 0, 1},
                                 {"delivery_date", F_STR, F_NULL, 10, 0},
                                 {"carrier", F_STR, F_NULL, 100, 0},
                                 {"tracking_no", F_STR, F_NULL, 100, 0},
                                 {"note", F_STR, F_NULL, 1000, 0},
                                 {"lines", F_ARR, F_REQ, GOODS_LINES_MAX, 0},
                                 FIELDS_END};
    int64_t cid = record_need(r, ACCESS_READ, policy_contract_access, NULL);
    if (cid < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    goods_delivery d = {.contract_id = cid,
                        .warehouse_id = in_int(r, "warehouse_id", 0),
                        .date = in_str(r, "delivery_date"),
                        .carrier = in_str(r, "carrier"),
                        .tracking_no = in_str(r, "tracking_no"),
                        .note = in_str(r, "note")};
    goods_line *lines = NULL;
    d.n = goods_lines_parse(&r->a, json_object_get(r->in, "lines"), &lines, errs);
    d.lines = lines;
    if (d.date && *d.date && !products_date_ok(d.date))
        json_array_append_new(errs,
                              field_error("delivery_date", "invalid", "must be a date YYYY-MM-DD"));
    if (d.date && !*d.date) d.date = NULL;
    if (d.date && products_date_ok(d.date) && strcmp(d.date, products_today(r->db, &r->a)) > 0)
        json_array_append_new(errs,
                              field_error("delivery_date", "invalid", "may not be in the future"));
    if (!products_ref_ok(r->db, "warehouses", d.warehouse_id))
        json_array_append_new(errs,
                              field_error("warehouse_id", "not_found", "no such active warehouse"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    int64_t did = 0;
    int rc = db_begin(r->db);
    if (rc >= 0) rc = goods_deliver(r->db, &r->a, &d, r->me.id, errs, &did);
    if (rc == GOODS_ESTATE) {
        db_rollback(r->db);
        json_decref(errs);
        const char *state = "";
        db_res res;
        if (db_query(r->db, &r->a, &res, "SELECT state FROM contracts WHERE id = ?",
                     DBP(DBI(cid))) > 0)
            state = db_get_text(&res, 0, "state");
        return reply_problem(r, 409, "conflict",
                             "goods are delivered only on an effective contract or one being"
                             " fulfilled; this one is %s",
                             state);
    }
    if (rc == 1) {
        db_rollback(r->db);
        bool stock = false;
        size_t i;
        json_t *e;
        json_array_foreach(errs, i, e)
        {
            if (strcmp(json_string_value(json_object_get(e, "code")), "insufficient_stock") == 0)
                stock = true;
        }
        return reply_problem_with(r, 422, "validation_failed",
                                  stock ? "not enough stock in the warehouse"
                                        : "the delivery does not match the contract",
                                  json_pack("{s:o}", "errors", errs));
    }
    json_decref(errs);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    json_t *o = goods_delivery_json(r->db, &r->a, did);
    return o ? reply_json(r, 201, o) : reply_db_error(r, DB_ERR);
}

#define LIST_COLS                                                                                  \
    "SELECT d.id, d.number, d.contract_id, ct.number AS contract_number, d.customer_id,"           \
    " cu.name AS customer_name, d.warehouse_id, w.name AS warehouse_name, d.delivery_date,"        \
    " d.carrier, d.tracking_no, d.cost, d.created_by, u.name AS created_by_name, d.created_at,"    \
    " (SELECT CAST(SUM(dl.qty_milli) AS BIGINT) FROM delivery_lines dl WHERE dl.delivery_id ="     \
    " d.id) AS qty_milli FROM deliveries d JOIN contracts ct ON ct.id = d.contract_id JOIN"        \
    " customers cu ON cu.id = ct.customer_id JOIN warehouses w ON w.id = d.warehouse_id LEFT JOIN" \
    " users u ON u.id = d.created_by"

/* GET /contracts/{id}/deliveries — every delivery of the contract with its
 * lines, newest first. */
static int h_of_contract(req *r)
{
    int64_t cid = record_need(r, ACCESS_READ, policy_contract_access, NULL);
    if (cid < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id FROM deliveries WHERE contract_id = ? ORDER BY id DESC LIMIT 500",
                      DBP(DBI(cid)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    for (int i = 0; i < rc; i++) {
        json_t *d = goods_delivery_json(r->db, &r->a, db_get_int(&res, i, "id"));
        if (d) json_array_append_new(items, d);
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* GET /deliveries?warehouse_id=&contract_id= — newest first, the contracts
 * the user sees. */
static int h_list(req *r)
{
    int limit;
    int64_t cursor, wid = 0, cid = 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *ws = req_query(r, "warehouse_id"), *cs = req_query(r, "contract_id");
    if ((ws && *ws && (!tf_parse_i64(ws, &wid) || wid < 1)) ||
        (cs && *cs && (!tf_parse_i64(cs, &cid) || cid < 1)))
        return reply_problem(r, 400, "bad_request", "warehouse_id and contract_id must be ids");
    sqlq q;
    sqlq_init(&q, &r->a, LIST_COLS " WHERE 1 = 1");
    if (wid) sqlq_add(&q, " AND d.warehouse_id = ?", DBP(DBI(wid)));
    if (cid) sqlq_add(&q, " AND d.contract_id = ?", DBP(DBI(cid)));
    policy_contract_filter(&r->me, &q);
    if (cursor) sqlq_add(&q, " AND d.id < ?", DBP(DBI(cursor)));
    sqlq_add(&q, " ORDER BY d.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* GET /deliveries/{id} */
static int h_get(req *r)
{
    int64_t id = req_id(r, 0), cid = 0;
    if (id < 0) return reply_not_found(r);
    db_scalar_int(r->db, &cid, 0, "SELECT contract_id FROM deliveries WHERE id = ?", DBP(DBI(id)));
    if (cid == 0 || policy_contract_access(r->db, &r->me, cid) == ACCESS_NONE)
        return reply_not_found(r);
    json_t *o = goods_delivery_json(r->db, &r->a, id);
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

/* GET /deliveries/awaiting — contracts open for delivery with something
 * still to deliver (the warehouse's work list), oldest effective first. */
static int h_awaiting(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq q;
    sqlq_init(&q, &r->a,
              "SELECT * FROM (SELECT ct.id, ct.number, ct.state, ct.customer_id, cu.name AS"
              " customer_name, ct.owner_id, ou.name AS owner_name, ct.sign_date,"
              " ct.effective_at, (SELECT CAST(SUM(l.qty_milli) AS BIGINT) FROM doc_lines l"
              " WHERE l.doc_type = 'contract' AND l.doc_id = ct.id AND l.revision ="
              " ct.revision) AS contracted_milli, (SELECT CAST(COALESCE(SUM(g.delivered_milli),"
              " 0) AS BIGINT) FROM contract_goods g WHERE g.contract_id = ct.id) AS"
              " delivered_milli FROM contracts ct JOIN customers cu ON cu.id = ct.customer_id"
              " LEFT JOIN users ou ON ou.id = ct.owner_id"
              " WHERE ct.state IN ('effective', 'fulfilling')");
    policy_contract_filter(&r->me, &q);
    if (cursor) sqlq_add(&q, " AND ct.id > ?", DBP(DBI(cursor)));
    sqlq_add(&q, ") a WHERE delivered_milli < contracted_milli ORDER BY id LIMIT ?",
             DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* GET /contracts/{id}/goods?warehouse_id= — per product of the lines in
 * force: contracted, delivered, returned, held by pending returns, still to
 * deliver, still returnable, and the stock on hand in the warehouse. */
static int h_goods(req *r)
{
    int64_t cid = record_need(r, ACCESS_READ, policy_contract_access, NULL);
    if (cid < 0) return 0;
    int64_t wid = 0;
    const char *ws = req_query(r, "warehouse_id");
    if (ws && *ws && (!tf_parse_i64(ws, &wid) || wid < 1))
        return reply_problem(r, 400, "bad_request", "warehouse_id must be an id");
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT w.product_id, p.code AS product_code, p.name AS product_name, p.unit,"
                      " w.q AS contracted_milli, COALESCE(g.delivered_milli, 0) AS delivered_milli,"
                      " COALESCE(g.returned_milli, 0) AS returned_milli, (SELECT"
                      " CAST(COALESCE(SUM(rl.qty_milli), 0) AS BIGINT) FROM return_lines rl JOIN"
                      " sales_returns sr ON sr.id = rl.return_id WHERE rl.contract_id = ? AND"
                      " rl.product_id = w.product_id AND sr.state IN ('draft', 'in_approval')) AS"
                      " pending_return_milli, (SELECT s.qty_milli FROM stock_levels s WHERE"
                      " s.product_id = w.product_id AND s.warehouse_id = ?) AS on_hand_milli FROM"
                      " (SELECT l.product_id, CAST(SUM(l.qty_milli) AS BIGINT) AS q, MIN(l.seq) AS"
                      " seq FROM contracts ct JOIN doc_lines l ON l.doc_type = 'contract' AND"
                      " l.doc_id = ct.id AND l.revision = ct.revision WHERE ct.id = ? GROUP BY"
                      " l.product_id) w JOIN products p ON p.id = w.product_id LEFT JOIN"
                      " contract_goods g ON g.contract_id = ? AND g.product_id = w.product_id"
                      " ORDER BY w.seq",
                      DBP(DBI(cid), DBI(wid), DBI(cid), DBI(cid)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    for (int i = 0; i < res.nrows; i++) {
        json_t *o = db_row_json(&res, i);
        int64_t c = db_get_int(&res, i, "contracted_milli"),
                d = db_get_int(&res, i, "delivered_milli"),
                rt = db_get_int(&res, i, "returned_milli"),
                pend = db_get_int(&res, i, "pending_return_milli");
        json_object_set_new(o, "to_deliver_milli", json_integer(c > d ? c - d : 0));
        json_object_set_new(o, "returnable_milli",
                            json_integer(d - rt - pend > 0 ? d - rt - pend : 0));
        if (!wid)
            json_object_del(o, "on_hand_milli");
        else if (json_is_null(json_object_get(o, "on_hand_milli")))
            json_object_set_new(o, "on_hand_milli", json_integer(0));
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

const route deliveries_routes[] = {
    {"GET", "/api/v1/contracts/{id}/goods", h_goods, "contracts.read", 0,
     QUERY("warehouse_id=id") "Per product of a contract: contracted, delivered, returned, pending "
                              "returns, still to"
                              " deliver, returnable, and the stock on hand in a warehouse",
     NULL},
    {"POST", "/api/v1/contracts/{id}/deliveries", h_create, "goods.deliver", 0,
     REPLIES("409 422") "Deliver goods of a contract out of a warehouse (partial deliveries "
                        "allowed; never more"
                        " than contracted nor than in stock where negative stock is not allowed)",
     "{\"type\":\"object\",\"required\":[\"warehouse_id\",\"lines\"],\"properties\":{"
     "\"warehouse_id\":{\"type\":\"integer\"},\"delivery_date\":{\"type\":[\"string\",\"null\"],"
     "\"format\":\"date\"},\"carrier\":{\"type\":[\"string\",\"null\"]},\"tracking_no\":{\"type\":"
     "[\"string\",\"null\"]},\"note\":{\"type\":[\"string\",\"null\"]},\"lines\":{\"type\":"
     "\"array\",\"items\":{\"type\":\"object\",\"required\":[\"product_id\",\"qty_milli\"],"
     "\"properties\":{\"product_id\":{\"type\":\"integer\"},\"qty_milli\":{\"type\":"
     "\"integer\"}}}}}}"},
    {"GET", "/api/v1/contracts/{id}/deliveries", h_of_contract, "contracts.read", 0,
     "The deliveries of a contract with their lines, newest first", NULL},
    {"GET", "/api/v1/deliveries", h_list, "contracts.read", 0,
     QUERY("page warehouse_id=id contract_id=id") "Deliveries of the contracts the user sees, "
                                                  "newest first",
     NULL},
    {"GET", "/api/v1/deliveries/awaiting", h_awaiting, "contracts.read", 0,
     QUERY("page") "Effective contracts with goods still to deliver, oldest first", NULL},
    {"GET", "/api/v1/deliveries/{id}", h_get, "contracts.read", 0, "A delivery with its lines",
     NULL},
    ROUTES_END,
};
