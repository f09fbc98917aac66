/* import_parse.c — the format-independent half of the import readers: format
 * guessing, opening the CSV or XLSX reader, and the limits both share (rows
 * per file, columns per row). See import_parse.h. */
#include "imports/import_parse.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct imp_reader {
    const imp_ops *ops;
    void *self;
    imp_format fmt;
    int64_t rows; /* rows returned, header included */
};

int imp_fail(imp_error *err, int64_t row, int col, const char *code, const char *fmt, ...)
{
    err->row = row;
    err->col = col;
    snprintf(err->code, sizeof(err->code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    return -1;
}

void imp_col_name(int col, char out[8])
{
    char tmp[8];
    int n = 0;
    for (int c = col + 1; c > 0 && n < 7; c = (c - 1) / 26)
        tmp[n++] = (char)('A' + (c - 1) % 26);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

imp_format imp_guess_format(const unsigned char *head, size_t n, const char *filename,
                            const char *content_type)
{
    if (n >= 4 && memcmp(head, "PK\3\4", 4) == 0) return IMP_XLSX;
    if (ends_with(filename, ".xlsx") || ends_with(filename, ".xlsm")) return IMP_XLSX;
    if (content_type &&
        strncasecmp(content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml",
                    59) == 0)
        return IMP_XLSX;
    return IMP_CSV;
}

int imp_open(imp_reader **out, FILE *f, imp_format fmt, const char *encoding, imp_error *err)
{
    *out = NULL;
    memset(err, 0, sizeof(*err));
    void *self = NULL;
    int rc = fmt == IMP_XLSX ? imp_xlsx_open(&self, f, err) : imp_csv_open(&self, f, encoding, err);
    if (rc < 0) return -1;
    imp_reader *r = calloc(1, sizeof(*r));
    if (!r) abort();
    r->ops = fmt == IMP_XLSX ? &imp_xlsx_ops : &imp_csv_ops;
    r->self = self;
    r->fmt = fmt;
    *out = r;
    return 0;
}

int imp_next(imp_reader *r, imp_row *row, imp_error *err)
{
    int rc = r->ops->next(r->self, row, err);
    if (rc <= 0) return rc;
    if (row->ncells > IMP_MAX_COLS)
        return imp_fail(err, row->row_no, IMP_MAX_COLS, "too_many_columns",
                        "row %lld has %d columns; at most %d are accepted", (long long)row->row_no,
                        row->ncells, IMP_MAX_COLS);
    if (++r->rows > (int64_t)IMP_MAX_ROWS + 1)
        return imp_fail(err, row->row_no, -1, "too_many_rows",
                        "the file has more than %d rows; split it into several files",
                        IMP_MAX_ROWS);
    return 1;
}

const char *imp_encoding(const imp_reader *r)
{
    return r->fmt == IMP_CSV ? imp_csv_encoding(r->self) : "utf-8";
}

void imp_close(imp_reader *r)
{
    if (!r) return;
    r->ops->close(r->self);
    free(r);
}
