/* import_xlsx.c — the XLSX reader of the import (import_parse.h). An XLSX
 * file is a zip of XML parts: xl/workbook.xml names the sheets,
 * xl/_rels/workbook.xml.rels says where the first one lives (usually
 * xl/worksheets/sheet1.xml), xl/sharedStrings.xml holds the texts cells
 * refer to by index, xl/styles.xml tells which number formats are dates.
 * The sheet is parsed with expat as a stream, suspended after each row, so
 * only the shared strings table is held in memory.
 *
 * Formula cells give their formula text ("=HYPERLINK(...)"), never the
 * value, so nothing is evaluated; numbers in a date format become
 * YYYY-MM-DD; integral numbers in exponent form (a phone number typed into
 * Excel) are written out in full. */
#include "imports/import_parse.h"
#include <expat.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#define XML_CHUNK      (64 * 1024)
#define SMALL_PART_MAX (8 * 1024 * 1024)           /* workbook, rels, styles */
#define SST_MAX        ((size_t)256 * 1024 * 1024) /* shared strings text */
#define SHEET_MAX      ((zip_uint64_t)2 << 30)     /* uncompressed sheet XML */

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) abort();
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static const char *local(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

static const char *attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(local(atts[i]), name) == 0) return atts[i + 1];
    return NULL;
}

typedef struct xlsxr {
    zip_t *z;
    zip_file_t *zf;
    XML_Parser p;
    bool suspended, final_fed, done;
    /* shared strings: texts back to back, NUL-terminated, and their offsets */
    buf ss;
    size_t *ss_off, ss_n, ss_cap;
    /* styles: 1 if cell style i is a date format */
    unsigned char *date_style;
    size_t nstyles;
    bool date1904;
    /* the row being read */
    int64_t row_no, last_row_no;
    int next_col, maxcol;
    buf rbuf;
    long col_off[IMP_MAX_COLS];
    const char *cells[IMP_MAX_COLS];
    bool in_row, row_ready;
    /* the cell being read */
    int ccol, cstyle;
    char ctype[16];
    bool in_c, in_v, in_f, in_is, in_t, in_rph;
    buf v, f;
    bool failed;
    imp_error ferr;
} xlsxr;

static void fail(xlsxr *x, const char *code, const char *msg, int col)
{
    if (x->failed) return;
    x->failed = true;
    char cn[8];
    imp_col_name(col < 0 ? 0 : col, cn);
    if (col >= 0)
        imp_fail(&x->ferr, x->row_no, col, code, "row %lld, column %s: %s", (long long)x->row_no,
                 cn, msg);
    else
        imp_fail(&x->ferr, x->row_no, col, code, "row %lld: %s", (long long)x->row_no, msg);
    XML_StopParser(x->p, XML_FALSE);
}

/* Reading whole small parts ------------------------------------------------- */

/* Reads a zip entry of at most max bytes into a malloc'd NUL-terminated
 * buffer (caller frees). 0 ok, 1 missing, -1 too large or unreadable. */
static int read_part(zip_t *z, const char *name, size_t max, char **out, size_t *len)
{
    zip_stat_t st;
    *out = NULL;
    if (zip_stat(z, name, ZIP_FL_NOCASE, &st) != 0) return 1;
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > max) return -1;
    zip_file_t *zf = zip_fopen(z, name, ZIP_FL_NOCASE);
    if (!zf) return -1;
    char *b = malloc(st.size + 1);
    if (!b) abort();
    zip_int64_t n = zip_fread(zf, b, st.size);
    zip_fclose(zf);
    if (n < 0 || (zip_uint64_t)n != st.size) {
        free(b);
        return -1;
    }
    b[n] = 0;
    *out = b;
    *len = (size_t)n;
    return 0;
}

/* Parses a small part with the given start handler; false if not XML. */
static bool parse_small(const char *xml, size_t len, XML_StartElementHandler start, void *ud)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) abort();
    XML_SetUserData(p, ud);
    XML_SetStartElementHandler(p, start);
    bool ok = XML_Parse(p, xml, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(p);
    return ok;
}

