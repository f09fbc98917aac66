/* table.h — writing a table (a header row, then rows of text cells) as a CSV
 * or XLSX file, for exports and downloadable reports. The file is built in
 * an unlinked temporary file, so a large export costs disk, not memory, and
 * nothing is left behind whatever happens; the caller sends the finished
 * file with reply_file.
 *
 * CSV: UTF-8 with a byte order mark (so Excel reads Chinese correctly),
 * CRLF, RFC 4180 quoting, and cells starting with = + - @ (or a tab or CR)
 * prefixed with a single quote so a spreadsheet never runs them as formulas.
 * XLSX: every cell is a string cell (never a formula), written row by row in
 * libxlsxwriter's constant-memory mode. */
#ifndef TF_EXPORT_TABLE_H
#define TF_EXPORT_TABLE_H
#include <stddef.h>
#include <stdint.h>

typedef enum { XT_CSV, XT_XLSX } xt_format;
typedef struct xt_writer xt_writer;

#define XT_XLSX_MAX_ROWS 1048575 /* Excel's sheet, less the header */

/* Starts a file; sheet is the XLSX sheet name. 0 or -1 (no temp space). */
int xt_open(xt_writer **out, xt_format fmt, const char *sheet);
/* Appends a row of n cells (NULL is an empty cell). 0 or -1. */
int xt_row(xt_writer *w, const char *const *cells, int n);
/* Finishes the file: *fd is open for reading at offset 0 (the caller owns
 * it), *size its length. Frees w. 0 or -1 (w freed either way). */
int xt_finish(xt_writer *w, int *fd, size_t *size);
/* Drops an unfinished file. */
void xt_abort(xt_writer *w);

/* Media type and file name extension of a format. */
const char *xt_media_type(xt_format fmt);
const char *xt_extension(xt_format fmt);

/* Internal: the two formats behind xt_*. */
typedef struct xt_ops {
    int (*row)(void *self, const char *const *cells, int n);
    int (*finish)(void *self, int *fd, size_t *size);
    void (*abort)(void *self);
} xt_ops;
int xt_csv_open(void **self);
int xt_xlsx_open(void **self, const char *sheet);
extern const xt_ops xt_csv_ops, xt_xlsx_ops;
/* Writes one CSV cell (quoted when needed, formulas defused) to f. */
void xt_csv_cell(void *f, const char *s);
#endif
