/* project_products.c — a project's products of interest, checked before a
 * project is written. A line is either a catalogue line ({product_id,
 * quantity_milli, package, note}: its code, name, spec, unit and list price
 * are the catalogue's, copied in when the line is written, so the project
 * shows what was chosen even after the catalogue changes) or a text line
 * ({name, spec, quantity_milli, unit, package, note}: every line before the
 * catalogue, and what a product not in it still is). */
#include "projects/projects.h"
#include "http/http.h"
#include <string.h>

static const field text_line[] = {{"name", F_STR, F_REQ, 200, 1},
                                  {"spec", F_STR, F_NULL, 200, 0},
                                  {"quantity_milli", F_INT, F_NULL, 1000000000000000LL, 0},
                                  {"unit", F_STR, F_NULL, 10, 0},
                                  {"package", F_STR, F_NULL, 60, 0},
                                  {"note", F_STR, F_NULL, 200, 0},
                                  FIELDS_END};

/* The catalogue's fields may come back as the project reply showed them;
 * they are replaced by the catalogue's own. */
static const field product_line[] = {
    {"product_id", F_INT, F_REQ, 0, 1},  {"quantity_milli", F_INT, F_NULL, 1000000000000000LL, 0},
    {"package", F_STR, F_NULL, 60, 0},   {"note", F_STR, F_NULL, 200, 0},
    {"code", F_STR, F_NULL, 200, 0},     {"name", F_STR, F_NULL, 200, 0},
    {"spec", F_STR, F_NULL, 200, 0},     {"unit", F_STR, F_NULL, 10, 0},
    {"list_price", F_INT, F_NULL, 0, 0}, FIELDS_END};

/* True if the project's lines before this change had product id. */
static bool had_product(json_t *current, json_int_t id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(current, "products"), i,
                       it) if (json_integer_value(json_object_get(it, "product_id")) ==
                               id) return true;
    return false;
}

void project_products_check(db_conn *c, arena *a, json_t *products, json_t *current, json_t *errs)
{
    size_t i;
    json_t *it;
    json_array_foreach(products, i, it)
    {
        const char *prefix = arena_printf(a, "products[%zu].", i);
        if (!json_is_object(it)) {
            json_array_append_new(errs, field_error(arena_printf(a, "products[%zu]", i),
                                                    "wrong_type", "must be an object"));
            continue;
        }
        json_t *pid = json_object_get(it, "product_id");
        if (!pid || json_is_null(pid)) {
            json_object_del(it, "product_id");
            input_check_obj(it, text_line, prefix, errs);
            continue;
        }
        size_t before = json_array_size(errs);
        input_check_obj(it, product_line, prefix, errs);
        if (json_array_size(errs) > before) continue;
        json_int_t id = json_integer_value(pid);
        db_res r;
        const char *f = arena_printf(a, "%sproduct_id", prefix);
        if (db_query(c, a, &r,
                     "SELECT code, name, spec, unit, list_price, active FROM products WHERE id = ?",
                     DBP(DBI(id))) <= 0) {
            json_array_append_new(errs, field_error(f, "not_found", "no such product"));
            continue;
        }
        if (db_get_int(&r, 0, "active") == 0 && !had_product(current, id)) {
            json_array_append_new(errs, field_error(f, "retired",
                                                    "the product is retired and cannot be"
                                                    " chosen"));
            continue;
        }
        static const char *const copied[] = {"code", "name", "spec", "unit", NULL};
        for (int k = 0; copied[k]; k++) {
            const char *v = db_get_text(&r, 0, copied[k]);
            if (v && *v)
                json_object_set_new(it, copied[k], json_string(v));
            else
                json_object_del(it, copied[k]);
        }
        json_object_set_new(it, "list_price", json_integer(db_get_int(&r, 0, "list_price")));
    }
}
