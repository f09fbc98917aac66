/* doclines.c — the document-with-lines engine (see doclines.h): lines'
 * input check, figures through money_document, storage of every version's
 * lines and frozen headers, the side-by-side comparison, the state table. */
#include "kit/doclines.h"
#include "base/util.h"
#include "http/http.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const field line_spec[] = {{"product_id", F_INT, F_REQ, 0, 1},
                                  {"qty_milli", F_INT, F_REQ, 0, 1},
                                  {"discount_bp", F_INT, 0, 10000, 0},
                                  {"note", F_STR, F_NULL, 200, 0},
                                  FIELDS_END};

int doclines_parse(arena *a, json_t *lines, doc_line **out, json_t *errs)
{
    size_t before = json_array_size(errs);
    if (!json_is_array(lines)) {
        json_array_append_new(errs, field_error("lines", "wrong_type", "must be an array"));
        return -1;
    }
    size_t n = json_array_size(lines);
    if (n == 0 || n > DOCLINES_MAX) {
        json_array_append_new(
            errs, field_error("lines", "out_of_range", "must have between 1 and 200 lines"));
        return -1;
    }
    doc_line *l = arena_alloc(a, n * sizeof *l);
    memset(l, 0, n * sizeof *l);
    size_t i;
    json_t *it;
    json_array_foreach(lines, i, it)
    {
        if (!json_is_object(it)) {
            json_array_append_new(errs, field_error(arena_printf(a, "lines[%zu]", i), "wrong_type",
                                                    "must be an object"));
            continue;
        }
        size_t had = json_array_size(errs);
        input_check_obj(it, line_spec, arena_printf(a, "lines[%zu].", i), errs);
        if (json_array_size(errs) > had) continue;
        l[i].product_id = json_integer_value(json_object_get(it, "product_id"));
        l[i].qty_milli = json_integer_value(json_object_get(it, "qty_milli"));
        if (l[i].qty_milli > DOCLINES_QTY_MAX)
            json_array_append_new(errs, field_error(arena_printf(a, "lines[%zu].qty_milli", i),
                                                    "out_of_range",
                                                    "must be a quantity above 0 (thousandths of the"
                                                    " unit), at most a million tonnes"));
        l[i].discount_bp = (int32_t)json_integer_value(json_object_get(it, "discount_bp"));
        const char *note = json_string_value(json_object_get(it, "note"));
        l[i].note = note ? arena_strdup(a, note) : "";
    }
    if (json_array_size(errs) > before) return -1;
    *out = l;
    return (int)n;
}

int doclines_compute(doc_line *l, int n, int64_t header_discount, bool prices_include_tax,
                     money_doc *d, json_t *errs)
{
    money_line *m = malloc((size_t)n * sizeof *m);
    if (!m) return -1;
    int bad = 0;
    int64_t room = 0;
    for (int i = 0; i < n; i++) {
        memset(&m[i], 0, sizeof m[i]);
        m[i].unit_price = l[i].unit_price;
        m[i].qty_milli = l[i].qty_milli;
        m[i].discount_bp = l[i].discount_bp;
        m[i].tax_bp = l[i].tax_bp;
        int64_t amount = 0, off = 0;
        if (money_line_total(l[i].unit_price, l[i].qty_milli, &amount) < 0 ||
            money_percent(amount, l[i].discount_bp, &off) < 0 ||
            __builtin_add_overflow(room, amount - off, &room)) {
            char f[40];
            snprintf(f, sizeof f, "lines[%d].qty_milli", i);
            json_array_append_new(errs, field_error(f, "out_of_range",
                                                    "the line's amount (price × quantity) is too"
                                                    " large"));
            bad = 1;
        }
    }
    if (!bad && (header_discount < 0 || header_discount > room)) {
        json_array_append_new(errs, field_error("header_discount", "out_of_range",
                                                "must be between 0 and what the lines come to"
                                                " after their discounts"));
        bad = 1;
    }
    memset(d, 0, sizeof *d);
    d->header_discount = header_discount;
    d->prices_include_tax = prices_include_tax;
    if (!bad && money_document(d, m, n) < 0) {
        json_array_append_new(
            errs, field_error("lines", "out_of_range", "the document's totals are too large"));
        bad = 1;
    }
    if (!bad)
        for (int i = 0; i < n; i++)
            l[i].m = m[i];
    free(m);
    return bad ? -1 : 0;
}