typedef struct wb_info {
    char rid[128];
    bool have_sheet, date1904;
} wb_info;

static void XMLCALL wb_start(void *ud, const char *name, const char **atts)
{
    wb_info *w = ud;
    const char *n = local(name);
    if (strcmp(n, "sheet") == 0 && !w->have_sheet) {
        const char *id = attr(atts, "id");
        if (id) snprintf(w->rid, sizeof(w->rid), "%s", id);
        w->have_sheet = true;
    } else if (strcmp(n, "workbookPr") == 0) {
        const char *d = attr(atts, "date1904");
        w->date1904 = d && (strcmp(d, "1") == 0 || strcasecmp(d, "true") == 0);
    }
}

typedef struct rels_info {
    const char *rid;
    char target[512];
} rels_info;

static void XMLCALL rels_start(void *ud, const char *name, const char **atts)
{
    rels_info *ri = ud;
    if (strcmp(local(name), "Relationship") != 0) return;
    const char *id = attr(atts, "Id"), *t = attr(atts, "Target");
    if (id && t && ri->rid[0] && strcmp(id, ri->rid) == 0)
        snprintf(ri->target, sizeof(ri->target), "%s", t);
}

/* Styles ------------------------------------------------------------------- */

typedef struct styles_info {
    int in_cellxfs;
    int custom_ids[512];
    unsigned char custom_date[512];
    int ncustom;
    unsigned char *date_style;
    size_t n, cap;
} styles_info;

static bool builtin_date(int id)
{
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
           (id >= 50 && id <= 58);
}

/* A format code shows a date if it has y or d outside quotes and brackets. */
static bool code_is_date(const char *code)
{
    bool q = false;
    int br = 0;
    for (const char *p = code; *p; p++) {
        if (*p == '"')
            q = !q;
        else if (q)
            continue;
        else if (*p == '\\' && p[1])
            p++;
        else if (*p == '[')
            br++;
        else if (*p == ']' && br)
            br--;
        else if (!br && strchr("yYdD", *p))
            return true;
    }
    return false;
}

static void XMLCALL styles_start(void *ud, const char *name, const char **atts)
{
    styles_info *s = ud;
    const char *n = local(name);
    if (strcmp(n, "numFmt") == 0 && s->ncustom < 512) {
        const char *id = attr(atts, "numFmtId"), *code = attr(atts, "formatCode");
        if (id && code) {
            s->custom_ids[s->ncustom] = (int)strtol(id, NULL, 10);
            s->custom_date[s->ncustom++] = code_is_date(code);
        }
    } else if (strcmp(n, "cellXfs") == 0) {
        s->in_cellxfs = 1;
    } else if (strcmp(n, "cellStyleXfs") == 0 || strcmp(n, "dxfs") == 0) {
        s->in_cellxfs = 0;
    } else if (strcmp(n, "xf") == 0 && s->in_cellxfs && s->n < 65536) {
        const char *id = attr(atts, "numFmtId");
        int fid = id ? (int)strtol(id, NULL, 10) : 0;
        bool d = builtin_date(fid);
        for (int i = 0; i < s->ncustom; i++)
            if (s->custom_ids[i] == fid) d = s->custom_date[i];
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            unsigned char *np = realloc(s->date_style, s->cap);
            if (!np) abort();
            s->date_style = np;
        }
        s->date_style[s->n++] = d;
    }
}

/* Shared strings --------------------------------------------------------------- */

typedef struct sst_state {
    xlsxr *x;
    XML_Parser p;
    bool in_si, in_t, in_rph, too_big;
} sst_state;

static void XMLCALL sst_start(void *ud, const char *name, const char **atts)
{
    (void)atts;
    sst_state *s = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        s->in_si = true;
        xlsxr *x = s->x;
        if (x->ss_n == x->ss_cap) {
            x->ss_cap = x->ss_cap ? x->ss_cap * 2 : 1024;
            size_t *np = realloc(x->ss_off, sizeof(size_t) * x->ss_cap);
            if (!np) abort();
            x->ss_off = np;
        }
        x->ss_off[x->ss_n++] = x->ss.len;
    } else if (strcmp(n, "t") == 0 && s->in_si) {
        s->in_t = true;
    } else if (strcmp(n, "rPh") == 0) {
        s->in_rph = true;
    }
}

