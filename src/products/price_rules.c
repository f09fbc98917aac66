/* price_rules.c — customer tiers (/api/v1/customer-tiers: the company's
 * own, e.g. new, old and excellent customers; retired, never deleted), a
 * customer's tier (PUT /api/v1/customers/{id}/tier, checked through the
 * policy module like other customer writes), and the price rules
 * (/api/v1/price-rules): a discount for a tier or everyone, on a product,
 * a category or every product, from a quantity, valid between two company
 * dates. pricing.c chooses among them. */
#include "products/products.h"
#include "core/audit.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

/* Tiers ------------------------------------------------------------------------- */

#define TIER_COLS "SELECT id, name, name_en, sort, retired, version, created_at FROM customer_tiers"

static json_t *tier_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, TIER_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_tiers_list(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res, TIER_COLS " ORDER BY sort, id LIMIT 1000", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_tiers_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 60, 1},
                                 {"name_en", F_STR, F_NULL, 60, 0},
                                 {"sort", F_INT, 0, 100000, 0},
                                 FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO customer_tiers(name, name_en, sort, created_at) VALUES"
                      " (?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "name")), DBS(in_str(r, "name_en")),
                          DBI(in_int(r, "sort", 0)), DBS(now)));
    return audit_finish_create(r, rc, &res, "customer_tier", tier_json);
}

static int h_tiers_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},   {"name", F_STR, 0, 60, 1},
                                 {"name_en", F_STR, F_NULL, 60, 0}, {"sort", F_INT, 0, 100000, 0},
                                 {"retired", F_BOOL, 0, 0, 0},      FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = tier_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db,
                 "UPDATE customer_tiers SET name = COALESCE(?, name),"
                 " name_en = CASE WHEN ? = 1 THEN ? ELSE name_en END, sort = COALESCE(?, sort),"
                 " retired = COALESCE(?, retired), version = version + 1"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBI(in_has(r, "name_en")), DBS(in_str(r, "name_en")),
                     in_has(r, "sort") ? DBI(in_int(r, "sort", 0)) : DBNULL,
                     in_has(r, "retired") ? DBB(in_bool(r, "retired", false)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "customer_tier", id, before, tier_json);
}

/* A customer's tier --------------------------------------------------------------- */

