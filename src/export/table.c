/* table.c — the format-independent half of table.h: choosing the writer,
 * temporary files, media types. */
#include "export/table.h"
#include <stdio.h>
#include <stdlib.h>

struct xt_writer {
    const xt_ops *ops;
    void *self;
    xt_format fmt;
    long rows;
};

int xt_open(xt_writer **out, xt_format fmt, const char *sheet)
{
    *out = NULL;
    void *self = NULL;
    if ((fmt == XT_XLSX ? xt_xlsx_open(&self, sheet) : xt_csv_open(&self)) < 0) return -1;
    xt_writer *w = calloc(1, sizeof(*w));
    if (!w) abort();
    w->ops = fmt == XT_XLSX ? &xt_xlsx_ops : &xt_csv_ops;
    w->self = self;
    w->fmt = fmt;
    *out = w;
    return 0;
}

int xt_row(xt_writer *w, const char *const *cells, int n)
{
    if (w->fmt == XT_XLSX && w->rows > XT_XLSX_MAX_ROWS) return -1;
    w->rows++;
    return w->ops->row(w->self, cells, n);
}

int xt_finish(xt_writer *w, int *fd, size_t *size)
{
    int rc = w->ops->finish(w->self, fd, size);
    free(w);
    return rc;
}

void xt_abort(xt_writer *w)
{
    if (!w) return;
    w->ops->abort(w->self);
    free(w);
}

const char *xt_media_type(xt_format fmt)
{
    return fmt == XT_XLSX ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                          : "text/csv; charset=utf-8";
}

const char *xt_extension(xt_format fmt)
{
    return fmt == XT_XLSX ? "xlsx" : "csv";
}
