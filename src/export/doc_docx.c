/* doc_docx.c — a document as DOCX: a Word template with {{placeholders}}
 * filled from the document model (the administrator's, or the built-in one
 * made by doc_docx_builtin.c's text in doc_docx_parts.c). The package is read
 * and written with libzip in memory; only word/document.xml and the headers
 * and footers are changed, every other part is copied as it is.
 *
 * In each part:
 * 1. runs are normalised: Word splits typed text into runs at will
 *    ({{cust</w:t></w:r><w:r><w:t>omer.name}}), so within a paragraph a
 *    placeholder's characters are all moved into the w:t where it starts;
 * 2. a table row naming {{line.*}} is repeated for every line (outside a
 *    table, its paragraph), one naming {{term.*}} for every term;
 * 3. every placeholder is replaced by its value, escaped for XML;
 *    {{company.logo}} in the body becomes the logo picture.
 * Checking an upload runs the same steps without a model and stops at the
 * first broken or unknown placeholder. */
#include "export/document.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define PART_MAX (16 * 1024 * 1024) /* bytes of one XML part, unpacked */
#define ENTRIES_MAX 2000
#define LOGO_REL "rIdTfLogo"

typedef struct sb {
    arena *a;
    char *p;
    size_t len, cap;
} sb;

static void sb_put(sb *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 4096) + n;
        char *np = arena_alloc_raw(b->a, nc);
        if (b->len) memcpy(np, b->p, b->len);
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
static void sb_str(sb *b, const char *s) { sb_put(b, s, strlen(s)); }

/* The next <w:t> or <w:t ...> at or after s: *open points at '<', *body at
 * its text, *close at "</w:t>". false when there is none. */
static bool next_t(const char *s, const char **open, const char **body, const char **close)
{
    for (const char *p = strstr(s, "<w:t"); p; p = strstr(p + 4, "<w:t")) {
        if (p[4] != '>' && p[4] != ' ') continue;
        const char *gt = strchr(p, '>');
        if (!gt || gt[-1] == '/') continue;
        const char *c = strstr(gt, "</w:t>");
        if (!c) return false;
        *open = p;
        *body = gt + 1;
        *close = c;
        return true;
    }
    return false;
}

typedef struct seg {
    const char *open, *body, *close;
    int para;
    char *text; /* new content, or NULL: unchanged */
} seg;

/* Step 1: within each paragraph, a placeholder's characters all go to the
 * w:t where it starts. */
static char *normalise(arena *a, const char *xml)
{
    size_t n = 0, cap = 64;
    seg *s = arena_alloc(a, cap * sizeof(seg));
    int para = 0;
    const char *p = xml, *o, *b, *c, *pend = strstr(xml, "</w:p>");
    while (next_t(p, &o, &b, &c)) {
        while (pend && pend < o) {
            para++;
            pend = strstr(pend + 6, "</w:p>");
        }
        if (n == cap) {
            seg *ns = arena_alloc(a, cap * 2 * sizeof(seg));
            memcpy(ns, s, cap * sizeof(seg));
            s = ns;
            cap *= 2;
        }
        s[n++] = (seg){o, b, c, para, NULL};
        p = c + 6;
    }
    bool changed = false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        size_t total = 0;
        while (j < n && s[j].para == s[i].para) total += (size_t)(s[j].close - s[j].body), j++;
        if (j - i > 1) {
            /* the paragraph's text, and for each byte its w:t */
            char *cat = arena_alloc_raw(a, total + 1);
            int *owner = arena_alloc_raw(a, (total + 1) * sizeof(int));
            size_t k = 0;
            for (size_t m = i; m < j; m++)
                for (const char *q = s[m].body; q < s[m].close; q++) {
                    owner[k] = (int)m;
                    cat[k++] = *q;
                }
            cat[k] = 0;
            bool moved = false;
            for (char *q = strstr(cat, "{{"); q; q = strstr(q, "{{")) {
                char *e = strstr(q + 2, "}}");
                if (!e) break;
                char *nx = strstr(q + 2, "{{");
                if (nx && nx < e) { /* "{{ {{x}}": the first is no placeholder */
                    q = nx;
                    continue;
                }
                size_t from = (size_t)(q - cat), to = (size_t)(e + 2 - cat);
                for (size_t t = from + 1; t < to; t++)
                    if (owner[t] != owner[from]) {
                        owner[t] = owner[from];
                        moved = true;
                    }
                q = e + 2;
            }
            if (moved) {
                changed = true;
                for (size_t m = i; m < j; m++) {
                    sb t = {a, NULL, 0, 0};
                    for (size_t q = 0; q < k; q++)
                        if (owner[q] == (int)m) sb_put(&t, &cat[q], 1);
                    s[m].text = t.p ? t.p : arena_strdup(a, "");
                }
            }
        }
        i = j;
    }
    if (!changed) return (char *)xml;
    sb out = {a, NULL, 0, 0};
    p = xml;
    for (size_t i = 0; i < n; i++) {
        if (!s[i].text) continue;
        sb_put(&out, p, (size_t)(s[i].open - p));
        sb_str(&out, "<w:t xml:space=\"preserve\">");
        sb_str(&out, s[i].text);
        p = s[i].close;
    }
    sb_str(&out, p);
    return out.p;
}