int doclines_save(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision,
                  const doc_line *l, int n)
{
    int rc = db_exec(c, "DELETE FROM doc_lines WHERE doc_type = ? AND doc_id = ? AND revision = ?",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
    for (int i = 0; rc >= 0 && i < n; i++)
        rc = db_exec(c,
                     "INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id,"
                     " product_code, product_name, spec, unit, qty_milli, list_price,"
                     " rule_discount_bp, rule_id, rule_name, unit_price, discount_bp, tax_bp,"
                     " amount, discount, header_discount, net, tax, total, note) VALUES (?, ?, ?,"
                     " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision), DBI(i + 1),
                         DBI(l[i].product_id), DBS(l[i].product_code), DBS(l[i].product_name),
                         DBS(l[i].spec ? l[i].spec : ""), DBS(l[i].unit), DBI(l[i].qty_milli),
                         DBI(l[i].list_price), DBI(l[i].rule_discount_bp),
                         l[i].rule_id ? DBI(l[i].rule_id) : DBNULL, DBS(l[i].rule_name),
                         DBI(l[i].unit_price), DBI(l[i].discount_bp), DBI(l[i].tax_bp),
                         DBI(l[i].m.amount), DBI(l[i].m.discount), DBI(l[i].m.header_discount),
                         DBI(l[i].m.net), DBI(l[i].m.tax), DBI(l[i].m.total),
                         DBS(l[i].note ? l[i].note : "")));
    if (rc >= 0) rc = doclines_render(c, doc_type, doc_id, revision);
    return rc < 0 ? rc : 0;
}

#define LINE_COLS                                                                                  \
    "seq, product_id, product_code, product_name, spec, unit, qty_milli, list_price,"              \
    " rule_discount_bp, rule_id, rule_name, unit_price, discount_bp, tax_bp, amount, discount,"    \
    " header_discount, net, tax, total, note"

int doclines_copy(db_conn *c, const char *doc_type, int64_t doc_id, int64_t from, int64_t to)
{
    int rc = db_exec(c,
                     "INSERT INTO doc_lines(doc_type, doc_id, revision, " LINE_COLS
                     ") SELECT doc_type, doc_id, ?, " LINE_COLS
                     " FROM doc_lines WHERE doc_type = ? AND doc_id = ? AND revision = ?",
                     DBP(DBI(to), DBS(doc_type), DBI(doc_id), DBI(from)));
    if (rc >= 0) rc = doclines_render(c, doc_type, doc_id, to);
    return rc < 0 ? rc : 0;
}

