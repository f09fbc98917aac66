/* contract_document.c — GET /api/v1/contracts/{id}/document?format=
 * xlsx|docx|pdf: the renderer's model (export/document.h, kind "contract")
 * built from the revision in force — money formatted by money_format, the
 * total in Chinese capital numerals by money_chinese (for yuan contracts),
 * quantities in the unit of sale, captions in the user's language, the
 * contract's end date where a quotation prints its validity — and the file
 * sent as an attachment named after the contract's number. */
#include "contracts/contracts.h"
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


static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *model_lines(arena *a, json_t *k)
{
    json_t *lines = json_array(), *l;
    size_t i;
    json_array_foreach(json_object_get(k, "lines"), i, l) json_array_append_new(
        lines, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "no",
                         (int)i + 1, "code", str(l, "product_code"), "name", str(l, "product_name"),
                         "spec", str(l, "spec"), "unit", str(l, "unit"), "qty",
                         doc_fmt_qty(a, json_integer_value(json_object_get(l, "qty_milli"))), "price",
                         fmt_money(a, json_object_get(l, "unit_price")), "discount",
                         doc_fmt_bp(a, json_integer_value(json_object_get(l, "discount_bp"))), "amount",
                         fmt_money(a, json_object_get(l, "amount")), "tax_rate",
                         doc_fmt_bp(a, json_integer_value(json_object_get(l, "tax_bp"))), "tax",
                         fmt_money(a, json_object_get(l, "tax")), "total",
                         fmt_money(a, json_object_get(l, "total"))));
    return lines;
}

static json_t *build_model(req *r, json_t *k, bool zh)
{
    arena *a = &r->a;
    const char *currency = str(k, "currency");
    char chinese[256] = "";
    if (strcmp(currency, "CNY") == 0)
        money_chinese(chinese, sizeof chinese,
                      json_integer_value(json_object_get(k, "grand_total")));
    json_t *totals = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "amount", fmt_money(a, json_object_get(k, "amount")),
        "discount", fmt_money(a, json_object_get(k, "discount")), "freight",
        fmt_money(a, json_object_get(k, "freight")), "net", fmt_money(a, json_object_get(k, "net")),
        "tax", fmt_money(a, json_object_get(k, "tax")), "total",
        fmt_money(a, json_object_get(k, "grand_total")), "total_chinese", chinese);
    json_t *terms = json_array();
    static const struct {
        const char *key, *zh, *en;
    } tl[] = {{"title", "合同标题", "Subject"},
              {"payment_terms", "付款方式", "Payment terms"},
              {"delivery_terms", "交货条件", "Delivery terms"},
              {"start_date", "开始日期", "Starts"}};
    for (size_t i = 0; i < sizeof tl / sizeof tl[0]; i++)
        if (*str(k, tl[i].key))
            json_array_append_new(terms, json_pack("{s:s, s:s}", "label", zh ? tl[i].zh : tl[i].en,
                                                   "text", str(k, tl[i].key)));
    json_array_append_new(terms,
                          json_pack("{s:s, s:s}", "label", zh ? "价格" : "Prices", "text",
                                    json_is_true(json_object_get(k, "prices_include_tax"))
                                        ? (zh ? "含税价" : "including tax")
                                        : (zh ? "不含税价，税另计" : "excluding tax, tax added")));
    json_t *cust = json_pack("{s:s, s:s, s:s, s:s}", "name", str(k, "customer_name"), "contact", "",
                             "phone", "", "address", "");
    db_res c;
    if (db_query(r->db, a, &c,
                 "SELECT cu.phone, cu.address, (SELECT ct.name FROM contacts ct WHERE"
                 " ct.customer_id = cu.id ORDER BY ct.is_primary DESC, ct.id LIMIT 1) AS contact"
                 " FROM customers cu WHERE cu.id = ?",
                 DBP(DBI(json_integer_value(json_object_get(k, "customer_id"))))) > 0) {
        static const char *const keys[] = {"phone", "address", "contact"};
        for (int i = 0; i < 3; i++) {
            const char *v = db_get_text(&c, 0, keys[i]);
            if (v) json_object_set_new(cust, keys[i], json_string(v));
        }
    }
    json_t *extra = json_pack(
        "{s:s, s:s, s:I, s:s}", "total_cny", fmt_money(a, json_object_get(k, "grand_total_cny")),
        "state", str(k, "state"), "revision", json_integer_value(json_object_get(k, "revision")),
        "quotation", str(k, "quotation_number"));
    json_t *labels = json_pack("{s:s, s:s}", "date", zh ? "签订日期" : "Signed on", "valid_until",
                               zh ? "合同期至" : "Ends");
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:o, s:o,"
                     " s:o}",
                     "kind", "contract", "lang", zh ? "zh-CN" : "en", "title",
                     zh ? "销售合同" : "Sales contract", "number", str(k, "number"), "date",
                     str(k, "sign_date"), "valid_until", str(k, "end_date"), "currency", currency,
                     "customer", cust, "lines", model_lines(a, k), "totals", totals, "terms", terms,
                     "notes", str(k, "notes"), "signature",
                     json_pack("{s:s, s:s}", "seller", str(k, "owner_name"), "buyer", ""), "extra",
                     extra, "labels", labels);
}

static int h_document(req *r)
{
    int64_t id = contract_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    doc_format f;
    const char *fs = req_query(r, "format");
    if (!fs || doc_format_parse(fs, &f) < 0)
        return reply_invalid(
            r, json_pack("[o]", field_error("format", "invalid", "must be xlsx, docx or pdf")));
    json_t *k = contract_json(r->db, &r->a, id);
    if (!k) return reply_not_found(r);
    json_t *model = build_model(r, k, i18n_req_lang(r) == LANG_ZH);
    const char *number = arena_strdup(&r->a, str(k, "number"));
    json_decref(k);
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

const route contract_document_routes[] = {
    {"GET", "/api/v1/contracts/{id}/document", h_document, "contracts.read", 0,
     QUERY("format!=xlsx|docx|pdf") "The contract as a file to sign: XLSX, DOCX or PDF, captions "
                                    "in your language",
     NULL},
    ROUTES_END,
};
