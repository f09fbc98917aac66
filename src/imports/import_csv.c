/* import_csv.c — the CSV reader of the import (import_parse.h): RFC 4180
 * quoting (lenient about stray quotes inside unquoted cells), CRLF, LF or CR
 * line ends, comma, semicolon or tab as the delimiter (whichever the header
 * line uses most), and the text encoding: UTF-8 with or without a byte order
 * mark, or GB18030 (which covers GBK, what Excel on Chinese Windows writes),
 * converted with iconv.
 *
 * The structure is parsed on raw bytes before any decoding: GBK and GB18030
 * never use bytes below 0x30 inside a character, so quotes, delimiters and
 * line ends mean the same in every supported encoding. */
#include "imports/import_parse.h"
#include "base/util.h"
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { ENC_UTF8, ENC_GB18030 };

typedef struct csvr {
    FILE *f;
    unsigned char buf[64 * 1024];
    size_t pos, len;
    bool eof;
    char delim;
    int enc;
    bool bom;
    iconv_t cd;
    int64_t next_row; /* row number of the next record */
    /* the raw record: cell bytes back to back, each cell's start and length */
    char *raw;
    size_t raw_len, raw_cap;
    size_t *starts, *lens;
    int ncells, cap_cells;
    /* the converted record */
    char *out;
    size_t out_cap;
    const char **cells;
} csvr;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) abort();
    return q;
}

/* Next byte, or -1 at the end of the file. */
static inline int getb(csvr *c)
{
    if (c->pos == c->len) {
        if (c->eof) return -1;
        c->len = fread(c->buf, 1, sizeof(c->buf), c->f);
        c->pos = 0;
        if (c->len == 0) {
            c->eof = true;
            return -1;
        }
    }
    return c->buf[c->pos++];
}

static inline int peekb(csvr *c)
{
    int ch = getb(c);
    if (ch >= 0) c->pos--;
    return ch;
}

static void put_byte(csvr *c, int ch)
{
    if (c->raw_len + 1 >= c->raw_cap) {
        c->raw_cap = c->raw_cap ? c->raw_cap * 2 : 4096;
        c->raw = xrealloc(c->raw, c->raw_cap);
    }
    c->raw[c->raw_len++] = (char)ch;
}

static int end_cell(csvr *c, size_t start, imp_error *err)
{
    if (c->ncells >= IMP_MAX_COLS + 1)
        return imp_fail(err, c->next_row, c->ncells, "too_many_columns",
                        "row %lld has more than %d columns", (long long)c->next_row, IMP_MAX_COLS);
    if (c->ncells == c->cap_cells) {
        c->cap_cells = c->cap_cells ? c->cap_cells * 2 : 32;
        c->starts = xrealloc(c->starts, sizeof(size_t) * (size_t)c->cap_cells);
        c->lens = xrealloc(c->lens, sizeof(size_t) * (size_t)c->cap_cells);
    }
    c->starts[c->ncells] = start;
    c->lens[c->ncells] = c->raw_len - start;
    c->ncells++;
    put_byte(c, 0); /* cells are NUL-separated in raw, for the UTF-8 check */
    return 0;
}

static int too_large(csvr *c, imp_error *err)
{
    char col[8];
    imp_col_name(c->ncells, col);
    return imp_fail(err, c->next_row, c->ncells, "cell_too_large",
                    "row %lld, column %s: a cell is longer than %d KiB (a quote left open?)",
                    (long long)c->next_row, col, IMP_MAX_CELL / 1024);
}

