/* pricing.c — the one pricing function (pricing_quote, products.h) that the
 * price check and quotations call, GET /api/v1/prices for the UI, and the
 * largest discount each role may give by hand (/api/v1/discount-limits,
 * quotations enforce it). The rules themselves are kept in price_rules.c. */
#include "products/products.h"
#include "core/audit.h"
#include "core/money.h"
#include "base/util.h"
#include "http/http.h"
#include <string.h>

int pricing_quote(db_conn *c, arena *a, int64_t customer_id, int64_t product_id, int64_t qty_milli,
                  const char *date, price_quote *out)
{
    memset(out, 0, sizeof *out);
    if (qty_milli <= 0 || qty_milli > PRODUCT_QTY_MAX) return PRICING_BAD_QTY;
    if (!products_date_ok(date)) return PRICING_BAD_DATE;
    db_res p;
    int rc = db_query(c, a, &p,
                      "SELECT list_price, tax_bp, active, category_id FROM products WHERE id = ?",
                      DBP(DBI(product_id)));
    if (rc < 0) return rc;
    if (rc == 0) return PRICING_NO_PRODUCT;
    const db_val *active = db_cell(&p, 0, "active");
    if (!active || !active->i) return PRICING_RETIRED;
    out->list_price = db_get_int(&p, 0, "list_price");
    out->tax_bp = db_get_int(&p, 0, "tax_bp");
    int64_t category = db_get_int(&p, 0, "category_id");
    if (customer_id) {
        db_res cu;
        rc = db_query(c, a, &cu,
                      "SELECT c.tier_id, t.name AS tier_name FROM customers c LEFT JOIN"
                      " customer_tiers t ON t.id = c.tier_id WHERE c.id = ?",
                      DBP(DBI(customer_id)));
        if (rc < 0) return rc;
        if (rc == 0) return PRICING_NO_CUSTOMER;
        out->tier_id = db_get_int(&cu, 0, "tier_id");
        out->tier_name = db_get_text(&cu, 0, "tier_name");
    }
    /* the product's categories, nearest first (depth 1 is its own) */
    db_res rule;
    rc = db_query(
        c, a, &rule,
        "WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 1 FROM"
        " product_categories WHERE id = ? UNION ALL SELECT pc.id, pc.parent_id, up.depth + 1"
        " FROM product_categories pc JOIN up ON pc.id = up.parent_id WHERE up.depth < 64)"
        " SELECT r.id, r.name, r.discount_bp FROM price_rules r LEFT JOIN up ON up.id ="
        " r.category_id WHERE r.active = TRUE AND (r.product_id = ? OR (r.product_id IS NULL AND"
        " (r.category_id IS NULL OR up.id IS NOT NULL))) AND (r.tier_id IS NULL OR r.tier_id = ?)"
        " AND r.min_qty_milli <= ? AND (r.valid_from IS NULL OR r.valid_from <= ?) AND"
        " (r.valid_to IS NULL OR r.valid_to >= ?)"
        " ORDER BY CASE WHEN r.product_id IS NOT NULL THEN 0 WHEN r.category_id IS NOT NULL"
        " THEN up.depth ELSE 1000 END, CASE WHEN r.tier_id IS NULL THEN 1 ELSE 0 END,"
        " r.min_qty_milli DESC, r.id DESC LIMIT 1",
        DBP(DBI(category), DBI(product_id), DBI(out->tier_id), DBI(qty_milli), DBS(date),
            DBS(date)));
    if (rc < 0) return rc;
    if (rc > 0) {
        out->rule_id = db_get_int(&rule, 0, "id");
        out->rule_name = db_get_text(&rule, 0, "name");
        out->discount_bp = db_get_int(&rule, 0, "discount_bp");
    }
    int64_t off = 0;
    if (money_percent(out->list_price, out->discount_bp, &off) < 0) return PRICING_OVERFLOW;
    out->unit_price = out->list_price - off;
    if (money_line_total(out->unit_price, qty_milli, &out->line_total) < 0)
        return PRICING_OVERFLOW;
    return PRICING_OK;
}

int64_t pricing_role_limit(db_conn *c, const char *role)
{
    int64_t v = 0;
    db_scalar_int(c, &v, 0, "SELECT max_bp FROM discount_limits WHERE role = ?", DBP(DBS(role)));
    return v;
}

/* GET /prices?product_id=&qty_milli=&customer_id=&date= — the quantity in
 * thousandths of the unit; the customer must be one the user may see. */
