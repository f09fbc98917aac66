/* test_db.c — unit tests of the database interface (db/db.c, sqlq.c and the
 * drivers) on a real SQLite file: migrations applied and recorded, typed
 * results, bound values never read as SQL, constraint errors mapped to
 * DB_EUNIQUE / DB_EFK, rollback and leaked transactions, the query builder's
 * parameter limit, quick search on Chinese and phone fragments and its
 * index's upkeep, document numbering, and text normalisation
 * (base/textsearch.c). With TF_PG_URL set (a throw-away cluster, see
 * tests/pg.sh) the same tests run on PostgreSQL; each test then empties the
 * public schema first. Also: the PostgreSQL driver's statement cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/jobs.h"
#include "core/numbering.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/db.h"
#include "db/sqlq.h"
#include "db/pg_stmt.h"
#include "customers/customers.h"
#include "testdb.h"

static int setup(void **state)
{
    fx *f = fx_open("db");
    if (!f) return -1;
    exec_ok(f,
            "CREATE TABLE t_parent (id BIGINT PRIMARY KEY, code TEXT NOT NULL UNIQUE,"
            " flag BOOLEAN NOT NULL DEFAULT FALSE, note TEXT)",
            DBP0);
    exec_ok(f, "CREATE TABLE t_child (id BIGINT PRIMARY KEY, parent_id BIGINT REFERENCES t_parent(id))",
            DBP0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

static int64_t count(fx *f, const char *sql, int n, const db_val *p)
{
    int64_t v = -1;
    if (db_scalar_int(f->c, &v, -1, sql, n, p) < 0) fail_msg("%s: %s", sql, db_errmsg(f->c));
    return v;
}

/* Migrations ------------------------------------------------------------- */

