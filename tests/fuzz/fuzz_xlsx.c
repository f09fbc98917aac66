/* fuzz_xlsx.c — libFuzzer target for the import's XLSX reader
 * (imports/import_xlsx.c through imp_open / imp_next). The first byte picks
 * the mode: even, the rest is the uploaded file itself (the zip); odd, the
 * rest is split at its first 0xFF byte into the worksheet XML and the shared
 * strings XML, packed with a fixed workbook, its relationships and a styles
 * part with a date format (so the fuzzer reaches the sheet parser). Asserts:
 * every cell is valid UTF-8 within IMP_MAX_CELL, rows within IMP_MAX_COLS
 * and numbered upwards, a refusal names a code and a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/util.h"
#include "zip_pack.h"
#include "imports/import_parse.h"

static const char workbook[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char rels[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
static const char styles[] =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy/mm/dd\"/></numFmts>"
    "<cellXfs count=\"3\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/>"
    "</cellXfs></styleSheet>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 200000) return 0;
    char *file = NULL;
    size_t len = size - 1;
    if (data[0] & 1) {
        const uint8_t *cut = memchr(data + 1, 0xFF, size - 1);
        size_t sheet_len = cut ? (size_t)(cut - data - 1) : size - 1;
        zip_part parts[] = {
            {"xl/workbook.xml", workbook, sizeof(workbook) - 1},
            {"xl/_rels/workbook.xml.rels", rels, sizeof(rels) - 1},
            {"xl/styles.xml", styles, sizeof(styles) - 1},
            {"xl/worksheets/sheet1.xml", (const char *)data + 1, sheet_len},
            {"xl/sharedStrings.xml", cut ? (const char *)cut + 1 : "",
             cut ? size - 1 - sheet_len - 1 : 0},
        };
        file = fuzz_zip(parts, cut ? 5 : 4, &len);
        if (!file) return 0;
    }
    /* the reader wants a real file descriptor (libzip reads its own handle) */
    int fd = memfd_create("fuzz.xlsx", 0);
    if (fd < 0) abort();
    if (len && write(fd, file ? file : (const char *)data + 1, len) != (ssize_t)len) abort();
    free(file);
    FILE *f = fdopen(fd, "rb");
    if (!f) abort();
    imp_reader *r;
    imp_error err;
    if (imp_open(&r, f, IMP_XLSX, NULL, &err) < 0) {
        if (!err.code[0] || !err.msg[0]) abort();
        fclose(f);
        return 0;
    }
    imp_row row;
    int rc;
    int64_t last = 0;
    while ((rc = imp_next(r, &row, &err)) == 1) {
        if (row.row_no <= last || row.ncells < 0 || row.ncells > IMP_MAX_COLS) abort();
        last = row.row_no;
        for (int i = 0; i < row.ncells; i++) {
            size_t n = strlen(row.cells[i]);
            if (n > IMP_MAX_CELL || !tf_utf8_valid(row.cells[i], n)) abort();
        }
    }
    if (rc < 0 && (!err.code[0] || !err.msg[0])) abort();
    imp_close(r);
    fclose(f);
    return 0;
}
