/* catalogue.c — the product catalogue: the category tree
 * (/api/v1/product-categories) and the products (/api/v1/products): list
 * with quick search (code, name, specification, Chinese fragments), category
 * (with its subtree) and active filters in keyset pages ordered by code;
 * detail with the stock on hand per warehouse; entry; versioned update; and
 * history. A retired product (active false) stays readable but cannot be
 * newly priced (pricing.c). The catalogue is a few thousand rows at most,
 * so the quick search is a LIKE over the normalised search_text. Stock lives
 * in stock.c, prices in pricing.c and price_rules.c. */
#include "products/products.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <stdlib.h>
#include <string.h>

/* Shared helpers ---------------------------------------------------------- */

const char *products_today(db_conn *c, arena *a)
{
    time_t t = time(NULL);
    t += i18n_zone_offset(i18n_company_zone(c, a), t);
    char ts[TF_TS_LEN];
    tf_ts(ts, t);
    ts[10] = 0;
    return arena_strdup(a, ts);
}

bool products_date_ok(const char *s)
{
    time_t t;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    if (!tf_ts_parse(s, &t)) return false;
    char back[TF_TS_LEN];
    tf_ts(back, t);
    return strncmp(back, s, 10) == 0;
}

bool products_ref_ok(db_conn *c, const char *table, int64_t id)
{
    static const struct {
        const char *table, *sql;
    } refs[] = {
        {"product_categories", "SELECT COUNT(*) FROM product_categories WHERE id = ?"},
        {"products", "SELECT COUNT(*) FROM products WHERE id = ?"},
        {"warehouses", "SELECT COUNT(*) FROM warehouses WHERE id = ? AND active = TRUE"},
        {"customer_tiers", "SELECT COUNT(*) FROM customer_tiers WHERE id = ? AND retired = FALSE"},
    };
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++)
        if (strcmp(refs[i].table, table) == 0) {
            int64_t n = 0;
            db_scalar_int(c, &n, 0, refs[i].sql, DBP(DBI(id)));
            return n > 0;
        }
    return false;
}

/* Categories ---------------------------------------------------------------- */

#define CAT_COLS                                                                                   \
    "SELECT id, name, parent_id, sort, version, created_at FROM product_categories"

static json_t *category_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, CAT_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_categories_list(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res, CAT_COLS " ORDER BY sort, name, id LIMIT 5000", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

/* True if making `parent` the parent of `id` would put id beneath itself. */
static bool category_cycle(db_conn *c, int64_t id, int64_t parent)
{
    int64_t n = 0;
    db_scalar_int(c, &n, 0,
                  "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM"
                  " product_categories WHERE id = ? UNION ALL SELECT p.id, p.parent_id FROM"
                  " product_categories p JOIN up ON p.id = up.parent_id)"
                  " SELECT COUNT(*) FROM up WHERE id = ?",
                  DBP(DBI(parent), DBI(id)));
    return n > 0;
}

static const field category_spec[] = {{"name", F_STR, F_REQ, 100, 1},
                                      {"parent_id", F_INT, F_NULL, 0, 1},
                                      {"sort", F_INT, 0, 100000, 0},
                                      FIELDS_END};

static int h_categories_create(req *r)
{
    if (input_check(r, category_spec) < 0) return 0;
    json_t *parent = json_object_get(r->in, "parent_id");
    if (json_is_integer(parent) &&
        !products_ref_ok(r->db, "product_categories", json_integer_value(parent)))
        return reply_invalid(r, json_pack("[o]", field_error("parent_id", "not_found",
                                                             "no such category")));
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO product_categories(name, parent_id, sort, created_at)"
                      " VALUES (?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "name")),
                          json_is_integer(parent) ? DBI(json_integer_value(parent)) : DBNULL,
                          DBI(in_int(r, "sort", 0)), DBS(now)));
    return audit_finish_create(r, rc, &res, "product_category", category_json);
}

