/* db.h — the one database interface. Two drivers sit behind it (sqlite.c,
 * pg.c); everything else talks SQL through these functions only, always with
 * bound parameters written as `?`. Results are copied into the caller's arena.
 *
 * Where the engines differ, the difference lives in a driver function here
 * (id column type in migrations, online backup, full-text search), never in
 * the callers. Functions return 0 (or a row count) on success and a negative
 * DB_E* code on failure; db_errmsg() says why. */
#ifndef TF_DB_H
#define TF_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "base/arena.h"

enum {
    DB_OK = 0,
    DB_ERR = -1,     /* anything else */
    DB_EUNIQUE = -2, /* unique constraint violated */
    DB_EFK = -3,     /* foreign key / check violated */
    DB_EBUSY = -4,   /* lock timeout or serialization failure: retry */
    DB_ECONN = -5,   /* connection lost / cannot connect */
};

typedef enum { DBV_NULL, DBV_INT, DBV_TEXT, DBV_BOOL } dbv_type;
typedef struct db_val {
    dbv_type t;
    int64_t i;
    const char *s;
} db_val;

#define DBI(x) ((db_val){.t = DBV_INT, .i = (int64_t)(x)})
#define DBB(x) ((db_val){.t = DBV_BOOL, .i = (x) ? 1 : 0})
static inline db_val db_text_val(const char *s)
{
    return (db_val){.t = s ? DBV_TEXT : DBV_NULL, .s = s};
}
#define DBS(x) db_text_val(x)
#define DBNULL ((db_val){.t = DBV_NULL})
/* DBP(a, b, c) expands to the "count, array" pair the query functions take. */
#define DBP(...)                                                                                   \
    (int)(sizeof((db_val[]){__VA_ARGS__}) / sizeof(db_val)), (const db_val[])                      \
    {                                                                                              \
        __VA_ARGS__                                                                                \
    }
#define DBP0 0, NULL

typedef struct db_res {
    int nrows, ncols;
    const char **cols; /* column names */
    db_val *cells;     /* nrows * ncols, row-major; strings live in the arena */
} db_res;

typedef struct db db;
typedef struct db_conn db_conn;

/* The part of a connection every driver shares; drivers embed it first. */
struct db_conn {
    const struct db_driver *drv;
    db *owner;
    const char *tx_where; /* file:line of the open transaction, NULL if none */
    char err[512];
    int busy_retries;
    /* what a module keeps with the connection (one request uses it at a
     * time: no lock), freed by cache_free when it closes; see core/names.c */
    void *cache;
    void (*cache_free)(void *cache);
};

typedef enum { DB_ENGINE_SQLITE, DB_ENGINE_PG } db_engine;

struct db_driver {
    const char *name;
    db_engine engine;
    int (*open)(db_conn **out, const char *target, char *err, size_t errlen);
    void (*close)(db_conn *c);
    int (*query)(db_conn *c, arena *a, db_res *out, const char *sql, int n, const db_val *p);
    int (*exec_script)(db_conn *c, const char *sql); /* several statements, no parameters */
    const char *begin_sql;                           /* write transaction start */
    const char *id_pk;                               /* replaces {{ID}} in migrations */
    int (*backup)(db_conn *c, const char *target, const char *to, char *err, size_t errlen);
    int (*analyze)(db_conn *c, const char *table); /* see db_analyze */
};

/* Pool ---------------------------------------------------------------- */
/* Opens a pool for URL ("sqlite:PATH" or "postgresql://..."). Connections are
 * opened lazily up to `size`. Returns NULL and fills err on a bad URL. */
db *db_open(const char *url, int size, char *err, size_t errlen);
void db_close(db *d);
db_engine db_engine_of(const db *d);
const char *db_target(const db *d);
/* Blocks until a connection is free. NULL if none can be opened (err set). */
db_conn *db_acquire(db *d, char *err, size_t errlen);
/* Returns a connection; rolls back a transaction left open (and logs where). */
void db_release(db_conn *c);
void db_pool_stats(db *d, int *size, int *open, int *in_use);

/* Queries --------------------------------------------------------------- */
/* A statement whose text holds this comment is planned for its values at
 * every run. Any other one PostgreSQL may run with one generic plan after
 * a few runs on a connection (pg.c prepares statements), made without
 * the values: right where the values change little in the plan (a point
 * read), wrong where they change it all (quick search: a term in every
 * row or in a few; see bench/RESULTS.md). SQLite plans each statement once
 * and has no such choice; to it this is a comment. */
#define DB_PLAN_PER_VALUES "/*plan per values*/"

int db_query(db_conn *c, arena *a, db_res *out, const char *sql, int n, const db_val *p);
/* Statement without a result; returns the number of changed rows or < 0. */
int db_exec(db_conn *c, const char *sql, int n, const db_val *p);
/* First column of the first row as an integer; `dflt` when no row. */
int db_scalar_int(db_conn *c, int64_t *out, int64_t dflt, const char *sql, int n, const db_val *p);
const char *db_errmsg(db_conn *c);

/* Transactions: opened and closed by these helpers only; the open site is
 * remembered so a leaked transaction is reported with its origin. */
#define db_begin(c) db_begin_at((c), __FILE__ ":" TF_STR(__LINE__))
#define TF_STR(x) TF_STR2(x)
#define TF_STR2(x) #x
int db_begin_at(db_conn *c, const char *where);
int db_commit(db_conn *c);
void db_rollback(db_conn *c);

/* Results ----------------------------------------------------------------- */
int db_col(const db_res *r, const char *name); /* column index or -1 */
const db_val *db_cell(const db_res *r, int row, const char *name);
int64_t db_get_int(const db_res *r, int row, const char *name);
const char *db_get_text(const db_res *r, int row, const char *name);
/* JSON of one row / all rows; values typed (integer, boolean, string, null).
 * Caller owns (json_decref). Columns named "*_json" are parsed as JSON. */
json_t *db_row_json(const db_res *r, int row);
json_t *db_rows_json(const db_res *r);
/* The same JSON as db_rows_json for the first nrows rows, written straight
 * to text (no JSON values built): a list page is mostly this. malloc'd
 * (caller frees), length in *len; NULL when out of memory. */
char *db_rows_text(const db_res *r, int nrows, size_t *len);

/* Schema ------------------------------------------------------------------ */
/* Applies every embedded migration newer than the database, each in its own
 * transaction, recording it in schema_migrations. Returns count applied or <0. */
int db_migrate(db *d, char *err, size_t errlen);
int db_schema_version(db_conn *c, int64_t *out);
/* After a bulk load has grown `table` (a name written in the code): brings
 * the planner's statistics up to date. PostgreSQL keeps a generic plan of a
 * prepared statement made with the statistics of its time (a lookup planned
 * on an empty table stays a sequential scan as the table grows by
 * thousands of rows a second); ANALYZE makes every connection plan again.
 * SQLite plans each statement as it is prepared, without such statistics:
 * nothing to do. */
int db_analyze(db_conn *c, const char *table);
/* Online consistent copy of the live database to `to`. */
int db_backup(db *d, const char *to, char *err, size_t errlen);

extern const struct db_driver db_sqlite_driver;
extern const struct db_driver db_pg_driver;

#endif
