/* contract_build.c — a contract's header and lines as a request describes
 * them (contract_build, contracts.h): the customer, the project (which
 * brings its customer) or an accepted quotation (which brings its customer,
 * project, lines with their prices, currency, rate and terms); the currency
 * and the rate fixed on the contract (entered, else the rate table's; a
 * foreign currency without either is refused); each line's unit price given
 * by hand or the catalogue's list price converted at the rate; retired
 * products refused; the figures through the document-with-lines engine.
 * Also the insertion of a new draft (contract_insert). */
#include "contracts/contracts.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/settings.h"
#include "core/policy_quotations.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "http/http.h"
#include "products/products.h"
#include <string.h>

static int64_t table_rate(db_conn *c, const char *currency)
{
    int64_t v = 0;
    if (!currency || strcmp(currency, "CNY") == 0) return CONTRACT_RATE_ONE;
    db_scalar_int(c, &v, 0, "SELECT rate_micro FROM currency_rates WHERE currency = ?",
                  DBP(DBS(currency)));
    return v;
}

static const char *str_or(req *r, json_t *base, const char *key, const char *dflt)
{
    if (in_has(r, key)) return in_str(r, key) ? in_str(r, key) : "";
    const char *s = json_string_value(json_object_get(base, key));
    return s ? s : dflt;
}