static int h_categories_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"parent_id", F_INT, F_NULL, 0, 1},
                                 {"sort", F_INT, 0, 100000, 0},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *parent = json_object_get(r->in, "parent_id");
    if (json_is_integer(parent)) {
        int64_t p = json_integer_value(parent);
        const char *msg = !products_ref_ok(r->db, "product_categories", p) ? "no such category"
                          : category_cycle(r->db, id, p) ? "would put the category beneath itself"
                                                         : NULL;
        if (msg)
            return reply_invalid(r, json_pack("[o]", field_error("parent_id", "invalid", msg)));
    }
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = category_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db,
                 "UPDATE product_categories SET name = COALESCE(?, name),"
                 " parent_id = CASE WHEN ? = 1 THEN ? ELSE parent_id END,"
                 " sort = COALESCE(?, sort), version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBI(in_has(r, "parent_id")),
                     json_is_integer(parent) ? DBI(json_integer_value(parent)) : DBNULL,
                     in_has(r, "sort") ? DBI(in_int(r, "sort", 0)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "product_category", id, before, category_json);
}

/* Products ------------------------------------------------------------------ */

static const char *const conductors[] = {"copper", "aluminium", NULL};
static const char *const conductors_zh[] = {"铜", "铝", NULL};
static const char *const insulations[] = {"polyimide_film", "polyester_film", "glass_fibre",
                                          "enamel", NULL};
static const char *const insulations_zh[] = {"聚酰亚胺薄膜", "聚酯薄膜", "玻璃丝", "漆包", NULL};
static const char *const units[] = {"kg", "spool", "m", NULL};

static int word_index(const char *const *words, const char *s)
{
    for (int i = 0; s && words[i]; i++)
        if (strcmp(words[i], s) == 0) return i;
    return -1;
}

const char *products_word(const char *what, const char *s)
{
    static const char *const units_zh[] = {"千克", "盘", "米", NULL};
    const char *const *en = strcmp(what, "conductor") == 0    ? conductors
                            : strcmp(what, "insulation") == 0 ? insulations
                                                               : units;
    const char *const *zh = en == conductors    ? conductors_zh
                            : en == insulations ? insulations_zh
                                                : units_zh;
    int i = word_index(en, s);
    if (i < 0) i = word_index(zh, s);
    if (i < 0 && en == units && s && strcmp(s, "公斤") == 0) i = 0;
    return i >= 0 ? en[i] : NULL;
}

/* "2.24×8.00" from micrometres (thousandths of a mm), in a. */
static const char *mm_text(arena *a, int64_t thick, int64_t width)
{
    return arena_printf(a, "%lld.%02lld×%lld.%02lld", (long long)(thick / 1000),
                        (long long)((thick % 1000 + 5) / 10 % 100), (long long)(width / 1000),
                        (long long)((width % 1000 + 5) / 10 % 100));
}

/* The cost is shown to those who price and count goods, not to salespeople. */
static bool sees_cost(const principal *u)
{
    return policy_allows(u, "products.cost");
}

#define PRODUCT_COLS                                                                               \
    "p.id, p.code, p.name, p.category_id, pc.name AS category_name, p.conductor, p.insulation,"    \
    " p.thickness_um, p.width_um, p.spec, p.unit, p.packages_json, p.list_price, p.tax_bp,"        \
    " p.active, p.version, p.created_at, p.updated_at"
#define PRODUCT_FROM " FROM products p LEFT JOIN product_categories pc ON pc.id = p.category_id"

json_t *product_load(db_conn *c, arena *a, int64_t id, bool cost)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT " PRODUCT_COLS ", p.standard_cost, p.created_by" PRODUCT_FROM
                 " WHERE p.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    json_t *o = db_row_json(&res, 0);
    if (!cost) json_object_del(o, "standard_cost");
    return o;
}

static json_t *product_json(req *r, int64_t id)
{
    return product_load(r->db, &r->a, id, true);
}

