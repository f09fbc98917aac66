/* sqlite.c — the SQLite driver behind db.h: WAL, busy timeout, foreign keys,
 * typed results (BOOLEAN declared columns come back as booleans), online
 * backup through the sqlite3_backup API. */
#include "db/db.h"
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { STMT_CACHE = 64 };

typedef struct {
    db_conn base;
    sqlite3 *h;
    /* Prepared statements by SQL text: parsing was most of a simple request's
     * cost. Reset after every use, so none holds a read transaction open. */
    sqlite3_stmt *cache[STMT_CACHE];
    int ncache, next_evict;
} sq_conn;

static sqlite3_stmt *stmt_get(sq_conn *c, const char *sql, int *rc)
{
    for (int i = 0; i < c->ncache; i++)
        if (strcmp(sqlite3_sql(c->cache[i]), sql) == 0) return c->cache[i];
    sqlite3_stmt *st = NULL;
    *rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (*rc != SQLITE_OK) return NULL;
    if (c->ncache < STMT_CACHE) {
        c->cache[c->ncache++] = st;
    } else { /* replace round-robin: cheap, and hot statements come back at once */
        sqlite3_finalize(c->cache[c->next_evict]);
        c->cache[c->next_evict] = st;
        c->next_evict = (c->next_evict + 1) % STMT_CACHE;
    }
    return st;
}

static void stmt_done(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* SQLite's memory statistics take a global mutex on every allocation; we
 * never read them, and with several workers the lock was a hot spot. */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int map_rc(sq_conn *c, int rc)
{
    snprintf(c->base.err, sizeof(c->base.err), "%s", sqlite3_errmsg(c->h));
    int ext = sqlite3_extended_errcode(c->h);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) return DB_EUNIQUE;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return DB_EFK;
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) return DB_EBUSY;
    return DB_ERR;
}

static int sq_open(db_conn **out, const char *path, char *err, size_t errlen)
{
    pthread_once(&config_once, configure_sqlite);
    sq_conn *c = calloc(1, sizeof(*c));
    if (!c) abort();
    int rc = sqlite3_open_v2(path, &c->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path, c->h ? sqlite3_errmsg(c->h) : "?");
        sqlite3_close(c->h);
        free(c);
        return DB_ECONN;
    }
    sqlite3_busy_timeout(c->h, 10000);
    sqlite3_extended_result_codes(c->h, 1);
    char *msg = NULL;
    rc = sqlite3_exec(c->h,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                      "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; "
                      "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=2147418112;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(c->h);
        free(c);
        return DB_ECONN;
    }
    *out = &c->base;
    return 0;
}

static void sq_close(db_conn *b)
{
    sq_conn *c = (sq_conn *)b;
    for (int i = 0; i < c->ncache; i++) sqlite3_finalize(c->cache[i]);
    sqlite3_close_v2(c->h);
    free(c);
}

static int bind_all(sqlite3_stmt *st, int n, const db_val *p)
{
    for (int i = 0; i < n; i++) {
        int rc;
        switch (p[i].t) {
        case DBV_INT:
        case DBV_BOOL:
            rc = sqlite3_bind_int64(st, i + 1, p[i].i);
            break;
        case DBV_TEXT:
            rc = sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(st, i + 1);
        }
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int sq_query(db_conn *b, arena *a, db_res *out, const char *sql, int n, const db_val *p)
{
    sq_conn *c = (sq_conn *)b;
    int rc = SQLITE_OK;
    sqlite3_stmt *st = stmt_get(c, sql, &rc);
    if (!st) return map_rc(c, rc);
    if (sqlite3_bind_parameter_count(st) != n) {
        snprintf(b->err, sizeof(b->err), "statement wants %d parameters, got %d",
                 sqlite3_bind_parameter_count(st), n);
        stmt_done(st);
        return DB_ERR;
    }
    if ((rc = bind_all(st, n, p)) != SQLITE_OK) {
        rc = map_rc(c, rc);
        stmt_done(st);
        return rc;
    }
    int ncols = sqlite3_column_count(st);
    out->ncols = ncols;
    out->cols = arena_alloc(a, sizeof(char *) * (size_t)(ncols ? ncols : 1));
    bool *isbool = arena_alloc(a, sizeof(bool) * (size_t)(ncols ? ncols : 1));
    for (int i = 0; i < ncols; i++) {
        out->cols[i] = arena_strdup(a, sqlite3_column_name(st, i));
        const char *dt = sqlite3_column_decltype(st, i);
        isbool[i] = dt && strcasecmp(dt, "BOOLEAN") == 0;
    }
    int cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nrows == cap) {
            int ncap = cap ? cap * 2 : 16;
            db_val *cells = arena_alloc_raw(a, sizeof(db_val) * (size_t)ncap * (size_t)(ncols ? ncols : 1));
            if (out->cells) memcpy(cells, out->cells, sizeof(db_val) * (size_t)cap * (size_t)ncols);
            out->cells = cells;
            cap = ncap;
        }
        db_val *row = out->cells + (size_t)out->nrows * (size_t)ncols;
        for (int i = 0; i < ncols; i++) {
            /* whole cells: the array is not zeroed (arena_alloc_raw) */
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                row[i] = (db_val){.t = isbool[i] ? DBV_BOOL : DBV_INT, .i = sqlite3_column_int64(st, i)};
                break;
            case SQLITE_NULL:
                row[i] = (db_val){.t = DBV_NULL};
                break;
            case SQLITE_FLOAT: /* we store no floats; render exactly what is there */
                row[i] = (db_val){.t = DBV_TEXT,
                                  .s = arena_printf(a, "%.17g", sqlite3_column_double(st, i))};
                break;
            default:
                row[i] = (db_val){.t = DBV_TEXT,
                                  .s = arena_strndup(a, (const char *)sqlite3_column_text(st, i),
                                                     (size_t)sqlite3_column_bytes(st, i))};
            }
        }
        out->nrows++;
    }
    if (rc != SQLITE_DONE) {
        rc = map_rc(c, rc);
        stmt_done(st);
        return rc;
    }
    stmt_done(st);
    return ncols > 0 ? out->nrows : sqlite3_changes(c->h);
}