/* Reads one record into raw/starts/lens: 1, 0 at the end, -1 on error. */
static int read_record(csvr *c, imp_error *err)
{
    c->raw_len = 0;
    c->ncells = 0;
    int ch = getb(c);
    if (ch < 0) return 0;
    int64_t quote_row = 0;
    for (;;) {
        size_t start = c->raw_len;
        if (ch == '"') {
            quote_row = c->next_row;
            for (;;) {
                ch = getb(c);
                if (ch < 0)
                    return imp_fail(err, quote_row, c->ncells, "unclosed_quote",
                                    "row %lld: a quoted cell is never closed",
                                    (long long)quote_row);
                if (ch == '"') {
                    if (peekb(c) == '"') {
                        getb(c);
                    } else {
                        break;
                    }
                }
                if (c->raw_len - start >= IMP_MAX_CELL) return too_large(c, err);
                put_byte(c, ch);
            }
            ch = getb(c);
        }
        /* unquoted text, or what follows a closing quote: taken as it is */
        while (ch >= 0 && ch != c->delim && ch != '\n' && ch != '\r') {
            if (c->raw_len - start >= IMP_MAX_CELL) return too_large(c, err);
            put_byte(c, ch);
            ch = getb(c);
        }
        if (end_cell(c, start, err) < 0) return -1;
        if (ch == c->delim) {
            ch = getb(c);
            if (ch < 0 || ch == '\n' || ch == '\r') { /* a delimiter ends the line */
                if (end_cell(c, c->raw_len, err) < 0) return -1;
            } else {
                continue;
            }
        }
        if (ch == '\r' && peekb(c) == '\n') getb(c);
        return 1;
    }
}

static void set_delimiter(csvr *c)
{
    /* count candidates in the first line (outside quotes) of the first block */
    int ch, n[3] = {0, 0, 0};
    static const char cands[3] = {',', ';', '\t'};
    bool inq = false;
    (void)peekb(c); /* fill the buffer (pos is where the next byte is in it) */
    size_t save = c->pos;
    for (size_t i = c->pos; i < c->len; i++) {
        ch = c->buf[i];
        if (ch == '"')
            inq = !inq;
        else if (!inq && (ch == '\n' || ch == '\r'))
            break;
        else if (!inq)
            for (int k = 0; k < 3; k++)
                n[k] += ch == cands[k];
    }
    c->pos = save;
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (n[k] > n[best]) best = k;
    c->delim = cands[best];
}

static void restart(csvr *c)
{
    fseek(c->f, 0, SEEK_SET);
    c->pos = c->len = 0;
    c->eof = false;
    c->next_row = 1;
    if (c->bom) {
        getb(c);
        getb(c);
        getb(c);
    }
}

/* True if the cell has two or more valid 3-byte UTF-8 sequences: text that
 * was written as UTF-8 (GBK bytes rarely form even one by accident). */
static bool strong_utf8(const unsigned char *p, size_t n)
{
    int k = 0;
    for (size_t i = 0; i + 2 < n; i++)
        if ((p[i] & 0xF0) == 0xE0 && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
            if (++k >= 2) return true;
            i += 2;
        }
    return false;
}

/* One pass over the whole file: no NUL bytes, and is it UTF-8? A file with
 * invalid UTF-8 is read as GB18030, unless most of its non-ASCII rows are
 * clearly UTF-8: then the invalid row is an error, not a hint. */
static int detect(csvr *c, imp_error *err)
{
    int64_t first_bad = 0, bad_rows = 0, utf8_rows = 0;
    int first_bad_col = 0;
    int rc;
    while ((rc = read_record(c, err)) > 0) {
        bool bad = false, strong = false;
        for (int i = 0; i < c->ncells; i++) {
            const char *s = c->raw + c->starts[i];
            size_t n = c->lens[i];
            if (memchr(s, 0, n))
                return imp_fail(err, c->next_row, i, "encoding",
                                "row %lld contains a NUL byte: this is not a CSV text file",
                                (long long)c->next_row);
            if (!tf_utf8_valid(s, n)) {
                if (!bad && !first_bad) first_bad_col = i;
                bad = true;
            } else if (strong_utf8((const unsigned char *)s, n)) {
                strong = true;
            }
        }
        if (bad && !first_bad) first_bad = c->next_row;
        bad_rows += bad;
        utf8_rows += strong;
        c->next_row++;
    }
    if (rc < 0) return -1;
    if (bad_rows && utf8_rows > bad_rows) {
        char col[8];
        imp_col_name(first_bad_col, col);
        return imp_fail(err, first_bad, first_bad_col, "encoding",
                        "row %lld, column %s is not valid UTF-8 (the rest of the file is UTF-8)",
                        (long long)first_bad, col);
    }
    c->enc = bad_rows ? ENC_GB18030 : ENC_UTF8;
    restart(c);
    return 0;
}