int products_query(req *r, sqlq *sq)
{
    const char *q = req_query(r, "q"), *cat = req_query(r, "category_id"),
               *act = req_query(r, "active");
    int64_t cid = 0;
    if (cat && *cat && (!tf_parse_i64(cat, &cid) || cid < 1))
        return reply_problem(r, 400, "bad_request", "category_id must be an id"), -1;
    if (act && *act && strcmp(act, "true") && strcmp(act, "false"))
        return reply_problem(r, 400, "bad_request", "active must be true or false"), -1;
    sqlq_init(sq, &r->a,
              sees_cost(&r->me) ? "SELECT " PRODUCT_COLS ", p.standard_cost" PRODUCT_FROM
                                  " WHERE 1 = 1"
                                : "SELECT " PRODUCT_COLS PRODUCT_FROM " WHERE 1 = 1");
    if (q && *q) {
        const char *norm = ts_normalize(&r->a, q);
        if (norm && *norm)
            sqlq_add(sq, " AND p.search_text LIKE ? ESCAPE '\\'",
                     DBP(DBS(tf_like_contains(&r->a, norm))));
    }
    if (cid)
        sqlq_add(sq,
                 " AND p.category_id IN (WITH RECURSIVE sub(id) AS (SELECT CAST(? AS BIGINT)"
                 " UNION ALL SELECT c.id FROM product_categories c JOIN sub ON c.parent_id ="
                 " sub.id) SELECT id FROM sub)",
                 DBP(DBI(cid)));
    if (act && *act) sqlq_add(sq, " AND p.active = ?", DBP(DBB(strcmp(act, "true") == 0)));
    return 0;
}

/* GET /products?q=&category_id=&active= — ordered by code; the cursor is
 * the last row's id (its code is read back: codes are unique). */
static int h_products_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq sq;
    if (products_query(r, &sq) < 0) return 0;
    if (cursor)
        sqlq_add(&sq, " AND p.code > (SELECT code FROM products WHERE id = ?)",
                 DBP(DBI(cursor)));
    sqlq_add(&sq, " ORDER BY p.code LIMIT ?", DBP(DBI(limit + 1)));
    db_res res;
    int rc = sqlq_run(r->db, &sq, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* The stock on hand of a product in every warehouse that has had a movement
 * of it, and in every active warehouse (0). */
static json_t *product_stock(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT w.id AS warehouse_id, w.code AS warehouse_code, w.name AS warehouse_name,"
                 " w.allow_negative, COALESCE(s.qty_milli, 0) AS qty_milli FROM warehouses w"
                 " LEFT JOIN stock_levels s ON s.warehouse_id = w.id AND s.product_id = ?"
                 " WHERE w.active = TRUE OR s.qty_milli <> 0 ORDER BY w.code",
                 DBP(DBI(id))) < 0)
        return json_array();
    return db_rows_json(&res);
}

static int h_products_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? product_load(r->db, &r->a, id, sees_cost(&r->me)) : NULL;
    if (!o) return reply_not_found(r);
    json_t *stock = product_stock(r->db, &r->a, id);
    int64_t total = 0;
    size_t i;
    json_t *s;
    json_array_foreach(stock, i, s) total += json_integer_value(json_object_get(s, "qty_milli"));
    json_object_set_new(o, "stock", stock);
    json_object_set_new(o, "stock_total_milli", json_integer(total));
    return reply_json(r, 200, o);
}

static int h_products_history(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || !products_ref_ok(r->db, "products", id)) return reply_not_found(r);
    return audit_reply_history(r, "product", id);
}

static const field package_spec[] = {{"name", F_STR, 0, 60, 0},
                                     {"size_milli", F_INT, F_REQ, PRODUCT_QTY_MAX, 1},
                                     FIELDS_END};

/* Checks what input_check cannot: words, references, packages. */
static void product_check(db_conn *c, arena *a, json_t *in, json_t *current, json_t *errs)
{
#define STR(k) json_string_value(json_object_get(in, k))
    const char *s;
    if ((s = STR("conductor")) && word_index(conductors, s) < 0)
        json_array_append_new(errs, field_error("conductor", "invalid",
                                                "must be copper or aluminium"));
    if ((s = STR("insulation")) && word_index(insulations, s) < 0)
        json_array_append_new(
            errs, field_error("insulation", "invalid",
                              "must be polyimide_film, polyester_film, glass_fibre or enamel"));
    if ((s = STR("unit")) && word_index(units, s) < 0)
        json_array_append_new(errs, field_error("unit", "invalid", "must be kg, spool or m"));
#undef STR
    json_t *cat = json_object_get(in, "category_id");
    if (json_is_integer(cat) &&
        (!current || json_integer_value(json_object_get(current, "category_id")) !=
                         json_integer_value(cat)) &&
        !products_ref_ok(c, "product_categories", json_integer_value(cat)))
        json_array_append_new(errs, field_error("category_id", "not_found", "no such category"));
    json_t *pk = json_object_get(in, "packages"), *it;
    size_t i;
    json_array_foreach(pk, i, it)
    {
        if (!json_is_object(it))
            json_array_append_new(errs, field_error(arena_printf(a, "packages[%zu]", i),
                                                    "wrong_type", "must be an object"));
        else
            input_check_obj(it, package_spec, arena_printf(a, "packages[%zu].", i), errs);
    }
}

