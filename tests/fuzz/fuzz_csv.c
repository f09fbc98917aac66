/* fuzz_csv.c — libFuzzer target for the import's CSV reader
 * (imports/import_csv.c through imp_open / imp_next): quoting, line ends,
 * the delimiter guess and the encodings (UTF-8 with or without a BOM,
 * GB18030 / GBK converted with iconv). The first byte picks the encoding the
 * caller passes (detect, utf-8, gb18030); the rest is the file. Asserts:
 * every cell is valid UTF-8 within IMP_MAX_CELL, rows within IMP_MAX_COLS
 * and numbered upwards, a refusal names a code and a message, the detected
 * encoding is one of the two, and reading again with the detected encoding
 * (what the import job does) gives the same rows. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "imports/import_parse.h"

/* Reads the whole file: the number of rows and a hash of their cells; the
 * reader's final rc (0 or -1) in *rc; the detected encoding in enc. */
static int64_t read_all(const uint8_t *data, size_t size, const char *encoding, int *rc,
                        uint64_t *hash, char enc[16])
{
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f) abort();
    imp_reader *r;
    imp_error err;
    int64_t rows = 0, last = 0;
    *hash = 1469598103934665603u;
    if (imp_open(&r, f, IMP_CSV, encoding, &err) < 0) {
        if (!err.code[0] || !err.msg[0]) abort();
        fclose(f);
        *rc = -2;
        return 0;
    }
    snprintf(enc, 16, "%s", imp_encoding(r));
    if (strcmp(enc, "utf-8") != 0 && strcmp(enc, "gb18030") != 0) abort();
    imp_row row;
    while ((*rc = imp_next(r, &row, &err)) == 1) {
        if (row.row_no <= last || row.ncells < 1 || row.ncells > IMP_MAX_COLS) abort();
        last = row.row_no;
        rows++;
        for (int i = 0; i < row.ncells; i++) {
            size_t n = strlen(row.cells[i]);
            if (n > IMP_MAX_CELL || !tf_utf8_valid(row.cells[i], n)) abort();
            for (size_t j = 0; j < n; j++) *hash = (*hash ^ (uint8_t)row.cells[i][j]) * 1099511628211u;
            *hash = (*hash ^ 0x100) * 1099511628211u;
        }
    }
    if (*rc < 0 && (!err.code[0] || !err.msg[0])) abort();
    imp_close(r);
    fclose(f);
    return rows;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    static const char *const encodings[] = {NULL, "utf-8", "gb18030"};
    const char *encoding = encodings[data[0] % 3];
    data++, size--;
    int rc, rc2;
    uint64_t h, h2;
    char enc[16] = "", enc2[16];
    int64_t rows = read_all(data, size, encoding, &rc, &h, enc);
    if (rc != -2 && !encoding) {
        int64_t rows2 = read_all(data, size, enc, &rc2, &h2, enc2);
        if (rows2 != rows || rc2 != rc || h2 != h || strcmp(enc, enc2) != 0) abort();
    }
    return 0;
}