static int64_t int_or(req *r, json_t *base, const char *key, int64_t dflt)
{
    if (in_has(r, key) && json_is_integer(json_object_get(r->in, key))) return in_int(r, key, dflt);
    json_t *v = json_object_get(base, key);
    return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* Parses the body's lines: doclines_parse's shape plus an optional
 * unit_price per line (-1 when not given: the list price). */
static int parse_lines(arena *a, json_t *lines, doc_line **out, json_t *errs)
{
    if (!json_is_array(lines)) return doclines_parse(a, lines, out, errs);
    json_t *plain = json_array(), *it;
    int64_t *given = arena_alloc(a, (json_array_size(lines) + 1) * sizeof *given);
    size_t i, had = json_array_size(errs);
    json_array_foreach(lines, i, it)
    {
        given[i] = -1;
        json_t *copy = json_is_object(it) ? json_copy(it) : json_incref(it);
        json_t *up = json_is_object(it) ? json_object_get(it, "unit_price") : NULL;
        if (up && !json_is_null(up)) {
            if (!json_is_integer(up) || json_integer_value(up) < 0 ||
                json_integer_value(up) > CONTRACT_PRICE_MAX)
                json_array_append_new(errs, field_error(arena_printf(a, "lines[%zu].unit_price", i),
                                                        "out_of_range",
                                                        "must be a price from 0 up to 100 million"
                                                        " (minor units)"));
            else
                given[i] = json_integer_value(up);
        }
        if (json_is_object(copy)) json_object_del(copy, "unit_price");
        json_array_append_new(plain, copy);
    }
    int n = doclines_parse(a, plain, out, errs);
    json_decref(plain);
    if (n < 0 || json_array_size(errs) > had) return -1;
    for (int k = 0; k < n; k++)
        (*out)[k].unit_price = given[k];
    return n;
}

/* The accepted quotation a new contract is made from: its header into k
 * (what the body sets wins later) and its lines. */
static int from_quotation(req *r, contract_input *k, json_t *errs)
{
    int64_t qid = in_int(r, "quotation_id", 0);
    db_res q;
    int rc = db_query(r->db, &r->a, &q,
                      "SELECT customer_id, project_id, state, revision, currency, rate_micro,"
                      " prices_include_tax, header_discount, freight, payment_terms,"
                      " delivery_terms, notes, (SELECT COUNT(*) FROM contracts WHERE"
                      " quotation_id = qt.id AND state NOT IN ('cancelled')) AS taken FROM"
                      " quotations qt WHERE id = ?",
                      DBP(DBI(qid)));
    if (rc < 0) return rc;
    if (rc == 0 || policy_quotation_access(r->db, &r->me, qid) == ACCESS_NONE) {
        json_array_append_new(
            errs, field_error("quotation_id", "not_found", "no such quotation that you may see"));
        return -1;
    }
    if (strcmp(db_get_text(&q, 0, "state"), "accepted")) {
        json_array_append_new(errs, field_error("quotation_id", "not_accepted",
                                                "only a quotation the customer accepted becomes"
                                                " a contract"));
        return -1;
    }
    if (db_get_int(&q, 0, "taken") > 0) {
        json_array_append_new(
            errs, field_error("quotation_id", "taken", "the quotation already has a contract"));
        return -1;
    }
    k->quotation_id = qid;
    k->customer_id = db_get_int(&q, 0, "customer_id");
    k->project_id = db_get_int(&q, 0, "project_id");
    k->currency = db_get_text(&q, 0, "currency");
    k->rate_micro = db_get_int(&q, 0, "rate_micro");
    k->prices_include_tax = db_get_int(&q, 0, "prices_include_tax") != 0;
    k->header_discount = db_get_int(&q, 0, "header_discount");
    k->freight = db_get_int(&q, 0, "freight");
    k->payment_terms = db_get_text(&q, 0, "payment_terms");
    k->delivery_terms = db_get_text(&q, 0, "delivery_terms");
    k->notes = db_get_text(&q, 0, "notes");
    if (!in_has(r, "lines")) {
        k->n =
            doclines_load(r->db, &r->a, "quotation", qid, db_get_int(&q, 0, "revision"), &k->lines);
        if (k->n < 0) return k->n;
    }
    return 0;
}

/* A new contract's customer and project (and quotation). */
static int parties(req *r, contract_input *k, json_t *errs)
{
    size_t had = json_array_size(errs);
    int64_t cust = in_int(r, "customer_id", 0), proj = in_int(r, "project_id", 0);
    if (in_int(r, "quotation_id", 0)) {
        int rc = from_quotation(r, k, errs);
        if (rc != 0) return rc;
        if (cust && cust != k->customer_id)
            json_array_append_new(
                errs, field_error("customer_id", "invalid", "is not the quotation's customer"));
        if (proj) k->project_id = proj;
        cust = k->customer_id;
    }
    if (proj) {
        int64_t pc = 0;
        db_scalar_int(r->db, &pc, 0, "SELECT customer_id FROM projects WHERE id = ?",
                      DBP(DBI(proj)));
        if (policy_project_access(r->db, &r->me, proj) == ACCESS_NONE)
            json_array_append_new(
                errs, field_error("project_id", "not_found", "no such project that you may see"));
        else if (!pc)
            json_array_append_new(
                errs, field_error("project_id", "invalid", "the project has no customer"));
        else if (cust && cust != pc)
            json_array_append_new(
                errs, field_error("project_id", "invalid", "is not a project of the customer"));
        else
            cust = pc;
        k->project_id = proj;
    }
    if (!cust && json_array_size(errs) == had)
        json_array_append_new(errs, field_error("customer_id", "required",
                                                "choose a customer, a project or a quotation"));
    else if (cust && policy_customer_access(r->db, &r->me, cust) == ACCESS_NONE)
        json_array_append_new(
            errs, field_error("customer_id", "not_found", "no such customer that you may see"));
    k->customer_id = cust;
    return json_array_size(errs) > had ? -1 : 0;
}

static bool date_or_empty(const char *s)
{
    return !s || !*s || products_date_ok(s);
}

int contract_build(req *r, json_t *current, contract_input *k, json_t *errs)
{
    memset(k, 0, sizeof *k);
    size_t had = json_array_size(errs);
    json_t *base = current;
    if (current) {
        k->customer_id = json_integer_value(json_object_get(current, "customer_id"));
        k->project_id = json_integer_value(json_object_get(current, "project_id"));
        k->quotation_id = json_integer_value(json_object_get(current, "quotation_id"));
        k->owner_id = json_integer_value(json_object_get(current, "owner_id"));
    } else {
        k->owner_id = r->me.id;
        int rc = parties(r, k, errs);
        if (rc < -1) return rc;
        if (rc < 0) return -1;
    }
    /* header: the body, else the current contract, else the quotation's */
    const char *qcur = k->currency;
    k->currency = str_or(r, base, "currency", qcur ? qcur : "CNY");
    bool cny = strcmp(k->currency, "CNY") == 0;
    json_t *given = json_object_get(r->in, "rate_micro");
    if (!cny && strcmp(k->currency, "USD") && strcmp(k->currency, "EUR")) {
        json_array_append_new(errs, field_error("currency", "invalid", "must be CNY, USD or EUR"));
        k->rate_micro = CONTRACT_RATE_ONE;
    } else if (cny) {
        if (json_is_integer(given) && json_integer_value(given) != CONTRACT_RATE_ONE)
            json_array_append_new(
                errs, field_error("rate_micro", "invalid", "the yuan takes no exchange rate"));
        k->rate_micro = CONTRACT_RATE_ONE;
    } else {
        const char *had_cur =
            current ? json_string_value(json_object_get(current, "currency")) : qcur;
        int64_t had_rate =
            current ? json_integer_value(json_object_get(current, "rate_micro")) : k->rate_micro;
        if (json_is_integer(given))
            k->rate_micro = json_integer_value(given);
        else if (!given && had_cur && strcmp(had_cur, k->currency) == 0)
            k->rate_micro = had_rate;
        else
            k->rate_micro = table_rate(r->db, k->currency);
        if (k->rate_micro <= 0)
            json_array_append_new(errs, field_error("currency", "no_rate",
                                                    "this currency has no exchange rate: enter"
                                                    " one on the contract or ask an"
                                                    " administrator to keep one"));
    }
    k->title = str_or(r, base, "title", "");
    k->sign_date = str_or(r, base, "sign_date", NULL);
    if (!k->sign_date || !*k->sign_date)
        k->sign_date = products_today(r->db, &r->a);
    else if (!products_date_ok(k->sign_date))
        json_array_append_new(errs, field_error("sign_date", "invalid", "must be a date"));
    k->start_date = str_or(r, base, "start_date", "");
    k->end_date = str_or(r, base, "end_date", "");
    if (!date_or_empty(k->start_date))
        json_array_append_new(errs, field_error("start_date", "invalid", "must be a date"));
    if (!date_or_empty(k->end_date))
        json_array_append_new(errs, field_error("end_date", "invalid", "must be a date"));
    else if (*k->end_date && *k->start_date && strcmp(k->end_date, k->start_date) < 0)
        json_array_append_new(
            errs, field_error("end_date", "invalid", "must be on or after the start date"));
    bool pit_dflt = current ? json_is_true(json_object_get(current, "prices_include_tax"))
                            : (k->quotation_id ? k->prices_include_tax : true);
    k->prices_include_tax =
        in_has(r, "prices_include_tax") ? in_bool(r, "prices_include_tax", true) : pit_dflt;
    k->header_discount = int_or(r, base, "header_discount", k->header_discount);
    k->freight = int_or(r, base, "freight", k->freight);
    k->payment_terms = str_or(r, base, "payment_terms", k->payment_terms ? k->payment_terms : "");
    k->delivery_terms =
        str_or(r, base, "delivery_terms", k->delivery_terms ? k->delivery_terms : "");
    k->notes = str_or(r, base, "notes", k->notes ? k->notes : "");
    if (json_array_size(errs) > had) return -1;
    /* lines: the body's, else the current ones, else the quotation's */
    json_t *lines = json_object_get(r->in, "lines");
    if (lines) {
        k->n = parse_lines(&r->a, lines, &k->lines, errs);
        if (k->n < 0) return -1;
    } else if (current) {
        int64_t rev = json_integer_value(json_object_get(current, "revision"));
        k->n = doclines_load(r->db, &r->a, CONTRACT_DOC,
                             json_integer_value(json_object_get(current, "id")), rev, &k->lines);
        if (k->n < 0) return k->n;
    }
    if (k->n <= 0) {
        json_array_append_new(errs,
                              field_error("lines", "required", "add at least one product line"));
        return -1;
    }
    return contract_finish(r->db, &r->a, k, errs);
}

/* Product facts of lines that have none yet; a missing price is the list
 * price at the contract's rate. Retired products are refused, also on lines
 * that came from a quotation. */
static void price_lines(db_conn *c, arena *a, contract_input *k, json_t *errs)
{
    for (int i = 0; i < k->n; i++) {
        doc_line *l = &k->lines[i];
        const char *f = arena_printf(a, "lines[%d].product_id", i);
        db_res p;
        if (db_query(c, a, &p,
                     "SELECT code, name, spec, unit, list_price, tax_bp, active FROM products"
                     " WHERE id = ?",
                     DBP(DBI(l->product_id))) <= 0) {
            json_array_append_new(errs, field_error(f, "not_found", "no such product"));
            continue;
        }
        if (!db_get_int(&p, 0, "active")) {
            json_array_append_new(errs, field_error(f, "retired",
                                                    "the product is retired and cannot be"
                                                    " contracted"));
            continue;
        }
        if (l->product_code) continue; /* a line kept with its facts and price */
        l->product_code = db_get_text(&p, 0, "code");
        l->product_name = db_get_text(&p, 0, "name");
        l->spec = db_get_text(&p, 0, "spec");
        l->unit = db_get_text(&p, 0, "unit");
        l->tax_bp = (int32_t)db_get_int(&p, 0, "tax_bp");
        l->rule_id = 0;
        l->rule_name = NULL;
        l->rule_discount_bp = 0;
        if (money_ratio(db_get_int(&p, 0, "list_price"), CONTRACT_RATE_ONE, k->rate_micro,
                        &l->list_price) < 0) {
            json_array_append_new(
                errs, field_error(f, "out_of_range", "the price does not fit at this rate"));
            continue;
        }
        if (l->unit_price < 0) l->unit_price = l->list_price;
    }
}

int contract_finish(db_conn *c, arena *a, contract_input *k, json_t *errs)
{
    size_t had = json_array_size(errs);
    price_lines(c, a, k, errs);
    if (json_array_size(errs) > had) return -1;
    if (doclines_compute(k->lines, k->n, k->header_discount, k->prices_include_tax, &k->d, errs) <
        0)
        return -1;
    if (__builtin_add_overflow(k->d.total, k->freight, &k->grand_total) ||
        money_ratio(k->grand_total, k->rate_micro, CONTRACT_RATE_ONE, &k->grand_total_cny) < 0) {
        json_array_append_new(
            errs, field_error("freight", "out_of_range", "the contract's total is too large"));
        return -1;
    }
    return 0;
}

json_t *contract_input_header(const contract_input *k)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:I, s:I, s:s, s:s, s:s, s:I, s:I,"
                     " s:I, s:I, s:I, s:I, s:I}",
                     "title", k->title, "sign_date", k->sign_date, "start_date", k->start_date,
                     "end_date", k->end_date, "currency", k->currency, "rate_micro",
                     (json_int_t)k->rate_micro, "prices_include_tax", k->prices_include_tax,
                     "header_discount", (json_int_t)k->header_discount, "freight",
                     (json_int_t)k->freight, "payment_terms", k->payment_terms, "delivery_terms",
                     k->delivery_terms, "notes", k->notes, "amount", (json_int_t)k->d.amount,
                     "discount", (json_int_t)k->d.discount, "net", (json_int_t)k->d.net, "tax",
                     (json_int_t)k->d.tax, "total", (json_int_t)k->d.total, "grand_total",
                     (json_int_t)k->grand_total, "grand_total_cny", (json_int_t)k->grand_total_cny);
}