static void test_migrations_recorded(void **state)
{
    fx *f = *state;
    char err[256];
    assert_true(f->migrated >= 5);
    int64_t n = count(f, "SELECT COUNT(*) FROM schema_migrations", DBP0);
    assert_int_equal(n, f->migrated);
    int64_t v = 0;
    assert_int_equal(db_schema_version(f->c, &v), 0);
    assert_true(v >= 5);
    db_res r;
    assert_int_equal(db_query(f->c, &f->a, &r,
                              "SELECT name, applied_at FROM schema_migrations WHERE version = 3",
                              DBP0),
                     1);
    assert_string_equal(db_get_text(&r, 0, "name"), "003_customers.sql"); /* the common file */
    assert_non_null(db_get_text(&r, 0, "applied_at"));
    /* the tables exist, the engine-specific part too (SQLite FTS / PG GIN) */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customers", DBP0), 0);
    /* a second run applies nothing and records nothing */
    assert_int_equal(db_migrate(f->d, err, sizeof(err)), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM schema_migrations", DBP0), n);
}

/* Typed results ------------------------------------------------------------ */

static void test_typed_results(void **state)
{
    fx *f = *state;
    exec_ok(f, "INSERT INTO t_parent (id, code, flag, note) VALUES (?, ?, ?, ?)",
            DBP(DBI(1), DBS("a"), DBB(true), DBNULL));
    exec_ok(f, "INSERT INTO t_parent (id, code, flag, note) VALUES (?, ?, ?, ?)",
            DBP(DBI(5000000000LL), DBS("中文"), DBB(false), DBS("")));
    db_res r;
    assert_int_equal(db_query(f->c, &f->a, &r,
                              "SELECT id, code, flag, note FROM t_parent ORDER BY id", DBP0),
                     2);
    assert_int_equal(r.ncols, 4);
    assert_string_equal(r.cols[2], "flag");
    assert_int_equal(db_cell(&r, 0, "id")->t, DBV_INT);
    assert_int_equal(db_cell(&r, 0, "id")->i, 1);
    assert_int_equal(db_cell(&r, 1, "id")->i, 5000000000LL);
    assert_int_equal(db_cell(&r, 0, "code")->t, DBV_TEXT);
    assert_string_equal(db_get_text(&r, 1, "code"), "中文");
    assert_int_equal(db_cell(&r, 0, "flag")->t, DBV_BOOL);
    assert_int_equal(db_cell(&r, 0, "flag")->i, 1);
    assert_int_equal(db_cell(&r, 1, "flag")->t, DBV_BOOL);
    assert_int_equal(db_cell(&r, 1, "flag")->i, 0);
    assert_int_equal(db_cell(&r, 0, "note")->t, DBV_NULL);
    assert_null(db_get_text(&r, 0, "note"));
    assert_int_equal(db_cell(&r, 1, "note")->t, DBV_TEXT); /* "" is not NULL */
    assert_string_equal(db_get_text(&r, 1, "note"), "");
    assert_int_equal(db_col(&r, "nope"), -1);
    /* JSON keeps the types */
    json_t *j = db_row_json(&r, 0);
    assert_true(json_is_integer(json_object_get(j, "id")));
    assert_true(json_is_true(json_object_get(j, "flag")));
    assert_true(json_is_null(json_object_get(j, "note")));
    json_decref(j);
    /* a BOOLEAN compared with a bound DBB on both engines */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent WHERE flag = ?", DBP(DBB(true))), 1);
    /* no row: the default */
    int64_t v = 7;
    assert_int_equal(db_scalar_int(f->c, &v, 42, "SELECT id FROM t_parent WHERE id = 99", DBP0), 0);
    assert_int_equal(v, 42);
}

/* Bound values are never SQL -------------------------------------------- */

/* Regression: db_exec of a statement that returns rows (a PRAGMA, a SELECT)
 * once handed the driver an uninitialised result and crashed. */
static void test_exec_of_a_statement_with_rows(void **state)
{
    fx *f = *state;
    assert_true(db_exec(f->c, "SELECT 1 UNION ALL SELECT 2", DBP0) >= 0);
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    assert_true(db_exec(f->c, "SELECT code FROM t_parent", DBP0) >= 0);
}

/* A list page written straight to text (db_rows_text) is the same JSON as
 * the values db_rows_json builds: escapes, UTF-8, embedded JSON, types. */
static void test_rows_text_equals_rows_json(void **state)
{
    fx *f = *state;
    db_res r;
    const char *nasty = "quote \" back \\ nl \n tab \t bell \x07 华阳电缆 end";
    assert_int_equal(db_query(f->c, &f->a, &r,
                              "SELECT 7 AS id, ? AS name, NULL AS gone, ? AS custom_json,"
                              " CAST(? AS BIGINT) AS big UNION ALL SELECT 8, '', 'x', NULL, -1",
                              DBP(DBS(nasty), DBS("{\"a\":[1,\"二\"]}"), DBI(INT64_MIN))),
                     2);
    size_t len = 0;
    char *text = db_rows_text(&r, 2, &len);
    assert_non_null(text);
    assert_int_equal(len, strlen(text));
    json_error_t err;
    json_t *got = json_loads(text, 0, &err), *want = db_rows_json(&r);
    assert_non_null(got);
    assert_true(json_equal(got, want));
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 0), "name")), nasty);
    free(text);
    text = db_rows_text(&r, 1, &len); /* the first rows only */
    json_decref(got);
    got = json_loads(text, 0, &err);
    assert_int_equal(json_array_size(got), 1);
    free(text);
    json_decref(got);
    json_decref(want);
    /* a page beyond the first buffer, escapes between long runs of text */
    char *big = arena_alloc(&f->a, 60001);
    for (int i = 0; i < 60000; i += 3) memcpy(big + i, i % 3000 ? "华" : "\"\n\\", 3);
    assert_int_equal(db_query(f->c, &f->a, &r, "SELECT ? AS t, ? AS u", DBP(DBS(big), DBS(big))), 1);
    text = db_rows_text(&r, 1, &len);
    got = json_loads(text, 0, &err);
    assert_non_null(got);
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 0), "u")), big);
    free(text);
    json_decref(got);
}

/* The one-pass string writer checks UTF-8 as tf_utf8_valid does: what is
 * not valid text becomes null as in db_rows_json, the rest is copied; the
 * empty custom fields are copied as they are. */
