/* customer_parts.c — the newest-first page of a quick search, on SQLite, for
 * a user who sees the customers in parts (policy_customer_parts): the pool,
 * their own, and a few shared with them.
 *
 * Asked of the whole index, such a search reads every salesperson's
 * matching customers and rejects most: a salesperson sees about one in
 * seven, so a page read seven times the index entries and rows it showed.
 * Here each part is asked by its own index:
 * - the pool: its own FTS5 index (migration 013), whose matches are all
 *   visible;
 * - their own customers: the (owner_id, id, search_text) index (migration
 *   017), newer than the oldest pool row on the page when the pool fills
 *   the page (an older match could not be on it); tested from the index
 *   one by one, or, when they are many, only where the whole index has a
 *   candidate (OWN_READ_MAX);
 * - shared ones: by id, those in the same range only.
 * A row matches when its search_text holds the query (what the index's
 * terms and the substring test decide together, sqlq.c); the parts' ids
 * are merged newest first and the page's rows read once by id. The policy
 * module says which parts there are; nothing here decides who sees what. */
#include "customers/customers.h"
#include "base/util.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int by_id_desc(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Sorts res's rows by their id (column idc), newest first: an insertion
 * sort, one pass over the rows when the plan kept the id list's order, as
 * it does. */
static void rows_newest_first(arena *a, db_res *res, int idc)
{
    size_t w = sizeof(db_val) * (size_t)res->ncols;
    db_val *row = NULL;
    for (int i = 1; i < res->nrows; i++) {
        db_val *cur = res->cells + (size_t)i * res->ncols;
        int j = i;
        while (j > 0 && res->cells[(size_t)(j - 1) * res->ncols + idc].i < cur[idc].i) j--;
        if (j == i) continue;
        if (!row) row = arena_alloc_raw(a, w);
        memcpy(row, cur, w);
        memmove(res->cells + (size_t)(j + 1) * res->ncols, res->cells + (size_t)j * res->ncols,
                w * (size_t)(i - j));
        memcpy(res->cells + (size_t)j * res->ncols, row, w);
    }
}

/* Appends the ids of the first column of res to ids[*n]. */
static void take_ids(const db_res *res, int64_t *ids, int *n)
{
    for (int i = 0; i < res->nrows; i++)
        ids[(*n)++] = res->cells[i * res->ncols].i;
}

/* A user's own customers in the range a page can take them from are
 * tested one by one in the owner index, which holds their search_text,
 * unless there are more than OWN_READ_MAX of them and the whole index
 * gives fewer than OWN_ROW_COST candidates per own customer: then the
 * candidates, newest first, are each looked up in the owner index. A rare
 * name: a few hundred candidates against a salesperson's hundreds of
 * customers; a phone fragment: two thousand against the few dozen newer
 * than the pool's page. */
enum { OWN_READ_MAX = 32, OWN_ROW_COST = 2 };

