/* db.c — the driver-independent half of the db interface: the connection
 * pool, transactions, result helpers, JSON conversion and migrations. */
#include "db/db.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/util.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct db {
    const struct db_driver *drv;
    char *target; /* driver-specific: a file path or a libpq URL */
    char *url;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int size, open, in_use;
    db_conn **idle;
    int nidle;
};

db *db_open(const char *url, int size, char *err, size_t errlen)
{
    const struct db_driver *drv;
    const char *target;
    if (strncmp(url, "sqlite:", 7) == 0) {
        drv = &db_sqlite_driver;
        target = url + 7;
    } else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        drv = &db_pg_driver;
        target = url;
    } else {
        snprintf(err, errlen, "database URL must be sqlite:PATH or postgresql://...: %s", url);
        return NULL;
    }
    if (!*target) {
        snprintf(err, errlen, "database URL has an empty path");
        return NULL;
    }
    if (size < 1) size = 1;
    db *d = calloc(1, sizeof(*d));
    if (!d) abort();
    d->drv = drv;
    d->target = strdup(target);
    d->url = strdup(url);
    d->size = size;
    d->idle = calloc((size_t)size, sizeof(db_conn *));
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    return d;
}

static void conn_close(db *d, db_conn *c)
{
    if (c->cache_free) c->cache_free(c->cache);
    d->drv->close(c);
}

void db_close(db *d)
{
    if (!d) return;
    for (int i = 0; i < d->nidle; i++) conn_close(d, d->idle[i]);
    free(d->idle);
    free(d->target);
    free(d->url);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    free(d);
}

db_engine db_engine_of(const db *d)
{
    return d->drv->engine;
}

const char *db_target(const db *d)
{
    return d->target;
}

db_conn *db_acquire(db *d, char *err, size_t errlen)
{
    pthread_mutex_lock(&d->mu);
    for (;;) {
        if (d->nidle > 0) {
            db_conn *c = d->idle[--d->nidle];
            d->in_use++;
            pthread_mutex_unlock(&d->mu);
            return c;
        }
        if (d->open < d->size) {
            d->open++;
            d->in_use++;
            pthread_mutex_unlock(&d->mu);
            db_conn *c = NULL;
            if (d->drv->open(&c, d->target, err, errlen) != 0) {
                pthread_mutex_lock(&d->mu);
                d->open--;
                d->in_use--;
                pthread_cond_signal(&d->cv);
                pthread_mutex_unlock(&d->mu);
                return NULL;
            }
            c->drv = d->drv;
            c->owner = d;
            return c;
        }
        pthread_cond_wait(&d->cv, &d->mu);
    }
}

void db_release(db_conn *c)
{
    if (!c) return;
    db *d = c->owner;
    if (c->tx_where) {
        tf_log("warn", "transaction opened at %s was never closed; rolled back", c->tx_where);
        db_rollback(c);
    }
    pthread_mutex_lock(&d->mu);
    d->in_use--;
    if (c->err[0] == '!') { /* connection marked broken by its driver */
        d->open--;
        pthread_mutex_unlock(&d->mu);
        conn_close(d, c);
        pthread_mutex_lock(&d->mu);
    } else {
        d->idle[d->nidle++] = c;
    }
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

void db_pool_stats(db *d, int *size, int *open, int *in_use)
{
    pthread_mutex_lock(&d->mu);
    *size = d->size;
    *open = d->open;
    *in_use = d->in_use;
    pthread_mutex_unlock(&d->mu);
}

int db_query(db_conn *c, arena *a, db_res *out, const char *sql, int n, const db_val *p)
{
    memset(out, 0, sizeof(*out));
    return c->drv->query(c, a, out, sql, n, p);
}

int db_exec(db_conn *c, const char *sql, int n, const db_val *p)
{
    arena a;
    arena_init(&a);
    db_res r;
    int rc = db_query(c, &a, &r, sql, n, p); /* a statement may return rows (PRAGMA) */
    arena_free(&a);
    return rc;
}

int db_scalar_int(db_conn *c, int64_t *out, int64_t dflt, const char *sql, int n, const db_val *p)
{
    arena a;
    arena_init(&a);
    db_res r;
    int rc = db_query(c, &a, &r, sql, n, p);
    *out = dflt;
    if (rc >= 0 && r.nrows > 0 && r.ncols > 0 && r.cells[0].t != DBV_NULL) {
        const db_val *v = &r.cells[0];
        *out = v->t == DBV_TEXT ? strtoll(v->s, NULL, 10) : v->i;
    }
    arena_free(&a);
    return rc < 0 ? rc : 0;
}

const char *db_errmsg(db_conn *c)
{
    return c->err[0] == '!' ? c->err + 1 : c->err;
}

int db_begin_at(db_conn *c, const char *where)
{
    if (c->tx_where) {
        snprintf(c->err, sizeof(c->err), "transaction already open at %s", c->tx_where);
        return DB_ERR;
    }
    int rc = c->drv->exec_script(c, c->drv->begin_sql);
    if (rc == 0) c->tx_where = where;
    return rc;
}

int db_commit(db_conn *c)
{
    int rc = c->drv->exec_script(c, "COMMIT");
    if (rc != 0) {
        c->drv->exec_script(c, "ROLLBACK");
    }
    c->tx_where = NULL;
    return rc;
}

void db_rollback(db_conn *c)
{
    if (!c->tx_where) return;
    c->drv->exec_script(c, "ROLLBACK");
    c->tx_where = NULL;
}

int db_analyze(db_conn *c, const char *table)
{
    return c->drv->analyze ? c->drv->analyze(c, table) : 0;
}

int db_col(const db_res *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i], name) == 0) return i;
    return -1;
}

