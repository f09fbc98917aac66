/* doc_xlsx.c — a document as an XLSX workbook, drawn from the same layout as
 * the PDF (doc_layout.c) with libxlsxwriter: one sheet whose columns are the
 * line table's, text blocks merged across them, the line table with borders
 * and its header row repeated on every printed page, A4 fitted to one page
 * wide. Every cell is a string cell (amounts come formatted), so nothing is
 * evaluated. libxlsxwriter writes a file: a temporary one, read back into
 * the arena and removed. */
#include "export/document.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define CELL_MAX 32767

typedef struct xs {
    arena *a;
    const doc_ctx *x;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_col_t ncols;
    lxw_format *style[4], *label, *head, *cell[3];
} xs;

static const char *fit(arena *a, const char *s)
{
    size_t cps = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++cps > CELL_MAX) break;
    return s[i] ? arena_strndup(a, s, i) : s;
}

static int align_ix(const json_t *o)
{
    const char *s = json_string_value(json_object_get(o, "align"));
    return !s ? 0 : strcmp(s, "center") == 0 ? 1 : strcmp(s, "right") == 0 ? 2 : 0;
}

static void put(xs *s, lxw_col_t c0, lxw_col_t c1, const char *text, lxw_format *f)
{
    text = fit(s->a, text);
    if (c1 > c0) worksheet_merge_range(s->ws, s->row, c0, s->row, c1, text, f);
    else worksheet_write_string(s->ws, s->row, c0, text, f);
}

static lxw_format *fmt(xs *s, int align, double size, bool bold, bool border)
{
    lxw_format *f = workbook_add_format(s->wb);
    format_set_font_name(f, "Noto Sans CJK SC");
    format_set_font_size(f, size);
    if (bold) format_set_bold(f);
    format_set_align(f, align == 1 ? LXW_ALIGN_CENTER : align == 2 ? LXW_ALIGN_RIGHT : LXW_ALIGN_LEFT);
    format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    format_set_text_wrap(f);
    if (border) format_set_border(f, LXW_BORDER_THIN);
    return f;
}

static void pairs(xs *s, json_t *b, bool signature)
{
    json_t *items = json_object_get(b, "items"), *it;
    lxw_col_t cols = signature ? (lxw_col_t)json_array_size(items)
                               : (lxw_col_t)(json_integer_value(json_object_get(b, "columns")) ?: 2);
    if (cols < 1) return;
    if (cols > s->ncols) cols = s->ncols;
    lxw_col_t span = s->ncols / cols, col = 0;
    lxw_format *f = fmt(s, align_ix(b), 10, false, false);
    size_t i;
    if (signature) s->row++;
    json_array_foreach(items, i, it)
    {
        const char *v = doc_expand(s->a, s->x, json_string_value(json_object_get(it, "value")), false);
        if (!signature && !*v) continue;
        const char *l = doc_expand(s->a, s->x, json_string_value(json_object_get(it, "label")), false);
        lxw_col_t c0 = col * span, c1 = col + 1 == cols ? s->ncols - 1 : c0 + span - 1;
        put(s, c0, c1, *l ? arena_printf(s->a, "%s: %s", l, v) : v, f);
        if (signature) {
            const char *n = doc_expand(s->a, s->x, json_string_value(json_object_get(it, "note")), false);
            s->row += 3;
            put(s, c0, c1, n, f);
            s->row -= 3;
        }
        if (++col == cols) {
            col = 0;
            s->row++;
        }
    }
    if (col) s->row++;
    if (signature) s->row += 3;
}

static void lines(xs *s, json_t *b)
{
    json_t *cols = json_object_get(b, "columns"), *c, *ln;
    size_t i, k;
    lxw_format *hf = s->head;
    lxw_row_t header = s->row;
    json_array_foreach(cols, i, c)
    {
        if (i >= s->ncols) break;
        worksheet_write_string(s->ws, s->row, (lxw_col_t)i,
                               fit(s->a, doc_expand(s->a, s->x, json_string_value(json_object_get(c, "header")), false)),
                               hf);
    }
    worksheet_repeat_rows(s->ws, header, header);
    s->row++;
    doc_ctx lx = *s->x;
    json_array_foreach(json_object_get(s->x->model, "lines"), k, ln)
    {
        if (k >= DOC_LINES_MAX) break;
        lx.line = ln;
        json_array_foreach(cols, i, c)
        {
            if (i >= s->ncols) break;
            const char *v = doc_expand(s->a, &lx, json_string_value(json_object_get(c, "value")), false);
            worksheet_write_string(s->ws, s->row, (lxw_col_t)i, fit(s->a, v), s->cell[align_ix(c)]);
        }
        s->row++;
    }
    s->row++;
}

static void terms(xs *s, json_t *b)
{
    json_t *ts = json_object_get(s->x->model, "terms"), *t;
    if (!json_array_size(ts)) return;
    const char *title = json_string_value(json_object_get(b, "title"));
    if (title) {
        put(s, 0, s->ncols - 1, doc_expand(s->a, s->x, title, false), s->label);
        s->row++;
    }
    const char *lt = json_string_value(json_object_get(b, "label"));
    const char *tt = json_string_value(json_object_get(b, "text"));
    doc_ctx tx = *s->x;
    size_t i;
    json_array_foreach(ts, i, t)
    {
        tx.term = t;
        const char *l = doc_expand(s->a, &tx, lt ? lt : "{{term.label}}", false);
        const char *v = doc_expand(s->a, &tx, tt ? tt : "{{term.text}}", false);
        put(s, 0, s->ncols - 1,
            *l ? arena_printf(s->a, "%zu. %s: %s", i + 1, l, v) : arena_printf(s->a, "%zu. %s", i + 1, v),
            s->style[1]);
        s->row++;
    }
    s->row++;
}

