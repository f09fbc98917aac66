/* doc_pdf.c — a document as PDF, drawn from a layout (doc_layout.c) with
 * cairo and pango: text shaped and wrapped by pango in Noto Sans CJK (cairo
 * embeds the subset of the font used), A4, the line table's header row
 * repeated at the top of every page it continues on, page numbers at the
 * foot. The PDF is written to memory and copied into the caller's arena. */
#include "export/document.h"
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FONT "Noto Sans CJK SC"
#define MARGIN 36.0
#define FOOT 22.0
#define PAD 3.0

/* Sanitized builds: fontconfig and cairo keep their font caches for the
 * life of the process and never free them; LeakSanitizer would report them
 * at every exit of a server that drew a PDF. Our own leaks stay reported. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libcairo.so\n";
}

typedef struct buf {
    unsigned char *p;
    size_t len, cap;
    bool oom;
} buf;

typedef struct pdf {
    arena *a;
    const doc_ctx *x;
    cairo_surface_t *s;
    cairo_t *cr;
    PangoContext *ctx; /* one for the document: a context per text was most of the time */
    double w, h, y, bottom;
    int page;
    PangoFontDescription *fd[4]; /* small, normal, heading, title */
    PangoFontDescription *table, *table_bold;
    /* the line table's header, redrawn on each page it goes on */
    json_t *cols;
    double *cx, *cw;
    int ncols;
} pdf;

static cairo_status_t on_write(void *closure, const unsigned char *data, unsigned int n)
{
    buf *b = closure;
    if (b->len + n > b->cap) {
        size_t nc = (b->cap ? b->cap * 2 : 65536) + n;
        unsigned char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return CAIRO_STATUS_SUCCESS;
}

static PangoAlignment align_of(const json_t *o, PangoAlignment dflt)
{
    const char *s = json_string_value(json_object_get(o, "align"));
    if (!s) return dflt;
    return strcmp(s, "center") == 0  ? PANGO_ALIGN_CENTER
           : strcmp(s, "right") == 0 ? PANGO_ALIGN_RIGHT
                                     : PANGO_ALIGN_LEFT;
}

/* A laid-out text of the given width; bold_len bytes at its start in bold. */
static PangoLayout *text_layout(pdf *p, const char *text, const PangoFontDescription *fd,
                                double width, PangoAlignment al, size_t bold_len)
{
    PangoLayout *l = pango_layout_new(p->ctx);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, al);
    pango_layout_set_text(l, text, -1);
    if (bold_len) {
        PangoAttrList *at = pango_attr_list_new();
        PangoAttribute *b = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
        b->start_index = 0;
        b->end_index = (guint)bold_len;
        pango_attr_list_insert(at, b);
        pango_layout_set_attributes(l, at);
        pango_attr_list_unref(at);
    }
    return l;
}