static void XMLCALL sst_end(void *ud, const char *name)
{
    sst_state *s = ud;
    const char *n = local(name);
    if (strcmp(n, "si") == 0) {
        s->in_si = false;
        buf_add(&s->x->ss, "", 1); /* the NUL between strings */
    } else if (strcmp(n, "t") == 0) {
        s->in_t = false;
    } else if (strcmp(n, "rPh") == 0) {
        s->in_rph = false;
    }
}

static void XMLCALL sst_text(void *ud, const char *t, int len)
{
    sst_state *s = ud;
    if (!s->in_si || !s->in_t || s->in_rph) return;
    if (s->x->ss.len + (size_t)len > SST_MAX) {
        s->too_big = true;
        XML_StopParser(s->p, XML_FALSE);
        return;
    }
    buf_add(&s->x->ss, t, (size_t)len);
}

static int load_sst(xlsxr *x, imp_error *err)
{
    zip_file_t *zf = zip_fopen(x->z, "xl/sharedStrings.xml", ZIP_FL_NOCASE);
    if (!zf) return 0; /* a workbook without texts */
    sst_state s = {.x = x, .p = XML_ParserCreate(NULL)};
    if (!s.p) abort();
    XML_SetUserData(s.p, &s);
    XML_SetElementHandler(s.p, sst_start, sst_end);
    XML_SetCharacterDataHandler(s.p, sst_text);
    int rc = 0;
    for (;;) {
        void *b = XML_GetBuffer(s.p, XML_CHUNK);
        if (!b) abort();
        zip_int64_t n = zip_fread(zf, b, XML_CHUNK);
        if (n < 0) {
            rc = imp_fail(err, 0, -1, "corrupt", "the workbook's texts cannot be read: %s",
                          zip_file_strerror(zf));
            break;
        }
        if (XML_ParseBuffer(s.p, (int)n, n == 0) != XML_STATUS_OK) {
            rc = s.too_big ? imp_fail(err, 0, -1, "too_large",
                                      "the workbook holds more than %zu MiB of text", SST_MAX >> 20)
                           : imp_fail(err, 0, -1, "corrupt",
                                      "xl/sharedStrings.xml is not valid XML: %s (line %lu)",
                                      XML_ErrorString(XML_GetErrorCode(s.p)),
                                      (unsigned long)XML_GetCurrentLineNumber(s.p));
            break;
        }
        if (n == 0) break;
    }
    XML_ParserFree(s.p);
    zip_fclose(zf);
    return rc;
}

/* The sheet ---------------------------------------------------------------- */

static int col_of(const char *ref)
{
    int col = 0, n = 0;
    for (; *ref >= 'A' && *ref <= 'Z'; ref++) {
        if (++n > 3) return -1;
        col = col * 26 + (*ref - 'A' + 1);
    }
    return n ? col - 1 : -1;
}

/* Days since 1970-01-01 → y, m, d (proleptic Gregorian). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A number cell's text: dates as YYYY-MM-DD[ HH:MM:SS], integral numbers in
 * full; anything else exactly as stored. */
static void number_text(xlsxr *x, const char *v, buf *out)
{
    char *end;
    double d = strtod(v, &end);
    bool is_num = *v && !*end && isfinite(d);
    bool date = is_num && x->cstyle >= 0 && (size_t)x->cstyle < x->nstyles &&
                x->date_style[x->cstyle] && d >= 0 && d < 2958466;
    char tmp[64];
    if (date) {
        double days = floor(d);
        int64_t secs = (int64_t)llround((d - days) * 86400.0);
        if (secs >= 86400) {
            days += 1;
            secs -= 86400;
        }
        /* 1900 system: serial 1 is 1900-01-01 and 60 the 29 February that
         * never was (kept from Lotus 1-2-3) */
        int64_t unix_days =
            x->date1904 ? (int64_t)days - 24107 : (int64_t)days - (days < 61 ? 25568 : 25569);
        int y, m, dd;
        civil(unix_days, &y, &m, &dd);
        if (secs)
            snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d %02d:%02d:%02d", y, m, dd,
                     (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        else
            snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, dd);
        buf_add(out, tmp, strlen(tmp));
    } else if (is_num && strpbrk(v, "eE") && d == floor(d) && fabs(d) < 1e15) {
        snprintf(tmp, sizeof(tmp), "%.0f", d);
        buf_add(out, tmp, strlen(tmp));
    } else {
        buf_add(out, v, strlen(v));
    }
}

