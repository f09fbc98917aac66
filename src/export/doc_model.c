/* doc_model.c — the placeholder language of document templates: which names
 * exist ({{number}}, {{customer.name}}, {{line.qty}}, {{labels.price}} ...),
 * checking a template's text, reading a value from the document model, the
 * built-in captions in Chinese and English, the formats' names, and a sample
 * model for previews and tests. */
#include "export/document.h"
#include "core/money.h"
#include <stdio.h>
#include <string.h>

static const char *const top_names[] = {"kind", "title", "number", "date", "valid_until",
                                        "currency", "notes", NULL};
static const char *const company_names[] = {"name", "address", "phone", "bank", "tax_no", "logo",
                                            NULL};
static const char *const customer_names[] = {"name", "contact", "phone", "address", NULL};
static const char *const totals_names[] = {"amount", "discount", "freight", "net", "tax", "total",
                                           "total_chinese", NULL};
static const char *const signature_names[] = {"seller", "buyer", NULL};
static const char *const line_names[] = {"no",     "code",   "name",     "spec", "unit",
                                         "qty",    "price",  "discount", "amount",
                                         "tax_rate", "tax",  "total",    NULL};
static const char *const term_names[] = {"label", "text", NULL};

/* key, Chinese, English */
static const char *const labels[][3] = {
    {"number", "编号", "No."},
    {"date", "日期", "Date"},
    {"valid_until", "有效期至", "Valid until"},
    {"currency", "币种", "Currency"},
    {"seller", "供方", "Seller"},
    {"buyer", "需方", "Buyer"},
    {"customer", "客户", "Customer"},
    {"contact", "联系人", "Contact"},
    {"phone", "电话", "Phone"},
    {"address", "地址", "Address"},
    {"bank", "开户行及账号", "Bank account"},
    {"tax_no", "税号", "Tax number"},
    {"no", "序号", "No."},
    {"code", "编码", "Code"},
    {"name", "品名", "Product"},
    {"spec", "规格型号", "Specification"},
    {"unit", "单位", "Unit"},
    {"qty", "数量", "Qty"},
    {"price", "单价", "Unit price"},
    {"discount", "折扣", "Discount"},
    {"amount", "金额", "Amount"},
    {"tax_rate", "税率", "Tax rate"},
    {"tax", "税额", "Tax"},
    {"total", "价税合计", "Total"},
    {"totals_amount", "金额合计", "Subtotal"},
    {"totals_discount", "折扣", "Discount"},
    {"freight", "运费", "Freight"},
    {"net", "折后金额", "Net amount"},
    {"totals_tax", "税额合计", "Tax"},
    {"totals_total", "价税合计", "Total"},
    {"total_chinese", "大写金额", "Total in Chinese capitals"},
    {"terms", "条款", "Terms"},
    {"notes", "备注", "Notes"},
    {"sign", "签字（盖章）", "Signature and seal"},
    {"page", "页", "Page"},
};
#define NLABELS (sizeof(labels) / sizeof(labels[0]))