/* The first placeholder at or after s whose name starts with "line." or
 * "term." (*kind 'l' or 't'), or NULL. */
static const char *next_repeat(const char *s, char *kind)
{
    for (const char *q = strstr(s, "{{"); q; q = strstr(q + 2, "{{")) {
        const char *n = q + 2;
        while (*n == ' ') n++;
        if (strncmp(n, "line.", 5) == 0 || strncmp(n, "term.", 5) == 0) {
            *kind = n[0];
            return q;
        }
    }
    return NULL;
}

/* The start of the last <TAG> or <TAG ...> before pos, or NULL. */
static const char *open_before(const char *start, const char *pos, const char *tag)
{
    size_t tl = strlen(tag);
    for (const char *p = pos - 1; p >= start; p--)
        if (*p == '<' && strncmp(p + 1, tag, tl) == 0 && (p[1 + tl] == '>' || p[1 + tl] == ' '))
            return p;
    return NULL;
}

/* The part [*us, *ue) repeated around the placeholder at q: its table row,
 * or else its paragraph. false if it is in neither. */
static bool repeat_unit(const char *xml, const char *q, const char **us, const char **ue)
{
    const char *tr = open_before(xml, q, "w:tr");
    if (tr) {
        const char *end_before = strstr(tr, "</w:tr>");
        if (end_before && end_before > q) {
            *us = tr;
            *ue = end_before + 7;
            return true;
        }
    }
    const char *p = open_before(xml, q, "w:p");
    const char *e = p ? strstr(q, "</w:p>") : NULL;
    if (!p || !e) return false;
    *us = p;
    *ue = e + 6;
    return true;
}

/* Checks the text of every w:t in [s, e). */
static int check_span(arena *a, const char *s, const char *e, bool in_line, bool in_term,
                      char *err, size_t errlen)
{
    const char *o, *b, *c, *p = s;
    while (next_t(p, &o, &b, &c) && c <= e) {
        char *t = arena_strndup(a, b, (size_t)(c - b));
        if (doc_text_check(t, in_line, in_term, err, errlen) < 0) return -1;
        p = c + 6;
    }
    return 0;
}

static const char *logo_xml(arena *a, unsigned w, unsigned h)
{
    long long cy = 540000, cx = cy * w / h; /* 15 mm high */
    if (cx > 2160000) {
        cx = 2160000;
        cy = cx * h / w;
    }
    return arena_printf(
        a,
        "</w:t></w:r><w:r><w:drawing><wp:inline xmlns:wp=\"http://schemas.openxmlformats.org/"
        "drawingml/2006/wordprocessingDrawing\" distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">"
        "<wp:extent cx=\"%lld\" cy=\"%lld\"/><wp:docPr id=\"4001\" name=\"Logo\"/>"
        "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">"
        "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
        "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">"
        "<pic:nvPicPr><pic:cNvPr id=\"4001\" name=\"logo.png\"/><pic:cNvPicPr/></pic:nvPicPr>"
        "<pic:blipFill><a:blip xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships\" r:embed=\"" LOGO_REL "\"/><a:stretch><a:fillRect/></a:stretch>"
        "</pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"%lld\" cy=\"%lld\"/>"
        "</a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>"
        "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r><w:r><w:t>",
        cx, cy, cx, cy);
}