static void test_rows_text_utf8(void **state)
{
    fx *f = *state;
    static const char *const texts[] = {
        "ascii", "é 2-byte", "华 3-byte", "\xF0\x9F\x98\x80 4-byte", "bad \xFF byte",
        "overlong \xC0\xAF", "surrogate \xED\xA0\x80", "cut \xE5\x8D", "\x7F del", "",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        db_res r;
        int rc = db_query(f->c, &f->a, &r,
                          "SELECT CAST(? AS TEXT) AS t, '{}' AS custom_json, '[]' AS list_json",
                          DBP(DBS(texts[i])));
        if (rc < 0 && !tf_utf8_valid(texts[i], strlen(texts[i]))) continue; /* PostgreSQL refuses it */
        assert_int_equal(rc, 1);
        size_t len = 0;
        char *text = db_rows_text(&r, 1, &len);
        assert_non_null(text);
        json_error_t err;
        json_t *got = json_loads(text, 0, &err), *want = db_rows_json(&r);
        assert_non_null(got);
        json_t *row = json_array_get(got, 0), *t = json_object_get(row, "t");
        if (tf_utf8_valid(texts[i], strlen(texts[i]))) {
            assert_true(json_equal(got, want));
            assert_string_equal(json_string_value(t), texts[i]);
        } else { /* db_rows_json leaves the member out: jansson refuses the text */
            assert_true(json_is_null(t));
            json_object_del(row, "t");
            assert_true(json_equal(got, want));
        }
        free(text);
        json_decref(got);
        json_decref(want);
    }
}

static void test_bound_values_are_data(void **state)
{
    fx *f = *state;
    static const char *const evil[] = {"'); DROP TABLE t_parent; --", "x' OR '1'='1", "?",
                                       "\\'; SELECT 1; --", "%_\\"};
    for (int i = 0; i < 5; i++)
        exec_ok(f, "INSERT INTO t_parent (id, code, note) VALUES (?, ?, ?)",
                DBP(DBI(i + 1), DBS(evil[i]), DBS(evil[i])));
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 5);
    for (int i = 0; i < 5; i++) {
        db_res r;
        assert_int_equal(db_query(f->c, &f->a, &r, "SELECT id, note FROM t_parent WHERE code = ?",
                                  DBP(DBS(evil[i]))),
                         1);
        assert_int_equal(db_get_int(&r, 0, "id"), i + 1);
        assert_string_equal(db_get_text(&r, 0, "note"), evil[i]);
    }
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent WHERE code = ?", DBP(DBS("x"))), 0);
}

/* Constraint errors ------------------------------------------------------ */

static void test_constraint_codes(void **state)
{
    fx *f = *state;
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    assert_int_equal(db_exec(f->c, "INSERT INTO t_parent (id, code) VALUES (2, ?)", DBP(DBS("a"))),
                     DB_EUNIQUE);
    assert_int_equal(db_exec(f->c, "INSERT INTO t_parent (id, code) VALUES (1, 'b')", DBP0),
                     DB_EUNIQUE);
    assert_true(strlen(db_errmsg(f->c)) > 0);
    assert_int_equal(db_exec(f->c, "INSERT INTO t_child (id, parent_id) VALUES (1, ?)", DBP(DBI(99))),
                     DB_EFK);
    exec_ok(f, "INSERT INTO t_child (id, parent_id) VALUES (1, 1)", DBP0);
    assert_int_equal(db_exec(f->c, "DELETE FROM t_parent WHERE id = 1", DBP0), DB_EFK);
    /* a NOT NULL violation is an error too, not success */
    assert_true(db_exec(f->c, "INSERT INTO t_parent (id, code) VALUES (3, ?)", DBP(DBNULL)) < 0);
    /* a syntax error is DB_ERR; the connection stays usable */
    assert_int_equal(db_exec(f->c, "INSERT INTO nowhere VALUES (1)", DBP0), DB_ERR);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 1);
    /* the count of changed rows */
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (2, 'b'), (3, 'c')", DBP0);
    assert_int_equal(db_exec(f->c, "UPDATE t_parent SET note = 'n' WHERE id > ?", DBP(DBI(1))), 2);
}

/* Transactions ----------------------------------------------------------- */