static void end_cell(xlsxr *x)
{
    buf t = {0};
    const char *type = x->ctype;
    if (x->f.len) { /* the formula as text: never evaluated */
        buf_add(&t, "=", 1);
        buf_add(&t, x->f.p, x->f.len);
    } else if (strcmp(type, "s") == 0) {
        char *end;
        long i = x->v.len ? strtol(x->v.p, &end, 10) : -1;
        if (i < 0 || (size_t)i >= x->ss_n || *end) {
            fail(x, "corrupt", "the cell refers to a text the workbook does not have", x->ccol);
        } else {
            const char *s = x->ss.p + x->ss_off[i];
            buf_add(&t, s, strlen(s));
        }
    } else if (strcmp(type, "inlineStr") == 0 || strcmp(type, "str") == 0 ||
               strcmp(type, "e") == 0 || strcmp(type, "d") == 0) {
        buf_add(&t, x->v.p ? x->v.p : "", x->v.len);
    } else if (strcmp(type, "b") == 0) {
        const char *b = x->v.len && x->v.p[0] == '1' ? "TRUE" : "FALSE";
        if (x->v.len) buf_add(&t, b, strlen(b));
    } else if (x->v.len) {
        number_text(x, x->v.p, &t);
    }
    if (!x->failed && t.len) {
        if (t.len > IMP_MAX_CELL) {
            fail(x, "cell_too_large", "a cell is longer than 64 KiB", x->ccol);
        } else if (x->ccol >= IMP_MAX_COLS) {
            char msg[96];
            snprintf(msg, sizeof(msg), "has a value beyond the first %d columns", IMP_MAX_COLS);
            fail(x, "too_many_columns", msg, x->ccol);
        } else if (memchr(t.p, 0, t.len)) {
            fail(x, "corrupt", "a cell holds a NUL character", x->ccol);
        } else {
            x->col_off[x->ccol] = (long)x->rbuf.len;
            buf_add(&x->rbuf, t.p, t.len + 1);
            if (x->ccol + 1 > x->maxcol) x->maxcol = x->ccol + 1;
        }
    }
    free(t.p);
    x->v.len = x->f.len = 0;
}

static void XMLCALL sheet_start(void *ud, const char *name, const char **atts)
{
    xlsxr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "row") == 0) {
        const char *r = attr(atts, "r");
        char *end;
        long v = r ? strtol(r, &end, 10) : 0;
        x->row_no = v > x->last_row_no ? v : x->last_row_no + 1;
        x->in_row = true;
        x->next_col = 0;
        for (int i = 0; i < x->maxcol; i++)
            x->col_off[i] = -1;
        x->maxcol = 0;
        x->rbuf.len = 0;
    } else if (strcmp(n, "c") == 0 && x->in_row) {
        const char *r = attr(atts, "r"), *t = attr(atts, "t"), *s = attr(atts, "s");
        int col = r ? col_of(r) : x->next_col;
        x->ccol = col < 0 ? x->next_col : col;
        x->next_col = x->ccol + 1;
        snprintf(x->ctype, sizeof(x->ctype), "%s", t ? t : "n");
        x->cstyle = s ? (int)strtol(s, NULL, 10) : -1;
        x->in_c = true;
        x->v.len = x->f.len = 0;
    } else if (x->in_c) {
        if (strcmp(n, "v") == 0)
            x->in_v = true;
        else if (strcmp(n, "f") == 0)
            x->in_f = true;
        else if (strcmp(n, "is") == 0)
            x->in_is = true;
        else if (strcmp(n, "t") == 0 && x->in_is)
            x->in_t = true;
        else if (strcmp(n, "rPh") == 0)
            x->in_rph = true;
    }
}