/* search_text and spec of the product as it is after the change (the row
 * is read back inside the transaction and written again). */
int products_reindex(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT code, name, conductor, insulation, thickness_um, width_um FROM products"
                 " WHERE id = ?",
                 DBP(DBI(id))) <= 0)
        return DB_ERR;
    const char *cond = db_get_text(&res, 0, "conductor"), *ins = db_get_text(&res, 0, "insulation");
    int64_t t = db_get_int(&res, 0, "thickness_um"), w = db_get_int(&res, 0, "width_um");
    int ci = word_index(conductors, cond), ii = word_index(insulations, ins);
    const char *dims = t > 0 && w > 0 ? mm_text(a, t, w) : "";
    const char *spec = arena_printf(a, "%s%s%s%s%s%s", ci >= 0 ? cond : "",
                                    ci >= 0 && ii >= 0 ? " / " : "", ii >= 0 ? ins : "",
                                    (ci >= 0 || ii >= 0) && *dims ? " / " : "", dims,
                                    *dims ? " mm" : "");
    const char *text = arena_printf(
        a, "%s %s %s %s %s %s", db_get_text(&res, 0, "code"), db_get_text(&res, 0, "name"),
        spec, ci >= 0 ? conductors_zh[ci] : "", ii >= 0 ? insulations_zh[ii] : "",
        *dims ? arena_printf(a, "%lld.%02lldx%lld.%02lld", (long long)(t / 1000),
                             (long long)((t % 1000 + 5) / 10 % 100), (long long)(w / 1000),
                             (long long)((w % 1000 + 5) / 10 % 100))
              : "");
    return db_exec(c, "UPDATE products SET spec = ?, search_text = ? WHERE id = ?",
                   DBP(DBS(spec), DBS(ts_normalize(a, text)), DBI(id)));
}

static const char *dump(arena *a, json_t *v)
{
    if (!v) return NULL;
    char *s = json_dumps(v, JSON_COMPACT);
    const char *out = arena_strdup(a, s);
    free(s);
    return out;
}

static db_val opt_int_of(json_t *in, const char *k)
{
    json_t *v = json_object_get(in, k);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}

/* clang-format off */
#define PRODUCT_FIELDS                                                                             \
    {"name", F_STR, 0, 200, 1}, {"category_id", F_INT, F_NULL, 0, 1},                              \
    {"conductor", F_STR, F_NULL, 20, 0}, {"insulation", F_STR, F_NULL, 20, 0},                     \
    {"thickness_um", F_INT, F_NULL, 100000, 1}, {"width_um", F_INT, F_NULL, 1000000, 1},           \
    {"unit", F_STR, 0, 10, 1}, {"packages", F_ARR, 0, 20, 0},                                      \
    {"list_price", F_INT, 0, PRODUCT_PRICE_MAX, 0},                                                \
    {"standard_cost", F_INT, 0, PRODUCT_PRICE_MAX, 0}, {"tax_bp", F_INT, 0, 10000, 0},             \
    {"active", F_BOOL, 0, 0, 0}
/* clang-format on */

static const field product_new[] = {{"code", F_STR, F_REQ, 40, 1}, PRODUCT_FIELDS, FIELDS_END};