static void test_rollback_and_leak(void **state)
{
    fx *f = *state;
    char err[256];
    assert_int_equal(db_begin(f->c), 0);
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    exec_ok(f, "INSERT INTO t_child (id, parent_id) VALUES (1, 1)", DBP0);
    db_rollback(f->c);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_child", DBP0), 0);
    /* a failing statement inside: rollback still leaves nothing */
    assert_int_equal(db_begin(f->c), 0);
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    assert_int_equal(db_exec(f->c, "INSERT INTO t_parent (id, code) VALUES (2, 'a')", DBP0),
                     DB_EUNIQUE);
    db_rollback(f->c);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 0);
    /* commit keeps */
    assert_int_equal(db_begin(f->c), 0);
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    assert_int_equal(db_commit(f->c), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 1);
    /* a transaction leaked to db_release is rolled back, and the connection
     * handed out next is clean (no transaction open) */
    db_conn *c2 = db_acquire(f->d, err, sizeof(err));
    assert_non_null(c2);
    assert_int_equal(db_begin(c2), 0);
    assert_true(db_exec(c2, "INSERT INTO t_parent (id, code) VALUES (2, 'leak')", DBP0) == 1);
    db_release(c2);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent WHERE code = 'leak'", DBP0), 0);
    c2 = db_acquire(f->d, err, sizeof(err));
    assert_non_null(c2);
    assert_null(c2->tx_where);
    assert_int_equal(db_begin(c2), 0); /* would fail if a transaction were still open */
    assert_int_equal(db_commit(c2), 0);
    db_release(c2);
}

/* Prepared statements (pg.c, pg_stmt.c) ----------------------------------- */

/* The cache's bookkeeping: found by text and types, the least recently
 * used dropped first, chains intact after entries move. */
static void test_stmt_cache_lru(void **state)
{
    (void)state;
    static pg_stmts s;
    pg_stmts_init(&s);
    char sql[64];
    unsigned evicted = 0, ids[PG_STMT_MAX + 50];
    int nevicted = 0;
    for (int i = 0; i < PG_STMT_MAX + 50; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        ids[i] = pg_stmt_add(&s, pg_stmt_hash(sql, "i"), sql, "i", &evicted)->id;
        /* 1..10 go first, then 0 (used again after 10), then 11... */
        unsigned want = i < PG_STMT_MAX ? 0
                        : i < PG_STMT_MAX + 10 ? ids[i - PG_STMT_MAX + 1]
                        : i == PG_STMT_MAX + 10 ? ids[0] : ids[i - PG_STMT_MAX];
        assert_int_equal(evicted, want);
        nevicted += evicted != 0;
        if (i == 10) assert_non_null(pg_stmt_find(&s, pg_stmt_hash("SELECT 0", "i"), "SELECT 0", "i"));
    }
    assert_int_equal(nevicted, 50);
    assert_int_equal(s.n, PG_STMT_MAX);
    for (int i = 0; i < PG_STMT_MAX + 50; i++) {
        snprintf(sql, sizeof(sql), "SELECT %d", i);
        pg_stmt *e = pg_stmt_find(&s, pg_stmt_hash(sql, "i"), sql, "i");
        if (i < 50) assert_null(e);
        else assert_true(e && e->id == ids[i]);
        assert_null(pg_stmt_find(&s, pg_stmt_hash(sql, "u"), sql, "u")); /* other types */
    }
    pg_stmt *e = pg_stmt_find(&s, pg_stmt_hash("SELECT 100", "i"), "SELECT 100", "i");
    pg_stmt_remove(&s, e);
    assert_null(pg_stmt_find(&s, pg_stmt_hash("SELECT 100", "i"), "SELECT 100", "i"));
    assert_non_null(pg_stmt_find(&s, pg_stmt_hash("SELECT 299", "i"), "SELECT 299", "i"));
    assert_true(pg_stmt_first_sight(&s, 42));
    assert_false(pg_stmt_first_sight(&s, 42));
    bool ddl;
    assert_true(pg_stmt_preparable("  (SELECT 1)", &ddl) && !ddl);
    assert_true(pg_stmt_preparable("with x as (select 1) select * from x", &ddl));
    assert_false(pg_stmt_preparable("alter table t add column x text", &ddl));
    assert_true(ddl);
    assert_false(pg_stmt_preparable("DEALLOCATE ALL", &ddl));
    assert_false(ddl);
    pg_stmts_clear(&s);
    assert_int_equal(s.n, 0);
}

