/* product_files.c — the catalogue in and out of spreadsheets: products as a
 * resource of the import kit (its column table, the header names a column
 * is known by, and what a row does: text cells to a product, checked as
 * POST /products checks one, then created), and the export of the product
 * list as CSV or XLSX, with the same headers, so that an exported file
 * imports back. */
#include "products/products.h"
#include "imports/import_jobs.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "core/money.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "export/table.h"
#include "http/download.h"
#include "http/http.h"
#include <string.h>
#include <strings.h>

/* Import ------------------------------------------------------------------- */

static const import_target targets[] = {
    {"code", TG_TEXT, "code", 40, NULL},
    {"name", TG_TEXT, "name", 200, NULL},
    {"category", TG_TEXT, "category_id", 100, NULL},
    {"conductor", TG_TEXT, "conductor", 20, NULL},
    {"insulation", TG_TEXT, "insulation", 20, NULL},
    {"thickness_mm", TG_TEXT, "thickness_um", 20, NULL},
    {"width_mm", TG_TEXT, "width_um", 20, NULL},
    {"unit", TG_TEXT, "unit", 10, NULL},
    {"packages", TG_TEXT, "packages", 200, NULL},
    {"list_price", TG_TEXT, "list_price", 30, NULL},
    {"standard_cost", TG_TEXT, "standard_cost", 30, NULL},
    {"tax_rate", TG_TEXT, "tax_bp", 20, NULL},
    {"active", TG_TEXT, "active", 10, NULL},
};
enum { NTARGETS = sizeof(targets) / sizeof(targets[0]) };

/* The export's headers (English, Chinese) come first among the names. */
static const char *const head_en[NTARGETS] = {
    "Code",           "Name",       "Category", "Conductor", "Insulation",
    "Thickness (mm)", "Width (mm)", "Unit",     "Packaging", "List price",
    "Standard cost",  "Tax rate",   "Active"};
static const char *const head_cn[NTARGETS] = {"编码",     "名称",     "类别", "导体", "绝缘",
                                              "厚度(mm)", "宽度(mm)", "单位", "包装", "标准售价",
                                              "标准成本", "税率",     "在用"};

static const import_known known[] = {
    {"code", "code|product code|sku|item code|编码|产品编码|物料编码"},
    {"name", "name|product|product name|名称|产品名称|品名"},
    {"category", "category|product category|类别|产品类别|分类"},
    {"conductor", "conductor|导体"},
    {"insulation", "insulation|绝缘|绝缘材料"},
    {"thickness_mm", "thickness (mm)|thickness|厚度(mm)|厚度"},
    {"width_mm", "width (mm)|width|宽度(mm)|宽度"},
    {"unit", "unit|unit of sale|单位|销售单位"},
    {"packages", "packaging|packages|package|包装|包装规格"},
    {"list_price", "list price|price|标准售价|售价|价格|目录价"},
    {"standard_cost", "standard cost|cost|标准成本|成本"},
    {"tax_rate", "tax rate|tax|税率"},
    {"active", "active|在用|启用"},
};

static const char *const required[] = {"code", "name", "unit", "list_price", NULL};

/* "1.5" → 1500 thousandths; at most three decimals; false if not a number
 * of at most 12 digits before the point. */
static bool parse_milli(const char *s, int64_t *out)
{
    int64_t v = 0, frac = 0;
    int digits = 0, decimals = -1;
    for (; *s; s++) {
        if (*s == '.' && decimals < 0) {
            decimals = 0;
        } else if (*s >= '0' && *s <= '9' && decimals < 3 && digits < 12) {
            if (decimals < 0)
                v = v * 10 + (*s - '0'), digits++;
            else
                frac = frac * 10 + (*s - '0'), decimals++;
        } else {
            return false;
        }
    }
    for (int k = decimals < 0 ? 0 : decimals; k < 3; k++)
        frac *= 10;
    *out = v * 1000 + frac;
    return digits > 0;
}

static void row_error(json_t *errs, const char *target, const char *code, const char *msg)
{
    json_array_append_new(errs, field_error(target, code, msg));
}

