/* testdb.h — the fresh database every database-backed unit test starts from:
 * a real SQLite file in a temporary folder, or, with TF_PG_URL set (a
 * throw-away cluster, see tests/pg.sh), PostgreSQL with its public schema
 * emptied first; migrated, with one connection and an arena. Header-only:
 * each test binary is one translation unit. */
#ifndef TF_TESTS_UNIT_TESTDB_H
#define TF_TESTS_UNIT_TESTDB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/arena.h"
#include "db/db.h"

typedef struct fx {
    char dir[64];
    db *d;
    db_conn *c;
    arena a;
    int migrated; /* what db_migrate returned on the fresh database */
} fx;

/* A migrated database in /tmp/tf_NAME_XXXXXX (SQLite) or on TF_PG_URL; NULL
 * after printing why. */
static fx *fx_open(const char *name)
{
    fx *f = calloc(1, sizeof(*f));
    char err[256] = "", url[512];
    const char *pg = getenv("TF_PG_URL");
    if (!f) return NULL;
    snprintf(f->dir, sizeof(f->dir), "/tmp/tf_%s_XXXXXX", name);
    if (!mkdtemp(f->dir)) goto fail;
    if (pg && *pg)
        snprintf(url, sizeof(url), "%s", pg);
    else
        snprintf(url, sizeof(url), "sqlite:%s/t.db", f->dir);
    f->d = db_open(url, 2, err, sizeof(err));
    if (!f->d) goto fail;
    if (pg && *pg) {
        db_conn *c = db_acquire(f->d, err, sizeof(err));
        if (!c || db_exec(c, "DROP SCHEMA public CASCADE", DBP0) < 0 ||
            db_exec(c, "CREATE SCHEMA public", DBP0) < 0) {
            fprintf(stderr, "reset: %s\n", c ? db_errmsg(c) : err);
            goto fail;
        }
        db_release(c);
    }
    f->migrated = db_migrate(f->d, err, sizeof(err));
    if (f->migrated < 0) {
        fprintf(stderr, "migrate: %s\n", err);
        goto fail;
    }
    f->c = db_acquire(f->d, err, sizeof(err));
    if (!f->c) goto fail;
    arena_init(&f->a);
    return f;
fail:
    fprintf(stderr, "fx_open(%s): %s\n", name, err);
    free(f);
    return NULL;
}

static void fx_close(fx *f)
{
    char path[128];
    arena_free(&f->a);
    db_release(f->c);
    db_close(f->d);
    static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
}

/* Runs a statement the test relies on; fails the test with the engine's
 * message otherwise. */
static void exec_ok(fx *f, const char *sql, int n, const db_val *p)
{
    int rc = db_exec(f->c, sql, n, p);
    if (rc < 0) fail_msg("%s: %s", sql, db_errmsg(f->c));
}

#endif