static bool in_list(const char *const *list, const char *s)
{
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

bool doc_name_known(const char *name, bool in_line, bool in_term)
{
    const char *dot = strchr(name, '.');
    if (!dot) return in_list(top_names, name);
    size_t pl = (size_t)(dot - name);
    const char *rest = dot + 1;
    if (strchr(rest, '.')) return false;
#define IS(p) (pl == strlen(p) && strncmp(name, p, pl) == 0)
    if (IS("company")) return in_list(company_names, rest);
    if (IS("customer")) return in_list(customer_names, rest);
    if (IS("totals")) return in_list(totals_names, rest);
    if (IS("signature")) return in_list(signature_names, rest);
    if (IS("line")) return in_line && in_list(line_names, rest);
    if (IS("term")) return in_term && in_list(term_names, rest);
    if (IS("extra")) return *rest != 0;
    if (IS("labels")) {
        for (size_t i = 0; i < NLABELS; i++)
            if (strcmp(labels[i][0], rest) == 0) return true;
        return false;
    }
#undef IS
    return false;
}

static bool name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

/* The name between {{ and }} at s (s points at "{{"): copied trimmed into
 * buf; returns the length of the whole placeholder, 0 when there is no
 * closing }}, -1 when the name is malformed. */
static int placeholder_at(const char *s, char *buf, size_t n)
{
    const char *end = strstr(s + 2, "}}");
    const char *next = strstr(s + 2, "{{");
    if (!end || (next && next < end)) return 0;
    const char *b = s + 2, *e = end;
    while (b < e && *b == ' ') b++;
    while (e > b && e[-1] == ' ') e--;
    size_t l = (size_t)(e - b);
    if (l == 0 || l >= n) return -1;
    for (size_t i = 0; i < l; i++)
        if (!name_char(b[i])) return -1;
    memcpy(buf, b, l);
    buf[l] = 0;
    return (int)(end + 2 - s);
}

/* The text around p for a message: at most 24 bytes, cut on characters. */
static void excerpt(const char *p, char *buf, size_t n)
{
    size_t l = 0;
    while (p[l] && l < 24 && l + 1 < n) l++;
    while (l && ((unsigned char)p[l] & 0xC0) == 0x80) l--;
    memcpy(buf, p, l);
    buf[l] = 0;
}

int doc_text_check(const char *s, bool in_line, bool in_term, char *err, size_t errlen)
{
    char name[96], ex[32];
    for (const char *p = s ? strstr(s, "{{") : NULL; p; p = strstr(p, "{{")) {
        int l = placeholder_at(p, name, sizeof(name));
        if (l <= 0) {
            excerpt(p, ex, sizeof(ex));
            snprintf(err, errlen, "broken placeholder \"%s\": write {{name}}%s", ex,
                     l == 0 ? " with its closing }}" : " with letters, digits, _ and . only");
            return -1;
        }
        if (!doc_name_known(name, in_line, in_term)) {
            bool repeat = strncmp(name, "line.", 5) == 0 || strncmp(name, "term.", 5) == 0;
            snprintf(err, errlen, "unknown placeholder {{%s}}%s", name,
                     repeat && doc_name_known(name, true, true)
                         ? " (only inside the part repeated per line or term)"
                         : "");
            return -1;
        }
        p += l;
    }
    return 0;
}

static const char *scalar_text(arena *a, const json_t *v)
{
    if (json_is_string(v)) return json_string_value(v);
    if (json_is_integer(v)) return arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v)) return arena_printf(a, "%.15g", json_real_value(v));
    return "";
}

const char *doc_value(arena *a, const doc_ctx *x, const char *name)
{
    const char *dot = strchr(name, '.');
    if (!dot) return scalar_text(a, json_object_get(x->model, name));
    size_t pl = (size_t)(dot - name);
    const char *rest = dot + 1;
    const json_t *obj = NULL;
    if (pl == 4 && strncmp(name, "line", 4) == 0) obj = x->line;
    else if (pl == 4 && strncmp(name, "term", 4) == 0) obj = x->term;
    else if (pl == 6 && strncmp(name, "labels", 6) == 0) {
        const json_t *v = json_object_get(json_object_get(x->model, "labels"), rest);
        if (json_is_string(v)) return json_string_value(v);
        bool en = x->lang && strncmp(x->lang, "en", 2) == 0;
        for (size_t i = 0; i < NLABELS; i++)
            if (strcmp(labels[i][0], rest) == 0) return labels[i][en ? 2 : 1];
        return "";
    } else if (pl == 12 && strncmp(name, "company.logo", 12) == 0) {
        return "";
    } else {
        char top[32];
        if (pl >= sizeof(top)) return "";
        memcpy(top, name, pl);
        top[pl] = 0;
        obj = json_object_get(x->model, top);
    }
    return scalar_text(a, json_object_get(obj, rest));
}