const db_val *db_cell(const db_res *r, int row, const char *name)
{
    static const db_val null_val = {DBV_NULL, 0, NULL};
    int i = db_col(r, name);
    if (i < 0 || row < 0 || row >= r->nrows) return &null_val;
    return &r->cells[row * r->ncols + i];
}

int64_t db_get_int(const db_res *r, int row, const char *name)
{
    const db_val *v = db_cell(r, row, name);
    if (v->t == DBV_TEXT) return strtoll(v->s, NULL, 10);
    return v->i;
}

const char *db_get_text(const db_res *r, int row, const char *name)
{
    const db_val *v = db_cell(r, row, name);
    return v->t == DBV_TEXT ? v->s : NULL;
}

static json_t *val_json(const char *col, const db_val *v)
{
    switch (v->t) {
    case DBV_NULL:
        return json_null();
    case DBV_INT:
        return json_integer(v->i);
    case DBV_BOOL:
        return json_boolean(v->i);
    case DBV_TEXT: {
        size_t cl = strlen(col);
        if (cl > 5 && strcmp(col + cl - 5, "_json") == 0) {
            json_t *j = json_loads(v->s, JSON_DECODE_ANY, NULL);
            return j ? j : json_null();
        }
        return json_string(v->s);
    }
    }
    return json_null();
}

json_t *db_row_json(const db_res *r, int row)
{
    json_t *o = json_object();
    for (int i = 0; i < r->ncols; i++) {
        const char *col = r->cols[i];
        size_t cl = strlen(col);
        json_t *v = val_json(col, &r->cells[row * r->ncols + i]);
        if (cl > 5 && strcmp(col + cl - 5, "_json") == 0) {
            char key[128];
            snprintf(key, sizeof(key), "%.*s", (int)(cl - 5), col);
            json_object_set_new(o, key, v);
        } else {
            json_object_set_new(o, col, v);
        }
    }
    return o;
}

json_t *db_rows_json(const db_res *r)
{
    json_t *a = json_array();
    for (int i = 0; i < r->nrows; i++) json_array_append_new(a, db_row_json(r, i));
    return a;
}

/* A growing text buffer for db_rows_text. */
typedef struct tbuf {
    char *p;
    size_t n, cap;
    bool oom;
} tbuf;