void products_check_new(db_conn *c, arena *a, json_t *in, json_t *errs)
{
    static const char *const required[] = {"name", "unit", "list_price"};
    for (int k = 0; k < 3; k++)
        if (!json_object_get(in, required[k]) || json_is_null(json_object_get(in, required[k])))
            json_array_append_new(errs, field_error(required[k], "required", "is required"));
    product_check(c, a, in, NULL, errs);
    int64_t n = 0;
    const char *code = json_string_value(json_object_get(in, "code"));
    if (code)
        db_scalar_int(c, &n, 0, "SELECT COUNT(*) FROM products WHERE code = ?", DBP(DBS(code)));
    if (n)
        json_array_append_new(errs,
                              field_error("code", "duplicate", "another product has this code"));
}

int products_insert(db_conn *c, arena *a, json_t *in, int64_t user_id, db_res *res)
{
#define IN_S(k) DBS(json_string_value(json_object_get(in, k)))
#define IN_I(k, d)                                                                                 \
    DBI(json_is_integer(json_object_get(in, k)) ? json_integer_value(json_object_get(in, k)) : (d))
    char now[TF_TS_LEN];
    tf_now(now);
    json_t *pk = json_object_get(in, "packages"), *act = json_object_get(in, "active");
    int rc = db_query(
        c, a, res,
        "INSERT INTO products(code, name, category_id, conductor, insulation, thickness_um,"
        " width_um, unit, packages_json, list_price, standard_cost, tax_bp, active,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?) RETURNING id",
        DBP(IN_S("code"), IN_S("name"), opt_int_of(in, "category_id"), IN_S("conductor"),
            IN_S("insulation"), opt_int_of(in, "thickness_um"), opt_int_of(in, "width_um"),
            IN_S("unit"), DBS(pk ? dump(a, pk) : "[]"), IN_I("list_price", 0),
            IN_I("standard_cost", 0), IN_I("tax_bp", 1300), DBB(!json_is_false(act)),
            DBI(user_id), DBS(now), DBS(now)));
#undef IN_S
#undef IN_I
    if (rc > 0) {
        int rc2 = products_reindex(c, a, db_get_int(res, 0, "id"));
        if (rc2 < 0) rc = rc2;
    }
    return rc;
}

static int h_products_create(req *r)
{
    if (input_check(r, product_new) < 0) return 0;
    json_t *errs = json_array();
    products_check_new(r->db, &r->a, r->in, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0) rc = products_insert(r->db, &r->a, r->in, r->me.id, &res);
    return audit_finish_create(r, rc, &res, "product", product_json);
}

