/* customer_export.c — the customer list as CSV or XLSX, with the list's own
 * filters (customer_filter.c) and the policy's visibility, page by page; the
 * headers and values in the reader's language, times in the company's zone. */
#include "customers/customers.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "export/table.h"
#include "http/server.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http/download.h"

/* The reader's language (core/i18n.h: their choice, the request's, their
 * locale): headers and values of the files. */
static bool zh(req *r)
{
    return i18n_req_lang(r) == LANG_ZH;
}

/* Export --------------------------------------------------------------------------
 * The list's filters (customer_filter.c, GET /customers takes the same),
 * parsed once and applied to each page of the export. */

/* keyset paging by the last row's id, as the list does */
static const struct {
    const char *name, *cond, *order;
} sorts[] = {
    {"-id", " AND (? = 0 OR c.id < ?)", " ORDER BY c.id DESC"},
    {"id", " AND (? = 0 OR c.id > ?)", " ORDER BY c.id"},
    {"name",
     " AND (? = 0 OR c.name > (SELECT name FROM customers WHERE id = ?) OR (c.name ="
     " (SELECT name FROM customers WHERE id = ?) AND c.id > ?))",
     " ORDER BY c.name, c.id"},
    {"-updated_at",
     " AND (? = 0 OR c.updated_at < (SELECT updated_at FROM customers WHERE id ="
     " ?) OR (c.updated_at = (SELECT updated_at FROM customers WHERE id = ?) AND"
     " c.id < ?))",
     " ORDER BY c.updated_at DESC, c.id DESC"},
    {"number", " AND (? = 0 OR c.number > (SELECT number FROM customers WHERE id = ?))",
     " ORDER BY c.number"},
};

/* The sort parameter as an index into sorts, or -1 after replying 400. */
static int parse_sort(req *r)
{
    const char *sort = req_query(r, "sort");
    for (int i = 0; i < (int)(sizeof(sorts) / sizeof(sorts[0])); i++)
        if (strcmp(sorts[i].name, sort && *sort ? sort : "-id") == 0) return i;
    reply_problem(r, 400, "bad_request", "sort must be -id, id, name, -updated_at or number");
    return -1;
}

#define EXPORT_SELECT                                                                              \
    "SELECT c.id, c.number, c.name, c.phone, c.telephone, c.address, c.wechat, c.email,"           \
    " dl.name AS level, dl.name_en AS level_en, di.name AS industry, di.name_en AS industry_en,"   \
    " dr.name AS region, dr.name_en AS region_en, ds.name AS source, ds.name_en AS source_en,"     \
    " dq.name AS qualification, dq.name_en AS qualification_en, u.name AS owner_name,"             \
    " c.owner_id, c.protected, c.signed, c.custom_json AS custom, c.created_at FROM customers c"   \
    " LEFT JOIN users u ON u.id = c.owner_id"                                                      \
    " LEFT JOIN dict_items dq ON dq.id = c.qualification_id"                                       \
    " LEFT JOIN dict_items dr ON dr.id = c.region_id"                                              \
    " LEFT JOIN dict_items di ON di.id = c.industry_id"                                            \
    " LEFT JOIN dict_items ds ON ds.id = c.source_id"                                              \
    " LEFT JOIN dict_items dl ON dl.id = c.level_id"                                               \
    " WHERE 1 = 1"

/* One page of what the user may see, after the customer with id cursor. */
static int export_page(req *r, arena *a, const customer_filter *lf, int sort, const char *now,
                       int64_t cursor, db_res *out)
{
    sqlq q;
    sqlq_init(&q, a, EXPORT_SELECT);
    policy_customer_filter(r->db, &r->me, &q, now);
    customer_filter_apply(r, lf, &q);
    int np = 0;
    for (const char *p = sorts[sort].cond; *p; p++)
        np += *p == '?';
    db_val cp[4] = {DBI(cursor), DBI(cursor), DBI(cursor), DBI(cursor)};
    sqlq_add(&q, sorts[sort].cond, np, cp);
    sqlq_add(&q, sorts[sort].order, 0, NULL);
    sqlq_add(&q, " LIMIT 1000", 0, NULL);
    return sqlq_run(r->db, &q, out);
}

/* A custom value as text, in the arena (the JSON is freed before use). */
static const char *custom_text(arena *a, json_t *v, bool cn)
{
    if (json_is_string(v)) return arena_strdup(a, json_string_value(v));
    if (json_is_integer(v)) return arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v)) return json_is_true(v) ? (cn ? "是" : "yes") : (cn ? "否" : "no");
    if (json_is_array(v)) {
        char *s = "";
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            const char *item = json_is_string(x) ? json_string_value(x) : "";
            s = arena_printf(a, "%s%s%s", s, i ? ", " : "", item);
        }
        return s;
    }
    return NULL;
}

/* GET /customers/export?format=csv|xlsx&<the list's filters> — the list the
 * user sees, every page of it, as a file. Built in a temporary file page by
 * page (memory holds 1,000 rows), then sent from disk without holding a
 * database connection; the export is recorded in the audit log. */