int doclines_drop(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision)
{
    int rc = db_exec(c, "DELETE FROM doc_lines WHERE doc_type = ? AND doc_id = ? AND revision = ?",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
    if (rc >= 0)
        rc = db_exec(c, "DELETE FROM doc_texts WHERE doc_type = ? AND doc_id = ? AND revision = ?",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
    return rc < 0 ? rc : 0;
}

/* The tax summary of a version: {tax_bp, net, tax} per rate. */
static int rates_query(db_conn *c, arena *a, db_res *r, const char *doc_type, int64_t doc_id,
                       int64_t revision)
{
    return db_query(c, a, r,
                    "SELECT tax_bp, CAST(SUM(net) AS BIGINT) AS net, CAST(SUM(tax) AS BIGINT) AS"
                    " tax FROM doc_lines WHERE doc_type = ? AND doc_id = ? AND revision = ? GROUP"
                    " BY tax_bp ORDER BY tax_bp",
                    DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
}

json_t *doclines_rates_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                            int64_t revision)
{
    db_res r;
    if (rates_query(c, a, &r, doc_type, doc_id, revision) < 0) return json_array();
    return db_rows_json(&r);
}

json_t *doclines_add_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                          int64_t revision, json_t *o)
{
    if (!o) return NULL;
    json_t *lines = doclines_json(c, a, doc_type, doc_id, revision);
    json_object_set_new(o, "lines", lines ? lines : json_array());
    json_object_set_new(o, "rates", doclines_rates_json(c, a, doc_type, doc_id, revision));
    return o;
}

/* The rates of a version as JSON text (malloc'd). */
static char *rates_text(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                        int64_t revision, size_t *len)
{
    db_res r;
    if (rates_query(c, a, &r, doc_type, doc_id, revision) < 0) return NULL;
    return db_rows_text(&r, r.nrows, len);
}

int doclines_render(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision)
{
    arena a;
    arena_init(&a);
    size_t ll = 0, rl = 0;
    char *lines = doclines_text(c, &a, doc_type, doc_id, revision, &ll);
    char *rates = lines ? rates_text(c, &a, doc_type, doc_id, revision, &rl) : NULL;
    int rc = lines && rates ? 0 : DB_ERR;
    if (rc == 0)
        rc = db_exec(c, "DELETE FROM doc_texts WHERE doc_type = ? AND doc_id = ? AND revision = ?",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
    if (rc >= 0)
        rc = db_exec(c,
                     "INSERT INTO doc_texts(doc_type, doc_id, revision, lines_text, rates_text)"
                     " VALUES (?, ?, ?, ?, ?)",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision), DBS(lines), DBS(rates)));
    free(lines);
    free(rates);
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

char *doclines_reply_text(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                          int64_t revision, json_t *o, size_t *len)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT lines_text, rates_text FROM doc_texts WHERE doc_type = ? AND"
                      " doc_id = ? AND revision = ?",
                      DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
    if (rc < 0) return NULL;
    if (rc == 0) { /* a version written before doc_texts, or by bulk SQL */
        json_object_set_new(o, "rates", doclines_rates_json(c, a, doc_type, doc_id, revision));
        return doclines_text(c, a, doc_type, doc_id, revision, len);
    }
    json_t *rates = json_loads(db_get_text(&r, 0, "rates_text"), 0, NULL);
    json_object_set_new(o, "rates", rates ? rates : json_array());
    const char *t = db_get_text(&r, 0, "lines_text");
    *len = strlen(t);
    char *out = malloc(*len + 1);
    if (out) memcpy(out, t, *len + 1);
    return out;
}

/* The lines of a version in their order. */
static int lines_query(db_conn *c, arena *a, db_res *r, const char *doc_type, int64_t doc_id,
                       int64_t revision)
{
    return db_query(c, a, r,
                    "SELECT " LINE_COLS " FROM doc_lines WHERE doc_type = ? AND doc_id = ? AND"
                    " revision = ? ORDER BY seq",
                    DBP(DBS(doc_type), DBI(doc_id), DBI(revision)));
}

json_t *doclines_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision)
{
    db_res r;
    if (lines_query(c, a, &r, doc_type, doc_id, revision) < 0) return NULL;
    return db_rows_json(&r);
}

char *doclines_text(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision,
                    size_t *len)
{
    db_res r;
    if (lines_query(c, a, &r, doc_type, doc_id, revision) < 0) return NULL;
    return db_rows_text(&r, r.nrows, len);
}

int doclines_load(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision,
                  doc_line **out)
{
    db_res r;
    int rc = lines_query(c, a, &r, doc_type, doc_id, revision);
    if (rc < 0) return rc;
    doc_line *l = arena_alloc(a, (size_t)(r.nrows ? r.nrows : 1) * sizeof *l);
    memset(l, 0, (size_t)(r.nrows ? r.nrows : 1) * sizeof *l);
    for (int i = 0; i < r.nrows; i++) {
        l[i].product_id = db_get_int(&r, i, "product_id");
        l[i].qty_milli = db_get_int(&r, i, "qty_milli");
        l[i].discount_bp = (int32_t)db_get_int(&r, i, "discount_bp");
        l[i].note = db_get_text(&r, i, "note");
        l[i].product_code = db_get_text(&r, i, "product_code");
        l[i].product_name = db_get_text(&r, i, "product_name");
        l[i].spec = db_get_text(&r, i, "spec");
        l[i].unit = db_get_text(&r, i, "unit");
        l[i].list_price = db_get_int(&r, i, "list_price");
        l[i].rule_discount_bp = db_get_int(&r, i, "rule_discount_bp");
        l[i].rule_id = db_get_int(&r, i, "rule_id");
        l[i].rule_name = db_get_text(&r, i, "rule_name");
        l[i].unit_price = db_get_int(&r, i, "unit_price");
        l[i].tax_bp = (int32_t)db_get_int(&r, i, "tax_bp");
        l[i].m.unit_price = l[i].unit_price;
        l[i].m.qty_milli = l[i].qty_milli;
        l[i].m.discount_bp = l[i].discount_bp;
        l[i].m.tax_bp = l[i].tax_bp;
        l[i].m.amount = db_get_int(&r, i, "amount");
        l[i].m.discount = db_get_int(&r, i, "discount");
        l[i].m.header_discount = db_get_int(&r, i, "header_discount");
        l[i].m.net = db_get_int(&r, i, "net");
        l[i].m.tax = db_get_int(&r, i, "tax");
        l[i].m.total = db_get_int(&r, i, "total");
    }
    *out = l;
    return r.nrows;
}