/* Statements run again and again (prepared on PostgreSQL) stay right
 * through failed transactions, a schema change by this process, and one
 * by another (PostgreSQL refuses the old statement; it is prepared again). */
static void test_stmt_cache_survives(void **state)
{
    fx *f = *state;
    char err[256];
    const char *get = "SELECT * FROM t_parent WHERE id = ?";
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a')", DBP0);
    db_res r;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
        assert_int_equal(r.ncols, 4);
    }
    /* a failure inside a transaction, then the same statements again */
    for (int round = 0; round < 3; round++) {
        assert_int_equal(db_begin(f->c), 0);
        assert_int_equal(db_exec(f->c, "INSERT INTO t_parent (id, code) VALUES (?, ?)",
                                 DBP(DBI(2), DBS("a"))),
                         DB_EUNIQUE);
        db_rollback(f->c);
        assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    }
    /* the same text with other parameter types is another statement */
    assert_int_equal(db_query(f->c, &f->a, &r, "SELECT ? AS v", DBP(DBI(7))), 1);
    assert_int_equal(db_query(f->c, &f->a, &r, "SELECT ? AS v", DBP(DBI(7))), 1);
    assert_int_equal(db_get_int(&r, 0, "v"), 7);
    assert_int_equal(db_query(f->c, &f->a, &r, "SELECT ? AS v", DBP(DBS("x"))), 1);
    assert_string_equal(db_get_text(&r, 0, "v"), "x");
    /* more statements than the cache holds: the oldest are deallocated,
     * and prepared again when they come back */
    for (int round = 0; round < 2; round++)
        for (int k = 0; k < PG_STMT_MAX + 20; k++) {
            char *sql = arena_printf(&f->a, "SELECT ? + %d AS v", k);
            for (int twice = 0; twice < 2; twice++) {
                assert_int_equal(db_query(f->c, &f->a, &r, sql, DBP(DBI(1))), 1);
                assert_int_equal(db_get_int(&r, 0, "v"), k + 1);
            }
        }
    if (db_engine_of(f->d) == DB_ENGINE_PG) /* and no more than that on the server */
        assert_true(count(f, "SELECT COUNT(*) FROM pg_prepared_statements", DBP0) <= PG_STMT_MAX);
    /* the schema changed by another connection of this process */
    db_conn *c2 = db_acquire(f->d, err, sizeof(err));
    assert_non_null(c2);
    assert_true(db_exec(c2, "ALTER TABLE t_parent ADD COLUMN extra TEXT", DBP0) >= 0);
    db_release(c2);
    assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    /* (SQLite's cached statement is prepared again at its first step, after
     * its driver has read the old column count: 4 then) */
    if (db_engine_of(f->d) != DB_ENGINE_PG) return;
    assert_int_equal(r.ncols, 5);
    /* ... and by another server (DO: not seen as a schema change here) */
    for (int i = 0; i < 3; i++) assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    exec_ok(f, "DO $$ BEGIN EXECUTE 'ALTER TABLE t_parent ADD COLUMN more TEXT'; END $$", DBP0);
    assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    assert_int_equal(r.ncols, 6);
    /* inside a transaction the refusal is the transaction's error; after
     * it, the statement is prepared again */
    for (int i = 0; i < 3; i++) assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    exec_ok(f, "DO $$ BEGIN EXECUTE 'ALTER TABLE t_parent ADD COLUMN most TEXT'; END $$", DBP0);
    assert_int_equal(db_begin(f->c), 0);
    assert_true(db_query(f->c, &f->a, &r, get, DBP(DBI(1))) < 0);
    db_rollback(f->c);
    assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    assert_int_equal(r.ncols, 7);
    /* the server lost them all */
    exec_ok(f, "DEALLOCATE ALL", DBP0);
    assert_int_equal(db_query(f->c, &f->a, &r, get, DBP(DBI(1))), 1);
    assert_int_equal(r.ncols, 7);
}

/* Query builder ------------------------------------------------------------ */