static void put_escaped(arena *a, char **buf, size_t *len, size_t *cap, const char *s, size_t n,
                        bool xml)
{
    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        unsigned char ch = (unsigned char)s[i];
        if (xml) {
            if (ch == '&') rep = "&amp;";
            else if (ch == '<') rep = "&lt;";
            else if (ch == '>') rep = "&gt;";
            else if (ch == '"') rep = "&quot;";
            else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') rep = "";
        }
        size_t rl = rep ? strlen(rep) : 1;
        if (*len + rl + 1 > *cap) {
            size_t nc = (*cap ? *cap * 2 : 256) + rl;
            char *nb = arena_alloc_raw(a, nc);
            if (*len) memcpy(nb, *buf, *len);
            *buf = nb;
            *cap = nc;
        }
        if (rep) memcpy(*buf + *len, rep, rl);
        else (*buf)[*len] = (char)ch;
        *len += rl;
    }
}

char *doc_expand(arena *a, const doc_ctx *x, const char *s, bool xml)
{
    if (!s) return arena_strdup(a, "");
    if (!strstr(s, "{{")) return (char *)s; /* nothing to replace: the text itself */
    char *buf = NULL, name[96];
    size_t len = 0, cap = 0;
    const char *p = s;
    for (const char *q = strstr(p, "{{"); q; q = strstr(p, "{{")) {
        put_escaped(a, &buf, &len, &cap, p, (size_t)(q - p), false);
        int l = placeholder_at(q, name, sizeof(name));
        if (l <= 0) { /* not a placeholder: kept as it is */
            put_escaped(a, &buf, &len, &cap, q, 2, false);
            p = q + 2;
            continue;
        }
        const char *v = doc_name_known(name, true, true) ? doc_value(a, x, name) : "";
        put_escaped(a, &buf, &len, &cap, v, strlen(v), xml);
        p = q + l;
    }
    put_escaped(a, &buf, &len, &cap, p, strlen(p), false);
    if (!buf) return arena_strdup(a, "");
    buf[len] = 0;
    return buf;
}

bool doc_png_size(const unsigned char *p, size_t n, unsigned *w, unsigned *h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (!p || n < 24 || memcmp(p, sig, 8) != 0 || memcmp(p + 12, "IHDR", 4) != 0) return false;
    *w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | (unsigned)p[18] << 8 | p[19];
    *h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | (unsigned)p[22] << 8 | p[23];
    return *w > 0 && *h > 0 && *w < 20000 && *h < 20000;
}

int doc_format_parse(const char *s, doc_format *f)
{
    if (!s) return -1;
    if (strcmp(s, "xlsx") == 0) *f = DOC_XLSX;
    else if (strcmp(s, "docx") == 0) *f = DOC_DOCX;
    else if (strcmp(s, "pdf") == 0) *f = DOC_PDF;
    else return -1;
    return 0;
}

const char *doc_format_name(doc_format f)
{
    return f == DOC_XLSX ? "xlsx" : f == DOC_DOCX ? "docx" : "pdf";
}

const char *doc_media_type(doc_format f)
{
    switch (f) {
    case DOC_XLSX: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case DOC_DOCX: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    default: return "application/pdf";
    }
}

bool doc_kind_known(const char *kind)
{
    return kind && (strcmp(kind, "quotation") == 0 || strcmp(kind, "contract") == 0);
}

static json_t *money_text(int64_t fen)
{
    char b[48];
    money_format(b, sizeof(b), fen); /* "1,234,567.80" */
    return json_string(b);
}