static int h_products_update(req *r)
{
    static const field spec[] = {PRODUCT_FIELDS, {"code", F_STR, 0, 40, 1},
                                 {"version", F_INT, F_REQ, 0, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = product_json(r, id), *errs = json_array();
    if (!before) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(errs);
        json_decref(before);
        return reply_conflict_version(r, cur);
    }
    product_check(r->db, &r->a, r->in, before, errs);
    const char *code = in_str(r, "code");
    int64_t n = 0;
    if (code)
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM products WHERE code = ? AND id <> ?",
                      DBP(DBS(code), DBI(id)));
    if (n) json_array_append_new(errs, field_error("code", "duplicate",
                                                   "another product has this code"));
    if (json_array_size(errs)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
#define SETS(k) DBI(in_has(r, k))
    rc = db_exec(
        r->db,
        "UPDATE products SET code = COALESCE(?, code), name = COALESCE(?, name),"
        " category_id = CASE WHEN ? = 1 THEN ? ELSE category_id END,"
        " conductor = CASE WHEN ? = 1 THEN ? ELSE conductor END,"
        " insulation = CASE WHEN ? = 1 THEN ? ELSE insulation END,"
        " thickness_um = CASE WHEN ? = 1 THEN ? ELSE thickness_um END,"
        " width_um = CASE WHEN ? = 1 THEN ? ELSE width_um END, unit = COALESCE(?, unit),"
        " packages_json = COALESCE(?, packages_json), list_price = COALESCE(?, list_price),"
        " standard_cost = COALESCE(?, standard_cost), tax_bp = COALESCE(?, tax_bp),"
        " active = COALESCE(?, active), version = version + 1, updated_at = ?"
        " WHERE id = ? AND version = ?",
        DBP(DBS(code), DBS(in_str(r, "name")), SETS("category_id"),
            opt_int_of(r->in, "category_id"), SETS("conductor"), DBS(in_str(r, "conductor")),
            SETS("insulation"), DBS(in_str(r, "insulation")), SETS("thickness_um"),
            opt_int_of(r->in, "thickness_um"), SETS("width_um"), opt_int_of(r->in, "width_um"),
            DBS(in_str(r, "unit")), DBS(dump(&r->a, json_object_get(r->in, "packages"))),
            opt_int_of(r->in, "list_price"), opt_int_of(r->in, "standard_cost"),
            opt_int_of(r->in, "tax_bp"),
            in_has(r, "active") ? DBB(in_bool(r, "active", true)) : DBNULL, DBS(now), DBI(id),
            DBI(cur)));
#undef SETS
    if (rc > 0) {
        int rc2 = products_reindex(r->db, &r->a, id);
        if (rc2 < 0) rc = rc2;
    }
    if (rc == 0) { /* PostgreSQL: a concurrent change committed after our read */
        int64_t v = 0;
        db_scalar_int(r->db, &v, cur, "SELECT version FROM products WHERE id = ?", DBP(DBI(id)));
        json_object_set_new(before, "version", json_integer(v));
    }
    return audit_finish_update(r, rc, "product", id, before, product_json);
}

#define PRODUCT_PROPS                                                                              \
    "\"name\":{\"type\":\"string\"},\"category_id\":{\"type\":[\"integer\",\"null\"]},"            \
    "\"conductor\":{\"enum\":[\"copper\",\"aluminium\",null]},\"insulation\":{\"enum\":["          \
    "\"polyimide_film\",\"polyester_film\",\"glass_fibre\",\"enamel\",null]},\"thickness_um\":{"   \
    "\"type\":[\"integer\",\"null\"],\"description\":\"thousandths of a mm\"},\"width_um\":{"      \
    "\"type\":[\"integer\",\"null\"]},\"unit\":{\"enum\":[\"kg\",\"spool\",\"m\"]},\"packages\":{" \
    "\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"        \
    "\"string\"},\"size_milli\":{\"type\":\"integer\",\"description\":\"thousandths of the "       \
    "unit\"}}}},\"list_price\":{\"type\":\"integer\",\"description\":\"fen per unit\"},"           \
    "\"standard_cost\":{\"type\":\"integer\"},\"tax_bp\":{\"type\":\"integer\",\"maximum\":"       \
    "10000},\"active\":{\"type\":\"boolean\"},\"code\":{\"type\":\"string\"}"
#define CATEGORY_BODY                                                                              \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"parent_id\":{\"type\":" \
    "[\"integer\",\"null\"]},\"sort\":{\"type\":\"integer\"},\"version\":{\"type\":\"integer\"}}}"
const route catalogue_routes[] = {
    {"GET", "/api/v1/product-categories", h_categories_list, "products.read", 0,
     "The product category tree (parent_id links)", NULL},
    {"POST", "/api/v1/product-categories", h_categories_create, "products.manage", 0,
     "Add a product category", CATEGORY_BODY},
    {"PATCH", "/api/v1/product-categories/{id}", h_categories_update, "products.manage", 0,
     "Rename or move a product category (send version)", CATEGORY_BODY},
    {"GET", "/api/v1/products", h_products_list, "products.read", 0,
     QUERY("page q category_id=id active=bool")
     "The catalogue by code: quick search over code, name and specification, a category with"
     " its subtree, active or retired",
     NULL},
    {"POST", "/api/v1/products", h_products_create, "products.manage", 0,
     "Add a product (prices in fen per unit, tax in basis points)",
     "{\"type\":\"object\",\"required\":[\"code\",\"name\",\"unit\",\"list_price\"],"
     "\"properties\":{" PRODUCT_PROPS "}}"},
    {"GET", "/api/v1/products/{id}", h_products_get, "products.read", 0,
     "A product with its stock on hand per warehouse", NULL},
    {"PATCH", "/api/v1/products/{id}", h_products_update, "products.manage", 0,
     "Update a product (send version); active false retires it",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{" PRODUCT_PROPS
     ",\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/products/{id}/history", h_products_history, "products.read", 0,
     QUERY("page") "Every change to a product", NULL},
    ROUTES_END,
};