static void test_sqlq(void **state)
{
    fx *f = *state;
    exec_ok(f, "INSERT INTO t_parent (id, code) VALUES (1, 'a'), (2, 'b'), (3, 'c')", DBP0);
    sqlq q;
    db_res r;
    sqlq_init(&q, &f->a, "SELECT id FROM t_parent WHERE 1 = 1");
    sqlq_add(&q, " AND id >= ?", 1, (db_val[]){DBI(2)});
    sqlq_add(&q, " AND code <> ?", 1, (db_val[]){DBS("c")});
    assert_int_equal(sqlq_run(f->c, &q, &r), 1);
    assert_int_equal(db_get_int(&r, 0, "id"), 2);
    /* one parameter too many: the query refuses to run, nothing happens */
    sqlq_init(&q, &f->a, "DELETE FROM t_parent WHERE id IN (0");
    for (int i = 0; i < SQLQ_MAX_PARAMS; i++) sqlq_add(&q, ", ?", 1, (db_val[]){DBI(1)});
    assert_false(q.overflow);
    sqlq_add(&q, ", ?", 1, (db_val[]){DBI(2)});
    sqlq_add(&q, ")", 0, NULL);
    assert_true(q.overflow);
    assert_int_equal(sqlq_run(f->c, &q, &r), DB_ERR);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM t_parent", DBP0), 3);
    /* an unknown searchable entity refuses too */
    sqlq_init(&q, &f->a, "SELECT id FROM t_parent c WHERE 1 = 1");
    db_search_filter(f->c, &q, "no_such_entity", "ab");
    assert_int_equal(sqlq_run(f->c, &q, &r), DB_ERR);
}

/* Quick search ------------------------------------------------------------- */

static int64_t add_customer(fx *f, const char *number, const char *name, const char *phone)
{
    db_res r;
    int rc = db_query(f->c, &f->a, &r,
                      "INSERT INTO customers (number, name, phone, name_norm, created_at,"
                      " updated_at) VALUES (?, ?, ?, ?, 'now', 'now') RETURNING id",
                      DBP(DBS(number), DBS(name), DBS(phone), DBS(ts_normalize(&f->a, name))));
    if (rc != 1) fail_msg("insert customer: %s", db_errmsg(f->c));
    int64_t id = db_get_int(&r, 0, "id");
    assert_int_equal(customer_reindex(f->c, &f->a, id), 0);
    return id;
}

/* Ids of the customers whose quick-search text contains q, as a bit set. */
static unsigned search(fx *f, const char *q, const int64_t *ids, int n)
{
    sqlq s;
    db_res r;
    sqlq_init(&s, &f->a, "SELECT c.id FROM customers c WHERE 1 = 1");
    db_search_filter(f->c, &s, "customers", ts_normalize(&f->a, q));
    sqlq_add(&s, " ORDER BY c.id", 0, NULL);
    int rc = sqlq_run(f->c, &s, &r);
    if (rc < 0) fail_msg("search %s: %s", q, db_errmsg(f->c));
    unsigned bits = 0;
    for (int i = 0; i < r.nrows; i++)
        for (int k = 0; k < n; k++)
            if (db_get_int(&r, i, "id") == ids[k]) bits |= 1u << k;
    return bits;
}