json_t *contract_input_json(const contract_input *k)
{
    json_t *o = contract_input_header(k), *lines = json_array();
    for (int i = 0; i < k->n; i++) {
        const doc_line *l = &k->lines[i];
        json_array_append_new(
            lines, json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:I, s:I,"
                             " s:I, s:I, s:I, s:I, s:s}",
                             "seq", i + 1, "product_id", (json_int_t)l->product_id, "product_code",
                             l->product_code, "product_name", l->product_name, "spec",
                             l->spec ? l->spec : "", "unit", l->unit, "qty_milli",
                             (json_int_t)l->qty_milli, "list_price", (json_int_t)l->list_price,
                             "unit_price", (json_int_t)l->unit_price, "discount_bp",
                             (int)l->discount_bp, "tax_bp", (int)l->tax_bp, "amount",
                             (json_int_t)l->m.amount, "discount", (json_int_t)l->m.discount,
                             "header_discount", (json_int_t)l->m.header_discount, "net",
                             (json_int_t)l->m.net, "tax", (json_int_t)l->m.tax, "total",
                             (json_int_t)l->m.total, "note", l->note ? l->note : ""));
    }
    json_object_set_new(o, "lines", lines);
    json_object_set_new(o, "customer_id", json_integer(k->customer_id));
    json_object_set_new(o, "project_id", k->project_id ? json_integer(k->project_id) : json_null());
    json_object_set_new(o, "quotation_id",
                        k->quotation_id ? json_integer(k->quotation_id) : json_null());
    return o;
}

