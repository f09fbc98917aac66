/* quotation_document.c — GET /api/v1/quotations/{id}/document?format=
 * xlsx|docx|pdf: the renderer's model (export/document.h) built from the
 * quotation's current version — money formatted by money_format, the total
 * in Chinese capital numerals by money_chinese (for yuan documents),
 * quantities in the unit of sale, captions in the user's language — and
 * the file sent as an attachment named after the quotation's number. */
#include "quotations/quotations.h"
#include "core/i18n.h"
#include "core/money.h"
#include "export/document.h"
#include "http/http.h"
#include <stdio.h>
#include <string.h>

/* A JSON integer of fen as printed. */
static const char *fmt_money(arena *a, json_t *v)
{
    return doc_fmt_money(a, json_integer_value(v));
}


static json_t *build_model(req *r, json_t *q, bool zh)
{
    arena *a = &r->a;
    json_t *lines = json_array(), *l;
    size_t i;
    json_array_foreach(json_object_get(q, "lines"), i, l)
        json_array_append_new(
            lines,
            json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "no",
                      (int)i + 1, "code",
                      json_string_value(json_object_get(l, "product_code")), "name",
                      json_string_value(json_object_get(l, "product_name")), "spec",
                      json_string_value(json_object_get(l, "spec")), "unit",
                      json_string_value(json_object_get(l, "unit")), "qty",
                      doc_fmt_qty(a, json_integer_value(json_object_get(l, "qty_milli"))), "price",
                      fmt_money(a, json_object_get(l, "unit_price")), "discount",
                      doc_fmt_bp(a, json_integer_value(json_object_get(l, "discount_bp"))),
                      "amount", fmt_money(a, json_object_get(l, "amount")), "tax_rate",
                      doc_fmt_bp(a, json_integer_value(json_object_get(l, "tax_bp"))), "tax",
                      fmt_money(a, json_object_get(l, "tax")), "total",
                      fmt_money(a, json_object_get(l, "total"))));
    const char *currency = json_string_value(json_object_get(q, "currency"));
    char chinese[256] = "";
    if (strcmp(currency, "CNY") == 0)
        money_chinese(chinese, sizeof chinese,
                      json_integer_value(json_object_get(q, "grand_total")));
    json_t *totals = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "amount", fmt_money(a, json_object_get(q, "amount")),
        "discount", fmt_money(a, json_object_get(q, "discount")), "freight",
        fmt_money(a, json_object_get(q, "freight")), "net", fmt_money(a, json_object_get(q, "net")),
        "tax", fmt_money(a, json_object_get(q, "tax")), "total",
        fmt_money(a, json_object_get(q, "grand_total")), "total_chinese", chinese);
    json_t *terms = json_array();
    const char *pay = json_string_value(json_object_get(q, "payment_terms"));
    const char *del = json_string_value(json_object_get(q, "delivery_terms"));
    if (pay && *pay)
        json_array_append_new(terms, json_pack("{s:s, s:s}", "label",
                                               zh ? "付款方式" : "Payment terms", "text", pay));
    if (del && *del)
        json_array_append_new(terms, json_pack("{s:s, s:s}", "label",
                                               zh ? "交货条件" : "Delivery terms", "text", del));
    json_array_append_new(
        terms, json_pack("{s:s, s:s}", "label", zh ? "价格" : "Prices", "text",
                         json_is_true(json_object_get(q, "prices_include_tax"))
                             ? (zh ? "含税价" : "including tax")
                             : (zh ? "不含税价，税另计" : "excluding tax, tax added")));
    /* the customer and its primary contact */
    json_t *cust = json_pack("{s:s, s:s, s:s, s:s}", "name",
                             json_string_value(json_object_get(q, "customer_name")), "contact",
                             "", "phone", "", "address", "");
    db_res c;
    if (db_query(r->db, a, &c,
                 "SELECT cu.phone, cu.address, (SELECT ct.name FROM contacts ct WHERE"
                 " ct.customer_id = cu.id ORDER BY ct.is_primary DESC, ct.id LIMIT 1) AS contact"
                 " FROM customers cu WHERE cu.id = ?",
                 DBP(DBI(json_integer_value(json_object_get(q, "customer_id"))))) > 0) {
        static const char *const keys[] = {"phone", "address", "contact"};
        for (int k = 0; k < 3; k++) {
            const char *v = db_get_text(&c, 0, keys[k]);
            if (v) json_object_set_new(cust, keys[k], json_string(v));
        }
    }
    json_t *extra = json_pack("{s:s, s:s, s:I}", "total_cny",
                              fmt_money(a, json_object_get(q, "grand_total_cny")), "state",
                              json_string_value(json_object_get(q, "state")), "revision",
                              json_integer_value(json_object_get(q, "revision")));
    const char *notes = json_string_value(json_object_get(q, "notes"));
    const char *owner = json_string_value(json_object_get(q, "owner_name"));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o}",
                     "kind", "quotation", "lang", zh ? "zh-CN" : "en", "title",
                     zh ? "报价单" : "Quotation", "number",
                     json_string_value(json_object_get(q, "number")), "date",
                     json_string_value(json_object_get(q, "quote_date")), "valid_until",
                     json_string_value(json_object_get(q, "valid_until")), "currency", currency,
                     "customer", cust, "lines", lines, "totals", totals, "terms", terms, "notes",
                     notes ? notes : "", "signature",
                     json_pack("{s:s, s:s}", "seller", owner ? owner : "", "buyer", ""), "extra",
                     extra);
}

static int h_document(req *r)
{
    int64_t id = quote_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    doc_format f;
    const char *fs = req_query(r, "format");
    if (!fs || doc_format_parse(fs, &f) < 0)
        return reply_invalid(r, json_pack("[o]", field_error("format", "invalid",
                                                             "must be xlsx, docx or pdf")));
    json_t *q = quote_json(r->db, &r->a, id);
    if (!q) return reply_not_found(r);
    json_t *model = build_model(r, q, i18n_req_lang(r) == LANG_ZH);
    const char *number = arena_strdup(&r->a, json_string_value(json_object_get(q, "number")));
    json_decref(q);
    char *out = NULL, err[256] = "";
    size_t len = 0;
    int rc = doc_render(r->db, &r->a, model, f, &out, &len, err, sizeof err);
    json_decref(model);
    if (rc < 0) return reply_problem(r, 500, "internal", "the document could not be made: %s", err);
    r->extra_header_name = "Content-Disposition";
    r->extra_header_value =
        arena_printf(&r->a, "attachment; filename=\"%s.%s\"", number, doc_format_name(f));
    return reply_raw(r, 200, doc_media_type(f), out, len);
}

const route quotation_document_routes[] = {
    {"GET", "/api/v1/quotations/{id}/document", h_document, "quotations.read", 0,
     QUERY("format!=xlsx|docx|pdf")
     "The quotation as a file to send: XLSX, DOCX or PDF, captions in your language",
     NULL},
    ROUTES_END,
};
