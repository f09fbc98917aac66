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

/* The searchable tables: their FTS5 table (SQLite) and row alias. */
static const struct {
    const char *entity, *sqlite_cond, *pg_cond, *pg_like_cond;
} searchable[] = {
    {"customers", " AND c.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)",
     " AND string_to_array(c.search_grams, ' ') @> CAST(? AS TEXT[]) AND c.search_text LIKE ?",
     " AND c.search_text LIKE ?"},
};

void db_search_filter(db_conn *c, sqlq *q, const char *entity, const char *normq)
{
    if (!normq || !*normq) return; /* nothing to look for: no condition, on both engines */
    for (size_t i = 0; i < sizeof(searchable) / sizeof(searchable[0]); i++) {
        if (strcmp(searchable[i].entity, entity) != 0) continue;
        if (c->drv->engine == DB_ENGINE_SQLITE) {
            sqlq_add(q, searchable[i].sqlite_cond, 1, (db_val[]){DBS(ts_fts_query(q->a, normq))});
        } else {
            char *like = arena_printf(q->a, "%%%s%%", ts_like_escape(q->a, normq));
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