int doclines_freeze(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision,
                    json_t *header, int64_t user_id)
{
    char *s = json_dumps(header, JSON_COMPACT | JSON_SORT_KEYS);
    if (!s) return DB_ERR;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "INSERT INTO doc_revisions(doc_type, doc_id, revision, header_json,"
                     " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     DBP(DBS(doc_type), DBI(doc_id), DBI(revision), DBS(s),
                         user_id ? DBI(user_id) : DBNULL, DBS(now)));
    free(s);
    return rc < 0 ? rc : 0;
}

json_t *doclines_frozen(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                        int64_t revision)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT header_json FROM doc_revisions WHERE doc_type = ? AND doc_id = ? AND"
                 " revision = ?",
                 DBP(DBS(doc_type), DBI(doc_id), DBI(revision))) <= 0)
        return NULL;
    return json_loads(db_get_text(&r, 0, "header_json"), 0, NULL);
}

/* Whether two lines differ in what the customer sees. */
static bool line_changed(json_t *x, json_t *y)
{
    static const char *const keys[] = {"qty_milli", "unit_price", "discount_bp", "tax_bp",
                                       "total",     "note",       NULL};
    for (int i = 0; keys[i]; i++)
        if (!json_equal(json_object_get(x, keys[i]), json_object_get(y, keys[i]))) return true;
    return false;
}

json_t *doclines_compare_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                              int64_t rev_a, int64_t rev_b)
{
    json_t *la = doclines_json(c, a, doc_type, doc_id, rev_a);
    json_t *lb = doclines_json(c, a, doc_type, doc_id, rev_b);
    if (!la || !lb) {
        json_decref(la);
        json_decref(lb);
        return NULL;
    }
    size_t na = json_array_size(la), nb = json_array_size(lb);
    bool *used = arena_alloc(a, na + 1);
    memset(used, 0, na + 1);
    json_t *rows = json_array();
    size_t i, k;
    json_t *y;
    json_array_foreach(lb, i, y)
    {
        json_int_t pid = json_integer_value(json_object_get(y, "product_id"));
        json_t *x = NULL;
        for (k = 0; k < na && !x; k++)
            if (!used[k] &&
                json_integer_value(json_object_get(json_array_get(la, k), "product_id")) == pid) {
                used[k] = true;
                x = json_array_get(la, k);
            }
        json_array_append_new(rows, json_pack("{s:O, s:O, s:O, s:O, s:O, s:b}", "product_id",
                                              json_object_get(y, "product_id"), "product_code",
                                              json_object_get(y, "product_code"), "product_name",
                                              json_object_get(y, "product_name"), "a",
                                              x ? x : json_null(), "b", y, "changed",
                                              !x || line_changed(x, y)));
    }
    for (k = 0; k < na; k++) {
        if (used[k]) continue;
        json_t *x = json_array_get(la, k);
        json_array_append_new(rows, json_pack("{s:O, s:O, s:O, s:O, s:n, s:b}", "product_id",
                                              json_object_get(x, "product_id"), "product_code",
                                              json_object_get(x, "product_code"), "product_name",
                                              json_object_get(x, "product_name"), "a", x, "b",
                                              "changed", 1));
    }
    (void)nb;
    json_decref(la);
    json_decref(lb);
    return json_pack("{s:o}", "rows", rows);
}

const char *doc_transition_to(const doc_transition *table, const char *from, const char *event)
{
    for (int i = 0; from && event && table[i].from; i++)
        if (strcmp(table[i].from, from) == 0 && strcmp(table[i].event, event) == 0)
            return table[i].to;
    return NULL;
}

json_t *doc_events_json(const doc_transition *table, const char *from)
{
    json_t *out = json_array();
    for (int i = 0; from && table[i].from; i++)
        if (strcmp(table[i].from, from) == 0)
            json_array_append_new(out, json_string(table[i].event));
    return out;
}