static int h_customers_export(req *r)
{
    const char *fs = req_query(r, "format");
    xt_format fmt;
    if (!fs || !*fs || strcmp(fs, "csv") == 0)
        fmt = XT_CSV;
    else if (strcmp(fs, "xlsx") == 0)
        fmt = XT_XLSX;
    else
        return reply_problem(r, 400, "bad_request", "format must be csv or xlsx");
    int sort = parse_sort(r);
    if (sort < 0) return 0;
    customer_filter lf;
    if (customer_filter_from_query(r, &lf) < 0) return 0;
    bool cn = zh(r);
    tf_lang lang = cn ? LANG_ZH : LANG_EN;
    const char *zone = i18n_company_zone(r->db, &r->a); /* dates as the company's local time */
    db_res cf;
    if (db_query(r->db, &r->a, &cf,
                 "SELECT key, label, label_en FROM custom_fields WHERE entity = 'customer' AND"
                 " retired = FALSE ORDER BY sort, id LIMIT 150",
                 DBP0) < 0)
        cf.nrows = 0;
    static const char *const head_en[] = {
        "Number",   "Name",   "Phone",  "Telephone",     "Address", "WeChat",    "Email", "Level",
        "Industry", "Region", "Source", "Qualification", "Owner",   "Protected", "Signed"};
    static const char *const head_cn[] = {"客户编号", "客户名称", "手机",     "电话", "地址",
                                          "微信",     "邮箱",     "价值级别", "行业", "地区",
                                          "来源",     "资质",     "负责人",   "保护", "签约"};
    enum { NFIXED = 15 };
    int ncols = NFIXED + cf.nrows + 1;
    const char **cells = arena_alloc(&r->a, sizeof(char *) * (size_t)ncols);
    for (int i = 0; i < NFIXED; i++)
        cells[i] = cn ? head_cn[i] : head_en[i];
    for (int i = 0; i < cf.nrows; i++) {
        const char *en = db_get_text(&cf, i, "label_en");
        cells[NFIXED + i] = !cn && en && *en ? en : db_get_text(&cf, i, "label");
    }
    cells[ncols - 1] = cn ? "创建时间" : "Created at";
    xt_writer *w;
    if (xt_open(&w, fmt, cn ? "客户" : "Customers") < 0) {
        customer_filter_free(&lf);
        return reply_problem(r, 503, "unavailable", "no room to build the file; try again later");
    }
    xt_row(w, cells, ncols);
    char now[TF_TS_LEN];
    tf_now(now);
    int64_t cursor = 0, rows = 0;
    int rc;
    do {
        arena pa;
        arena_init(&pa);
        db_res res;
        rc = export_page(r, &pa, &lf, sort, now, cursor, &res);
        for (int i = 0; i < rc; i++) {
            static const char *const text[] = {"number",  "name",   "phone", "telephone",
                                               "address", "wechat", "email"};
            static const char *const dicts[] = {"level", "industry", "region", "source",
                                                "qualification"};
            for (int k = 0; k < 7; k++)
                cells[k] = db_get_text(&res, i, text[k]);
            for (int k = 0; k < 5; k++) {
                const char *v = db_get_text(&res, i, dicts[k]);
                const char *e = db_get_text(&res, i, arena_printf(&pa, "%s_en", dicts[k]));
                cells[7 + k] = !cn && e && *e ? e : v;
            }
            bool pool = db_cell(&res, i, "owner_id")->t == DBV_NULL;
            cells[12] = pool ? i18n_label(lang, "pool") : db_get_text(&res, i, "owner_name");
            cells[13] = i18n_label(lang, db_get_int(&res, i, "protected") ? "yes" : "no");
            cells[14] = i18n_label(lang, db_get_int(&res, i, "signed") ? "yes" : "no");
            json_t *custom = json_loads(db_get_text(&res, i, "custom"), 0, NULL);
            for (int k = 0; k < cf.nrows; k++)
                cells[NFIXED + k] =
                    custom_text(&pa, json_object_get(custom, db_get_text(&cf, k, "key")), cn);
            json_decref(custom);
            cells[ncols - 1] = i18n_local_time(&pa, db_get_text(&res, i, "created_at"), zone);
            if (xt_row(w, cells, ncols) < 0) rc = -100;
            cursor = db_get_int(&res, i, "id");
            rows++;
        }
        arena_free(&pa);
    } while (rc == 1000);
    if (rc < 0) {
        xt_abort(w);
        customer_filter_free(&lf);
        if (rc == -100)
            return reply_problem(r, 422, "validation_failed",
                                 "more rows than one XLSX sheet holds; export as CSV or narrow"
                                 " the list");
        return reply_db_error(r, rc);
    }
    json_t *after = json_pack("{s:s, s:I}", "format", xt_extension(fmt), "rows", (json_int_t)rows);
    /* the filters as given, and the sort */
    json_t *filters = lf.given;
    lf.given = NULL;
    const char *sort_given = req_query(r, "sort");
    if (sort_given && *sort_given) json_object_set_new(filters, "sort", json_string(sort_given));
    json_object_set_new(after, "query", filters);
    return reply_export(r, w, fmt, "customers", after, "customers");
}

const route customer_export_routes[] = {
    {"GET", "/api/v1/customers/export", h_customers_export, "customers.export", 0,
     QUERY("format=csv|xlsx sort=-id|id|name|-updated_at|number fields " CUSTOMER_FILTER_QUERY)
     "The customer list as CSV or XLSX (format=csv|xlsx and the list's filters)", NULL},
    ROUTES_END,
};
