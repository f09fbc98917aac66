/* quotation_build.c — a quotation's header and lines as a request
 * describes them (quote_build, quotations.h): the customer and project
 * (a project brings its customer and, when no lines are sent, its products
 * matched to the catalogue), the currency and the rate fixed on the
 * document (entered, else the administrator's rate table; a foreign
 * currency without either is refused), each line priced by the one pricing
 * function (products.h) on the quotation's date and converted at the rate,
 * the hand discount against the owner's role limit, and the figures
 * through the document-with-lines engine. No money is computed here
 * except through core/money.h. */
#include "quotations/quotations.h"
#include "core/money.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "http/http.h"
#include "products/products.h"
#include <string.h>

int64_t quote_table_rate(db_conn *c, const char *currency)
{
    int64_t v = 0;
    if (!currency || strcmp(currency, "CNY") == 0) return QUOTE_RATE_ONE;
    db_scalar_int(c, &v, 0, "SELECT rate_micro FROM currency_rates WHERE currency = ?",
                  DBP(DBS(currency)));
    return v;
}

static const char *days_after(arena *a, const char *date, int days)
{
    time_t t;
    if (!tf_ts_parse(date, &t)) return date;
    char ts[TF_TS_LEN];
    tf_ts(ts, t + (time_t)days * 86400);
    ts[10] = 0;
    return arena_strdup(a, ts);
}

/* An active product that a project's product entry names: a catalogue
 * line's product_id, or for a text line its code, its name, or the only
 * product whose search text holds the name (and, when several do, whose
 * specification the entry's holds). 0: none. */
static int64_t match_product(db_conn *c, arena *a, json_t *item)
{
    json_t *pid = json_object_get(item, "product_id");
    int64_t id = 0;
    if (json_is_integer(pid)) { /* a catalogue line: its product, unless retired since */
        db_scalar_int(c, &id, 0, "SELECT id FROM products WHERE id = ? AND active = TRUE",
                      DBP(DBI(json_integer_value(pid))));
        return id;
    }
    const char *name = json_string_value(json_object_get(item, "name"));
    const char *spec = json_string_value(json_object_get(item, "spec"));
    if (!name || !*name) return 0;
    db_scalar_int(c, &id, 0,
                  "SELECT id FROM products WHERE active = TRUE AND (code = ? OR name = ?)"
                  " ORDER BY code LIMIT 1",
                  DBP(DBS(name), DBS(name)));
    if (id) return id;
    const char *norm = ts_normalize(a, name);
    if (!norm || !*norm) return 0;
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT id, spec FROM products WHERE active = TRUE AND search_text LIKE ?"
                 " ESCAPE '\\' ORDER BY code LIMIT 50",
                 DBP(DBS(tf_like_contains(a, norm)))) <= 0)
        return 0;
    if (r.nrows == 1) return db_get_int(&r, 0, "id");
    int64_t found = 0;
    for (int i = 0; spec && i < r.nrows; i++) {
        const char *ps = db_get_text(&r, i, "spec");
        if (ps && *ps && strstr(spec, ps)) {
            if (found) return 0;
            found = db_get_int(&r, i, "id");
        }
    }
    return found;
}

/* The project's products as lines ({product_id, qty_milli}); those that
 * match no product go to q->unmatched. */
static json_t *project_lines(db_conn *c, arena *a, int64_t project_id, quote_input *q)
{
    db_res r;
    json_t *lines = json_array();
    q->unmatched = json_array();
    if (db_query(c, a, &r, "SELECT products_json FROM projects WHERE id = ?",
                 DBP(DBI(project_id))) <= 0)
        return lines;
    json_t *items = json_loads(db_get_text(&r, 0, "products_json"), 0, NULL), *it;
    size_t i;
    json_array_foreach(items, i, it)
    {
        int64_t pid = match_product(c, a, it);
        json_t *qty = json_object_get(it, "quantity_milli");
        int64_t qm = json_is_integer(qty) && json_integer_value(qty) > 0
                         ? json_integer_value(qty)
                         : 1000;
        if (pid)
            json_array_append_new(lines, json_pack("{s:I, s:I}", "product_id", (json_int_t)pid,
                                                   "qty_milli", (json_int_t)qm));
        else
            json_array_append_new(q->unmatched, json_deep_copy(it));
        if (json_array_size(lines) >= DOCLINES_MAX) break;
    }
    json_decref(items);
    return lines;
}