/* A money cell (list price, standard cost) into in[key] as fen. */
static void money_cell(json_t *in, json_t *f, const char *target, const char *key, json_t *errs)
{
    const char *v = json_string_value(json_object_get(f, target));
    int64_t fen;
    if (!v) return;
    if (money_parse(v, &fen) < 0)
        row_error(errs, target, "invalid", "must be an amount such as 12.50");
    else if (fen < 0)
        row_error(errs, target, "out_of_range", "must not be negative");
    else if (fen > PRODUCT_PRICE_MAX)
        row_error(errs, target, "out_of_range", "is too large (at most 100,000,000.00)");
    else
        json_object_set_new(in, key, json_integer(fen));
}

/* "30 / 50 / 150" (sizes in the unit of sale, each may name itself: "30 kg
 * spool") into packages [{name, size_milli}]. */
static void packages_cell(arena *a, json_t *in, const char *v, json_t *errs)
{
    json_t *pk = json_array();
    char *s = arena_strdup(a, v), *save = NULL;
    for (char *t = strtok_r(s, "/,;", &save); t; t = strtok_r(NULL, "/,;", &save)) {
        while (*t == ' ')
            t++;
        size_t n = strcspn(t, " ");
        int64_t size;
        char *num = arena_strndup(a, t, n);
        char *name = arena_strdup(a, t);
        for (size_t k = strlen(name); k && name[k - 1] == ' '; k--)
            name[k - 1] = 0;
        if (!*name) continue;
        if (!parse_milli(num, &size) || size <= 0) {
            row_error(errs, "packages", "invalid", "list the sizes such as 30 / 50 / 150");
            break;
        }
        json_array_append_new(
            pk, json_pack("{s:s, s:I}", "name", name, "size_milli", (json_int_t)size));
    }
    json_object_set_new(in, "packages", pk);
}

/* The field of a check's error as the target (column) it came from. */
static const char *target_of(const char *fld)
{
    for (int i = 0; fld && i < NTARGETS; i++)
        if (strncmp(fld, targets[i].field, strlen(targets[i].field)) == 0) return targets[i].name;
    return fld;
}