static void XMLCALL sheet_end(void *ud, const char *name)
{
    xlsxr *x = ud;
    const char *n = local(name);
    if (strcmp(n, "c") == 0 && x->in_c) {
        x->in_c = x->in_v = x->in_f = x->in_is = x->in_t = x->in_rph = false;
        end_cell(x);
    } else if (strcmp(n, "v") == 0) {
        x->in_v = false;
    } else if (strcmp(n, "f") == 0) {
        x->in_f = false;
    } else if (strcmp(n, "is") == 0) {
        x->in_is = false;
    } else if (strcmp(n, "t") == 0) {
        x->in_t = false;
    } else if (strcmp(n, "rPh") == 0) {
        x->in_rph = false;
    } else if (strcmp(n, "row") == 0 && x->in_row) {
        x->in_row = false;
        x->last_row_no = x->row_no;
        if (x->maxcol > 0 && !x->failed) {
            x->row_ready = true;
            XML_StopParser(x->p, XML_TRUE);
        }
    }
}

static void XMLCALL sheet_text(void *ud, const char *t, int len)
{
    xlsxr *x = ud;
    buf *b = x->in_f ? &x->f : (x->in_v || (x->in_t && !x->in_rph)) ? &x->v : NULL;
    if (!b || !x->in_c || x->failed) return;
    if (b->len + (size_t)len > IMP_MAX_CELL) {
        fail(x, "cell_too_large", "a cell is longer than 64 KiB", x->ccol);
        return;
    }
    buf_add(b, t, (size_t)len);
}

/* A DOCTYPE has no place in a workbook; refusing it also refuses entity
 * tricks (expat itself limits entity expansion). */
static void XMLCALL no_doctype(void *ud, const char *name, const char *sysid, const char *pubid,
                               int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    xlsxr *x = ud;
    fail(x, "corrupt", "the sheet declares a DOCTYPE", -1);
}

static void xlsx_close(void *self);

int imp_xlsx_open(void **self, FILE *f, imp_error *err)
{
    xlsxr *x = calloc(1, sizeof(*x));
    if (!x) abort();
    for (int i = 0; i < IMP_MAX_COLS; i++)
        x->col_off[i] = -1;
    zip_error_t ze;
    zip_error_init(&ze);
    int rc = -1;
    char *xml = NULL;
    size_t len = 0;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0) {
        imp_fail(err, 0, -1, "empty", "the file is empty");
        goto done;
    }
    /* libzip closes the FILE it reads, so it gets its own handle */
    FILE *own = fdopen(dup(fileno(f)), "rb");
    zip_source_t *src = own ? zip_source_filep_create(own, 0, -1, &ze) : NULL;
    if (!src) {
        if (own) fclose(own);
        imp_fail(err, 0, -1, "corrupt", "the file cannot be read");
        goto done;
    }
    x->z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!x->z) {
        zip_source_free(src);
        imp_fail(err, 0, -1, "corrupt", "this is not an XLSX file (not a readable zip archive)");
        goto done;
    }
    int prc = read_part(x->z, "xl/workbook.xml", SMALL_PART_MAX, &xml, &len);
    wb_info wb = {0};
    if (prc != 0 || !parse_small(xml, len, wb_start, &wb)) {
        imp_fail(err, 0, -1, "corrupt",
                 prc > 0 ? "this zip is not an XLSX workbook (it has no xl/workbook.xml)"
                         : "xl/workbook.xml cannot be read");
        goto done;
    }
    free(xml);
    xml = NULL;
    x->date1904 = wb.date1904;
    char path[600] = "xl/worksheets/sheet1.xml";
    rels_info ri = {.rid = wb.rid};
    if (wb.rid[0] &&
        read_part(x->z, "xl/_rels/workbook.xml.rels", SMALL_PART_MAX, &xml, &len) == 0 &&
        parse_small(xml, len, rels_start, &ri) && ri.target[0]) {
        if (ri.target[0] == '/')
            snprintf(path, sizeof(path), "%s", ri.target + 1);
        else
            snprintf(path, sizeof(path), "xl/%s", ri.target);
    }
    free(xml);
    xml = NULL;
    zip_stat_t st;
    if (zip_stat(x->z, path, ZIP_FL_NOCASE, &st) != 0) {
        imp_fail(err, 0, -1, "no_sheet", "the workbook has no worksheet (%s is missing)", path);
        goto done;
    }
    if ((st.valid & ZIP_STAT_SIZE) && st.size > SHEET_MAX) {
        imp_fail(err, 0, -1, "too_large", "the worksheet is larger than %llu MiB unpacked",
                 (unsigned long long)(SHEET_MAX >> 20));
        goto done;
    }
    if (read_part(x->z, "xl/styles.xml", SMALL_PART_MAX, &xml, &len) == 0) {
        styles_info si = {0};
        parse_small(xml, len, styles_start, &si);
        x->date_style = si.date_style;
        x->nstyles = si.n;
    }
    free(xml);
    xml = NULL;
    if (load_sst(x, err) < 0) goto done;
    x->zf = zip_fopen(x->z, path, ZIP_FL_NOCASE);
    if (!x->zf) {
        imp_fail(err, 0, -1, "corrupt", "the worksheet cannot be read: %s", zip_strerror(x->z));
        goto done;
    }
    x->p = XML_ParserCreate(NULL);
    if (!x->p) abort();
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, sheet_start, sheet_end);
    XML_SetCharacterDataHandler(x->p, sheet_text);
    XML_SetStartDoctypeDeclHandler(x->p, no_doctype);
    rc = 0;