static int h_prices_get(req *r)
{
    json_t *errs = json_array();
    const char *ps = req_query(r, "product_id"), *cs = req_query(r, "customer_id"),
               *qs = req_query(r, "qty_milli"), *date = req_query(r, "date");
    int64_t pid = 0, cid = 0, qty = -1;
    if (!ps || !tf_parse_i64(ps, &pid) || pid < 1)
        json_array_append_new(errs, field_error("product_id", "required", "must be a product id"));
    if (cs && *cs && (!tf_parse_i64(cs, &cid) || cid < 1))
        json_array_append_new(errs, field_error("customer_id", "invalid", "must be an id"));
    if (!qs || !tf_parse_i64(qs, &qty) || qty <= 0 || qty > PRODUCT_QTY_MAX)
        json_array_append_new(errs, field_error("qty_milli", "out_of_range",
                                                "must be a quantity above 0 (thousandths of the"
                                                " unit), at most a million tonnes"));
    if (date && !products_date_ok(date))
        json_array_append_new(errs, field_error("date", "invalid", "must be a date 2026-12-31"));
    if (cid && policy_customer_access(r->db, &r->me, cid) == ACCESS_NONE)
        json_array_append_new(
            errs, field_error("customer_id", "not_found", "no such customer that you may see"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    if (!date) date = products_today(r->db, &r->a);
    price_quote pq;
    int rc = pricing_quote(r->db, &r->a, cid, pid, qty, date, &pq);
    if (rc < 0) return reply_db_error(r, rc);
    if (rc == PRICING_NO_PRODUCT)
        return reply_invalid(r, json_pack("[o]", field_error("product_id", "not_found",
                                                             "no such product")));
    if (rc == PRICING_RETIRED)
        return reply_invalid(r, json_pack("[o]", field_error("product_id", "retired",
                                                             "the product is retired and cannot"
                                                             " be priced")));
    if (rc == PRICING_NO_CUSTOMER)
        return reply_invalid(r, json_pack("[o]", field_error("customer_id", "not_found",
                                                             "no such customer")));
    if (rc != PRICING_OK)
        return reply_invalid(r, json_pack("[o]", field_error("qty", "out_of_range",
                                                             "the total does not fit")));
    json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "product_id",
                          (json_int_t)pid, "customer_id", (json_int_t)cid, "qty_milli",
                          (json_int_t)qty, "date", date, "list_price", (json_int_t)pq.list_price,
                          "discount_bp", (json_int_t)pq.discount_bp, "unit_price",
                          (json_int_t)pq.unit_price, "line_total", (json_int_t)pq.line_total,
                          "tax_bp", (json_int_t)pq.tax_bp);
    if (!cid) json_object_set_new(o, "customer_id", json_null());
    json_object_set_new(o, "rule",
                        pq.rule_id ? json_pack("{s:I, s:s}", "id", (json_int_t)pq.rule_id, "name",
                                               pq.rule_name ? pq.rule_name : "")
                                   : json_null());
    json_object_set_new(o, "tier",
                        pq.tier_id ? json_pack("{s:I, s:s}", "id", (json_int_t)pq.tier_id, "name",
                                               pq.tier_name ? pq.tier_name : "")
                                   : json_null());
    return reply_json(r, 200, o);
}

/* Discount limits ---------------------------------------------------------------- */

static json_t *limits_json(db_conn *c, arena *a, const principal *me)
{
    json_t *o = json_object();
    db_res res;
    if (db_query(c, a, &res, "SELECT role, max_bp FROM discount_limits ORDER BY role", DBP0) > 0)
        for (int i = 0; i < res.nrows; i++)
            json_object_set_new(o, db_get_text(&res, i, "role"),
                                json_integer(db_get_int(&res, i, "max_bp")));
    return json_pack("{s:o, s:I}", "limits", o, "mine",
                     (json_int_t)pricing_role_limit(c, role_name(me->role)));
}

static int h_limits_get(req *r)
{
    return reply_json(r, 200, limits_json(r->db, &r->a, &r->me));
}

/* PUT /discount-limits {"limits": {"salesperson": 500, ...}} — roles not
 * named keep their limit. */
static int h_limits_put(req *r)
{
    static const field spec[] = {{"limits", F_OBJ, F_REQ, 0, 0}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *lim = json_object_get(r->in, "limits"), *v, *errs = json_array();
    const char *k;
    json_object_foreach(lim, k, v)
    {
        tf_role role;
        const char *f = arena_printf(&r->a, "limits.%s", k);
        if (!role_parse(k, &role))
            json_array_append_new(errs, field_error(f, "invalid", "is not a role"));
        else if (!json_is_integer(v) || json_integer_value(v) < 0 ||
                 json_integer_value(v) > 10000)
            json_array_append_new(errs, field_error(f, "out_of_range",
                                                    "must be basis points from 0 to 10000"));
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = limits_json(r->db, &r->a, &r->me);
    json_object_foreach(lim, k, v)
    {
        if (rc >= 0)
            rc = db_exec(r->db, "UPDATE discount_limits SET max_bp = ? WHERE role = ?",
                         DBP(DBI(json_integer_value(v)), DBS(k)));
    }
    json_t *after = limits_json(r->db, &r->a, &r->me);
    if (rc >= 0)
        rc = audit_record(r->db, r->me.id, "discount_limits", 0, "update",
                          json_object_get(before, "limits"), json_object_get(after, "limits"));
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

const route pricing_routes[] = {
    {"GET", "/api/v1/prices", h_prices_get, "products.read", 0,
     QUERY("product_id!=id qty_milli!=int customer_id=id date=date")
     "The price of a quantity of a product for a customer on a date (today by default): list"
     " price, discount in basis points, unit price, line total and the rule that gave it",
     NULL},
    {"GET", "/api/v1/discount-limits", h_limits_get, PERM_SIGNED_IN, 0,
     "The largest discount (basis points) each role may give by hand, and yours", NULL},
    {"PUT", "/api/v1/discount-limits", h_limits_put, "pricing.manage", 0,
     "Set the largest discount roles may give by hand",
     "{\"type\":\"object\",\"required\":[\"limits\"],\"properties\":{\"limits\":{\"type\":"
     "\"object\",\"additionalProperties\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":"
     "10000}}}}"},
    ROUTES_END,
};
