/* sqlq.c — the query builder (see sqlq.h) and the engine-specific quick-search
 * condition: SQLite asks its FTS5 index for a phrase of bigrams, PostgreSQL
 * its GIN index for the bigram set and confirms the substring with LIKE. */
#include "sqlq.h"
#include "../core/textsearch.h"
#include "../core/util.h"
#include <stdio.h>
#include <string.h>

void sqlq_init(sqlq *q, arena *a, const char *start)
{
    memset(q, 0, sizeof(*q));
    q->a = a;
    q->cap = 1024;
    q->sql = arena_alloc(a, q->cap);
    sqlq_add(q, start, 0, NULL);
}

void sqlq_add(sqlq *q, const char *frag, int n, const db_val *p)
{
    size_t fl = strlen(frag);
    if (q->len + fl + 1 > q->cap) {
        size_t ncap = (q->len + fl + 1) * 2;
        char *ns = arena_alloc(q->a, ncap);
        memcpy(ns, q->sql, q->len);
        q->sql = ns;
        q->cap = ncap;
    }
    memcpy(q->sql + q->len, frag, fl + 1);
    q->len += fl;
    for (int i = 0; i < n; i++) {
        if (q->n >= SQLQ_MAX_PARAMS) {
            q->overflow = true;
            return;
        }
        q->p[q->n++] = p[i];
    }
}

int sqlq_run(db_conn *c, sqlq *q, db_res *out)
{
    if (q->overflow) {
        snprintf(c->err, sizeof(c->err), "query has more than %d parameters", SQLQ_MAX_PARAMS);
        return DB_ERR;
    }
    return db_query(c, q->a, out, q->sql, q->n, q->p);
}

/* The searchable tables: the condition through the engine's index, and the
 * plain substring test of the normalised text.
 * SQLite: an FTS5 phrase of bigrams (sqlite_cond) reads every match before
 * the first row comes back, so a fragment in most rows ("有限", "电缆": tens
 * of thousands of matches in a million customers) cost 100-200 ms a page.
 * For such a fragment scanning the list's own order (id DESC and a LIMIT) and
 * testing search_text with LIKE (sqlite_dense_cond) stops after a page worth
 * of rows; db_search_filter picks one of the two by asking the index how
 * densely the fragment occurs among the newest rows. The two give the same
 * rows: search_text holds each field normalised, joined by '|', which no
 * normalised query contains, and FTS5 phrase matches of bigrams are exactly
 * the substrings of one field. */
static const struct {
    const char *entity, *sqlite_cond, *sqlite_dense_cond, *sqlite_probe, *pg_cond, *pg_like_cond;
} searchable[] = {
    {"customers", " AND c.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)",
     " AND c.search_text LIKE ? ESCAPE '\\'",
     "SELECT CASE WHEN COUNT(*) < ? THEN -1 ELSE (SELECT MAX(id) FROM customers) - MIN(rowid)"
     " END FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? ORDER BY rowid DESC"
     " LIMIT ?)",
     " AND string_to_array(c.search_grams, ' ') @> CAST(? AS TEXT[]) AND c.search_text LIKE ?",
     " AND c.search_text LIKE ?"},
};

/* SQLite: a fragment is "dense" when its newest DENSE_PROBE matches lie
 * within the newest DENSE_PROBE * DENSE_SPAN rows (one row in DENSE_SPAN or
 * more matches): a page of 50 visible rows is then found within a few
 * thousand rows of the scan. The probe reads at most DENSE_PROBE entries of
 * the index; a fragment with fewer matches is never dense (the index is
 * cheap for it). */
enum { DENSE_PROBE = 2000, DENSE_SPAN = 40 };

static bool sqlite_dense(db_conn *c, const char *probe_sql, const char *ftsq)
{
    int64_t span = -1;
    if (db_scalar_int(c, &span, -1, probe_sql,
                      DBP(DBI(DENSE_PROBE), DBS(ftsq), DBI(DENSE_PROBE))) < 0)
        return false;
    return span >= 0 && span < (int64_t)DENSE_PROBE * DENSE_SPAN;
}

void db_search_filter(db_conn *c, sqlq *q, const char *entity, const char *normq)
{
    if (!normq || !*normq) return; /* nothing to look for: no condition, on both engines */
    for (size_t i = 0; i < sizeof(searchable) / sizeof(searchable[0]); i++) {
        if (strcmp(searchable[i].entity, entity) != 0) continue;
        char *like = arena_printf(q->a, "%%%s%%", ts_like_escape(q->a, normq));
        if (c->drv->engine == DB_ENGINE_SQLITE) {
            char *ftsq = ts_fts_query(q->a, normq);
            if (sqlite_dense(c, searchable[i].sqlite_probe, ftsq))
                sqlq_add(q, searchable[i].sqlite_dense_cond, 1, (db_val[]){DBS(like)});
            else
                sqlq_add(q, searchable[i].sqlite_cond, 1, (db_val[]){DBS(ftsq)});
        } else {
            if (tf_utf8_len(normq) < 2)
                sqlq_add(q, searchable[i].pg_like_cond, 1, (db_val[]){DBS(like)});
            else
                sqlq_add(q, searchable[i].pg_cond, 2,
                         (db_val[]){DBS(ts_pg_array(q->a, normq)), DBS(like)});
        }
        return;
    }
    q->overflow = true; /* an unknown entity is a programming error: refuse to run */
}
