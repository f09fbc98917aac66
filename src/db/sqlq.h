/* sqlq.h — assembling one query from constant SQL fragments and bound values.
 * Lists with optional filters and the policy's visibility conditions need SQL
 * whose shape depends on the request; this builder only ever appends string
 * literals written in the code, never a value: every value is a bound `?`.
 * Engine differences (quick search) come from db_search_filter(). */
#ifndef TF_SQLQ_H
#define TF_SQLQ_H
#include "db/db.h"

/* a board column: up to 11 branches of 6 values (policy_projects.c) and a
 * member list of 32 */
#define SQLQ_MAX_PARAMS 128

typedef struct sqlq {
    arena *a;
    char *sql;
    size_t len, cap;
    db_val p[SQLQ_MAX_PARAMS];
    int n;
    bool overflow; /* more than SQLQ_MAX_PARAMS: the query refuses to run */
} sqlq;

void sqlq_init(sqlq *q, arena *a, const char *start);
/* Appends a constant fragment with `n` placeholders and their values. */
void sqlq_add(sqlq *q, const char *frag, int n, const db_val *p);
int sqlq_run(db_conn *c, sqlq *q, db_res *out);

/* Appends " AND <condition>" matching rows of `entity` (aliased `alias`) whose
 * quick-search text contains `normq` (already normalised by ts_normalize).
 * entity is one of the searchable tables ("customers"). An empty normq adds
 * no condition. */
void db_search_filter(db_conn *c, sqlq *q, const char *entity, const char *normq);
/* SQLite, newest-first lists: true when the search should drive the query
 * from the entity's full-text table (customers: customers_fts, ordered by
 * its rowid DESC with the LIMIT, which stops after a page). Sets the bound
 * value of "<fts> MATCH ?" and, unless NULL, of "instr(<alias>.search_text,
 * ?) > 0" that makes the match exact, and *most: how many rows the match
 * can give at most (the document count of its rarest term, known for a
 * query of more than two terms, or the sum of its tails' counts for a
 * whole number; INT64_MAX otherwise). False: use
 * db_search_filter. */
bool db_search_drive(db_conn *c, arena *a, const char *entity, const char *normq,
                     const char **match, const char **verify, int64_t *most);
#endif