/* The current lines of an existing quotation as the body would send them. */
static json_t *current_lines(json_t *current)
{
    json_t *out = json_array(), *it;
    size_t i;
    json_array_foreach(json_object_get(current, "lines"), i, it)
        json_array_append_new(out, json_pack("{s:O, s:O, s:O, s:O}", "product_id",
                                             json_object_get(it, "product_id"), "qty_milli",
                                             json_object_get(it, "qty_milli"), "discount_bp",
                                             json_object_get(it, "discount_bp"), "note",
                                             json_object_get(it, "note")));
    return out;
}

static const char *str_or(req *r, json_t *current, const char *key, const char *dflt)
{
    if (in_has(r, key)) return in_str(r, key) ? in_str(r, key) : "";
    const char *s = json_string_value(json_object_get(current, key));
    return s ? s : dflt;
}

static int64_t int_or(req *r, json_t *current, const char *key, int64_t dflt)
{
    if (in_has(r, key)) return in_int(r, key, dflt);
    json_t *v = json_object_get(current, key);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Prices each line for the customer on the date and converts it at the
 * rate; refuses unknown and retired products. */
static void price_lines(db_conn *c, arena *a, quote_input *q, json_t *errs)
{
    for (int i = 0; i < q->n; i++) {
        doc_line *l = &q->lines[i];
        price_quote pq;
        int rc = pricing_quote(c, a, q->customer_id, l->product_id, l->qty_milli,
                               q->quote_date, &pq);
        const char *f = arena_printf(a, "lines[%d].product_id", i);
        if (rc == PRICING_NO_PRODUCT) {
            json_array_append_new(errs, field_error(f, "not_found", "no such product"));
            continue;
        }
        if (rc == PRICING_RETIRED) {
            json_array_append_new(errs, field_error(f, "retired",
                                                    "the product is retired and cannot be"
                                                    " quoted"));
            continue;
        }
        if (rc != PRICING_OK) {
            json_array_append_new(errs, field_error(arena_printf(a, "lines[%d].qty_milli", i),
                                                    "out_of_range",
                                                    "the line's amount (price × quantity) is"
                                                    " too large"));
            continue;
        }
        db_res p;
        if (db_query(c, a, &p, "SELECT code, name, spec, unit FROM products WHERE id = ?",
                     DBP(DBI(l->product_id))) <= 0) {
            json_array_append_new(errs, field_error(f, "not_found", "no such product"));
            continue;
        }
        l->product_code = db_get_text(&p, 0, "code");
        l->product_name = db_get_text(&p, 0, "name");
        l->spec = db_get_text(&p, 0, "spec");
        l->unit = db_get_text(&p, 0, "unit");
        l->rule_discount_bp = pq.discount_bp;
        l->rule_id = pq.rule_id;
        l->rule_name = pq.rule_name;
        l->tax_bp = (int32_t)pq.tax_bp;
        if (money_ratio(pq.list_price, QUOTE_RATE_ONE, q->rate_micro, &l->list_price) < 0 ||
            money_ratio(pq.unit_price, QUOTE_RATE_ONE, q->rate_micro, &l->unit_price) < 0)
            json_array_append_new(errs, field_error(f, "out_of_range",
                                                    "the price does not fit at this rate"));
        if (pq.tier_name) q->tier_name = pq.tier_name;
        if (l->discount_bp > q->max_discount_bp) q->max_discount_bp = l->discount_bp;
    }
}

int quote_build(req *r, json_t *current, quote_input *q, json_t *errs)
{
    memset(q, 0, sizeof *q);
    size_t had = json_array_size(errs);
    q->quote_date = current ? json_string_value(json_object_get(current, "quote_date"))
                            : products_today(r->db, &r->a);
    /* customer and project */
    if (current) {
        q->customer_id = json_integer_value(json_object_get(current, "customer_id"));
        q->project_id = json_integer_value(json_object_get(current, "project_id"));
        q->owner_id = json_integer_value(json_object_get(current, "owner_id"));
    } else {
        q->customer_id = in_int(r, "customer_id", 0);
        q->project_id = in_int(r, "project_id", 0);
        q->owner_id = r->me.id;
        if (q->project_id) {
            int64_t pc = 0;
            db_scalar_int(r->db, &pc, 0, "SELECT customer_id FROM projects WHERE id = ?",
                          DBP(DBI(q->project_id)));
            if (policy_project_access(r->db, &r->me, q->project_id) == ACCESS_NONE)
                json_array_append_new(errs, field_error("project_id", "not_found",
                                                        "no such project that you may see"));
            else if (!pc)
                json_array_append_new(errs, field_error("project_id", "invalid",
                                                        "the project has no customer"));
            else if (q->customer_id && q->customer_id != pc)
                json_array_append_new(errs, field_error("customer_id", "invalid",
                                                        "is not the project's customer"));
            else
                q->customer_id = pc;
        }
        if (!q->customer_id && !q->project_id)
            json_array_append_new(errs, field_error("customer_id", "required",
                                                    "choose a customer or a project"));
        else if (q->customer_id &&
                 policy_customer_access(r->db, &r->me, q->customer_id) == ACCESS_NONE)
            json_array_append_new(errs, field_error("customer_id", "not_found",
                                                    "no such customer that you may see"));
    }
    /* currency and rate */
    q->currency = str_or(r, current, "currency", "CNY");
    bool cny = strcmp(q->currency, "CNY") == 0;
    if (!cny && strcmp(q->currency, "USD") && strcmp(q->currency, "EUR")) {
        json_array_append_new(errs, field_error("currency", "invalid", "must be CNY, USD or EUR"));
        q->rate_micro = QUOTE_RATE_ONE;
    } else if (cny) {
        if (in_has(r, "rate_micro") && in_int(r, "rate_micro", QUOTE_RATE_ONE) != QUOTE_RATE_ONE &&
            json_object_get(r->in, "rate_micro") != json_null())
            json_array_append_new(errs, field_error("rate_micro", "invalid",
                                                    "the yuan takes no exchange rate"));
        q->rate_micro = QUOTE_RATE_ONE;
    } else {
        /* entered on the document; else kept from the document in the same
         * currency; else the rate table's */
        json_t *given = json_object_get(r->in, "rate_micro");
        const char *had_cur = json_string_value(json_object_get(current, "currency"));
        if (json_is_integer(given)) q->rate_micro = json_integer_value(given);
        else if (!given && had_cur && strcmp(had_cur, q->currency) == 0)
            q->rate_micro = json_integer_value(json_object_get(current, "rate_micro"));
        else
            q->rate_micro = quote_table_rate(r->db, q->currency);
        if (q->rate_micro <= 0)
            json_array_append_new(errs, field_error("currency", "no_rate",
                                                    "this currency has no exchange rate: enter"
                                                    " one on the quotation or ask an"
                                                    " administrator to keep one"));
    }
    /* header fields */
    q->valid_until = str_or(r, current, "valid_until", NULL);
    if (!q->valid_until || !*q->valid_until)
        q->valid_until = days_after(&r->a, q->quote_date, QUOTE_VALID_DAYS);
    else if (!products_date_ok(q->valid_until) || strcmp(q->valid_until, q->quote_date) < 0)
        json_array_append_new(errs, field_error("valid_until", "invalid",
                                                "must be a date on or after the quotation's"
                                                " date"));
    q->prices_include_tax =
        in_has(r, "prices_include_tax")
            ? in_bool(r, "prices_include_tax", true)
            : (current ? json_is_true(json_object_get(current, "prices_include_tax")) : true);
    q->header_discount = int_or(r, current, "header_discount", 0);
    q->freight = int_or(r, current, "freight", 0);
    q->payment_terms = str_or(r, current, "payment_terms", "");
    q->delivery_terms = str_or(r, current, "delivery_terms", "");
    q->notes = str_or(r, current, "notes", "");
    if (json_array_size(errs) > had) return -1;
    /* lines */
    json_t *lines = json_object_get(r->in, "lines");
    json_t *owned = NULL;
    if (!lines && current) lines = owned = current_lines(current);
    else if (!lines && q->project_id) lines = owned = project_lines(r->db, &r->a, q->project_id, q);
    if (!lines || json_array_size(lines) == 0) {
        json_decref(owned);
        json_array_append_new(errs, field_error("lines", "required",
                                                "add at least one product line"));
        return -1;
    }
    q->n = doclines_parse(&r->a, lines, &q->lines, errs);
    json_decref(owned);
    if (q->n < 0) return -1;
    return quote_finish(r->db, &r->a, q, errs);
}

int quote_finish(db_conn *c, arena *a, quote_input *q, json_t *errs)
{
    size_t had = json_array_size(errs);
    price_lines(c, a, q, errs);
    if (json_array_size(errs) > had) return -1;
    if (doclines_compute(q->lines, q->n, q->header_discount, q->prices_include_tax, &q->d, errs) <
        0)
        return -1;
    if (__builtin_add_overflow(q->d.total, q->freight, &q->grand_total) ||
        money_ratio(q->grand_total, q->rate_micro, QUOTE_RATE_ONE, &q->grand_total_cny) < 0) {
        json_array_append_new(errs, field_error("freight", "out_of_range",
                                                "the quotation's total is too large"));
        return -1;
    }
    /* the owner's role sets how far a hand discount goes without approval */
    db_res u;
    const char *role = "salesperson";
    if (db_query(c, a, &u, "SELECT role FROM users WHERE id = ?", DBP(DBI(q->owner_id))) > 0)
        role = db_get_text(&u, 0, "role");
    q->limit_bp = pricing_role_limit(c, role);
    q->needs_approval = q->max_discount_bp > q->limit_bp;
    return 0;
}

json_t *quote_input_json(const quote_input *q)
{
    json_t *lines = json_array(), *rates = json_array();
    for (int i = 0; i < q->n; i++) {
        const doc_line *l = &q->lines[i];
        json_array_append_new(
            lines,
            json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:s?, s:I, s:i, s:i,"
                      " s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
                      "seq", i + 1, "product_id", (json_int_t)l->product_id, "product_code",
                      l->product_code, "product_name", l->product_name, "spec",
                      l->spec ? l->spec : "", "unit", l->unit, "qty_milli",
                      (json_int_t)l->qty_milli, "list_price", (json_int_t)l->list_price,
                      "rule_discount_bp", (json_int_t)l->rule_discount_bp, "rule_id",
                      (json_int_t)l->rule_id, "rule_name", l->rule_name, "unit_price",
                      (json_int_t)l->unit_price, "discount_bp", (int)l->discount_bp, "tax_bp",
                      (int)l->tax_bp, "amount", (json_int_t)l->m.amount, "discount",
                      (json_int_t)l->m.discount, "header_discount",
                      (json_int_t)l->m.header_discount, "net", (json_int_t)l->m.net, "tax",
                      (json_int_t)l->m.tax, "total", (json_int_t)l->m.total, "note",
                      l->note ? l->note : ""));
        if (!l->rule_id) json_object_set_new(json_array_get(lines, (size_t)i), "rule_id",
                                             json_null());
    }
    for (int i = 0; i < q->d.n_rates; i++)
        json_array_append_new(rates, json_pack("{s:i, s:I, s:I}", "tax_bp", q->d.rates[i].tax_bp,
                                               "net", (json_int_t)q->d.rates[i].net, "tax",
                                               (json_int_t)q->d.rates[i].tax));
    json_t *o = json_pack(
        "{s:I, s:I, s:s, s:I, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
        " s:I, s:b, s:o, s:o}",
        "customer_id", (json_int_t)q->customer_id, "project_id", (json_int_t)q->project_id,
        "currency", q->currency, "rate_micro", (json_int_t)q->rate_micro, "quote_date",
        q->quote_date, "valid_until", q->valid_until, "prices_include_tax", q->prices_include_tax,
        "header_discount", (json_int_t)q->header_discount, "freight", (json_int_t)q->freight,
        "amount", (json_int_t)q->d.amount, "discount", (json_int_t)q->d.discount, "net",
        (json_int_t)q->d.net, "tax", (json_int_t)q->d.tax, "total", (json_int_t)q->d.total,
        "grand_total", (json_int_t)q->grand_total, "grand_total_cny",
        (json_int_t)q->grand_total_cny, "max_discount_bp", (json_int_t)q->max_discount_bp,
        "discount_limit_bp", (json_int_t)q->limit_bp, "needs_approval", q->needs_approval,
        "lines", lines, "rates", rates);
    if (!q->project_id) json_object_set_new(o, "project_id", json_null());
    json_object_set_new(o, "tier_name", q->tier_name ? json_string(q->tier_name) : json_null());
    if (q->unmatched) json_object_set(o, "unmatched_products", q->unmatched);
    return o;
}