/* {{company.logo}} (spaces allowed inside the braces) replaced by rep. */
static char *put_logo(arena *a, const char *xml, const char *rep)
{
    sb out = {a, NULL, 0, 0};
    const char *p = xml;
    for (const char *q = strstr(p, "{{"); q; q = strstr(p, "{{")) {
        const char *n = q + 2;
        while (*n == ' ') n++;
        const char *e = n;
        if (strncmp(n, "company.logo", 12) == 0) {
            e = n + 12;
            while (*e == ' ') e++;
        }
        if (e == n || strncmp(e, "}}", 2) != 0) {
            sb_put(&out, p, (size_t)(q + 2 - p));
            p = q + 2;
            continue;
        }
        sb_put(&out, p, (size_t)(q - p));
        sb_str(&out, rep);
        p = e + 2;
    }
    sb_str(&out, p);
    return out.p;
}

/* Steps 2 and 3 on one part; x NULL: check only. */
static char *fill_part(arena *a, const char *xml, const doc_ctx *x, const char *logo_rep,
                       char *err, size_t errlen)
{
    const char *norm = normalise(a, xml);
    if (x && logo_rep) norm = put_logo(a, norm, logo_rep);
    sb out = {a, NULL, 0, 0};
    const char *p = norm, *q;
    char kind;
    while ((q = next_repeat(p, &kind))) {
        const char *us, *ue;
        if (!repeat_unit(norm, q, &us, &ue) || us < p) {
            /* a line or term placeholder outside any paragraph: not repeated */
            us = ue = NULL;
        }
        if (!us) {
            const char *e = strstr(q, "}}");
            e = e ? e + 2 : q + 2;
            if (!x && check_span(a, p, e, false, false, err, errlen) < 0) return NULL;
            if (x) sb_str(&out, doc_expand(a, x, arena_strndup(a, p, (size_t)(e - p)), true));
            p = e;
            continue;
        }
        if (!x) {
            if (check_span(a, p, us, false, false, err, errlen) < 0 ||
                check_span(a, us, ue, kind == 'l', kind == 't', err, errlen) < 0)
                return NULL;
        } else {
            sb_str(&out, doc_expand(a, x, arena_strndup(a, p, (size_t)(us - p)), true));
            const char *unit = arena_strndup(a, us, (size_t)(ue - us));
            json_t *items = json_object_get(x->model, kind == 'l' ? "lines" : "terms"), *it;
            size_t i;
            doc_ctx ux = *x;
            json_array_foreach(items, i, it)
            {
                if (i >= DOC_LINES_MAX) break;
                if (kind == 'l') ux.line = it;
                else ux.term = it;
                sb_str(&out, doc_expand(a, &ux, unit, true));
            }
        }
        p = ue;
    }
    if (!x) return check_span(a, p, p + strlen(p), false, false, err, errlen) < 0 ? NULL : (char *)"";
    sb_str(&out, doc_expand(a, x, p, true));
    return out.p ? out.p : arena_strdup(a, "");
}

static bool is_text_part(const char *name)
{
    if (strcmp(name, "word/document.xml") == 0) return true;
    size_t l = strlen(name);
    return l > 4 && strcmp(name + l - 4, ".xml") == 0 && !strchr(name + 5, '/') &&
           (strncmp(name, "word/header", 11) == 0 || strncmp(name, "word/footer", 11) == 0);
}

