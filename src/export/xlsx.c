/* xlsx.c — the XLSX writer of table.h on libxlsxwriter, in constant-memory
 * mode (each row goes to disk as it is written). Every cell is a string
 * cell: nothing an export writes can be run as a formula. The header row is
 * bold and frozen. */
#include "export/table.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define XLSX_CELL_MAX 32767 /* characters Excel keeps in a cell */

typedef struct xw {
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *bold;
    lxw_row_t row;
    char path[512];
    char *tmp; /* a cell cut to XLSX_CELL_MAX characters */
} xw;

int xt_xlsx_open(void **self, const char *sheet)
{
    xw *x = calloc(1, sizeof(*x));
    if (!x) abort();
    const char *dir = getenv("TMPDIR");
    snprintf(x->path, sizeof(x->path), "%s/tf-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(x->path);
    if (fd < 0) {
        free(x);
        return -1;
    }
    close(fd);
    lxw_workbook_options opt = {.constant_memory = LXW_TRUE};
    x->wb = workbook_new_opt(x->path, &opt);
    x->ws = x->wb ? workbook_add_worksheet(x->wb, sheet) : NULL;
    if (!x->ws) {
        if (x->wb) workbook_close(x->wb);
        unlink(x->path);
        free(x);
        return -1;
    }
    x->bold = workbook_add_format(x->wb);
    format_set_bold(x->bold);
    worksheet_freeze_panes(x->ws, 1, 0);
    *self = x;
    return 0;
}

/* s cut to at most XLSX_CELL_MAX code points (on a character boundary). */
static const char *fit(xw *x, const char *s)
{
    size_t cps = 0, i = 0;
    for (; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++cps > XLSX_CELL_MAX) break;
    if (!s[i]) return s;
    free(x->tmp);
    x->tmp = strndup(s, i);
    if (!x->tmp) abort();
    return x->tmp;
}

static int xlsx_row(void *self, const char *const *cells, int n)
{
    xw *x = self;
    for (int i = 0; i < n; i++) {
        if (!cells[i] || !*cells[i]) continue;
        if (worksheet_write_string(x->ws, x->row, (lxw_col_t)i, fit(x, cells[i]),
                                   x->row == 0 ? x->bold : NULL) != LXW_NO_ERROR)
            return -1;
    }
    x->row++;
    return 0;
}

static int xlsx_finish(void *self, int *fd, size_t *size)
{
    xw *x = self;
    int rc = workbook_close(x->wb) == LXW_NO_ERROR ? 0 : -1;
    int nfd = rc == 0 ? open(x->path, O_RDONLY | O_CLOEXEC) : -1;
    unlink(x->path);
    free(x->tmp);
    free(x);
    struct stat st;
    if (nfd >= 0 && nfd < 3) { /* never hand out a std stream's number */
        int d = fcntl(nfd, F_DUPFD_CLOEXEC, 3);
        close(nfd);
        nfd = d;
    }
    if (nfd < 0 || fstat(nfd, &st) != 0) {
        if (nfd >= 0) close(nfd);
        return -1;
    }
    *fd = nfd;
    *size = (size_t)st.st_size;
    return 0;
}

static void xlsx_abort(void *self)
{
    xw *x = self;
    workbook_close(x->wb);
    unlink(x->path);
    free(x->tmp);
    free(x);
}

const xt_ops xt_xlsx_ops = {xlsx_row, xlsx_finish, xlsx_abort};