const char *contract_search_text(db_conn *c, arena *a, const char *number, const char *title,
                                 int64_t customer, int64_t project)
{
    db_res r;
    const char *cn = "", *pn = "";
    if (db_query(c, a, &r,
                 "SELECT cu.name AS cn, (SELECT name FROM projects WHERE id = ?) AS pn FROM"
                 " customers cu WHERE cu.id = ?",
                 DBP(DBI(project), DBI(customer))) > 0) {
        cn = db_get_text(&r, 0, "cn");
        pn = db_get_text(&r, 0, "pn");
    }
    const char *s = ts_normalize(
        a, arena_printf(a, "%s %s %s %s", number, title ? title : "", cn ? cn : "", pn ? pn : ""));
    return s ? s : "";
}

static db_val opt_text(const char *s)
{
    return s && *s ? DBS(s) : DBNULL;
}

int contract_insert(db_conn *c, arena *a, const contract_input *k, int64_t actor, int64_t *id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = 0;
    const char *number = settings_number_next(c, a, "contract", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    db_res res;
    rc = db_query(
        c, a, &res,
        "INSERT INTO contracts(number, title, customer_id, project_id, quotation_id, owner_id,"
        " state, revision, currency, rate_micro, sign_date, start_date, end_date,"
        " prices_include_tax, header_discount, freight, payment_terms, delivery_terms, notes,"
        " amount, discount, net, tax, total, grand_total, grand_total_cny, search_text,"
        " created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', 1, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        DBP(DBS(number), DBS(k->title), DBI(k->customer_id),
            k->project_id ? DBI(k->project_id) : DBNULL,
            k->quotation_id ? DBI(k->quotation_id) : DBNULL, DBI(k->owner_id), DBS(k->currency),
            DBI(k->rate_micro), DBS(k->sign_date), opt_text(k->start_date), opt_text(k->end_date),
            DBB(k->prices_include_tax), DBI(k->header_discount), DBI(k->freight),
            DBS(k->payment_terms), DBS(k->delivery_terms), DBS(k->notes), DBI(k->d.amount),
            DBI(k->d.discount), DBI(k->d.net), DBI(k->d.tax), DBI(k->d.total), DBI(k->grand_total),
            DBI(k->grand_total_cny),
            DBS(contract_search_text(c, a, number, k->title, k->customer_id, k->project_id)),
            DBI(actor), DBS(now), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&res, 0, "id");
    rc = doclines_save(c, CONTRACT_DOC, *id, 1, k->lines, k->n);
    if (rc < 0) return rc;
    json_t *after = contract_json(c, a, *id);
    rc = audit_record(c, actor, "contract", *id, "create", NULL, after);
    json_decref(after);
    return rc < 0 ? rc : 0;
}
