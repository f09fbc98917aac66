/* pg.c — the PostgreSQL driver behind db.h, on libpq. Rewrites `?` to $n
 * (outside quotes), sends parameters as text with int8/bool types where known,
 * maps SQLSTATEs to DB_E* codes, and backs up with pg_dump. */
#include "db/db.h"
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    db_conn base;
    PGconn *h;
} pg_conn;

enum { OID_BOOL = 16, OID_INT8 = 20, OID_INT2 = 21, OID_INT4 = 23 };

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int pg_open(db_conn **out, const char *url, char *err, size_t errlen)
{
    pg_conn *c = calloc(1, sizeof(*c));
    if (!c) abort();
    c->h = PQconnectdb(url);
    if (PQstatus(c->h) != CONNECTION_OK) {
        snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(c->h));
        PQfinish(c->h);
        free(c);
        return DB_ECONN;
    }
    PQsetNoticeProcessor(c->h, quiet_notice, NULL);
    PGresult *r = PQexec(c->h, "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'");
    PQclear(r);
    *out = &c->base;
    return 0;
}

static void pg_close(db_conn *b)
{
    pg_conn *c = (pg_conn *)b;
    PQfinish(c->h);
    free(c);
}

/* `?` placeholders become $1..$n; quoted strings and identifiers are skipped. */
static char *rewrite(arena *a, const char *sql)
{
    size_t n = 0;
    for (const char *p = sql; *p; p++) n += *p == '?';
    size_t cap = strlen(sql) + n * 6 + 1; /* "$NNNNN" for each "?" */
    char *out = arena_alloc(a, cap), *o = out;
    int k = 0;
    char q = 0;
    for (const char *p = sql; *p; p++) {
        if (q) {
            if (*p == q) q = 0;
            *o++ = *p;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
            *o++ = *p;
        } else if (*p == '?') {
            o += snprintf(o, cap - (size_t)(o - out), "$%d", ++k);
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
    return out;
}

static int map_err(pg_conn *c, PGresult *r)
{
    const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c->h);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(c->base.err, sizeof(c->base.err), "%s", msg && *msg ? msg : PQerrorMessage(c->h));
    size_t l = strlen(c->base.err);
    while (l && (c->base.err[l - 1] == '\n')) c->base.err[--l] = 0;
    if (PQstatus(c->h) != CONNECTION_OK) {
        /* mark broken so the pool drops it ('!' prefix, see db_release) */
        memmove(c->base.err + 1, c->base.err, sizeof(c->base.err) - 2);
        c->base.err[0] = '!';
        return DB_ECONN;
    }
    if (!state) return DB_ERR;
    if (strcmp(state, "23505") == 0) return DB_EUNIQUE;
    if (strncmp(state, "23", 2) == 0) return DB_EFK;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return DB_EBUSY;
    return DB_ERR;
}

static int pg_query(db_conn *b, arena *a, db_res *out, const char *sql, int n, const db_val *p)
{
    pg_conn *c = (pg_conn *)b;
    const char **vals = arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
    unsigned *types = arena_alloc(a, sizeof(unsigned) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        switch (p[i].t) {
        case DBV_INT:
            vals[i] = arena_printf(a, "%lld", (long long)p[i].i);
            types[i] = OID_INT8;
            break;
        case DBV_BOOL:
            vals[i] = p[i].i ? "t" : "f";
            types[i] = OID_BOOL;
            break;
        case DBV_TEXT:
            vals[i] = p[i].s;
            types[i] = 0;
            break;
        default:
            vals[i] = NULL;
            types[i] = 0;
        }
    }
    PGresult *r = PQexecParams(c->h, rewrite(a, sql), n, types, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = map_err(c, r);
        PQclear(r);
        return rc;
    }
    int nrows = PQntuples(r), ncols = PQnfields(r);
    out->nrows = nrows;
    out->ncols = ncols;
    out->cols = arena_alloc(a, sizeof(char *) * (size_t)(ncols ? ncols : 1));
    for (int i = 0; i < ncols; i++) out->cols[i] = arena_strdup(a, PQfname(r, i));
    out->cells = arena_alloc(a, sizeof(db_val) * (size_t)(nrows ? nrows : 1) * (size_t)(ncols ? ncols : 1));
    for (int j = 0; j < ncols; j++) {
        unsigned t = PQftype(r, j);
        for (int i = 0; i < nrows; i++) {
            db_val *v = &out->cells[(size_t)i * (size_t)ncols + (size_t)j];
            if (PQgetisnull(r, i, j)) {
                v->t = DBV_NULL;
                continue;
            }
            const char *s = PQgetvalue(r, i, j);
            if (t == OID_INT8 || t == OID_INT4 || t == OID_INT2) {
                v->t = DBV_INT;
                v->i = strtoll(s, NULL, 10);
            } else if (t == OID_BOOL) {
                v->t = DBV_BOOL;
                v->i = s[0] == 't';
            } else {
                v->t = DBV_TEXT;
                v->s = arena_strndup(a, s, (size_t)PQgetlength(r, i, j));
            }
        }
    }
    int rc = ncols > 0 ? nrows : (int)strtol(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return rc;
}

static int pg_exec_script(db_conn *b, const char *sql)
{
    pg_conn *c = (pg_conn *)b;
    PGresult *r = PQexec(c->h, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) rc = map_err(c, r);
    PQclear(r);
    return rc;
}

static int pg_backup(db_conn *b, const char *url, const char *to, char *err, size_t errlen)
{
    (void)b;
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork failed");
        return DB_ERR;
    }
    if (pid == 0) {
        /* pg_dump takes one snapshot: a consistent copy of a live database */
        execlp("pg_dump", "pg_dump", "--format=custom", "--file", to, "--dbname", url, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        snprintf(err, errlen, "pg_dump failed (exit %d)", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return DB_ERR;
    }
    return 0;
}

const struct db_driver db_pg_driver = {
    .name = "postgresql",
    .engine = DB_ENGINE_PG,
    .open = pg_open,
    .close = pg_close,
    .query = pg_query,
    .exec_script = pg_exec_script,
    .begin_sql = "BEGIN",
    .id_pk = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    .backup = pg_backup,
};