static json_t *customer_tier_load(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT c.id AS customer_id, c.tier_id, t.name AS tier_name, t.name_en AS"
                 " tier_name_en FROM customers c LEFT JOIN customer_tiers t ON t.id = c.tier_id"
                 " WHERE c.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

static int h_customer_tier_get(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    json_t *o = customer_tier_load(r->db, &r->a, id);
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

/* PUT /customers/{id}/tier {"tier_id": ID | null} — pricing.manage and write
 * access to the customer. */
static int h_customer_tier_put(req *r)
{
    static const field spec[] = {{"tier_id", F_INT, F_REQ | F_NULL, 0, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *tv = json_object_get(r->in, "tier_id");
    int64_t tier = json_is_integer(tv) ? json_integer_value(tv) : 0;
    if (tier && !products_ref_ok(r->db, "customer_tiers", tier))
        return reply_invalid(r, json_pack("[o]", field_error("tier_id", "not_found",
                                                             "no such active tier")));
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = customer_tier_load(r->db, &r->a, id), *after = NULL;
    rc = db_exec(r->db, "UPDATE customers SET tier_id = ? WHERE id = ?",
                 DBP(tier ? DBI(tier) : DBNULL, DBI(id)));
    if (rc > 0) {
        after = customer_tier_load(r->db, &r->a, id);
        rc = audit_record(r->db, r->me.id, "customer", id, "tier", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return after ? reply_json(r, 200, after) : reply_not_found(r);
}

/* Price rules ---------------------------------------------------------------------- */

#define RULE_COLS                                                                                  \
    "SELECT r.id, r.name, r.tier_id, t.name AS tier_name, r.category_id, c.name AS"                \
    " category_name, r.product_id, p.code AS product_code, p.name AS product_name,"                \
    " r.min_qty_milli, r.discount_bp, r.valid_from, r.valid_to, r.active, r.version,"              \
    " r.created_at, r.updated_at FROM price_rules r"                                               \
    " LEFT JOIN customer_tiers t ON t.id = r.tier_id"                                              \
    " LEFT JOIN product_categories c ON c.id = r.category_id"                                      \
    " LEFT JOIN products p ON p.id = r.product_id"

static json_t *rule_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, RULE_COLS " WHERE r.id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* GET /price-rules?product_id=&tier_id=&active= — newest first. A product
 * filter lists the rules that name it. */
static int h_rules_list(req *r)
{
    int limit;
    int64_t cursor, pid = 0, tid = 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *ps = req_query(r, "product_id"), *ts = req_query(r, "tier_id");
    if ((ps && *ps && (!tf_parse_i64(ps, &pid) || pid < 1)) ||
        (ts && *ts && (!tf_parse_i64(ts, &tid) || tid < 1)))
        return reply_problem(r, 400, "bad_request", "product_id and tier_id must be ids");
    sqlq q;
    sqlq_init(&q, &r->a, RULE_COLS " WHERE 1 = 1");
    if (pid) sqlq_add(&q, " AND r.product_id = ?", DBP(DBI(pid)));
    if (tid) sqlq_add(&q, " AND r.tier_id = ?", DBP(DBI(tid)));
    if (cursor) sqlq_add(&q, " AND r.id < ?", DBP(DBI(cursor)));
    sqlq_add(&q, " ORDER BY r.id DESC LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* The rule as it would be after the change (current: the stored rule, or
 * NULL when creating): references, one target, dates in order. */
static void rule_check(req *r, json_t *current, json_t *errs)
{
    static const char *const refs[][2] = {{"tier_id", "customer_tiers"},
                                          {"category_id", "product_categories"},
                                          {"product_id", "products"}};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(r->in, refs[i][0]);
        if (json_is_integer(v) && !products_ref_ok(r->db, refs[i][1], json_integer_value(v)))
            json_array_append_new(errs, field_error(refs[i][0], "not_found",
                                                    i == 0   ? "no such active tier"
                                                    : i == 1 ? "no such category"
                                                             : "no such product"));
    }
    json_t *pv = json_object_get(r->in, "product_id");
    if (json_is_integer(pv)) {
        int64_t active = 1;
        db_scalar_int(r->db, &active, 1, "SELECT CASE WHEN active THEN 1 ELSE 0 END FROM products"
                                         " WHERE id = ?",
                      DBP(DBI(json_integer_value(pv))));
        if (!active)
            json_array_append_new(errs, field_error("product_id", "retired",
                                                    "the product is retired and cannot be priced"));
    }
#define AFTER(k) (in_has(r, k) ? json_object_get(r->in, k) : json_object_get(current, k))
    if (json_is_integer(AFTER("category_id")) && json_is_integer(AFTER("product_id")))
        json_array_append_new(errs, field_error("product_id", "invalid",
                                                "a rule is for a product or a category, not both"));
    const char *from = json_string_value(AFTER("valid_from"));
    const char *to = json_string_value(AFTER("valid_to"));
#undef AFTER
    if (in_str(r, "valid_from") && !products_date_ok(in_str(r, "valid_from")))
        json_array_append_new(errs, field_error("valid_from", "invalid",
                                                "must be a date 2026-12-31"));
    else if (in_str(r, "valid_to") && !products_date_ok(in_str(r, "valid_to")))
        json_array_append_new(errs,
                              field_error("valid_to", "invalid", "must be a date 2026-12-31"));
    else if (from && to && strcmp(from, to) > 0)
        json_array_append_new(errs, field_error("valid_to", "before_from",
                                                "must not be before valid_from"));
}

static db_val opt_int(req *r, const char *k)
{
    json_t *v = json_object_get(r->in, k);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}

/* clang-format off */
#define RULE_FIELDS                                                                                \
    {"name", F_STR, 0, 100, 1}, {"tier_id", F_INT, F_NULL, 0, 1},                                  \
    {"category_id", F_INT, F_NULL, 0, 1}, {"product_id", F_INT, F_NULL, 0, 1},                     \
    {"min_qty_milli", F_INT, 0, PRODUCT_QTY_MAX, 0}, {"discount_bp", F_INT, 0, 10000, 0},          \
    {"valid_from", F_STR, F_NULL, 10, 0}, {"valid_to", F_STR, F_NULL, 10, 0},                      \
    {"active", F_BOOL, 0, 0, 0}
/* clang-format on */

static int h_rules_create(req *r)
{
    static const field spec[] = {RULE_FIELDS, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    if (!in_str(r, "name"))
        json_array_append_new(errs, field_error("name", "required", "is required"));
    if (!in_has(r, "discount_bp"))
        json_array_append_new(errs, field_error("discount_bp", "required", "is required"));
    rule_check(r, NULL, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO price_rules(name, tier_id, category_id, product_id,"
                      " min_qty_milli, discount_bp, valid_from, valid_to, active, created_by,"
                      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                      " RETURNING id",
                      DBP(DBS(in_str(r, "name")), opt_int(r, "tier_id"), opt_int(r, "category_id"),
                          opt_int(r, "product_id"), DBI(in_int(r, "min_qty_milli", 0)),
                          DBI(in_int(r, "discount_bp", 0)), DBS(in_str(r, "valid_from")),
                          DBS(in_str(r, "valid_to")), DBB(in_bool(r, "active", true)),
                          DBI(r->me.id), DBS(now), DBS(now)));
    return audit_finish_create(r, rc, &res, "price_rule", rule_json);
}

static int h_rules_update(req *r)
{
    static const field spec[] = {RULE_FIELDS, {"version", F_INT, F_REQ, 0, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = rule_json(r, id), *errs = json_array();
    if (!before) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    rule_check(r, before, errs);
    if (json_array_size(errs)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
#define SETS(k) DBI(in_has(r, k))
    rc = db_exec(r->db,
                 "UPDATE price_rules SET name = COALESCE(?, name),"
                 " tier_id = CASE WHEN ? = 1 THEN ? ELSE tier_id END,"
                 " category_id = CASE WHEN ? = 1 THEN ? ELSE category_id END,"
                 " product_id = CASE WHEN ? = 1 THEN ? ELSE product_id END,"
                 " min_qty_milli = COALESCE(?, min_qty_milli),"
                 " discount_bp = COALESCE(?, discount_bp),"
                 " valid_from = CASE WHEN ? = 1 THEN ? ELSE valid_from END,"
                 " valid_to = CASE WHEN ? = 1 THEN ? ELSE valid_to END,"
                 " active = COALESCE(?, active), version = version + 1, updated_at = ?"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), SETS("tier_id"), opt_int(r, "tier_id"),
                     SETS("category_id"), opt_int(r, "category_id"), SETS("product_id"),
                     opt_int(r, "product_id"), opt_int(r, "min_qty_milli"),
                     opt_int(r, "discount_bp"), SETS("valid_from"), DBS(in_str(r, "valid_from")),
                     SETS("valid_to"), DBS(in_str(r, "valid_to")),
                     in_has(r, "active") ? DBB(in_bool(r, "active", true)) : DBNULL, DBS(now),
                     DBI(id), DBI(in_int(r, "version", 0))));
#undef SETS
    return audit_finish_update(r, rc, "price_rule", id, before, rule_json);
}

#define TIER_BODY                                                                                  \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"name_en\":{\"type\":["  \
    "\"string\",\"null\"]},\"sort\":{\"type\":\"integer\"},\"retired\":{\"type\":\"boolean\"},"    \
    "\"version\":{\"type\":\"integer\"}}}"
#define RULE_BODY                                                                                  \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"tier_id\":{\"type\":["  \
    "\"integer\",\"null\"]},\"category_id\":{\"type\":[\"integer\",\"null\"]},\"product_id\":{"    \
    "\"type\":[\"integer\",\"null\"]},\"min_qty_milli\":{\"type\":\"integer\"},\"discount_bp\":{"  \
    "\"type\":\"integer\",\"minimum\":0,\"maximum\":10000},\"valid_from\":{\"type\":[\"string\","  \
    "\"null\"],\"format\":\"date\"},\"valid_to\":{\"type\":[\"string\",\"null\"],\"format\":"      \
    "\"date\"},\"active\":{\"type\":\"boolean\"},\"version\":{\"type\":\"integer\"}}}"
const route price_rules_routes[] = {
    {"GET", "/api/v1/customer-tiers", h_tiers_list, PERM_SIGNED_IN, 0,
     "Customer tiers for price rules (new, old, excellent customers...)", NULL},
    {"POST", "/api/v1/customer-tiers", h_tiers_create, "pricing.manage", 0,
     "Add a customer tier", TIER_BODY},
    {"PATCH", "/api/v1/customer-tiers/{id}", h_tiers_update, "pricing.manage", 0,
     "Rename, sort or retire a customer tier (send version)", TIER_BODY},
    {"GET", "/api/v1/customers/{id}/tier", h_customer_tier_get, PERM_SIGNED_IN, 0,
     "A customer's tier", NULL},
    {"PUT", "/api/v1/customers/{id}/tier", h_customer_tier_put, "pricing.manage", 0,
     "Give a customer a tier (tier_id null: none)",
     "{\"type\":\"object\",\"required\":[\"tier_id\"],\"properties\":{\"tier_id\":{\"type\":["
     "\"integer\",\"null\"]}}}"},
    {"GET", "/api/v1/price-rules", h_rules_list, "products.read", 0,
     QUERY("page product_id=id tier_id=id") "Price rules, newest first", NULL},
    {"POST", "/api/v1/price-rules", h_rules_create, "pricing.manage", 0,
     "Add a price rule: a discount for a tier or everyone, on a product, a category or all"
     " products, from a quantity, between two dates",
     RULE_BODY},
    {"PATCH", "/api/v1/price-rules/{id}", h_rules_update, "pricing.manage", 0,
     "Change a price rule (send version)", RULE_BODY},
    ROUTES_END,
};
