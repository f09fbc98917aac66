/* pg.c — the PostgreSQL driver behind db.h, on libpq. Rewrites `?` to $n
 * (outside quotes), sends parameters as text with int8/bool types where known,
 * keeps each connection's prepared statements (pg_stmt.c), maps SQLSTATEs to
 * DB_E* codes, and backs up with pg_dump. */
#include "db/pg_stmt.h"
#include "db/db.h"
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    db_conn base;
    PGconn *h;
    pg_stmts st; /* this connection's prepared statements */
} pg_conn;

/* Bumped by every statement that may change the schema (migrations, DDL):
 * a connection whose statements were prepared in an older epoch
 * deallocates them before its next query, so none of them keeps a result
 * shape the schema no longer has. Process-wide: it covers every pool. */
static atomic_uint schema_epoch;

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
    pg_stmts_init(&c->st);
    c->st.epoch = atomic_load(&schema_epoch);
    PGresult *r = PQexec(c->h, "SET client_encoding TO 'UTF8'; SET TIME ZONE 'UTC'");
    PQclear(r);
    *out = &c->base;
    return 0;
}

static void pg_close(db_conn *b)
{
    pg_conn *c = (pg_conn *)b;
    pg_stmts_clear(&c->st);
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

/* Deallocates this connection's statements when the schema changed since
 * they were prepared (not in a failed transaction, which refuses all but
 * ROLLBACK: then at the next query). */
static void stmts_check_epoch(pg_conn *c)
{
    unsigned now = atomic_load(&schema_epoch);
    if (c->st.epoch == now) return;
    if (c->st.n > 0) {
        if (PQtransactionStatus(c->h) == PQTRANS_INERROR) return;
        PQclear(PQexec(c->h, "DEALLOCATE ALL"));
    }
    pg_stmts_clear(&c->st);
    c->st.epoch = now;
}

/* True for the errors of a prepared statement the server lost or whose
 * result the schema changed: it is prepared again. */
static bool stmt_stale(PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state) return false;
    if (strcmp(state, "26000") == 0) return true; /* prepared statement does not exist */
    const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    return strcmp(state, "0A000") == 0 && msg && strstr(msg, "cached plan must not change");
}

/* Runs sql with the connection's prepared statement for it: the second
 * time a statement runs it is prepared (once), and executed by name from
 * then on, which spares the server parsing (and, once it settles on a
 * generic plan, planning) it at every request. A statement run once,
 * anything but DML, and one marked DB_PLAN_PER_VALUES run unnamed (an
 * unnamed statement is planned with its values). *stale is set when a
 * cached statement was refused as stale (it is forgotten; the caller may
 * run it again). */
static PGresult *run(pg_conn *c, arena *a, const char *sql, int n, const unsigned *types,
                     const char *const *vals, const char *sig, bool *stale)
{
    *stale = false;
    stmts_check_epoch(c);
    bool ddl = false;
    if (!pg_stmt_preparable(sql, &ddl) || strstr(sql, DB_PLAN_PER_VALUES)) {
        if (ddl) atomic_fetch_add(&schema_epoch, 1);
        return PQexecParams(c->h, rewrite(a, sql), n, types, vals, NULL, NULL, 0);
    }
    uint64_t h = pg_stmt_hash(sql, sig);
    pg_stmt *e = pg_stmt_find(&c->st, h, sql, sig);
    char name[24];
    if (!e) {
        if (pg_stmt_first_sight(&c->st, h))
            return PQexecParams(c->h, rewrite(a, sql), n, types, vals, NULL, NULL, 0);
        unsigned evicted = 0;
        e = pg_stmt_add(&c->st, h, sql, sig, &evicted);
        if (evicted) { /* the least recently used one makes room (in a failed
                          transaction it stays on the server, unnamed here) */
            char sql_d[48];
            snprintf(sql_d, sizeof(sql_d), "DEALLOCATE tf%u", evicted);
            PQclear(PQexec(c->h, sql_d));
        }
        snprintf(name, sizeof(name), "tf%u", e->id);
        PGresult *r = PQprepare(c->h, name, rewrite(a, sql), n, types);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            pg_stmt_remove(&c->st, e);
            return r;
        }
        PQclear(r);
    } else {
        snprintf(name, sizeof(name), "tf%u", e->id);
    }
    PGresult *r = PQexecPrepared(c->h, name, n, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && stmt_stale(r)) {
        pg_stmt_remove(&c->st, e);
        *stale = true;
    }
    return r;
}

static int pg_query(db_conn *b, arena *a, db_res *out, const char *sql, int n, const db_val *p)
{
    pg_conn *c = (pg_conn *)b;
    const char **vals = arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
    unsigned *types = arena_alloc(a, sizeof(unsigned) * (size_t)(n ? n : 1));
    char *sig = arena_alloc(a, (size_t)n + 1); /* the types as letters: part of the cache key */
    for (int i = 0; i < n; i++) {
        switch (p[i].t) {
        case DBV_INT:
            vals[i] = arena_printf(a, "%lld", (long long)p[i].i);
            types[i] = OID_INT8;
            sig[i] = 'i';
            break;
        case DBV_BOOL:
            vals[i] = p[i].i ? "t" : "f";
            types[i] = OID_BOOL;
            sig[i] = 'b';
            break;
        case DBV_TEXT:
            vals[i] = p[i].s;
            types[i] = 0;
            sig[i] = 'u';
            break;
        default:
            vals[i] = NULL;
            types[i] = 0;
            sig[i] = 'u';
        }
    }
    sig[n] = 0;
    bool stale = false;
    PGresult *r = run(c, a, sql, n, types, vals, sig, &stale);
    /* a stale statement outside a transaction: once more, prepared afresh
     * (inside one, the transaction has failed: its caller sees the error) */
    if (stale && PQtransactionStatus(c->h) == PQTRANS_IDLE) {
        PQclear(r);
        atomic_fetch_add(&schema_epoch, 1); /* the schema changed: all of them */
        r = run(c, a, sql, n, types, vals, sig, &stale);
    } else if (stale) {
        atomic_fetch_add(&schema_epoch, 1);
    }
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
    /* a script is a migration, or transaction control */
    if (strcmp(sql, "BEGIN") != 0 && strcmp(sql, "COMMIT") != 0 && strcmp(sql, "ROLLBACK") != 0)
        atomic_fetch_add(&schema_epoch, 1);
    PGresult *r = PQexec(c->h, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) rc = map_err(c, r);
    PQclear(r);
    return rc;
}

static int pg_analyze(db_conn *b, const char *table)
{
    pg_conn *c = (pg_conn *)b;
    char *id = PQescapeIdentifier(c->h, table, strlen(table));
    if (!id) return map_err(c, NULL);
    size_t n = strlen(id) + sizeof("ANALYZE ");
    char *sql = malloc(n);
    if (!sql) abort();
    snprintf(sql, n, "ANALYZE %s", id);
    PQfreemem(id);
    PGresult *r = PQexec(c->h, sql);
    free(sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : map_err(c, r);
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
    .analyze = pg_analyze,
};
