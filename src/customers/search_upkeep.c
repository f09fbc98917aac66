/* search_upkeep.c — keeping the customers' quick-search indexes in shape:
 * - search_reindex_pending(): after a migration that changed the terms
 *   (012, 014, 016), recomputes every customer's search terms, a chunk per
 *   transaction, remembering where it stopped (a restart goes on);
 * - the search_tidy job (SQLite): merges each FTS5 index (the whole one and
 *   the pool's) into one segment when it has SEGMENTS_MAX or more. Each
 *   committed write adds a small segment and FTS5's automerge keeps a dozen
 *   or more; a query reads each segment, so a one-segment index answers a
 *   search two to three times faster. The merge goes in steps of STEP_PAGES
 *   pages, each its own transaction, so writers wait for one step at most; a
 *   round stops after ROUND_MAX_S (the job thread runs the other jobs,
 *   reminders among them, after it) and the next round goes on. A million
 *   customers: about 15 s. The import worker runs a round after each job
 *   (its batches write the index unmerged, customer_batch.c). */
#include "customers/customers.h"
#include "core/jobs.h"
#include "base/log.h"
#include <time.h>

enum { REINDEX_CHUNK = 500, SEGMENTS_MAX = 8, STEP_PAGES = 2000, ROUND_MAX_S = 30 };

int search_reindex_pending(db *d)
{
    char err[256];
    db_conn *c = db_acquire(d, err, sizeof(err));
    if (!c) return DB_ECONN;
    int64_t after = -1, done = 0;
    int rc = db_scalar_int(c, &after, -1,
                           "SELECT after_id FROM search_reindex WHERE entity = 'customers'", DBP0);
    if (rc >= 0 && after >= 0) tf_log("info", "msg=search_reindex entity=customers after=%lld",
                                      (long long)after);
    while (rc >= 0 && after >= 0) {
        arena a;
        arena_init(&a);
        db_res ids;
        rc = db_begin(c);
        if (rc >= 0)
            rc = db_query(c, &a, &ids, "SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT ?",
                          DBP(DBI(after), DBI(REINDEX_CHUNK)));
        for (int i = 0; rc >= 0 && i < ids.nrows; i++)
            rc = customer_reindex(c, &a, after = db_get_int(&ids, i, "id"));
        bool last = rc >= 0 && ids.nrows < REINDEX_CHUNK;
        if (rc >= 0)
            rc = last ? db_exec(c, "DELETE FROM search_reindex WHERE entity = 'customers'", DBP0)
                      : db_exec(c, "UPDATE search_reindex SET after_id = ? WHERE entity = 'customers'",
                                DBP(DBI(after)));
        if (rc >= 0) rc = db_commit(c);
        else db_rollback(c);
        if (rc >= 0) done += ids.nrows;
        arena_free(&a);
        if (last) break;
    }
    if (rc < 0) tf_log("error", "msg=search_reindex_failed err=\"%s\"", db_errmsg(c));
    else if (done) tf_log("info", "msg=search_reindexed customers=%lld", (long long)done);
    db_release(c);
    return rc < 0 ? rc : 0;
}

/* The FTS5 indexes the job keeps: the whole one and the pool's (013). The
 * names are constants of ours, written into the statements. */
static const char *const indexes[] = {"customers_fts", "customers_pool_fts"};

static int segments(db_conn *c, arena *a, const char *ix, int64_t *n)
{
    return db_scalar_int(c, n, 0, arena_printf(a, "SELECT COUNT(DISTINCT segid) FROM %s_idx", ix),
                         DBP0);
}

int search_automerge(db_conn *c, arena *a, int n)
{
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < sizeof(indexes) / sizeof(indexes[0]); i++)
        rc = db_exec(c, arena_printf(a, "INSERT INTO %s(%s, rank) VALUES ('automerge', ?)",
                                     indexes[i], indexes[i]),
                     DBP(DBI(n)));
    return rc;
}

/* One round: the number of merge steps taken (0: nothing to do). */
int search_tidy(db_conn *c, arena *a)
{
    if (c->drv->engine != DB_ENGINE_SQLITE) return 0; /* PostgreSQL's GIN index keeps itself */
    int steps = 0;
    time_t start = time(NULL);
    for (size_t i = 0; i < sizeof(indexes) / sizeof(indexes[0]); i++) {
        const char *ix = indexes[i];
        int64_t n = 0;
        if (segments(c, a, ix, &n) < 0) return DB_ERR;
        if (n < SEGMENTS_MAX) continue;
        const char *merge = arena_printf(a, "INSERT INTO %s(%s, rank) VALUES ('merge', ?)", ix, ix);
        while (n > 1 && time(NULL) - start < ROUND_MAX_S) {
            if (db_exec(c, merge, DBP(DBI(-STEP_PAGES))) < 0 || segments(c, a, ix, &n) < 0)
                return DB_ERR;
            steps++;
        }
    }
    return steps;
}

const job_def search_tidy_job = {"search_tidy", 600, search_tidy};