static int product_row(db_conn *c, arena *a, const principal *me, int64_t job_id, bool dry,
                       json_t *f, json_t *errs)
{
    json_t *in = json_object(), *ce = json_array();
    const char *v;
    static const char *const text[] = {"code", "name"};
    for (int k = 0; k < 2; k++)
        if ((v = json_string_value(json_object_get(f, text[k]))))
            json_object_set_new(in, text[k], json_string(v));
    static const char *const words[] = {"conductor", "insulation", "unit"};
    for (int k = 0; k < 3; k++)
        if ((v = json_string_value(json_object_get(f, words[k])))) {
            const char *w = products_word(words[k], v);
            json_object_set_new(in, words[k], json_string(w ? w : v));
        }
    if ((v = json_string_value(json_object_get(f, "category")))) {
        db_res r;
        int n = db_query(c, a, &r,
                         "SELECT id FROM product_categories WHERE name = ? ORDER BY id LIMIT 2",
                         DBP(DBS(v)));
        if (n < 0) goto fail;
        if (n == 0)
            row_error(ce, "category", "not_found", "no such category");
        else if (n > 1)
            row_error(ce, "category", "ambiguous", "several categories have this name");
        else
            json_object_set_new(in, "category_id", json_integer(db_get_int(&r, 0, "id")));
    }
    static const char *const mm[][2] = {{"thickness_mm", "thickness_um"}, {"width_mm", "width_um"}};
    for (int k = 0; k < 2; k++) {
        int64_t um;
        if (!(v = json_string_value(json_object_get(f, mm[k][0])))) continue;
        if (parse_milli(v, &um))
            json_object_set_new(in, mm[k][1], json_integer(um));
        else
            row_error(ce, mm[k][0], "invalid", "must be a number of mm such as 1.50");
    }
    money_cell(in, f, "list_price", "list_price", ce);
    money_cell(in, f, "standard_cost", "standard_cost", ce);
    if ((v = json_string_value(json_object_get(f, "tax_rate")))) {
        /* "13%", "13" or, as a spreadsheet stores a percentage cell, 0.13:
         * a rate without % below 1 is a fraction (no tax rate is between 0
         * and 1 %) */
        size_t n = strlen(v);
        int64_t bp, frac;
        bool pct = n && v[n - 1] == '%';
        const char *num = pct ? arena_strndup(a, v, n - 1) : v;
        if (!pct && parse_milli(num, &frac) && frac < 1000 && strlen(num) <= 8)
            bp = frac * 10, n = 0;
        if (n && money_parse(num, &bp) < 0) bp = -1;
        if (bp < 0 || bp > 10000)
            row_error(ce, "tax_rate", "invalid", "must be a rate from 0 to 100%");
        else
            json_object_set_new(in, "tax_bp", json_integer(bp));
    }
    if ((v = json_string_value(json_object_get(f, "packages")))) packages_cell(a, in, v, ce);
    if ((v = json_string_value(json_object_get(f, "active")))) {
        static const char *const yes[] = {"yes", "true", "1", "是", "在用", "启用", NULL};
        static const char *const no[] = {"no", "false", "0", "否", "停用", NULL};
        int is = -1;
        for (int k = 0; yes[k] && is < 0; k++)
            if (strcasecmp(v, yes[k]) == 0) is = 1;
        for (int k = 0; no[k] && is < 0; k++)
            if (strcasecmp(v, no[k]) == 0) is = 0;
        if (is < 0)
            row_error(ce, "active", "invalid", "must be yes or no");
        else
            json_object_set_new(in, "active", json_boolean(is));
    }
    if (!json_array_size(ce)) products_check_new(c, a, in, ce);
    size_t i;
    json_t *e;
    json_array_foreach(ce, i, e) /* the columns' names, as the report shows them */
        json_object_set_new(e, "field",
                            json_string(target_of(json_string_value(json_object_get(e, "field")))));
    json_array_extend(errs, ce);
    int rc = 0;
    if (!dry && !json_array_size(ce)) {
        db_res res;
        rc = products_insert(c, a, in, me->id, &res);
        if (rc > 0) {
            int64_t id = db_get_int(&res, 0, "id");
            json_t *after = product_load(c, a, id, true);
            json_object_set_new(after, "import_id", json_integer(job_id));
            rc = audit_record(c, me->id, "product", id, "create", NULL, after);
            json_decref(after);
        } else if (rc == 0) {
            rc = DB_ERR;
        }
    }
    json_decref(in);
    json_decref(ce);
    return rc < 0 ? rc : 0;
fail:
    json_decref(in);
    json_decref(ce);
    return DB_ERR;
}

static const import_resource product_import = {
    .entity = "product",
    .perm = "products.manage",
    .targets = targets,
    .ntargets = NTARGETS,
    .known = known,
    .nknown = sizeof(known) / sizeof(known[0]),
    .required = required,
    .unique = "code",
    .row = product_row,
};

void products_register(void)
{
    import_resource_add(&product_import);
}

/* Export ------------------------------------------------------------------- */

/* 1500 → "1.5" (thousandths, trailing zeros dropped), in a. */
static const char *milli_text(arena *a, int64_t v)
{
    char *s = arena_printf(a, "%lld.%03lld", (long long)(v / 1000), (long long)(v % 1000));
    size_t n = strlen(s);
    while (s[n - 1] == '0')
        s[--n] = 0;
    if (s[n - 1] == '.') s[--n] = 0;
    return s;
}

static const char *money_text(arena *a, int64_t fen)
{
    char buf[40];
    money_format(buf, sizeof buf, fen);
    return arena_strdup(a, buf);
}

/* One product row of the export (cells[NTARGETS]); cost: the standard cost
 * is shown. */