done:
    free(xml);
    zip_error_fini(&ze);
    if (rc < 0) {
        xlsx_close(x);
        return -1;
    }
    *self = x;
    return 0;
}

static int xlsx_next(void *self, imp_row *row, imp_error *err)
{
    xlsxr *x = self;
    for (;;) {
        if (x->row_ready) {
            x->row_ready = false;
            for (int i = 0; i < x->maxcol; i++)
                x->cells[i] = x->col_off[i] >= 0 ? x->rbuf.p + x->col_off[i] : "";
            row->row_no = x->row_no;
            row->ncells = x->maxcol;
            row->cells = x->cells;
            return 1;
        }
        if (x->done) return 0;
        enum XML_Status st;
        if (x->suspended) {
            x->suspended = false;
            st = XML_ResumeParser(x->p);
        } else {
            void *b = XML_GetBuffer(x->p, XML_CHUNK);
            if (!b) abort();
            zip_int64_t n = zip_fread(x->zf, b, XML_CHUNK);
            if (n < 0)
                return imp_fail(err, x->row_no, -1, "corrupt", "the worksheet cannot be read: %s",
                                zip_file_strerror(x->zf));
            x->final_fed = n == 0;
            st = XML_ParseBuffer(x->p, (int)n, n == 0);
        }
        if (st == XML_STATUS_ERROR) {
            if (x->failed) {
                *err = x->ferr;
                return -1;
            }
            return imp_fail(err, x->row_no, -1, "corrupt",
                            "the worksheet is not valid XML: %s (line %lu)",
                            XML_ErrorString(XML_GetErrorCode(x->p)),
                            (unsigned long)XML_GetCurrentLineNumber(x->p));
        }
        if (st == XML_STATUS_SUSPENDED)
            x->suspended = true;
        else if (x->final_fed)
            x->done = true;
    }
}

static void xlsx_close(void *self)
{
    xlsxr *x = self;
    if (!x) return;
    if (x->p) XML_ParserFree(x->p);
    if (x->zf) zip_fclose(x->zf);
    if (x->z) zip_discard(x->z);
    free(x->ss.p);
    free(x->ss_off);
    free(x->date_style);
    free(x->rbuf.p);
    free(x->v.p);
    free(x->f.p);
    free(x);
}

const imp_ops imp_xlsx_ops = {xlsx_next, xlsx_close};
