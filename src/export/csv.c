/* csv.c — the CSV writer of table.h: UTF-8 with a byte order mark, CRLF,
 * quoting, and formula injection defused (a cell that starts with = + - @,
 * a tab or a CR gets a leading single quote, as OWASP advises). */
#include "export/table.h"
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void xt_csv_cell(void *fp, const char *s)
{
    FILE *f = fp;
    if (!s || !*s) return;
    bool defuse = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = defuse || strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[strlen(s) - 1] == ' ';
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (defuse) fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"') fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

static int csv_row(void *self, const char *const *cells, int n)
{
    FILE *f = self;
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', f);
        xt_csv_cell(f, cells[i]);
    }
    fputs("\r\n", f);
    return ferror(f) ? -1 : 0;
}

int xt_csv_open(void **self)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/tf-export-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    unlink(path);
    FILE *f = fdopen(fd, "w+");
    if (!f) {
        close(fd);
        return -1;
    }
    fputs("\xEF\xBB\xBF", f);
    *self = f;
    return 0;
}

static int csv_finish(void *self, int *fd, size_t *size)
{
    FILE *f = self;
    int rc = fflush(f) == 0 && !ferror(f) ? 0 : -1;
    struct stat st;
    /* a descriptor of its own, at offset 0, at least 3 (never a std stream) */
    int nfd = rc == 0 ? fcntl(fileno(f), F_DUPFD_CLOEXEC, 3) : -1;
    fclose(f);
    if (nfd < 0 || fstat(nfd, &st) != 0 || lseek(nfd, 0, SEEK_SET) != 0) {
        if (nfd >= 0) close(nfd);
        return -1;
    }
    *fd = nfd;
    *size = (size_t)st.st_size;
    return 0;
}

static void csv_abort(void *self)
{
    fclose((FILE *)self);
}

const xt_ops xt_csv_ops = {csv_row, csv_finish, csv_abort};
