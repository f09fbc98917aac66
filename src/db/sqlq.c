/* sqlq.c — the query builder (see sqlq.h) and the engine-specific quick-search
 * condition: SQLite asks its FTS5 index for the rarest terms (or the phrase
 * of a short query), PostgreSQL its GIN index for the term set, and both
 * confirm the substring (instr, strpos). */
#include "db/sqlq.h"
#include "base/textsearch.h"
#include "base/util.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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
 * SQLite: the FTS5 index holds each field's terms (core/textsearch.h:
 * bigrams, and four digits in a row within runs of digits). A query's rows
 * are those whose search_text contains it (search_text holds each field
 * normalised, joined by '|', which no normalised query contains, so a phrase
 * match of its bigrams and the substring test give the same rows). Reading
 * the index costs what the terms' document lists cost: a long query of
 * common bigrams ("kh", 有限) read most of the index. So the index is asked
 * only for the (at most SEARCH_TERMS) rarest terms, by their document counts
 * (fts5vocab, cached below), and the substring test on search_text (instr:
 * bytes, cheaper than LIKE's pattern walk) confirms each candidate; a query
 * of at most SEARCH_TERMS bigrams, or of only digits with at most that many
 * four-digit windows (a phone fragment), stays an exact phrase, read from
 * the index alone; one with a whole phone or customer number in it asks
 * for the few rows with one of its tails (ts_fts_tails). A query without
 * terms (one digit, two or three digits) is the substring test alone.
 * The newest-first list drives the query from the index in rowid order with
 * its LIMIT (db_search_drive) and stops after a page. Other orders and the
 * exports use the condition (db_search_filter): the candidate rowids, or,
 * for a fragment dense among the newest rows, the list's own order with the
 * substring test (sqlite_dense_cond), which stops after a page worth of
 * rows. */
static const struct {
    const char *entity, *sqlite_cond, *sqlite_dense_cond, *sqlite_probe, *sqlite_vocab, *pg_cond,
        *pg_plain_cond;
} searchable[] = {
    {"customers", " AND c.id IN (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?)",
     " AND instr(c.search_text, ?) > 0",
     "SELECT CASE WHEN COUNT(*) < ? THEN -1 ELSE (SELECT MAX(id) FROM customers) - MIN(rowid)"
     " END FROM (SELECT rowid FROM customers_fts WHERE customers_fts MATCH ? ORDER BY rowid DESC"
     " LIMIT ?)",
     "SELECT doc FROM customers_fts_vocab WHERE term = ?",
     " AND " DB_PLAN_PER_VALUES " string_to_array(c.search_grams, ' ') @> CAST(? AS TEXT[]) AND"
     " strpos(c.search_text, ?) > 0",
     " AND strpos(c.search_text, ?) > 0"},
};
enum { NSEARCHABLE = sizeof(searchable) / sizeof(searchable[0]) };

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

/* Document counts of bigrams, for choosing the rarest: fts5vocab counts a
 * term by reading its whole document list (milliseconds for "00" in a
 * million rows), so counts are kept per process for GRAM_TTL seconds. A
 * stale count only makes a query choose less well, never wrongly. One
 * database per process; the slots are overwritten on collision. */
enum { GRAM_SLOTS = 4096, GRAM_TTL = 600, SEARCH_TERMS = 2 };
static struct {
    char gram[12];
    int entity;
    int64_t docs;
    time_t at;
} gram_cache[GRAM_SLOTS];
static pthread_mutex_t gram_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t gram_docs(db_conn *c, int entity, const char *gram)
{
    uint32_t h = 2166136261u;
    for (const char *p = gram; *p; p++) h = (h ^ (unsigned char)*p) * 16777619u;
    size_t slot = (h ^ (uint32_t)entity) % GRAM_SLOTS;
    time_t now = time(NULL);
    int64_t docs = -1;
    pthread_mutex_lock(&gram_lock);
    if (gram_cache[slot].entity == entity + 1 && strcmp(gram_cache[slot].gram, gram) == 0 &&
        now - gram_cache[slot].at < GRAM_TTL)
        docs = gram_cache[slot].docs;
    pthread_mutex_unlock(&gram_lock);
    if (docs >= 0) return docs;
    if (db_scalar_int(c, &docs, 0, searchable[entity].sqlite_vocab, DBP(DBS(gram))) < 0)
        return INT64_MAX; /* unknown: never preferred */
    if (strlen(gram) < sizeof(gram_cache[slot].gram)) {
        pthread_mutex_lock(&gram_lock);
        snprintf(gram_cache[slot].gram, sizeof(gram_cache[slot].gram), "%s", gram);
        gram_cache[slot].entity = entity + 1;
        gram_cache[slot].docs = docs;
        gram_cache[slot].at = now;
        pthread_mutex_unlock(&gram_lock);
    }
    return docs;
}

/* SQLite: the MATCH expression for normq and, when it is only a
 * pre-selection, the text whose presence in search_text makes it exact
 * (else *verify is NULL); *most as db_search_drive. False when the index
 * cannot help (ts_query_terms found no term): the substring test alone
 * finds such a query. */
static bool sqlite_match(db_conn *c, arena *a, int entity, const char *normq, const char **match,
                         const char **verify, int64_t *most)
{
    const char *grams[TS_QUERY_MAX_TERMS];
    *verify = NULL;
    *most = INT64_MAX;
    if (tf_utf8_len(normq) < 2) return (*match = ts_fts_query(a, normq, 1)) != NULL;
    int n = ts_query_terms(a, normq, grams, TS_QUERY_MAX_TERMS);
    if (n == 0) return false;
    /* three Chinese characters: their trigram is the exact query */
    const char *tp = normq;
    size_t tl;
    const char *tri = ts_next_trigram(&tp, &tl);
    if (tri == normq && normq[tl] == 0) return (*match = arena_printf(a, "\"%s\"", normq)) != NULL;
    if ((*match = ts_fts_query(a, normq, SEARCH_TERMS)) != NULL) return true;
    /* a whole phone or customer number: the few rows with one of its tails */
    const char *tails[TS_TAIL_STEP];
    if ((*match = ts_fts_tails(a, normq, tails)) != NULL) {
        *verify = normq;
        *most = 0;
        for (int i = 0; i < TS_TAIL_STEP; i++) *most += gram_docs(c, entity, tails[i]);
        return true;
    }
    /* document counts only here: a short query asks for none */
    int64_t docs[TS_QUERY_MAX_TERMS];
    for (int i = 0; i < n; i++) {
        docs[i] = gram_docs(c, entity, grams[i]);
        if (docs[i] < *most) *most = docs[i];
    }
    /* the SEARCH_TERMS rarest, as an AND of terms */
    char *m = "";
    for (int k = 0; k < SEARCH_TERMS && k < n; k++) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (grams[i] && (best < 0 || docs[i] < docs[best])) best = i;
        m = arena_printf(a, "%s%s\"%s\"", m, k ? " " : "", grams[best]);
        grams[best] = NULL;
        if (docs[best] == 0) break; /* one term no row holds: nothing can match */
    }
    *match = m;
    *verify = normq;
    return true;
}

