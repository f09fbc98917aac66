/* fake_http.c — the stand-ins declared in fake_http.h: libmicrohttpd's
 * argument lookup over a query string parsed here (split on '&', first '='
 * separates the value, %XX unescaped as MHD_http_unescape does, a key
 * without "=" has no value), the reply helpers, and the custom-field query
 * of the customer filter (one field of each type). */
#include "fake_http.h"
#include "db/sqlq.h"
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fake_status;
char fake_code[64];
char fake_detail[512];
json_t *fake_errors;

enum { MAX_ARGS = 256 };
static char *args_buf;
static const char *arg_key[MAX_ARGS], *arg_val[MAX_ARGS];
static int nargs;

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                        : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* unescapes s in place, as MHD_http_unescape (a NUL cuts the text) */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

void fake_start(const char *query, size_t len)
{
    fake_end();
    args_buf = malloc(len + 1);
    memcpy(args_buf, query, len);
    args_buf[len] = 0;
    char *save = NULL;
    for (char *part = strtok_r(args_buf, "&", &save); part && nargs < MAX_ARGS;
         part = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(part, '=');
        if (eq) *eq = 0;
        unescape(part);
        if (eq) unescape(eq + 1);
        arg_key[nargs] = part;
        arg_val[nargs++] = eq ? eq + 1 : NULL;
    }
}

void fake_end(void)
{
    free(args_buf);
    args_buf = NULL;
    nargs = 0;
    fake_status = 0;
    fake_code[0] = fake_detail[0] = 0;
    json_decref(fake_errors);
    fake_errors = NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                                        const char *key)
{
    (void)connection;
    if (kind != MHD_GET_ARGUMENT_KIND) return NULL;
    for (int i = 0; i < nargs; i++)
        if (strcmp(arg_key[i], key) == 0) return arg_val[i];
    return NULL;
}

int MHD_get_connection_values(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                              MHD_KeyValueIterator iterator, void *iterator_cls)
{
    (void)connection;
    if (kind != MHD_GET_ARGUMENT_KIND) return 0;
    for (int i = 0; i < nargs; i++)
        if (iterator && iterator(iterator_cls, kind, arg_key[i], arg_val[i]) != MHD_YES) return i + 1;
    return nargs;
}

int reply_problem(req *r, int status, const char *code, const char *fmt, ...)
{
    (void)r;
    fake_status = status;
    snprintf(fake_code, sizeof(fake_code), "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fake_detail, sizeof(fake_detail), fmt, ap);
    va_end(ap);
    return 0;
}

int reply_invalid(req *r, json_t *errors)
{
    (void)r;
    fake_status = 422;
    snprintf(fake_code, sizeof(fake_code), "invalid");
    json_decref(fake_errors);
    fake_errors = errors;
    return 0;
}

/* The custom fields of customers: one of each type the filter knows. */
static const char *const cf_cols[] = {"key", "type", "options_json"};
static const char *const cf_rows[][3] = {
    {"grade", "select", "[\"A\",\"B\",\"C\"]"},
    {"tags", "multiselect", "[\"wire\",\"cable\",\"电缆\"]"},
    {"capacity", "number", "null"},
    {"founded", "date", "null"},
    {"note", "text", "null"},
};

int db_query(db_conn *c, arena *a, db_res *out, const char *sql, int n, const db_val *p)
{
    (void)c, (void)sql, (void)n, (void)p;
    int rows = (int)(sizeof(cf_rows) / sizeof(cf_rows[0]));
    out->nrows = rows;
    out->ncols = 3;
    out->cols = (const char **)cf_cols;
    out->cells = arena_alloc(a, sizeof(db_val) * (size_t)rows * 3);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < 3; j++)
            out->cells[i * 3 + j] = DBS(cf_rows[i][j]);
    return 0;
}

const char *db_get_text(const db_res *r, int row, const char *name)
{
    for (int j = 0; j < r->ncols; j++)
        if (strcmp(r->cols[j], name) == 0) return r->cells[row * r->ncols + j].s;
    return NULL;
}

void db_search_filter(db_conn *c, sqlq *q, const char *entity, const char *normq)
{
    (void)c, (void)q, (void)entity, (void)normq;
}

void sqlq_add(sqlq *q, const char *frag, int n, const db_val *p)
{
    (void)q, (void)frag, (void)n, (void)p;
}
