/* doc_render.c — the one entry point of printable documents (document.h):
 * picks the template (the administrator's from document_files, or the
 * built-in one), the company's details and logo, and hands the model to the
 * format's writer; checks templates before they are stored. */
#include "export/document.h"
#include "core/settings.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int doc_builtin_template(arena *a, const char *kind, doc_format f, char **out, size_t *len)
{
    if (f == DOC_DOCX) return doc_docx_builtin(a, kind, out, len);
    /* the layout, indented for the administrator who downloads it */
    json_t *l = json_loads(doc_layout_builtin(kind), 0, NULL);
    char *s = l ? json_dumps(l, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(l);
    if (!s) return -1;
    *out = arena_strdup(a, s);
    *len = strlen(s);
    free(s);
    return 0;
}

int doc_template_check(arena *a, doc_format f, const char *data, size_t len, char *err,
                       size_t errlen)
{
    if (!data || len == 0) {
        snprintf(err, errlen, "the template is empty");
        return -1;
    }
    if (len > DOC_TEMPLATE_MAX) {
        snprintf(err, errlen, "the template is larger than %d bytes", DOC_TEMPLATE_MAX);
        return -1;
    }
    if (f == DOC_DOCX) return doc_docx_check(a, data, len, err, errlen);
    json_t *l = doc_layout_load(data, len, err, errlen);
    json_decref(l);
    return l ? 0 : -1;
}

int doc_render_with(arena *a, const json_t *model, doc_format f, const char *tpl, size_t tpl_len,
                    const unsigned char *logo, size_t logo_len, char **out, size_t *len, char *err,
                    size_t errlen)
{
    if (!json_is_object(model)) {
        snprintf(err, errlen, "the document model must be a JSON object");
        return -1;
    }
    if (json_array_size(json_object_get(model, "lines")) > DOC_LINES_MAX) {
        snprintf(err, errlen, "a document has at most %d lines", DOC_LINES_MAX);
        return -1;
    }
    doc_ctx x = {.model = model, .lang = json_string_value(json_object_get(model, "lang"))};
    if (f == DOC_DOCX) {
        char *builtin;
        size_t blen;
        if (!tpl) {
            if (doc_docx_builtin(a, json_string_value(json_object_get(model, "kind")), &builtin,
                                 &blen) < 0) {
                snprintf(err, errlen, "the built-in DOCX template could not be made");
                return -1;
            }
            tpl = builtin;
            tpl_len = blen;
        } else if (doc_docx_check(a, tpl, tpl_len, err, errlen) < 0) {
            return -1;
        }
        return doc_docx_render(a, &x, tpl, tpl_len, logo, logo_len, out, len, err, errlen);
    }
    if (!tpl) {
        tpl = doc_layout_builtin(json_string_value(json_object_get(model, "kind")));
        tpl_len = strlen(tpl);
    }
    json_t *layout = doc_layout_load(tpl, tpl_len, err, errlen);
    if (!layout) return -1;
    int rc = f == DOC_PDF ? doc_pdf_render(a, &x, layout, logo, logo_len, out, len, err, errlen)
                          : doc_xlsx_render(a, &x, layout, logo, logo_len, out, len, err, errlen);
    json_decref(layout);
    return rc;
}

/* A stored file's bytes (decoded, in a), or NULL when there is none. */
static unsigned char *stored(db_conn *c, arena *a, const char *name, size_t *len)
{
    db_res r;
    if (db_query(c, a, &r, "SELECT data_b64 FROM document_files WHERE name = ?",
                 DBP(DBS(name))) <= 0)
        return NULL;
    const char *b64 = db_get_text(&r, 0, "data_b64");
    size_t n = b64 ? strlen(b64) : 0;
    if (n == 0 || n % 4) return NULL;
    unsigned char *p = arena_alloc_raw(a, n / 4 * 3 + 1);
    int got = EVP_DecodeBlock(p, (const unsigned char *)b64, (int)n);
    if (got < 0) return NULL;
    if (b64[n - 1] == '=') got -= 1 + (b64[n - 2] == '=');
    *len = (size_t)got;
    return p;
}

int doc_render(db_conn *c, arena *a, const json_t *model, doc_format f, char **out, size_t *len,
               char *err, size_t errlen)
{
    const char *kind = json_string_value(json_object_get(model, "kind"));
    if (!json_is_object(model) || !kind || !doc_kind_known(kind)) {
        snprintf(err, errlen, "the model needs a kind: quotation or contract");
        return -1;
    }
    size_t tlen = 0, llen = 0;
    char *name = arena_printf(a, "%s.%s", kind, doc_format_name(f));
    unsigned char *tpl = stored(c, a, name, &tlen);
    unsigned char *logo = stored(c, a, "logo.png", &llen);
    json_t *m = (json_t *)model, *copy = NULL;
    if (!json_is_object(json_object_get(model, "company"))) {
        copy = json_copy(m); /* shallow: the lines are shared, not copied */
        json_t *company = settings_get(c, "company_profile");
        json_object_set_new(copy, "company", company ? company : json_object());
        m = copy;
    }
    int rc = doc_render_with(a, m, f, (const char *)tpl, tlen, logo, llen, out, len, err,
                             errlen);
    if (rc < 0 && tpl) {
        char msg[400];
        snprintf(msg, sizeof(msg), "the stored %s template: %s", name, err);
        snprintf(err, errlen, "%s", msg);
    }
    json_decref(copy);
    return rc;
}