static void test_search(void **state)
{
    fx *f = *state;
    int64_t id[4];
    id[0] = add_customer(f, "KH-1", "郑州宇通电机有限公司", "13803710001");
    id[1] = add_customer(f, "KH-2", "洛阳中州变压器厂", "+86 139-0379-0002");
    id[2] = add_customer(f, "KH-3", "Huayang Wire Ltd.", "0371-6688 9900");
    id[3] = add_customer(f, "KH-4", "上海电驱动科技", NULL);
    assert_int_equal(search(f, "电机", id, 4), 1u << 0);
    assert_int_equal(search(f, "中州", id, 4), 1u << 1);
    assert_int_equal(search(f, "有限公司", id, 4), 1u << 0);
    assert_int_equal(search(f, "电", id, 4), (1u << 0) | (1u << 3)); /* one character */
    assert_int_equal(search(f, "宇通电机", id, 4), 1u << 0);
    /* phone fragments, whatever the punctuation typed */
    assert_int_equal(search(f, "0379", id, 4), 1u << 1);
    assert_int_equal(search(f, "139 0379", id, 4), 1u << 1);
    assert_int_equal(search(f, "6688", id, 4), 1u << 2);
    assert_int_equal(search(f, "03710001", id, 4), 1u << 0);
    /* Latin, case and full-width folded */
    assert_int_equal(search(f, "HUAYANG", id, 4), 1u << 2);
    assert_int_equal(search(f, "\xef\xbd\x97\xef\xbd\x89\xef\xbd\x92\xef\xbd\x85", id, 4),
                     1u << 2); /* ｗｉｒｅ */
    assert_int_equal(search(f, "KH-3", id, 4), 1u << 2);
    /* not substrings: both characters present but not adjacent / in order */
    assert_int_equal(search(f, "州电", id, 4), 0);
    assert_int_equal(search(f, "机电", id, 4), 0);
    assert_int_equal(search(f, "中洛", id, 4), 0);
    assert_int_equal(search(f, "上海电机", id, 4), 0);
    assert_int_equal(search(f, "13800", id, 4), 0);
    /* digits too short for a four-digit term: found without the index */
    assert_int_equal(search(f, "668", id, 4), 1u << 2);
    assert_int_equal(search(f, "99", id, 4), 1u << 2);
    assert_int_equal(search(f, "2", id, 4), 1u << 1);
    assert_int_equal(search(f, "8", id, 4), (1u << 0) | (1u << 1) | (1u << 2));
    assert_int_equal(search(f, "kh3", id, 4), 1u << 2);
    assert_int_equal(search(f, "03710002", id, 4), 0);
    assert_int_equal(search(f, "138037100", id, 4), 1u << 0);
    assert_int_equal(search(f, "wirel td x", id, 4), 0);
    /* LIKE wildcards typed by the user are punctuation: dropped, never wildcards
     * (callers skip the search when nothing is left) */
    assert_string_equal(ts_normalize(&f->a, "%_"), "");
    assert_int_equal(search(f, "宇%通", id, 4), 1u << 0);
    assert_int_equal(search(f, "电_器", id, 4), 0);
    /* a renamed customer is found by its new name only, after reindex */
    exec_ok(f, "UPDATE customers SET name = '新乡华瑞' WHERE id = ?", DBP(DBI(id[3])));
    assert_int_equal(customer_reindex(f->c, &f->a, id[3]), 0);
    assert_int_equal(search(f, "华瑞", id, 4), 1u << 3);
    assert_int_equal(search(f, "驱动", id, 4), 0);
}

/* The index's upkeep: terms recomputed after a migration changed them, and
 * (SQLite) the FTS5 segments merged by the search_tidy job; searches give
 * the same rows after both. */
