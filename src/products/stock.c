/* stock.c — warehouses (/api/v1/warehouses: code, name, whether stock may go
 * below zero) and stock movements (/api/v1/stock-movements). Stock is only
 * ever changed by a movement row (product, warehouse, quantity in
 * thousandths, unit cost, cause, reference, reason, who, when): the stock
 * on hand of a product in a warehouse is the sum of its movements.
 * stock_levels keeps that sum, written in the movement's own transaction by
 * one conditional UPDATE, so two movements at once cannot both take a
 * warehouse that allows no negative stock below zero (the row is locked on
 * PostgreSQL, the database on SQLite). Here the warehouse role and
 * administrators record opening balances and adjustments with a reason;
 * deliveries and returns will record theirs through stock_move(). */
#include "products/products.h"
#include "core/audit.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

/* Warehouses ------------------------------------------------------------------ */

#define WH_COLS "SELECT id, code, name, allow_negative, active, version, created_at FROM warehouses"

static json_t *warehouse_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, WH_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_warehouses_list(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res, WH_COLS " ORDER BY code LIMIT 1000", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_warehouses_create(req *r)
{
    static const field spec[] = {{"code", F_STR, F_REQ, 20, 1},
                                 {"name", F_STR, F_REQ, 100, 1},
                                 {"allow_negative", F_BOOL, 0, 0, 0},
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    int64_t n = 0;
    db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM warehouses WHERE code = ?",
                  DBP(DBS(in_str(r, "code"))));
    if (n)
        return reply_invalid(r, json_pack("[o]", field_error("code", "duplicate",
                                                             "another warehouse has this code")));
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO warehouses(code, name, allow_negative, created_at)"
                      " VALUES (?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "code")), DBS(in_str(r, "name")),
                          DBB(in_bool(r, "allow_negative", false)), DBS(now)));
    return audit_finish_create(r, rc, &res, "warehouse", warehouse_json);
}

static int h_warehouses_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"allow_negative", F_BOOL, 0, 0, 0},
                                 {"active", F_BOOL, 0, 0, 0},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = warehouse_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    /* refusing negatives again is only possible while nothing is below zero */
    if (in_has(r, "allow_negative") && !in_bool(r, "allow_negative", true)) {
        int64_t neg = 0;
        db_scalar_int(r->db, &neg, 0,
                      "SELECT COUNT(*) FROM stock_levels WHERE warehouse_id = ? AND qty_milli < 0",
                      DBP(DBI(id)));
        if (neg) {
            db_rollback(r->db);
            json_decref(before);
            return reply_invalid(r, json_pack("[o]", field_error("allow_negative", "invalid",
                                                                 "some products are below zero"
                                                                 " in this warehouse")));
        }
    }
    rc = db_exec(r->db,
                 "UPDATE warehouses SET name = COALESCE(?, name),"
                 " allow_negative = COALESCE(?, allow_negative), active = COALESCE(?, active),"
                 " version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")),
                     in_has(r, "allow_negative") ? DBB(in_bool(r, "allow_negative", false))
                                                 : DBNULL,
                     in_has(r, "active") ? DBB(in_bool(r, "active", true)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "warehouse", id, before, warehouse_json);
}

/* Movements ------------------------------------------------------------------- */

#define MOVE_COLS                                                                                  \
    "SELECT m.id, m.product_id, p.code AS product_code, p.name AS product_name, m.warehouse_id,"   \
    " w.code AS warehouse_code, w.name AS warehouse_name, m.qty_milli, m.unit_cost, m.cause,"      \
    " m.reference, m.reason, m.created_by, u.name AS created_by_name, m.created_at"                \
    " FROM stock_movements m JOIN products p ON p.id = m.product_id"                               \
    " JOIN warehouses w ON w.id = m.warehouse_id LEFT JOIN users u ON u.id = m.created_by"