json_t *doc_sample_model(const char *kind, const char *lang, int nlines)
{
    static const char *const names[] = {"铜芯聚氯乙烯绝缘电缆", "阻燃耐火电力电缆", "控制电缆",
                                        "屏蔽双绞线", "橡套软电缆"};
    static const char *const specs[] = {"BV 2.5mm²", "ZR-YJV 3×95+1×50", "KVVP 7×1.5",
                                        "RVVP 2×0.75", "YC 3×4+1×2.5"};
    bool en = lang && strncmp(lang, "en", 2) == 0;
    bool contract = kind && strcmp(kind, "contract") == 0;
    json_t *lines = json_array();
    int64_t amount = 0, tax = 0;
    for (int i = 0; i < nlines; i++) {
        int64_t qty = 10 + i % 37, price = 1250 + (i * 733) % 90000; /* fen */
        int64_t am = qty * price, tx = (am * 13 + 50) / 100;
        amount += am;
        tax += tx;
        char q[32], code[32];
        snprintf(q, sizeof(q), "%lld", (long long)qty);
        snprintf(code, sizeof(code), "DL-%04d", i + 1);
        json_array_append_new(
            lines, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o}", "no",
                             i + 1, "code", code, "name", names[i % 5], "spec", specs[i % 5],
                             "unit", en ? "m" : "米", "qty", q, "price", money_text(price),
                             "discount", "", "amount", money_text(am), "tax_rate", "13%", "tax",
                             money_text(tx), "total", money_text(am + tx)));
    }
    char chinese[256];
    money_chinese(chinese, sizeof(chinese), amount + tax);
    json_t *m = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", contract ? "contract" : "quotation",
        "lang", en ? "en" : "zh-CN", "title",
        contract ? (en ? "Sales contract" : "销售合同") : (en ? "Quotation" : "报价单"), "number",
        contract ? "HT-202612-0001" : "BJ-202612-0001", "date", "2026-12-07", "valid_until",
        "2026-12-31", "currency", "CNY", "notes",
        en ? "Prices include 13% VAT." : "以上价格含13%增值税，运费另计。");
    json_object_set_new(m, "customer",
                        json_pack("{s:s, s:s, s:s, s:s}", "name", "苏州华阳电线电缆有限公司",
                                  "contact", "李明", "phone", "0512-66881234", "address",
                                  "江苏省苏州市吴中区东吴北路 88 号"));
    json_object_set_new(m, "lines", lines);
    json_object_set_new(m, "totals",
                        json_pack("{s:o, s:s, s:s, s:o, s:o, s:o, s:s}", "amount",
                                  money_text(amount), "discount", "", "freight", "", "net",
                                  money_text(amount), "tax", money_text(tax), "total",
                                  money_text(amount + tax), "total_chinese", chinese));
    json_t *terms = json_array();
    json_array_append_new(terms, json_pack("{s:s, s:s}", "label", en ? "Payment" : "付款方式",
                                           "text", en ? "30% in advance, the rest on delivery."
                                                      : "预付30%，货到付清余款。"));
    json_array_append_new(terms, json_pack("{s:s, s:s}", "label", en ? "Delivery" : "交货期",
                                           "text", en ? "Within 15 days of the order."
                                                      : "收到订单后15日内发货。"));
    json_object_set_new(m, "terms", terms);
    json_object_set_new(m, "signature",
                        json_pack("{s:s, s:s}", "seller", en ? "Wang Fang" : "王芳", "buyer", ""));
    return m;
}

const char *doc_fmt_money(arena *a, int64_t fen)
{
    char buf[40];
    if (money_format(buf, sizeof buf, fen) < 0) return "";
    return arena_strdup(a, buf);
}

const char *doc_fmt_qty(arena *a, int64_t milli)
{
    int64_t whole = milli / 1000, frac = milli % 1000;
    if (!frac) return arena_printf(a, "%lld", (long long)whole);
    char f[8];
    snprintf(f, sizeof f, "%03lld", (long long)frac);
    for (int i = 2; i > 0 && f[i] == '0'; i--) f[i] = 0;
    return arena_printf(a, "%lld.%s", (long long)whole, f);
}

const char *doc_fmt_bp(arena *a, int64_t bp)
{
    if (bp % 100 == 0) return arena_printf(a, "%lld%%", (long long)(bp / 100));
    if (bp % 10 == 0)
        return arena_printf(a, "%lld.%lld%%", (long long)(bp / 100), (long long)(bp % 100 / 10));
    return arena_printf(a, "%lld.%02lld%%", (long long)(bp / 100), (long long)(bp % 100));
}