static void export_cells(arena *a, const db_res *res, int i, tf_lang lang, bool cost,
                         const char **cells)
{
    cells[0] = db_get_text(res, i, "code");
    cells[1] = db_get_text(res, i, "name");
    cells[2] = db_get_text(res, i, "category_name");
    cells[3] = db_get_text(res, i, "conductor");
    cells[4] = db_get_text(res, i, "insulation");
    static const char *const um[] = {"thickness_um", "width_um"};
    for (int k = 0; k < 2; k++)
        cells[5 + k] =
            db_cell(res, i, um[k])->t == DBV_NULL ? NULL : milli_text(a, db_get_int(res, i, um[k]));
    cells[7] = db_get_text(res, i, "unit");
    json_t *pk = json_loads(db_get_text(res, i, "packages_json"), 0, NULL), *it;
    size_t k;
    const char *p = "";
    json_array_foreach(pk, k, it)
    {
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *size = milli_text(a, json_integer_value(json_object_get(it, "size_milli")));
        /* a name that does not start with its size gets it in front */
        const char *one = name && strncmp(name, size, strlen(size)) == 0
                              ? name
                              : arena_printf(a, "%s %s", size, name ? name : "");
        p = arena_printf(a, "%s%s%s", p, k ? " / " : "", one);
    }
    json_decref(pk);
    cells[8] = p;
    cells[9] = money_text(a, db_get_int(res, i, "list_price"));
    cells[10] = cost ? money_text(a, db_get_int(res, i, "standard_cost")) : NULL;
    cells[11] = arena_printf(a, "%s%%", money_text(a, db_get_int(res, i, "tax_bp")));
    cells[12] = i18n_label(lang, db_get_int(res, i, "active") ? "yes" : "no");
}

/* GET /products/export?format=csv|xlsx&<the list's filters> — the product
 * list as a file, page by page, with the import's headers; recorded in the
 * audit log. */
static int h_products_export(req *r)
{
    const char *fs = req_query(r, "format");
    xt_format fmt = fs && strcmp(fs, "xlsx") == 0 ? XT_XLSX : XT_CSV;
    if (fs && *fs && strcmp(fs, "csv") && strcmp(fs, "xlsx"))
        return reply_problem(r, 400, "bad_request", "format must be csv or xlsx");
    tf_lang lang = i18n_req_lang(r);
    bool cost = policy_allows(&r->me, "products.cost");
    const char *cells[NTARGETS];
    int ncols = 0;
    for (int k = 0; k < NTARGETS; k++) /* without the cost column for those who do not see it */
        if (k != 10 || cost) cells[ncols++] = lang == LANG_ZH ? head_cn[k] : head_en[k];
    xt_writer *w;
    if (xt_open(&w, fmt, lang == LANG_ZH ? "产品" : "Products") < 0)
        return reply_problem(r, 503, "unavailable", "no room to build the file; try again later");
    xt_row(w, cells, ncols);
    const char *last = "";
    int rc;
    int64_t rows = 0;
    do {
        sqlq sq;
        if (products_query(r, &sq) < 0) {
            xt_abort(w);
            return 0;
        }
        sqlq_add(&sq, " AND p.code > ? ORDER BY p.code LIMIT 1000", DBP(DBS(last)));
        db_res res;
        rc = sqlq_run(r->db, &sq, &res);
        for (int i = 0; i < rc; i++) {
            const char *all[NTARGETS];
            export_cells(&r->a, &res, i, lang, cost, all);
            for (int k = 0, n = 0; k < NTARGETS; k++)
                if (k != 10 || cost) cells[n++] = all[k];
            if (xt_row(w, cells, ncols) < 0) rc = -100;
            last = db_get_text(&res, i, "code");
            rows++;
        }
    } while (rc == 1000);
    if (rc < 0) {
        xt_abort(w);
        return rc == -100 ? reply_problem(r, 503, "unavailable",
                                          "no room to build the file; try again later")
                          : reply_db_error(r, rc);
    }
    json_t *after = json_pack("{s:s, s:I}", "format", xt_extension(fmt), "rows", (json_int_t)rows);
    return reply_export(r, w, fmt, "products", after, "products");
}

const route product_files_routes[] = {
    {"GET", "/api/v1/products/export", h_products_export, "products.read", 0,
     QUERY("format=csv|xlsx q category_id=id active=bool") "The product list as CSV or XLSX "
                                                           "(format=csv|xlsx and the list's "
                                                           "filters), with the"
                                                           " headers the import knows",
     NULL},
    ROUTES_END,
};