static json_t *movement_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, MOVE_COLS " WHERE m.id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* GET /stock-movements?product_id=&warehouse_id= — newest first. */
static int h_movements_list(req *r)
{
    int limit;
    int64_t cursor, pid = 0, wid = 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *ps = req_query(r, "product_id"), *ws = req_query(r, "warehouse_id");
    if ((ps && *ps && (!tf_parse_i64(ps, &pid) || pid < 1)) ||
        (ws && *ws && (!tf_parse_i64(ws, &wid) || wid < 1)))
        return reply_problem(r, 400, "bad_request", "product_id and warehouse_id must be ids");
    sqlq q;
    sqlq_init(&q, &r->a, MOVE_COLS " WHERE 1 = 1");
    if (pid) sqlq_add(&q, " AND m.product_id = ?", DBP(DBI(pid)));
    if (wid) sqlq_add(&q, " AND m.warehouse_id = ?", DBP(DBI(wid)));
    if (cursor) sqlq_add(&q, " AND m.id < ?", DBP(DBI(cursor)));
    sqlq_add(&q, " ORDER BY m.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

int64_t stock_move(db_conn *c, arena *a, int64_t product, int64_t warehouse, int64_t qty,
                   int64_t unit_cost, const char *cause, const char *reference, const char *reason,
                   int64_t user)
{
    int rc = db_exec(c,
                     "INSERT INTO stock_levels(product_id, warehouse_id, qty_milli) VALUES (?, ?, 0)"
                     " ON CONFLICT (product_id, warehouse_id) DO NOTHING",
                     DBP(DBI(product), DBI(warehouse)));
    if (rc < 0) return rc;
    rc = db_exec(c,
                 "UPDATE stock_levels SET qty_milli = qty_milli + ? WHERE product_id = ? AND"
                 " warehouse_id = ? AND (qty_milli + ? >= 0 OR (SELECT allow_negative FROM"
                 " warehouses WHERE id = ?) = TRUE)",
                 DBP(DBI(qty), DBI(product), DBI(warehouse), DBI(qty), DBI(warehouse)));
    if (rc <= 0) return rc;
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    rc = db_query(c, a, &res,
                  "INSERT INTO stock_movements(product_id, warehouse_id, qty_milli, unit_cost,"
                  " cause, reference, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                  " ?, ?) RETURNING id",
                  DBP(DBI(product), DBI(warehouse), DBI(qty), DBI(unit_cost), DBS(cause),
                      DBS(reference), DBS(reason), DBI(user), DBS(now)));
    if (rc < 0) return rc;
    return rc > 0 ? db_get_int(&res, 0, "id") : DB_ERR;
}

/* POST /stock-movements — an opening balance or an adjustment, with a
 * reason; the unit cost defaults to the product's standard cost. */
static int h_movements_create(req *r)
{
    static const field spec[] = {{"product_id", F_INT, F_REQ, 0, 1},
                                 {"warehouse_id", F_INT, F_REQ, 0, 1},
                                 {"qty_milli", F_INT, F_REQ, PRODUCT_QTY_MAX, -PRODUCT_QTY_MAX},
                                 {"unit_cost", F_INT, 0, PRODUCT_PRICE_MAX, 0},
                                 {"cause", F_STR, F_REQ, 20, 1},
                                 {"reference", F_STR, F_NULL, 100, 0},
                                 {"reason", F_STR, F_REQ, 500, 1},
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int64_t pid = in_int(r, "product_id", 0), wid = in_int(r, "warehouse_id", 0),
            qty = in_int(r, "qty_milli", 0);
    const char *cause = in_str(r, "cause");
    if (strcmp(cause, "opening") && strcmp(cause, "adjustment"))
        json_array_append_new(errs, field_error("cause", "invalid",
                                                "must be opening or adjustment"));
    if (qty == 0) json_array_append_new(errs, field_error("qty_milli", "invalid", "must not be 0"));
    if (!products_ref_ok(r->db, "products", pid))
        json_array_append_new(errs, field_error("product_id", "not_found", "no such product"));
    if (!products_ref_ok(r->db, "warehouses", wid))
        json_array_append_new(errs,
                              field_error("warehouse_id", "not_found", "no such active warehouse"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int64_t cost = 0;
    if (in_has(r, "unit_cost"))
        cost = in_int(r, "unit_cost", 0);
    else
        db_scalar_int(r->db, &cost, 0, "SELECT standard_cost FROM products WHERE id = ?",
                      DBP(DBI(pid)));
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    int64_t id = stock_move(r->db, &r->a, pid, wid, qty, cost, cause, in_str(r, "reference"),
                            in_str(r, "reason"), r->me.id);
    if (id == 0) {
        db_rollback(r->db);
        int64_t onhand = 0;
        db_scalar_int(r->db, &onhand, 0,
                      "SELECT qty_milli FROM stock_levels WHERE product_id = ? AND warehouse_id = ?",
                      DBP(DBI(pid), DBI(wid)));
        json_t *e = field_error("qty_milli", "insufficient_stock",
                                "would take the stock below zero in a warehouse that does not"
                                " allow it");
        return reply_problem_with(r, 422, "validation_failed",
                                  "the warehouse does not allow negative stock",
                                  json_pack("{s:[o], s:I}", "errors", e, "on_hand_milli",
                                            (json_int_t)onhand));
    }
    json_t *after = NULL;
    rc = id < 0 ? (int)id : 0;
    if (rc == 0) {
        after = movement_json(r, id);
        rc = audit_record(r->db, r->me.id, "stock_movement", id, "create", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, after);
}

const route stock_routes[] = {
    {"GET", "/api/v1/warehouses", h_warehouses_list, "products.read", 0,
     "The warehouses, by code", NULL},
    {"POST", "/api/v1/warehouses", h_warehouses_create, "products.manage", 0,
     "Add a warehouse",
     "{\"type\":\"object\",\"required\":[\"code\",\"name\"],\"properties\":{\"code\":{\"type\":"
     "\"string\"},\"name\":{\"type\":\"string\"},\"allow_negative\":{\"type\":\"boolean\"}}}"},
    {"PATCH", "/api/v1/warehouses/{id}", h_warehouses_update, "products.manage", 0,
     "Rename, allow or refuse negative stock, retire a warehouse (send version)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"name\":{\"type\":"
     "\"string\"},\"allow_negative\":{\"type\":\"boolean\"},\"active\":{\"type\":\"boolean\"},"
     "\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/stock-movements", h_movements_list, "products.read", 0,
     QUERY("page product_id=id warehouse_id=id") "Stock movements, newest first", NULL},
    {"POST", "/api/v1/stock-movements", h_movements_create, "stock.move", 0,
     REPLIES("422")
     "Record an opening balance or an adjustment (quantity in thousandths, signed) with a"
     " reason",
     "{\"type\":\"object\",\"required\":[\"product_id\",\"warehouse_id\",\"qty_milli\",\"cause\","
     "\"reason\"],\"properties\":{\"product_id\":{\"type\":\"integer\"},\"warehouse_id\":{"
     "\"type\":\"integer\"},\"qty_milli\":{\"type\":\"integer\"},\"unit_cost\":{\"type\":"
     "\"integer\",\"description\":\"fen per unit\"},\"cause\":{\"enum\":[\"opening\","
     "\"adjustment\"]},\"reference\":{\"type\":[\"string\",\"null\"]},\"reason\":{\"type\":"
     "\"string\"}}}"},
    ROUTES_END,
};