/* Room for n more bytes (and a NUL); false when out of memory. */
static bool tb_room(tbuf *b, size_t n)
{
    if (b->oom) return false;
    if (b->n + n + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 32768; /* a list page in one piece */
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

static void tb_put(tbuf *b, const char *s, size_t n)
{
    if (!tb_room(b, n)) return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
}

/* s (len bytes) as a JSON string in one pass: quote, backslash and control
 * characters escaped, UTF-8 checked; the runs between escapes are copied
 * whole. False (nothing written) if s is not valid UTF-8: the caller falls
 * back to jansson. */
static bool tb_string(tbuf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    if (!tb_room(b, len * 6 + 2)) return true; /* oom: the whole reply fails */
    const unsigned char *p = (const unsigned char *)s, *e = p + len, *run = p;
    char *o = b->p + b->n;
    *o++ = '"';
    while (p < e) {
        unsigned c = *p;
        if (c >= 0x80) { /* a multi-byte sequence, checked, stays in the run */
            size_t n = tf_utf8_seq(p, e);
            if (!n) return false;
            p += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            p++;
            continue;
        }
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
        *o++ = '\\';
        if (c == '"' || c == '\\') *o++ = (char)c;
        else if (c == '\n') *o++ = 'n';
        else {
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        run = ++p;
    }
    memcpy(o, run, (size_t)(p - run));
    o += p - run;
    *o++ = '"';
    b->n = (size_t)(o - b->p);
    return true;
}

char *db_rows_text(const db_res *r, int nrows, size_t *len)
{
    tbuf b = {0};
    int nc = r->ncols ? r->ncols : 1;
    bool *is_json = calloc((size_t)nc, sizeof(bool));
    const char **key = calloc((size_t)nc, sizeof(char *)); /* `"name":`, `,"name":` after the first */
    size_t *keylen = calloc((size_t)nc, sizeof(size_t));
    char *keys = NULL;
    size_t kcap = 0;
    for (int i = 0; i < r->ncols; i++) kcap += strlen(r->cols[i]) + 4;
    keys = malloc(kcap + 1);
    if (!is_json || !key || !keylen || !keys) {
        free(is_json);
        free(key);
        free(keylen);
        free(keys);
        return NULL;
    }
    char *k = keys;
    for (int i = 0; i < r->ncols; i++) {
        size_t cl = strlen(r->cols[i]);
        is_json[i] = cl > 5 && strcmp(r->cols[i] + cl - 5, "_json") == 0;
        if (is_json[i]) cl -= 5;
        key[i] = k;
        if (i) *k++ = ',';
        *k++ = '"';
        memcpy(k, r->cols[i], cl); /* column names are ours */
        k += cl;
        *k++ = '"';
        *k++ = ':';
        keylen[i] = (size_t)(k - key[i]);
    }
    if (nrows > r->nrows) nrows = r->nrows;
    tb_put(&b, "[", 1);
    for (int row = 0; row < nrows; row++) {
        tb_put(&b, row ? ",{" : "{", row ? 2 : 1);
        for (int i = 0; i < r->ncols; i++) {
            const db_val *v = &r->cells[row * r->ncols + i];
            tb_put(&b, key[i], keylen[i]);
            switch (v->t) {
            case DBV_INT: {
                char num[24];
                tb_put(&b, num, (size_t)(tf_put_i64(num, v->i) - num));
                break;
            }
            case DBV_BOOL:
                tb_put(&b, v->i ? "true" : "false", v->i ? 4 : 5);
                break;
            case DBV_TEXT: {
                size_t sl = strlen(v->s);
                if (is_json[i] && sl == 2 && (strcmp(v->s, "{}") == 0 || strcmp(v->s, "[]") == 0)) {
                    tb_put(&b, v->s, 2); /* the usual empty custom fields: as they are */
                } else if (is_json[i] || !tb_string(&b, v->s, sl)) {
                    /* embedded JSON (or text jansson would refuse): as db_row_json */
                    json_t *j = val_json(r->cols[i], v);
                    char *t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
                    json_decref(j);
                    tb_put(&b, t ? t : "null", t ? strlen(t) : 4);
                    free(t);
                }
                break;
            }
            default:
                tb_put(&b, "null", 4);
            }
        }
        tb_put(&b, "}", 1);
    }
    tb_put(&b, "]", 1);
    free(is_json);
    free(key);
    free(keylen);
    free(keys);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    b.p[b.n] = 0;
    *len = b.n;
    return b.p;
}

/* Migrations ------------------------------------------------------------- */

static char *expand_tokens(const char *sql, size_t len, const char *id_pk)
{
    static const char tok[] = "{{ID}}";
    size_t tl = sizeof(tok) - 1, il = strlen(id_pk), cap = len + 1;
    for (const char *p = sql; (p = strstr(p, tok)); p += tl) cap += il;
    char *out = malloc(cap), *o = out;
    if (!out) abort();
    const char *p = sql, *end = sql + len;
    while (p < end) {
        if ((size_t)(end - p) >= tl && memcmp(p, tok, tl) == 0) {
            memcpy(o, id_pk, il);
            o += il;
            p += tl;
        } else {
            *o++ = *p++;
        }
    }
    *o = 0;
    return out;
}

int db_schema_version(db_conn *c, int64_t *out)
{
    return db_scalar_int(c, out, 0, "SELECT MAX(version) FROM schema_migrations", DBP0);
}

/* A migration is NNN_name.sql (both engines), optionally followed by
 * NNN_name.sqlite.sql or NNN_name.pg.sql for what only one engine needs
 * (full-text indexes, extensions). All files of one number run in one
 * transaction, common part first. */
static bool for_engine(const char *path, db_engine e, bool *common)
{
    size_t n = strlen(path);
    bool sq = n > 11 && strcmp(path + n - 11, ".sqlite.sql") == 0;
    bool pg = n > 7 && strcmp(path + n - 7, ".pg.sql") == 0;
    *common = !sq && !pg;
    return *common || (sq && e == DB_ENGINE_SQLITE) || (pg && e == DB_ENGINE_PG);
}

static int run_file(db_conn *c, const struct embedded_file *m)
{
    char *sql = expand_tokens((const char *)m->data, m->len, c->drv->id_pk);
    int rc = c->drv->exec_script(c, sql);
    free(sql);
    return rc;
}

int db_migrate(db *d, char *err, size_t errlen)
{
    db_conn *c = db_acquire(d, err, errlen);
    if (!c) return DB_ECONN;
    int applied = 0, rc = c->drv->exec_script(c, "CREATE TABLE IF NOT EXISTS schema_migrations "
                                                 "(version BIGINT PRIMARY KEY, name TEXT NOT NULL, "
                                                 "applied_at TEXT NOT NULL)");
    if (rc != 0) goto fail;
    int64_t have = 0;
    if ((rc = db_schema_version(c, &have)) != 0) goto fail;
    for (size_t i = 0; i < tf_migrations_count;) {
        long v = strtol(tf_migrations[i].path, NULL, 10);
        size_t j = i;
        while (j < tf_migrations_count && strtol(tf_migrations[j].path, NULL, 10) == v) j++;
        if (v <= 0 || v <= have) {
            i = j;
            continue;
        }
        const char *name = tf_migrations[i].path, *failed = NULL;
        char ts[TF_TS_LEN];
        tf_now(ts);
        rc = db_begin(c);
        /* common file first: it sorts before its engine-specific siblings
         * only by accident of naming, so pick it explicitly */
        for (int pass = 0; pass < 2 && rc == 0; pass++)
            for (size_t k = i; k < j && rc == 0; k++) {
                bool common;
                if (!for_engine(tf_migrations[k].path, d->drv->engine, &common)) continue;
                if (common != (pass == 0)) continue;
                if (common) name = tf_migrations[k].path;
                rc = run_file(c, &tf_migrations[k]);
                if (rc != 0) failed = tf_migrations[k].path;
            }
        if (rc == 0 &&
            db_exec(c, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    DBP(DBI(v), DBS(name), DBS(ts))) < 0)
            rc = DB_ERR;
        if (rc == 0) rc = db_commit(c);
        else db_rollback(c);
        if (rc != 0) {
            snprintf(err, errlen, "migration %s failed: %s", failed ? failed : name, db_errmsg(c));
            db_release(c);
            return rc < 0 ? rc : DB_ERR;
        }
        applied++;
        i = j;
    }
    db_release(c);
    return applied;
fail:
    snprintf(err, errlen, "%s", db_errmsg(c));
    db_release(c);
    return rc < 0 ? rc : DB_ERR;
}

int db_backup(db *d, const char *to, char *err, size_t errlen)
{
    db_conn *c = db_acquire(d, err, errlen);
    if (!c) return DB_ECONN;
    int rc = d->drv->backup(c, d->target, to, err, errlen);
    db_release(c);
    return rc;
}