static char *read_entry(arena *a, zip_t *z, zip_int64_t i, size_t *len)
{
    zip_stat_t st;
    if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE) ||
        st.size > PART_MAX)
        return NULL;
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)i, 0);
    if (!f) return NULL;
    char *p = arena_alloc_raw(a, st.size + 1);
    zip_int64_t got = zip_fread(f, p, st.size);
    zip_fclose(f);
    if (got < 0 || (zip_uint64_t)got != st.size) return NULL;
    p[got] = 0;
    if (len) *len = (size_t)got;
    return p;
}

static zip_t *open_mem(const char *data, size_t len, zip_source_t **src)
{
    zip_error_t ze;
    zip_error_init(&ze);
    *src = zip_source_buffer_create(data, len, 0, &ze);
    zip_t *z = *src ? zip_open_from_source(*src, ZIP_RDONLY, &ze) : NULL;
    if (!z && *src) zip_source_free(*src);
    zip_error_fini(&ze);
    return z;
}

/* Copies every part of z into a new package as doc_docx_render copies the
 * parts it does not change (their stored bytes as they are): 0, or -1 with
 * err when the package cannot be written again (a part's sizes or headers
 * are damaged, two parts have one name). */
static int copy_check(zip_t *z, char *err, size_t errlen)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *o = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!o) {
        if (src) zip_source_free(src);
        snprintf(err, errlen, "the template could not be checked");
        return -1;
    }
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        zip_source_t *s = name ? zip_source_zip(o, z, (zip_uint64_t)i, 0, 0, -1) : NULL;
        if (!s || zip_file_add(o, name, s, ZIP_FL_ENC_UTF_8) < 0) {
            if (s) zip_source_free(s);
            snprintf(err, errlen, "the file is a damaged DOCX: %s cannot be copied",
                     name ? name : "a part");
            zip_discard(o);
            return -1;
        }
    }
    if (zip_close(o) != 0) {
        snprintf(err, errlen, "the file is a damaged DOCX: %s", zip_strerror(o));
        zip_discard(o);
        return -1;
    }
    return 0;
}

