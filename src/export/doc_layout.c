/* doc_layout.c — the layout a PDF or XLSX document is drawn from: the
 * built-in one, and checking one an administrator uploads (every key, type
 * and placeholder; the message names where the problem is). The format is
 * described in docs/ARCHITECTURE.md ("Printable documents"):
 *   {"blocks":[
 *     {"type":"logo"},
 *     {"type":"text","text":"...","style":"title|heading|normal|small","align":"left|center|right"},
 *     {"type":"fields","columns":1..4,"align":...,"items":[{"label":"...","value":"..."}]},
 *     {"type":"lines","columns":[{"header":"...","value":"{{line.qty}}","width":1..100,"align":...}]},
 *     {"type":"terms","title":"...","label":"{{term.label}}","text":"{{term.text}}"},
 *     {"type":"signature","items":[{"label":"...","value":"...","note":"..."}]}]}
 * Every block may say "when":"{{...}}": it is left out when that text comes
 * out empty; a fields item whose value comes out empty is left out. */
#include "export/document.h"
#include <stdio.h>
#include <string.h>

static const char builtin[] =
    "{\"page\":{\"orientation\":\"portrait\"},\"blocks\":["
    "{\"type\":\"logo\"},"
    "{\"type\":\"text\",\"text\":\"{{company.name}}\",\"style\":\"heading\",\"align\":\"center\"},"
    "{\"type\":\"text\",\"text\":\"{{company.address}}   {{labels.phone}}: {{company.phone}}\","
    "\"style\":\"small\",\"align\":\"center\",\"when\":\"{{company.address}}{{company.phone}}\"},"
    "{\"type\":\"text\",\"text\":\"{{title}}\",\"style\":\"title\",\"align\":\"center\"},"
    "{\"type\":\"fields\",\"columns\":2,\"items\":["
    "{\"label\":\"{{labels.customer}}\",\"value\":\"{{customer.name}}\"},"
    "{\"label\":\"{{labels.number}}\",\"value\":\"{{number}}\"},"
    "{\"label\":\"{{labels.contact}}\",\"value\":\"{{customer.contact}}\"},"
    "{\"label\":\"{{labels.date}}\",\"value\":\"{{date}}\"},"
    "{\"label\":\"{{labels.phone}}\",\"value\":\"{{customer.phone}}\"},"
    "{\"label\":\"{{labels.valid_until}}\",\"value\":\"{{valid_until}}\"},"
    "{\"label\":\"{{labels.address}}\",\"value\":\"{{customer.address}}\"},"
    "{\"label\":\"{{labels.currency}}\",\"value\":\"{{currency}}\"}]},"
    "{\"type\":\"lines\",\"columns\":["
    "{\"header\":\"{{labels.no}}\",\"value\":\"{{line.no}}\",\"width\":5,\"align\":\"center\"},"
    "{\"header\":\"{{labels.name}}\",\"value\":\"{{line.name}}\",\"width\":18},"
    "{\"header\":\"{{labels.spec}}\",\"value\":\"{{line.spec}}\",\"width\":13},"
    "{\"header\":\"{{labels.unit}}\",\"value\":\"{{line.unit}}\",\"width\":5,\"align\":\"center\"},"
    "{\"header\":\"{{labels.qty}}\",\"value\":\"{{line.qty}}\",\"width\":7,\"align\":\"right\"},"
    "{\"header\":\"{{labels.price}}\",\"value\":\"{{line.price}}\",\"width\":9,\"align\":\"right\"},"
    "{\"header\":\"{{labels.amount}}\",\"value\":\"{{line.amount}}\",\"width\":11,\"align\":\"right\"},"
    "{\"header\":\"{{labels.tax_rate}}\",\"value\":\"{{line.tax_rate}}\",\"width\":6,\"align\":\"right\"},"
    "{\"header\":\"{{labels.tax}}\",\"value\":\"{{line.tax}}\",\"width\":9,\"align\":\"right\"},"
    "{\"header\":\"{{labels.total}}\",\"value\":\"{{line.total}}\",\"width\":11,\"align\":\"right\"}]},"
    "{\"type\":\"fields\",\"columns\":1,\"align\":\"right\",\"items\":["
    "{\"label\":\"{{labels.totals_amount}}\",\"value\":\"{{totals.amount}}\"},"
    "{\"label\":\"{{labels.totals_discount}}\",\"value\":\"{{totals.discount}}\"},"
    "{\"label\":\"{{labels.freight}}\",\"value\":\"{{totals.freight}}\"},"
    "{\"label\":\"{{labels.net}}\",\"value\":\"{{totals.net}}\"},"
    "{\"label\":\"{{labels.totals_tax}}\",\"value\":\"{{totals.tax}}\"},"
    "{\"label\":\"{{labels.totals_total}}\",\"value\":\"{{currency}} {{totals.total}}\"},"
    "{\"label\":\"{{labels.total_chinese}}\",\"value\":\"{{totals.total_chinese}}\"}]},"
    "{\"type\":\"terms\",\"title\":\"{{labels.terms}}\"},"
    "{\"type\":\"text\",\"text\":\"{{labels.notes}}: {{notes}}\",\"when\":\"{{notes}}\"},"
    "{\"type\":\"fields\",\"columns\":2,\"items\":["
    "{\"label\":\"{{labels.bank}}\",\"value\":\"{{company.bank}}\"},"
    "{\"label\":\"{{labels.tax_no}}\",\"value\":\"{{company.tax_no}}\"}]},"
    "{\"type\":\"signature\",\"items\":["
    "{\"label\":\"{{labels.seller}}\",\"value\":\"{{company.name}}\","
    "\"note\":\"{{labels.sign}}: {{signature.seller}}\"},"
    "{\"label\":\"{{labels.buyer}}\",\"value\":\"{{customer.name}}\","
    "\"note\":\"{{labels.sign}}: {{signature.buyer}}\"}]}]}";

