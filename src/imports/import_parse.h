/* import_parse.h — reading an uploaded spreadsheet (CSV or XLSX) one row at
 * a time, as UTF-8 text cells, with the limits every import shares. The
 * readers stream: memory holds one row (and, for XLSX, the workbook's shared
 * strings table), never the rows of the whole file.
 *
 * Row numbers are the ones a spreadsheet program shows (the header is row 1,
 * blank rows count), so a user can find a reported row in Excel. Rows whose
 * cells are all empty are skipped. Cell text is returned as it is in the file
 * (no trimming); formulas come back as their text ("=1+1"), never evaluated. */
#ifndef TF_IMPORT_PARSE_H
#define TF_IMPORT_PARSE_H
#include <stdint.h>
#include <stdio.h>

typedef enum { IMP_CSV, IMP_XLSX } imp_format;

#define IMP_MAX_COLS 200         /* columns of a sheet (header included) */
#define IMP_MAX_CELL (64 * 1024) /* bytes of one cell's text */
#define IMP_MAX_ROWS 200000      /* data rows of one file */

typedef struct imp_row {
    int64_t row_no;           /* as a spreadsheet numbers it; the header is 1 */
    int ncells;               /* cells in the row: CSV counts every delimiter; XLSX up to
                                 the last non-empty cell */
    const char *const *cells; /* UTF-8, NUL-free; valid until the next imp_next */
} imp_row;

/* A problem with the file as a whole, or with one row of it. */
typedef struct imp_error {
    int64_t row;   /* 0: the whole file */
    int col;       /* 0-based column, -1 if none */
    char code[24]; /* empty, encoding, corrupt, no_sheet, too_many_columns,
                      cell_too_large, unclosed_quote, too_many_rows, ... */
    char msg[256];
} imp_error;

typedef struct imp_reader imp_reader;

/* Opens a reader over f (read from its start; f stays the caller's).
 * encoding: for CSV, "utf-8" or "gb18030" as an earlier open detected, or
 * NULL to detect it now (one extra pass over the file); ignored for XLSX.
 * Returns 0, or -1 with err filled. The caller frees with imp_close. */
int imp_open(imp_reader **out, FILE *f, imp_format fmt, const char *encoding, imp_error *err);
/* Reads the next non-blank row: 1, 0 at the end, -1 on an error in the file
 * (err filled; the reader is not usable afterwards). */
int imp_next(imp_reader *r, imp_row *row, imp_error *err);
/* The text encoding of the file: "utf-8" or "gb18030" (XLSX: "utf-8"). */
const char *imp_encoding(const imp_reader *r);
void imp_close(imp_reader *r);

/* Guesses the format from the first bytes, the file name and the media type:
 * a zip (PK\3\4) or a name ending .xlsx or the XLSX media type is XLSX;
 * everything else is CSV. */
imp_format imp_guess_format(const unsigned char *head, size_t n, const char *filename,
                            const char *content_type);

/* Internal: the two readers behind imp_open. */
typedef struct imp_ops {
    int (*next)(void *self, imp_row *row, imp_error *err);
    void (*close)(void *self);
} imp_ops;
int imp_csv_open(void **self, FILE *f, const char *encoding, imp_error *err);
int imp_xlsx_open(void **self, FILE *f, imp_error *err);
extern const imp_ops imp_csv_ops, imp_xlsx_ops;
const char *imp_csv_encoding(const void *self);
/* Fills err (row, col, code, printf-style message). Returns -1. */
int imp_fail(imp_error *err, int64_t row, int col, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Column letters for messages: 0 → "A", 27 → "AB". */
void imp_col_name(int col, char out[8]);
#endif