static void logo(xs *s, const unsigned char *p, size_t n)
{
    unsigned w, h;
    if (!doc_png_size(p, n, &w, &h)) return;
    double scale = 56.0 / h;
    if (w * scale > 220) scale = 220.0 / w;
    lxw_image_options o = {.x_scale = scale, .y_scale = scale, .x_offset = 2, .y_offset = 2};
    if (worksheet_insert_image_buffer_opt(s->ws, s->row, 0, p, n, &o) == LXW_NO_ERROR)
        s->row += 4;
}

int doc_xlsx_render(arena *a, const doc_ctx *x, const json_t *layout, const unsigned char *lg,
                    size_t logo_len, char **out, size_t *len, char *err, size_t errlen)
{
    char path[512];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof(path), "%s/tf-doc-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(err, errlen, "no room for a temporary file");
        return -1;
    }
    close(fd);
    xs s = {.a = a, .x = x};
    s.wb = workbook_new(path);
    const char *title = doc_value(a, x, "title");
    char sheet[32];
    snprintf(sheet, sizeof(sheet), "%s", "Sheet1");
    s.ws = s.wb ? workbook_add_worksheet(s.wb, sheet) : NULL;
    if (!s.ws) {
        if (s.wb) workbook_close(s.wb);
        unlink(path);
        snprintf(err, errlen, "the workbook could not be started");
        return -1;
    }
    lxw_doc_properties props = {.title = (char *)title, .author = "Tradeflow"};
    workbook_set_properties(s.wb, &props);
    json_t *blocks = json_object_get(layout, "blocks"), *b, *table = NULL;
    size_t i;
    json_array_foreach(blocks, i, b)
    {
        const char *t = json_string_value(json_object_get(b, "type"));
        if (t && strcmp(t, "lines") == 0 && !table) table = b;
    }
    json_t *cols = json_object_get(table, "columns");
    s.ncols = cols ? (lxw_col_t)json_array_size(cols) : 6;
    if (s.ncols > 20) s.ncols = 20;
    if (s.ncols < 2) s.ncols = 2;
    for (lxw_col_t c = 0; c < s.ncols; c++) {
        json_int_t wt = json_integer_value(json_object_get(json_array_get(cols, c), "width"));
        worksheet_set_column(s.ws, c, c, wt > 0 ? 2.0 + wt * 1.3 : 14, NULL);
    }
    static const double sizes[4] = {9, 10, 13, 17};
    for (int k = 0; k < 4; k++) s.style[k] = NULL;
    s.label = fmt(&s, 0, 10, true, false);
    s.head = fmt(&s, 1, 10, true, true);
    format_set_bg_color(s.head, 0xEBEDF2);
    for (int k = 0; k < 3; k++) s.cell[k] = fmt(&s, k, 10, false, true);
    const char *orient = json_string_value(json_object_get(json_object_get(layout, "page"), "orientation"));
    worksheet_set_paper(s.ws, 9); /* A4 */
    if (orient && strcmp(orient, "landscape") == 0) worksheet_set_landscape(s.ws);
    worksheet_fit_to_pages(s.ws, 1, 0);
    worksheet_set_margins(s.ws, 0.4, 0.4, 0.5, 0.5);

    json_array_foreach(blocks, i, b)
    {
        const char *when = json_string_value(json_object_get(b, "when"));
        if (when && !*doc_expand(a, x, when, false)) continue;
        const char *t = json_string_value(json_object_get(b, "type"));
        if (!t) continue;
        if (strcmp(t, "logo") == 0) {
            logo(&s, lg, logo_len);
        } else if (strcmp(t, "text") == 0) {
            const char *st = json_string_value(json_object_get(b, "style"));
            int f = !st ? 1
                    : strcmp(st, "small") == 0   ? 0
                    : strcmp(st, "heading") == 0 ? 2
                    : strcmp(st, "title") == 0   ? 3
                                                 : 1;
            const char *v = doc_expand(a, x, json_string_value(json_object_get(b, "text")), false);
            if (!*v) continue;
            lxw_format *fm = fmt(&s, align_ix(b), sizes[f], f >= 2, false);
            put(&s, 0, s.ncols - 1, v, fm);
            if (f == 3) worksheet_set_row(s.ws, s.row, 26, NULL);
            s.row++;
        } else if (strcmp(t, "fields") == 0) {
            pairs(&s, b, false);
        } else if (strcmp(t, "signature") == 0) {
            pairs(&s, b, true);
        } else if (strcmp(t, "lines") == 0) {
            lines(&s, b);
        } else if (strcmp(t, "terms") == 0) {
            if (!s.style[1]) s.style[1] = fmt(&s, 0, 10, false, false);
            terms(&s, b);
        }
    }
    lxw_error e = workbook_close(s.wb);
    int rfd = e == LXW_NO_ERROR ? open(path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(path);
    struct stat st;
    if (rfd < 0 || fstat(rfd, &st) != 0) {
        if (rfd >= 0) close(rfd);
        snprintf(err, errlen, "the workbook could not be written: %s", lxw_strerror(e));
        return -1;
    }
    char *p = arena_alloc_raw(a, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(rfd, p + got, (size_t)st.st_size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(rfd);
    if (got != (size_t)st.st_size) {
        snprintf(err, errlen, "the workbook could not be read back");
        return -1;
    }
    *out = p;
    *len = got;
    return 0;
}