int imp_csv_open(void **self, FILE *f, const char *encoding, imp_error *err)
{
    csvr *c = calloc(1, sizeof(*c));
    if (!c) abort();
    c->f = f;
    c->cd = (iconv_t)-1;
    restart(c);
    int b0 = getb(c), b1 = getb(c), b2 = getb(c);
    if (b0 < 0) {
        free(c);
        return imp_fail(err, 0, -1, "empty", "the file is empty");
    }
    if ((b0 == 0xFF && b1 == 0xFE) || (b0 == 0xFE && b1 == 0xFF)) {
        free(c);
        return imp_fail(err, 0, -1, "encoding",
                        "the file is UTF-16 text; save it as \"CSV UTF-8\" or as .xlsx");
    }
    if (b0 == 0xD0 && b1 == 0xCF && b2 == 0x11) {
        free(c);
        return imp_fail(err, 0, -1, "corrupt",
                        "old binary .xls files are not read; save the sheet as .xlsx or CSV");
    }
    c->bom = b0 == 0xEF && b1 == 0xBB && b2 == 0xBF;
    restart(c);
    set_delimiter(c);
    int rc = 0;
    if (c->bom || (encoding && strcmp(encoding, "utf-8") == 0))
        c->enc = ENC_UTF8;
    else if (encoding && strcmp(encoding, "gb18030") == 0)
        c->enc = ENC_GB18030;
    else
        rc = detect(c, err);
    if (rc == 0 && c->enc == ENC_GB18030) {
        c->cd = iconv_open("UTF-8", "GB18030");
        if (c->cd == (iconv_t)-1) rc = imp_fail(err, 0, -1, "encoding", "GB18030 is not available");
    }
    if (rc < 0) {
        imp_csv_ops.close(c);
        return -1;
    }
    *self = c;
    return 0;
}

const char *imp_csv_encoding(const void *self)
{
    const csvr *c = self;
    return c->enc == ENC_GB18030 ? "gb18030" : "utf-8";
}

/* Converts the raw record into out/cells. */
static int convert(csvr *c, imp_error *err)
{
    size_t need = c->raw_len * (c->enc == ENC_GB18030 ? 2 : 1) + 16;
    if (need > c->out_cap) {
        c->out_cap = need * 2;
        c->out = xrealloc(c->out, c->out_cap);
    }
    c->cells = xrealloc(c->cells, sizeof(char *) * (size_t)(c->ncells + 1));
    char *o = c->out;
    for (int i = 0; i < c->ncells; i++) {
        char *s = c->raw + c->starts[i];
        size_t n = c->lens[i];
        char col[8];
        c->cells[i] = o;
        if (c->enc == ENC_UTF8) {
            if (!tf_utf8_valid(s, n)) {
                imp_col_name(i, col);
                return imp_fail(err, c->next_row, i, "encoding",
                                "row %lld, column %s is not valid UTF-8 text%s",
                                (long long)c->next_row, col,
                                c->bom ? " (the file says it is UTF-8)" : "");
            }
            memcpy(o, s, n);
            o += n;
        } else {
            size_t left = c->out_cap - (size_t)(o - c->out) - 1, in = n;
            iconv(c->cd, NULL, NULL, NULL, NULL);
            if (iconv(c->cd, &s, &in, &o, &left) == (size_t)-1 ||
                memchr(c->cells[i], 0, (size_t)(o - c->cells[i]))) {
                imp_col_name(i, col);
                return imp_fail(err, c->next_row, i, "encoding",
                                "row %lld, column %s is neither UTF-8 nor GB18030 (GBK) text",
                                (long long)c->next_row, col);
            }
        }
        *o++ = 0;
    }
    return 0;
}

static int csv_next(void *self, imp_row *row, imp_error *err)
{
    csvr *c = self;
    for (;;) {
        int rc = read_record(c, err);
        if (rc <= 0) return rc;
        bool blank = true;
        for (int i = 0; i < c->ncells && blank; i++)
            blank = c->lens[i] == 0;
        if (blank) {
            c->next_row++;
            continue;
        }
        if (convert(c, err) < 0) return -1;
        row->row_no = c->next_row++;
        row->ncells = c->ncells;
        row->cells = c->cells;
        return 1;
    }
}

static void csv_close(void *self)
{
    csvr *c = self;
    if (!c) return;
    if (c->cd != (iconv_t)-1) iconv_close(c->cd);
    free(c->raw);
    free(c->starts);
    free(c->lens);
    free(c->out);
    free(c->cells);
    free(c);
}

const imp_ops imp_csv_ops = {csv_next, csv_close};