static double layout_h(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void draw_layout(pdf *p, PangoLayout *l, double x, double y)
{
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

static void footer(pdf *p)
{
    char *t = arena_printf(p->a, "%s %d", doc_value(p->a, p->x, "labels.page"), p->page);
    if (p->x->lang && strncmp(p->x->lang, "en", 2) != 0)
        t = arena_printf(p->a, "第 %d 页", p->page);
    PangoLayout *l = text_layout(p, t, p->fd[0], p->w - 2 * MARGIN, PANGO_ALIGN_CENTER, 0);
    cairo_set_source_rgb(p->cr, 0.4, 0.4, 0.4);
    draw_layout(p, l, MARGIN, p->h - MARGIN + 4);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    g_object_unref(l);
}

static void table_header(pdf *p);

static void new_page(pdf *p, bool in_table)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = MARGIN;
    if (in_table) table_header(p);
}

static void ensure(pdf *p, double h)
{
    if (p->y + h > p->bottom && p->y > MARGIN) new_page(p, false);
}

/* One row of cells: texts, bold or not, with a grey ground for the header. */
static void table_row(pdf *p, char **texts, bool header)
{
    PangoLayout *ls[20];
    double rh = 0;
    for (int i = 0; i < p->ncols; i++) {
        json_t *c = json_array_get(p->cols, (size_t)i);
        ls[i] = text_layout(p, texts[i], header ? p->table_bold : p->table, p->cw[i] - 2 * PAD,
                            header ? PANGO_ALIGN_CENTER : align_of(c, PANGO_ALIGN_LEFT), 0);
        double h = layout_h(ls[i]) + 2 * PAD;
        if (h > rh) rh = h;
    }
    if (rh > p->bottom - MARGIN) rh = p->bottom - MARGIN; /* one cell taller than a page */
    if (!header && p->y + rh > p->bottom) new_page(p, true);
    double x0 = p->cx[0], x1 = p->cx[p->ncols - 1] + p->cw[p->ncols - 1];
    if (header) {
        cairo_set_source_rgb(p->cr, 0.92, 0.93, 0.95);
        cairo_rectangle(p->cr, x0, p->y, x1 - x0, rh);
        cairo_fill(p->cr);
        cairo_set_source_rgb(p->cr, 0, 0, 0);
    }
    /* the row's borders as one path; text wraps inside its cell (words break
     * between characters), so no clip is needed */
    cairo_set_line_width(p->cr, 0.5);
    for (int i = 0; i < p->ncols; i++) cairo_rectangle(p->cr, p->cx[i], p->y, p->cw[i], rh);
    cairo_stroke(p->cr);
    for (int i = 0; i < p->ncols; i++) {
        draw_layout(p, ls[i], p->cx[i] + PAD, p->y + PAD);
        g_object_unref(ls[i]);
    }
    p->y += rh;
}

static void table_header(pdf *p)
{
    char *texts[20];
    for (int i = 0; i < p->ncols; i++)
        texts[i] = doc_expand(p->a, p->x,
                              json_string_value(json_object_get(
                                  json_array_get(p->cols, (size_t)i), "header")),
                              false);
    table_row(p, texts, true);
}

static void block_lines(pdf *p, json_t *b)
{
    p->cols = json_object_get(b, "columns");
    p->ncols = (int)json_array_size(p->cols);
    if (p->ncols < 1 || p->ncols > 20) return;
    p->cx = arena_alloc(p->a, sizeof(double) * (size_t)p->ncols);
    p->cw = arena_alloc(p->a, sizeof(double) * (size_t)p->ncols);
    double total = 0, x = MARGIN, avail = p->w - 2 * MARGIN;
    for (int i = 0; i < p->ncols; i++) {
        json_int_t wt = json_integer_value(
            json_object_get(json_array_get(p->cols, (size_t)i), "width"));
        p->cw[i] = wt > 0 ? (double)wt : 10;
        total += p->cw[i];
    }
    for (int i = 0; i < p->ncols; i++) {
        p->cw[i] = p->cw[i] / total * avail;
        p->cx[i] = x;
        x += p->cw[i];
    }
    ensure(p, 40);
    table_header(p);
    json_t *lines = json_object_get(p->x->model, "lines"), *ln;
    size_t i;
    doc_ctx lx = *p->x;
    json_array_foreach(lines, i, ln)
    {
        if (i >= DOC_LINES_MAX) break;
        lx.line = ln;
        char *texts[20];
        for (int c = 0; c < p->ncols; c++)
            texts[c] = doc_expand(p->a, &lx,
                                  json_string_value(json_object_get(
                                      json_array_get(p->cols, (size_t)c), "value")),
                                  false);
        table_row(p, texts, false);
    }
    p->y += 6;
}

/* "label: value" pairs (fields, or signature columns with a note below). */
static void block_pairs(pdf *p, json_t *b, bool signature)
{
    json_t *items = json_object_get(b, "items"), *it;
    int cols = signature ? (int)json_array_size(items)
                         : (int)(json_integer_value(json_object_get(b, "columns")) ?: 2);
    if (cols < 1) return;
    double cw = (p->w - 2 * MARGIN) / cols, rowh = 0;
    PangoAlignment al = align_of(b, PANGO_ALIGN_LEFT);
    int col = 0;
    size_t i;
    if (signature) p->y += 10;
    json_array_foreach(items, i, it)
    {
        const char *v = doc_expand(p->a, p->x, json_string_value(json_object_get(it, "value")),
                                   false);
        if (!signature && !*v) continue;
        const char *label = doc_expand(p->a, p->x,
                                       json_string_value(json_object_get(it, "label")), false);
        const char *t = *label ? arena_printf(p->a, "%s: %s", label, v) : v;
        PangoLayout *l = text_layout(p, t, p->fd[1], cw - 8, al, *label ? strlen(label) + 1 : 0);
        double h = layout_h(l);
        if (signature) {
            const char *note = doc_expand(p->a, p->x,
                                          json_string_value(json_object_get(it, "note")), false);
            PangoLayout *nl = text_layout(p, note, p->fd[1], cw - 8, al, 0);
            double total = h + 36 + layout_h(nl);
            if (col == 0) ensure(p, total);
            draw_layout(p, l, MARGIN + col * cw, p->y);
            draw_layout(p, nl, MARGIN + col * cw, p->y + h + 36);
            g_object_unref(nl);
            h = total;
        } else {
            if (col == 0) ensure(p, h);
            draw_layout(p, l, MARGIN + col * cw, p->y);
        }
        g_object_unref(l);
        if (h > rowh) rowh = h;
        if (++col == cols) {
            p->y += rowh + 3;
            rowh = 0;
            col = 0;
        }
    }
    if (col) p->y += rowh + 3;
    p->y += 4;
}

static void block_terms(pdf *p, json_t *b)
{
    json_t *terms = json_object_get(p->x->model, "terms"), *t;
    if (!json_array_size(terms)) return;
    double width = p->w - 2 * MARGIN;
    const char *title = json_string_value(json_object_get(b, "title"));
    if (title) {
        PangoLayout *l = text_layout(p, doc_expand(p->a, p->x, title, false), p->fd[1], width,
                                     PANGO_ALIGN_LEFT, 0);
        pango_layout_set_font_description(l, p->table_bold);
        ensure(p, layout_h(l) + 20);
        draw_layout(p, l, MARGIN, p->y);
        p->y += layout_h(l) + 2;
        g_object_unref(l);
    }
    const char *lt = json_string_value(json_object_get(b, "label"));
    const char *tt = json_string_value(json_object_get(b, "text"));
    doc_ctx tx = *p->x;
    size_t i;
    json_array_foreach(terms, i, t)
    {
        tx.term = t;
        const char *label = doc_expand(p->a, &tx, lt ? lt : "{{term.label}}", false);
        const char *text = doc_expand(p->a, &tx, tt ? tt : "{{term.text}}", false);
        char *s = *label ? arena_printf(p->a, "%zu. %s: %s", i + 1, label, text)
                         : arena_printf(p->a, "%zu. %s", i + 1, text);
        PangoLayout *l = text_layout(p, s, p->fd[1], width, PANGO_ALIGN_LEFT, 0);
        ensure(p, layout_h(l));
        draw_layout(p, l, MARGIN, p->y);
        p->y += layout_h(l) + 2;
        g_object_unref(l);
    }
    p->y += 4;
}

typedef struct png_src {
    const unsigned char *p;
    size_t n, off;
} png_src;

static cairo_status_t png_read(void *closure, unsigned char *data, unsigned int n)
{
    png_src *s = closure;
    if (s->off + n > s->n) return CAIRO_STATUS_READ_ERROR;
    memcpy(data, s->p + s->off, n);
    s->off += n;
    return CAIRO_STATUS_SUCCESS;
}

static void block_logo(pdf *p, json_t *b, const unsigned char *logo, size_t logo_len)
{
    unsigned w, h;
    if (!doc_png_size(logo, logo_len, &w, &h)) return;
    png_src src = {logo, logo_len, 0};
    cairo_surface_t *img = cairo_image_surface_create_from_png_stream(png_read, &src);
    if (cairo_surface_status(img) == CAIRO_STATUS_SUCCESS) {
        double th = 42, tw = th * w / h;
        if (tw > 160) {
            tw = 160;
            th = tw * h / w;
        }
        ensure(p, th);
        PangoAlignment al = align_of(b, PANGO_ALIGN_LEFT);
        double x = al == PANGO_ALIGN_CENTER ? (p->w - tw) / 2
                   : al == PANGO_ALIGN_RIGHT ? p->w - MARGIN - tw
                                             : MARGIN;
        cairo_save(p->cr);
        cairo_translate(p->cr, x, p->y);
        cairo_scale(p->cr, tw / w, th / h);
        cairo_set_source_surface(p->cr, img, 0, 0);
        cairo_paint(p->cr);
        cairo_restore(p->cr);
        p->y += th + 6;
    }
    cairo_surface_destroy(img);
}

int doc_pdf_render(arena *a, const doc_ctx *x, const json_t *layout, const unsigned char *logo,
                   size_t logo_len, char **out, size_t *len, char *err, size_t errlen)
{
    buf b = {0};
    pdf p = {.a = a, .x = x, .w = 595.28, .h = 841.89, .page = 1};
    const char *orient = json_string_value(
        json_object_get(json_object_get(layout, "page"), "orientation"));
    if (orient && strcmp(orient, "landscape") == 0) {
        p.w = 841.89;
        p.h = 595.28;
    }
    p.bottom = p.h - MARGIN - FOOT;
    p.y = MARGIN;
    p.s = cairo_pdf_surface_create_for_stream(on_write, &b, p.w, p.h);
    p.cr = cairo_create(p.s);
    p.ctx = pango_cairo_create_context(p.cr);
    pango_cairo_context_set_resolution(p.ctx, 72); /* font sizes in PDF points */
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_TITLE,
                                   doc_value(a, x, "title"));
    cairo_pdf_surface_set_metadata(p.s, CAIRO_PDF_METADATA_CREATOR, "Tradeflow");
    static const char *const fonts[4] = {FONT " 8.5", FONT " 10", FONT " Bold 14",
                                         FONT " Bold 18"};
    for (int i = 0; i < 4; i++) p.fd[i] = pango_font_description_from_string(fonts[i]);
    p.table = pango_font_description_from_string(FONT " 9");
    p.table_bold = pango_font_description_from_string(FONT " Bold 9");

    json_t *blocks = json_object_get(layout, "blocks"), *bl;
    size_t i;
    json_array_foreach(blocks, i, bl)
    {
        const char *when = json_string_value(json_object_get(bl, "when"));
        if (when && !*doc_expand(a, x, when, false)) continue;
        const char *t = json_string_value(json_object_get(bl, "type"));
        if (!t) continue;
        if (strcmp(t, "logo") == 0) {
            block_logo(&p, bl, logo, logo_len);
        } else if (strcmp(t, "text") == 0) {
            const char *st = json_string_value(json_object_get(bl, "style"));
            int f = !st ? 1
                    : strcmp(st, "small") == 0   ? 0
                    : strcmp(st, "heading") == 0 ? 2
                    : strcmp(st, "title") == 0   ? 3
                                                 : 1;
            const char *s = doc_expand(a, x, json_string_value(json_object_get(bl, "text")), false);
            if (!*s) continue;
            PangoLayout *l = text_layout(&p, s, p.fd[f], p.w - 2 * MARGIN,
                                         align_of(bl, PANGO_ALIGN_LEFT), 0);
            double h = layout_h(l);
            ensure(&p, h);
            if (f == 3) p.y += 4;
            draw_layout(&p, l, MARGIN, p.y);
            p.y += h + (f >= 2 ? 8 : 3);
            g_object_unref(l);
        } else if (strcmp(t, "fields") == 0) {
            block_pairs(&p, bl, false);
        } else if (strcmp(t, "signature") == 0) {
            block_pairs(&p, bl, true);
        } else if (strcmp(t, "lines") == 0) {
            block_lines(&p, bl);
        } else if (strcmp(t, "terms") == 0) {
            block_terms(&p, bl);
        }
    }
    footer(&p);
    g_object_unref(p.ctx);
    cairo_destroy(p.cr);
    cairo_surface_finish(p.s);
    cairo_status_t st = cairo_surface_status(p.s);
    cairo_surface_destroy(p.s);
    for (int k = 0; k < 4; k++) pango_font_description_free(p.fd[k]);
    pango_font_description_free(p.table);
    pango_font_description_free(p.table_bold);
    if (st != CAIRO_STATUS_SUCCESS || b.oom) {
        snprintf(err, errlen, "the PDF could not be written: %s", cairo_status_to_string(st));
        free(b.p);
        return -1;
    }
    *out = arena_alloc_raw(a, b.len + 1);
    memcpy(*out, b.p, b.len);
    *len = b.len;
    free(b.p);
    return 0;
}