int customer_parts_search(req *r, const customer_parts *pp, const customer_filter *cf,
                          const customer_search *s, const char *cols, int64_t cursor, int k,
                          db_res *out)
{
    /* the pool: only its index when no column of the row is asked */
    sqlq q;
    bool row = s->verify || cf->n > 0;
    sqlq_init(&q, &r->a,
              row ? "SELECT f.rowid AS id FROM customers_pool_fts f CROSS JOIN customers c"
                    " ON c.id = f.rowid WHERE f.customers_pool_fts MATCH ?"
                  : "SELECT f.rowid AS id FROM customers_pool_fts f"
                    " WHERE f.customers_pool_fts MATCH ?");
    q.p[q.n++] = DBS(s->match);
    if (s->verify) sqlq_add(&q, " AND instr(c.search_text, ?) > 0", 1, (db_val[]){DBS(s->verify)});
    customer_filter_apply(r, cf, &q);
    if (cursor) sqlq_add(&q, " AND f.rowid < ?", 1, (db_val[]){DBI(cursor)});
    sqlq_add(&q, " ORDER BY f.rowid DESC LIMIT ?", 1, (db_val[]){DBI(k)});
    db_res pool;
    int rc = sqlq_run(r->db, &q, &pool);
    if (rc < 0) return rc;
    /* a full page of the pool: older rows of the other parts cannot be on it */
    int64_t floor = pool.nrows == k ? pool.cells[(k - 1) * pool.ncols].i : 0;

    /* their own, newest first by the owner index (above the floor, below
     * the cursor): read and tested, or first matched against the whole
     * index's candidates in that range (OWN_ROW_COST) */
    int64_t upto = cursor ? cursor : INT64_MAX, nown = 0;
    /* by the candidates when their own in the range are more than
     * OWN_READ_MAX and than the candidates per OWN_ROW_COST: counted only
     * that far. A few candidates in all (a whole number's tails) need no
     * count; without a document count there is nothing to weigh. */
    int64_t enough = s->most / OWN_ROW_COST > OWN_READ_MAX ? s->most / OWN_ROW_COST : OWN_READ_MAX;
    bool by_candidates = s->most <= OWN_READ_MAX;
    if (!by_candidates && s->most < INT64_MAX) {
        if ((rc = db_scalar_int(r->db, &nown, 0,
                                "SELECT COUNT(*) FROM (SELECT 1 FROM customers INDEXED BY"
                                " customers_owner WHERE owner_id = ? AND id > ? AND id < ? LIMIT ?)",
                                DBP(DBI(pp->owner), DBI(floor), DBI(upto), DBI(enough + 1)))) < 0)
            return rc;
        by_candidates = nown > enough;
    }
    if (by_candidates) {
        /* the index's candidates in the range, newest first, each looked up
         * in the owner index (which holds search_text: no row is read) */
        sqlq_init(&q, &r->a,
                  "SELECT c.id FROM customers_fts f CROSS JOIN customers c INDEXED BY"
                  " customers_owner ON c.owner_id = ? AND c.id = +f.rowid"
                  " WHERE f.customers_fts MATCH ? AND f.rowid > ? AND f.rowid < ?");
        db_val in[] = {DBI(pp->owner), DBS(s->match), DBI(floor), DBI(upto)};
        memcpy(q.p, in, sizeof(in));
        q.n = 4;
        sqlq_add(&q, " AND instr(c.search_text, ?) > 0", 1, (db_val[]){DBS(s->normq)});
        customer_filter_apply(r, cf, &q);
        sqlq_add(&q, " ORDER BY f.rowid DESC LIMIT ?", 1, (db_val[]){DBI(k)});
    } else {
        sqlq_init(&q, &r->a,
                  "SELECT c.id FROM customers c INDEXED BY customers_owner WHERE c.owner_id = ? AND"
                  " c.id > ?");
        db_val own[] = {DBI(pp->owner), DBI(floor)};
        memcpy(q.p, own, sizeof(own));
        q.n = 2;
        sqlq_add(&q, " AND instr(c.search_text, ?) > 0", 1, (db_val[]){DBS(s->normq)});
        customer_filter_apply(r, cf, &q);
        if (cursor) sqlq_add(&q, " AND c.id < ?", 1, (db_val[]){DBI(cursor)});
        sqlq_add(&q, " ORDER BY c.id DESC LIMIT ?", 1, (db_val[]){DBI(k)});
    }
    db_res mine, shared = {0};
    if ((rc = sqlq_run(r->db, &q, &mine)) < 0) return rc;

    /* shared with them, by id: those in the range only (above the floor,
     * below the cursor), often none */
    int nin = 0;
    for (int i = 0; i < pp->nshared; i++)
        if (pp->shared[i] > floor && pp->shared[i] < upto) {
            if (nin == 0) {
                sqlq_init(&q, &r->a, "SELECT c.id FROM customers c WHERE c.id IN (?");
                q.p[q.n++] = DBI(pp->shared[i]);
            } else {
                sqlq_add(&q, ", ?", 1, (db_val[]){DBI(pp->shared[i])});
            }
            nin++;
        }
    if (nin > 0) {
        sqlq_add(&q, ") AND instr(c.search_text, ?) > 0", 1, (db_val[]){DBS(s->normq)});
        customer_filter_apply(r, cf, &q);
        if ((rc = sqlq_run(r->db, &q, &shared)) < 0) return rc;
    }

    /* newest first, each once (a shared customer may be in the pool), k */
    int n = 0;
    int64_t *ids =
        arena_alloc(&r->a, sizeof(int64_t) * (size_t)(pool.nrows + mine.nrows + shared.nrows + 1));
    take_ids(&pool, ids, &n);
    take_ids(&mine, ids, &n);
    take_ids(&shared, ids, &n);
    qsort(ids, (size_t)n, sizeof(ids[0]), by_id_desc);
    int m = 0;
    for (int i = 0; i < n && m < k; i++)
        if (m == 0 || ids[m - 1] != ids[i]) ids[m++] = ids[i];

    /* the page's rows, by id */
    char *list = arena_alloc_raw(&r->a, (size_t)m * 21 + 3), *o = list;
    *o++ = '[';
    for (int i = 0; i < m; i++) {
        if (i) *o++ = ',';
        o = tf_put_i64(o, ids[i]);
    }
    *o++ = ']';
    *o = 0;
    /* driven by the list, each id looked up: an IN (...) built an index of
     * the ids first, and an ORDER BY a sorter (a sixth and a third of this
     * query); the rows come in the list's order, which is checked */
    sqlq_init(&q, &r->a,
              arena_cat(&r->a, cols, " FROM json_each(?) j CROSS JOIN customers c ON c.id = j.value",
                        NULL));
    q.p[q.n++] = DBS(list);
    if ((rc = sqlq_run(r->db, &q, out)) < 0) return rc;
    int idc = db_col(out, "id");
    if (idc < 0) return DB_ERR;
    rows_newest_first(&r->a, out, idc);
    return rc;
}