static int sq_exec_script(db_conn *b, const char *sql)
{
    sq_conn *c = (sq_conn *)b;
    char *msg = NULL;
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int r = map_rc(c, rc);
        if (msg) snprintf(b->err, sizeof(b->err), "%s", msg);
        sqlite3_free(msg);
        return r;
    }
    return 0;
}

/* True if path is the database file or one of its companions: a backup
 * written there would destroy the live database. */
static bool is_db_file(const char *path, const char *dbpath)
{
    static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
    struct stat a, b;
    if (stat(path, &a) != 0) return false;
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        char name[4096];
        snprintf(name, sizeof(name), "%s%s", dbpath, suffix[i]);
        if (stat(name, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) return true;
    }
    return false;
}

/* Copies the live database into `to`: written as `to`.partial and renamed
 * when complete, so a failed backup leaves an older one at `to` intact. */
static int sq_backup(db_conn *b, const char *target, const char *to, char *err, size_t errlen)
{
    sq_conn *c = (sq_conn *)b;
    if (is_db_file(to, target)) {
        snprintf(err, errlen, "refusing to back up %s onto itself (%s)", target, to);
        return DB_ERR;
    }
    size_t n = strlen(to) + sizeof(".partial");
    char *tmp = malloc(n);
    if (!tmp) abort();
    snprintf(tmp, n, "%s.partial", to);
    unlink(tmp);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open(tmp, &dst);
    if (rc == SQLITE_OK) {
        sqlite3_backup *bk = sqlite3_backup_init(dst, "main", c->h, "main");
        if (bk) {
            /* All pages in one step: one read transaction, so one consistent
             * snapshot, and in WAL mode the server's writers carry on. (Copying
             * in small steps restarts after every write by another
             * connection, and never ends on a large, busy database.) */
            do {
                rc = sqlite3_backup_step(bk, -1);
                if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(5);
            } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
            sqlite3_backup_finish(bk);
        }
        rc = sqlite3_errcode(dst);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "backup to %s failed: %s", to, dst ? sqlite3_errmsg(dst) : "?");
        sqlite3_close(dst);
        unlink(tmp);
        free(tmp);
        return DB_ERR;
    }
    sqlite3_close(dst);
    if (rename(tmp, to) != 0) {
        snprintf(err, errlen, "backup to %s failed: cannot rename %s: %s", to, tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return DB_ERR;
    }
    free(tmp);
    return 0;
}

const struct db_driver db_sqlite_driver = {
    .name = "sqlite",
    .engine = DB_ENGINE_SQLITE,
    .open = sq_open,
    .close = sq_close,
    .query = sq_query,
    .exec_script = sq_exec_script,
    .begin_sql = "BEGIN IMMEDIATE",
    /* AUTOINCREMENT: an id is never given out again after a delete, so a new
     * record never inherits the history (audit_log rows) of a deleted one. */
    .id_pk = "INTEGER PRIMARY KEY AUTOINCREMENT",
    .backup = sq_backup,
};