static void test_search_upkeep(void **state)
{
    fx *f = *state;
    bool sqlite = db_engine_of(f->d) == DB_ENGINE_SQLITE;
    int64_t id[12];
    /* SQLite: every insert its own segment, none merged */
    if (sqlite)
        exec_ok(f, "INSERT INTO customers_fts(customers_fts, rank) VALUES ('automerge', 0)", DBP0);
    for (int i = 0; i < 12; i++)
        id[i] = add_customer(f, arena_printf(&f->a, "KH-%d", i), arena_printf(&f->a, "苏州华阳%d号", i),
                             arena_printf(&f->a, "1380013%04d", i * 7));
    const unsigned every = (1u << 12) - 1;
    assert_int_equal(search(f, "华阳", id, 12), every);
    assert_int_equal(search(f, "00130049", id, 12), 1u << 7);
    /* a row indexed with old terms, and the marker migration 012 leaves */
    exec_ok(f, "UPDATE customers SET search_grams = '苏州 13 30' WHERE id = ?", DBP(DBI(id[3])));
    exec_ok(f, "INSERT INTO search_reindex(entity) VALUES ('customers')", DBP0);
    assert_int_equal(search(f, "00130021", id, 12), 0); /* its four-digit terms are missing */
    assert_int_equal(search_reindex_pending(f->d), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM search_reindex", DBP0), 0);
    assert_int_equal(search(f, "00130021", id, 12), 1u << 3);
    assert_int_equal(search_reindex_pending(f->d), 0); /* nothing left: a no-op */
    /* the tidy job merges the segments (a no-op on PostgreSQL) */
    int64_t before = sqlite ? count(f, "SELECT COUNT(DISTINCT segid) FROM customers_fts_idx", DBP0) : 0;
    int steps = jobs_run_now(f->d, "search_tidy");
    if (sqlite) {
        assert_true(before >= 8);
        assert_true(steps >= 1);
        assert_int_equal(count(f, "SELECT COUNT(DISTINCT segid) FROM customers_fts_idx", DBP0), 1);
    } else {
        assert_int_equal(steps, 0);
    }
    assert_int_equal(search(f, "华阳", id, 12), every);
    assert_int_equal(search(f, "华阳11号", id, 12), 1u << 11);
    assert_int_equal(search(f, "00130049", id, 12), 1u << 7);
    assert_int_equal(search(f, "0013", id, 12), every);
}

/* Numbering ---------------------------------------------------------------- */

static void test_numbering(void **state)
{
    fx *f = *state;
    int rc = 0;
    time_t nov = 1795000000; /* 2026-11-18 */
    time_t dec = nov + 30 * 86400;
    const char *pat = "KH-{yyyy}{mm}-{seq:4}";
    assert_true(numbering_valid(pat));
    assert_false(numbering_valid("KH-{yyyy}"));          /* no counter */
    assert_false(numbering_valid("{seq:0}"));
    assert_false(numbering_valid("{seq:13}"));
    assert_false(numbering_valid("{seq:3}{seq:3}"));
    assert_false(numbering_valid("{nope}{seq:3}"));
    assert_int_equal(db_begin(f->c), 0);
    char *a = numbering_next(f->c, &f->a, "customer", pat, nov, &rc);
    char *b = numbering_next(f->c, &f->a, "customer", pat, nov, &rc);
    char *o = numbering_next(f->c, &f->a, "other", pat, nov, &rc);
    assert_int_equal(db_commit(f->c), 0);
    assert_non_null(a);
    assert_string_equal(a, "KH-202611-0001");
    assert_string_equal(b, "KH-202611-0002");
    assert_string_equal(o, "KH-202611-0001"); /* separate sequences */
    /* a new month restarts; the old month's counter is kept */
    assert_int_equal(db_begin(f->c), 0);
    char *c1 = numbering_next(f->c, &f->a, "customer", pat, dec, &rc);
    char *c2 = numbering_next(f->c, &f->a, "customer", pat, dec, &rc);
    char *n3 = numbering_next(f->c, &f->a, "customer", pat, nov, &rc);
    assert_int_equal(db_commit(f->c), 0);
    assert_string_equal(c1, "KH-202612-0001");
    assert_string_equal(c2, "KH-202612-0002");
    assert_string_equal(n3, "KH-202611-0003");
    /* a rolled-back transaction gives its number back */
    assert_int_equal(db_begin(f->c), 0);
    assert_string_equal(numbering_next(f->c, &f->a, "customer", pat, dec, &rc), "KH-202612-0003");
    db_rollback(f->c);
    assert_int_equal(db_begin(f->c), 0);
    assert_string_equal(numbering_next(f->c, &f->a, "customer", pat, dec, &rc), "KH-202612-0003");
    assert_int_equal(db_commit(f->c), 0);
    /* every piece; a value wider than its width keeps all its digits */
    assert_string_equal(numbering_format(&f->a, "{yy}/{mm}/{dd}-{seq:3}", nov, 12345),
                        "26/11/18-12345");
    assert_string_equal(numbering_format(&f->a, "N{seq:1}", nov, 0), "N0");
    assert_string_equal(numbering_format(&f->a, "{seq:12}", nov, 7), "000000000007");
    assert_string_equal(numbering_format(&f->a, "{seq:2}", nov, INT64_MAX), "9223372036854775807");
    assert_null(numbering_format(&f->a, "{seq:3", nov, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrations_recorded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_typed_results, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_of_a_statement_with_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_text_equals_rows_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_text_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bound_values_are_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraint_codes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_and_leak, setup, teardown),
        cmocka_unit_test(test_stmt_cache_lru),
        cmocka_unit_test_setup_teardown(test_stmt_cache_survives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_upkeep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbering, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