static int find_entity(const char *entity)
{
    for (int i = 0; i < NSEARCHABLE; i++)
        if (strcmp(searchable[i].entity, entity) == 0) return i;
    return -1;
}

bool db_search_drive(db_conn *c, arena *a, const char *entity, const char *normq,
                     const char **match, const char **verify, int64_t *most)
{
    int e = find_entity(entity);
    if (e < 0 || c->drv->engine != DB_ENGINE_SQLITE || !normq || tf_utf8_len(normq) < 2)
        return false;
    return sqlite_match(c, a, e, normq, match, verify, most);
}

void db_search_filter(db_conn *c, sqlq *q, const char *entity, const char *normq)
{
    if (!normq || !*normq) return; /* nothing to look for: no condition, on both engines */
    int i = find_entity(entity);
    if (i < 0) {
        q->overflow = true; /* an unknown entity is a programming error: refuse to run */
        return;
    }
    if (c->drv->engine == DB_ENGINE_SQLITE) {
        const char *ftsq, *verify = NULL;
        int64_t most;
        if (!sqlite_match(c, q->a, i, normq, &ftsq, &verify, &most) ||
            sqlite_dense(c, searchable[i].sqlite_probe, ftsq)) {
            sqlq_add(q, searchable[i].sqlite_dense_cond, 1, (db_val[]){DBS(normq)});
        } else {
            sqlq_add(q, searchable[i].sqlite_cond, 1, (db_val[]){DBS(ftsq)});
            if (verify) sqlq_add(q, searchable[i].sqlite_dense_cond, 1, (db_val[]){DBS(verify)});
        }
    } else {
        const char *terms = ts_pg_array(q->a, normq);
        if (!terms)
            sqlq_add(q, searchable[i].pg_plain_cond, 1, (db_val[]){DBS(normq)});
        else
            sqlq_add(q, searchable[i].pg_cond, 2, (db_val[]){DBS(terms), DBS(normq)});
    }
}