const char *doc_layout_builtin(const char *kind)
{
    (void)kind; /* quotations and contracts share it; the title tells them apart */
    return builtin;
}

typedef struct chk {
    char *err;
    size_t errlen;
} chk;

static int fail(chk *k, const char *where, const char *what)
{
    snprintf(k->err, k->errlen, "%s: %s", where, what);
    return -1;
}

/* Only the keys in allowed (space-separated, with spaces around). */
static int keys_only(chk *k, const char *where, json_t *o, const char *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        char pat[72];
        snprintf(pat, sizeof(pat), " %s ", key);
        if (strlen(key) > 60 || !strstr(allowed, pat)) {
            char msg[128];
            snprintf(msg, sizeof(msg), "unknown key \"%.60s\"", key);
            return fail(k, where, msg);
        }
    }
    return 0;
}

static int text_ok(chk *k, const char *where, json_t *o, const char *key, bool required,
                   bool in_line, bool in_term)
{
    json_t *v = json_object_get(o, key);
    char at[160], msg[200];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (!v) return required ? fail(k, at, "is required") : 0;
    if (!json_is_string(v)) return fail(k, at, "must be text");
    if (json_string_length(v) > 2000) return fail(k, at, "is longer than 2000 bytes");
    if (doc_text_check(json_string_value(v), in_line, in_term, msg, sizeof(msg)) < 0)
        return fail(k, at, msg);
    return 0;
}

static int word_ok(chk *k, const char *where, json_t *o, const char *key, const char *words)
{
    json_t *v = json_object_get(o, key);
    if (!v) return 0;
    char at[160], pat[40], msg[120];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (!json_is_string(v) || json_string_length(v) > 20) goto bad;
    snprintf(pat, sizeof(pat), " %s ", json_string_value(v));
    if (strstr(words, pat)) return 0;
bad:
    snprintf(msg, sizeof(msg), "must be one of%s", words);
    msg[strlen(msg) - 1] = 0;
    return fail(k, at, msg);
}

static int int_ok(chk *k, const char *where, json_t *o, const char *key, int min, int max)
{
    json_t *v = json_object_get(o, key);
    if (!v) return 0;
    char at[160], msg[80];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    snprintf(msg, sizeof(msg), "must be a whole number from %d to %d", min, max);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return fail(k, at, msg);
    return 0;
}

#define ALIGNS " left center right "