int doc_docx_check(arena *a, const char *tpl, size_t len, char *err, size_t errlen)
{
    zip_source_t *src;
    zip_t *z = open_mem(tpl, len, &src);
    if (!z) {
        snprintf(err, errlen, "the file is not a Word document (DOCX): it is not a zip package");
        return -1;
    }
    int rc = 0;
    zip_int64_t n = zip_get_num_entries(z, 0);
    if (zip_name_locate(z, "word/document.xml", 0) < 0 || n > ENTRIES_MAX) {
        snprintf(err, errlen, "the file is not a Word document (DOCX): no word/document.xml");
        rc = -1;
    }
    for (zip_int64_t i = 0; rc == 0 && i < n; i++) {
        const char *name = zip_get_name(z, (zip_uint64_t)i, 0);
        if (!name) continue;
        /* every part is read, not only those with placeholders: a damaged
         * one would otherwise pass here and fail every document made later */
        char *xml = read_entry(a, z, i, NULL), msg[256];
        if (!xml) {
            snprintf(err, errlen, "%s cannot be read (damaged, or larger than 16 MB)", name);
            rc = -1;
        } else if (is_text_part(name) && !fill_part(a, xml, NULL, NULL, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s: %s", name, msg);
            rc = -1;
        }
    }
    if (rc == 0) rc = copy_check(z, err, errlen);
    zip_discard(z);
    return rc;
}

/* Adds the logo's relationship and the PNG content type to a part's text. */
static char *add_before(arena *a, const char *xml, const char *closing, const char *what)
{
    const char *e = xml ? strstr(xml, closing) : NULL;
    if (!e) return NULL;
    return arena_printf(a, "%.*s%s%s", (int)(e - xml), xml, what, e);
}

int doc_docx_render(arena *a, const doc_ctx *x, const char *tpl, size_t tpl_len,
                    const unsigned char *logo, size_t logo_len, char **out, size_t *len, char *err,
                    size_t errlen)
{
    zip_source_t *in_src, *out_src;
    zip_t *in = open_mem(tpl, tpl_len, &in_src);
    if (!in) {
        snprintf(err, errlen, "the template is not a DOCX package");
        return -1;
    }
    zip_error_t ze;
    zip_error_init(&ze);
    out_src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *o = out_src ? zip_open_from_source(out_src, ZIP_TRUNCATE, &ze) : NULL;
    zip_error_fini(&ze);
    if (!o) {
        if (out_src) zip_source_free(out_src);
        zip_discard(in);
        snprintf(err, errlen, "the DOCX could not be started");
        return -1;
    }
    zip_source_keep(out_src);
    unsigned lw, lh;
    bool has_logo = doc_png_size(logo, logo_len, &lw, &lh);
    const char *rep = has_logo ? logo_xml(a, lw, lh) : "";
    int rc = 0;
    bool rels_done = false;
    zip_int64_t n = zip_get_num_entries(in, 0);
    for (zip_int64_t i = 0; rc == 0 && i < n && i < ENTRIES_MAX; i++) {
        const char *name = zip_get_name(in, (zip_uint64_t)i, 0);
        if (!name) continue;
        char *data = NULL;
        bool body = strcmp(name, "word/document.xml") == 0;
        if (is_text_part(name)) {
            char *xml = read_entry(a, in, i, NULL);
            data = xml ? fill_part(a, xml, x, body ? rep : "", err, errlen) : NULL;
            if (!data) {
                snprintf(err, errlen, "%s cannot be read", name);
                rc = -1;
                break;
            }
        } else if (has_logo && strcmp(name, "[Content_Types].xml") == 0) {
            char *xml = read_entry(a, in, i, NULL);
            data = xml && !strstr(xml, "Extension=\"png\"")
                       ? add_before(a, xml, "</Types>",
                                    "<Default Extension=\"png\" ContentType=\"image/png\"/>")
                       : xml;
        } else if (has_logo && strcmp(name, "word/_rels/document.xml.rels") == 0) {
            data = add_before(a, read_entry(a, in, i, NULL), "</Relationships>",
                              "<Relationship Id=\"" LOGO_REL "\" Type=\"http://schemas."
                              "openxmlformats.org/officeDocument/2006/relationships/image\" "
                              "Target=\"media/tf_logo.png\"/>");
            rels_done = data != NULL;
        }
        zip_source_t *s = data ? zip_source_buffer(o, data, strlen(data), 0)
                               : zip_source_zip(o, in, (zip_uint64_t)i, 0, 0, -1);
        if (!s || zip_file_add(o, name, s, ZIP_FL_ENC_UTF_8) < 0) {
            if (s) zip_source_free(s);
            snprintf(err, errlen, "the DOCX could not be written (%s)", name);
            rc = -1;
        }
    }
    if (rc == 0 && has_logo && rels_done) {
        zip_source_t *s = zip_source_buffer(o, logo, logo_len, 0);
        if (!s || zip_file_add(o, "word/media/tf_logo.png", s, ZIP_FL_OVERWRITE) < 0) {
            if (s) zip_source_free(s);
        }
    }
    if (rc == 0 && zip_close(o) != 0) {
        snprintf(err, errlen, "the DOCX could not be written: %s", zip_strerror(o));
        zip_discard(o);
        rc = -1;
    } else if (rc != 0) {
        zip_discard(o);
    }
    zip_discard(in);
    if (rc == 0) {
        zip_stat_t st;
        if (zip_source_stat(out_src, &st) == 0 && zip_source_open(out_src) == 0) {
            char *p = arena_alloc_raw(a, st.size + 1);
            zip_int64_t got = zip_source_read(out_src, p, st.size);
            zip_source_close(out_src);
            if (got >= 0 && (zip_uint64_t)got == st.size) {
                *out = p;
                *len = (size_t)got;
            } else {
                rc = -1;
            }
        } else {
            rc = -1;
        }
        if (rc < 0) snprintf(err, errlen, "the DOCX could not be read back");
    }
    zip_source_free(out_src);
    return rc;
}