static int items_ok(chk *k, const char *where, json_t *b, const char *key, int max,
                    const char *item_keys, bool in_line)
{
    json_t *items = json_object_get(b, key), *it;
    char at[160], msg[80];
    snprintf(at, sizeof(at), "%s.%s", where, key);
    if (!json_is_array(items) || json_array_size(items) == 0)
        return fail(k, at, "must be a list of at least one item");
    if (json_array_size(items) > (size_t)max) {
        snprintf(msg, sizeof(msg), "has more than %d items", max);
        return fail(k, at, msg);
    }
    size_t i;
    json_array_foreach(items, i, it)
    {
        char w[200];
        snprintf(w, sizeof(w), "%s[%zu]", at, i);
        if (!json_is_object(it)) return fail(k, w, "must be an object");
        if (keys_only(k, w, it, item_keys) < 0) return -1;
        if (in_line) {
            if (text_ok(k, w, it, "header", false, false, false) < 0 ||
                text_ok(k, w, it, "value", true, true, false) < 0 ||
                int_ok(k, w, it, "width", 1, 100) < 0 || word_ok(k, w, it, "align", ALIGNS) < 0)
                return -1;
        } else if (text_ok(k, w, it, "label", false, false, false) < 0 ||
                   text_ok(k, w, it, "value", true, false, false) < 0 ||
                   text_ok(k, w, it, "note", false, false, false) < 0) {
            return -1;
        }
    }
    return 0;
}

static int block_ok(chk *k, json_t *b, size_t i)
{
    char w[64];
    snprintf(w, sizeof(w), "blocks[%zu]", i);
    if (!json_is_object(b)) return fail(k, w, "must be an object");
    const char *t = json_string_value(json_object_get(b, "type"));
    if (!t)
        return fail(k, w, "needs a type: logo, text, fields, lines, terms or signature");
    if (text_ok(k, w, b, "when", false, false, false) < 0) return -1;
    if (strcmp(t, "logo") == 0) return keys_only(k, w, b, " type when align ") < 0 ||
                                               word_ok(k, w, b, "align", ALIGNS) < 0 ? -1 : 0;
    if (strcmp(t, "text") == 0)
        return keys_only(k, w, b, " type when text style align ") < 0 ||
                       text_ok(k, w, b, "text", true, false, false) < 0 ||
                       word_ok(k, w, b, "style", " title heading normal small ") < 0 ||
                       word_ok(k, w, b, "align", ALIGNS) < 0
                   ? -1
                   : 0;
    if (strcmp(t, "fields") == 0)
        return keys_only(k, w, b, " type when columns align items ") < 0 ||
                       int_ok(k, w, b, "columns", 1, 4) < 0 ||
                       word_ok(k, w, b, "align", ALIGNS) < 0 ||
                       items_ok(k, w, b, "items", 60, " label value ", false) < 0
                   ? -1
                   : 0;
    if (strcmp(t, "lines") == 0)
        return keys_only(k, w, b, " type when columns ") < 0 ||
                       items_ok(k, w, b, "columns", 20, " header value width align ", true) < 0
                   ? -1
                   : 0;
    if (strcmp(t, "terms") == 0)
        return keys_only(k, w, b, " type when title label text ") < 0 ||
                       text_ok(k, w, b, "title", false, false, false) < 0 ||
                       text_ok(k, w, b, "label", false, false, true) < 0 ||
                       text_ok(k, w, b, "text", false, false, true) < 0
                   ? -1
                   : 0;
    if (strcmp(t, "signature") == 0)
        return keys_only(k, w, b, " type when items ") < 0 ||
                       items_ok(k, w, b, "items", 4, " label value note ", false) < 0
                   ? -1
                   : 0;
    char msg[120];
    snprintf(msg, sizeof(msg), "unknown type \"%.40s\" (logo, text, fields, lines, terms or signature)",
             t);
    return fail(k, w, msg);
}

json_t *doc_layout_load(const char *text, size_t len, char *err, size_t errlen)
{
    chk k = {err, errlen};
    json_error_t je;
    json_t *l = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!l) {
        snprintf(err, errlen, "the layout is not JSON: %s (line %d)", je.text, je.line);
        return NULL;
    }
    json_t *blocks = json_object_get(l, "blocks"), *b;
    size_t i;
    if (!json_is_object(l) || keys_only(&k, "layout", l, " blocks page ") < 0) goto bad;
    json_t *page = json_object_get(l, "page");
    if (page && (!json_is_object(page) || keys_only(&k, "page", page, " orientation ") < 0 ||
                 word_ok(&k, "page", page, "orientation", " portrait landscape ") < 0)) {
        if (!json_is_object(page)) fail(&k, "page", "must be an object");
        goto bad;
    }
    if (!json_is_array(blocks) || json_array_size(blocks) == 0 || json_array_size(blocks) > 100) {
        fail(&k, "layout", "needs \"blocks\": a list of 1 to 100 blocks");
        goto bad;
    }
    json_array_foreach(blocks, i, b) if (block_ok(&k, b, i) < 0) goto bad;
    return l;
bad:
    json_decref(l);
    return NULL;
}
