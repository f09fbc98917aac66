/* customers.h — what the other customer files (pool, shares, follow-ups,
 * contacts, import, WeChat) use from customers.c. */
#ifndef TF_CUSTOMERS_H
#define TF_CUSTOMERS_H
#include <jansson.h>
#include <stdbool.h>
#include "db/db.h"
#include "http/http.h"
#include "db/sqlq.h"

/* The customer as the API shows it (caller owns), or NULL. No policy check. */
json_t *customer_json(db_conn *c, arena *a, int64_t id);
/* Recomputes the quick-search text and bigrams of a customer from its fields,
 * industry name, contacts and searchable custom fields (inside the caller's
 * transaction). */
int customer_reindex(db_conn *c, arena *a, int64_t id);
/* After a migration that changed the search terms: recomputes every
 * customer's (search_upkeep.c). Runs at start, before serving. */
int search_reindex_pending(db *d);
/* One round of the search_tidy job (search_upkeep.c): merges the quick-search
 * indexes when they have many segments; the import runs it after a job. */
int search_tidy(db_conn *c, arena *a);
/* FTS5's automerge setting of both quick-search indexes (search_upkeep.c,
 * which names them); the import's batches turn it off while they write. */
int search_automerge(db_conn *c, arena *a, int n);
/* Records a move in or out of the pool (customer_moves) and its audit row. */
int customer_move(db_conn *c, int64_t customer_id, int64_t from_owner, int64_t to_owner,
                  const char *kind, const char *reason, int64_t actor_id);

/* Input of a new customer, checked; used by the API, the import and WeChat. */
typedef struct customer_input {
    json_t *fields;       /* the accepted JSON fields (borrowed) */
    int64_t owner_id;     /* 0 = pool */
    const char *entry_method; /* manual, import, wechat */
    bool confirm_duplicates;  /* the user saw the warning and goes on */
} customer_input;

/* Appends to dups the other customers (not exclude_id) whose normalised
 * column (col_sql, e.g. "c.name_norm = ?") equals value; matched names the
 * field in each entry (customer_check.c). */
void customer_find_dups(db_conn *c, arena *a, const char *col_sql, const char *value,
                        const char *matched, int64_t exclude_id, json_t *dups);
/* Checks entry policy (required fields, duplicates) and references; on
 * problems appends field errors to errs and, for duplicates, fills *dups with
 * [{id, number, name, owner_name, matched}] (caller owns). exclude_id skips
 * the record itself on update. Returns 1 if only warnings (duplicates with
 * policy "warn") were found, 0 if clean, -1 on errors. */
int customer_check(db_conn *c, arena *a, json_t *fields, int64_t exclude_id, bool creating,
                   json_t *errs, json_t **dups);
/* customer_similar.c: what is wrong with a phone number's format (a mobile
 * of 11 digits starting 13-19, a landline with its area code, a 400 / 800
 * number or a foreign one), or NULL. */
const char *phone_problem(arena *a, const char *phone);
/* Appends to dups (matched "name_similar") up to five other customers whose
 * name has the same core (dicts.h name_core) and no other city; how many,
 * or < 0. */
int customer_similar(db_conn *c, arena *a, const char *name, int64_t exclude_id, json_t *dups);
/* Whether other_name, a customer whose name has the same core as a name
 * starting with place (place_is_city: a city), is that company: the same
 * core in two different cities is two companies. */
bool customer_similar_place_ok(arena *a, const char *place, bool place_is_city,
                               const char *other_name);
/* Creates a checked customer inside the caller's transaction; *id out. */
int customer_insert(db_conn *c, arena *a, const customer_input *in, int64_t actor_id,
                    int64_t *id);
/* The customers whose normalised name, phone or WeChat is one of many
 * values, looked up with one query per kind and 64 values (the import loads
 * a batch's values at once instead of three queries per row). */
typedef struct customer_dups {
    /* by kind: 0 name, 1 phone, 2 WeChat, 3 the name's core (near duplicates) */
    struct customer_dup_slot *slot[4];
    size_t cap[4]; /* 0: the kind was not loaded */
} customer_dups;
/* Loads norms[k][0..n) for each kind k whose norms[k] is not NULL (values
 * normalised as customer_check does: ts_normalize, ts_phone, name_core; NULL
 * or empty ones are skipped), in arena a. Reflects the database at that
 * moment. */
int customer_dups_load(customer_dups *d, db_conn *c, arena *a, const char *const *norms[4], int n);
/* customer_check with the entry policy already loaded (policy: the value of
 * settings_get("customer_entry_policy"), borrowed), for callers that check
 * many rows (the import); refs_known: the dictionary ids were taken from the
 * active items already, so they are not looked up again; known (or NULL):
 * duplicates loaded already — values it lacks are looked up as usual. */
int customer_check_with(db_conn *c, arena *a, json_t *policy, bool refs_known,
                        const customer_dups *known, json_t *fields, int64_t exclude_id,
                        bool creating, json_t *errs, json_t **dups);

/* Creating many checked customers at once (the import; customer_insert is a
 * batch of one). customer_batch_add computes a row (normalised values,
 * quick-search text) without writing it; flush gives the rows their
 * numbers and writes them with a few multi-row INSERTs, then one "create" audit row and one
 * pool move (with its audit row) per customer. Why: on SQLite every writing
 * statement after the FTS index was touched in a transaction makes FTS5
 * flush its pending terms, so writing customers row by row made one tiny
 * index segment per customer (about 1 ms each, 85 s for 100,000 rows). A
 * flush of 16 rows or more fills the SQLite search index with one INSERT ...
 * SELECT (migrations/009_import_speed.sqlite.sql). */
typedef struct customer_batch {
    db_conn *c;           /* add reads with it (names of items, custom fields) */
    db_conn *w;           /* flush writes with it: c, unless the caller sets
                             another (the import writes on a thread of its own) */
    arena *pa;            /* lives as long as the batch object; add and
                             flush use it, never at the same time */
    int64_t actor_id;
    const char *reason;   /* the pool move's reason: the entry method, "import #12" */
    const char *pattern;  /* the customer number pattern, read once */
    struct customer_new *rows; /* malloc'd; the rows' strings are in add()'s arena */
    int n, cap;
    int64_t ind_id[8];    /* industry names, for the search text */
    const char *ind_name[8];
    db_res cols;          /* customer_json's columns (no rows) */
    signed char col_after[64]; /* each column's entry in customers.c's after_map */
    int64_t name_id[256]; /* dictionary item and user names, for the history */
    const char *name[256];
    /* the flush reserves a number per row (numbering_reserve) */
    time_t seq_t;          /* the time their numbers are made for */
    const char *taken[64]; /* numbers of the batch entered by hand already */
    int ntaken;
    bool check_each; /* look each number up instead */
    int failed;      /* after a flush's DB_EUNIQUE: the row (0 = the first
                        added) whose number was taken; else -1 */
} customer_batch;
int customer_batch_init(customer_batch *b, db_conn *c, arena *pa, int64_t actor_id,
                        const char *reason);
/* Adds a checked customer. Strings are allocated in a, which must live
 * until the flush. */
int customer_batch_add(customer_batch *b, arena *a, const customer_input *in);
/* Writes the rows added since the last flush (inside the caller's
 * transaction on b->w), numbered in the order they were added; ids (NULL,
 * or room for the rows) get their ids in that order. A number already
 * taken is DB_EUNIQUE (db_errmsg says which, b->failed which row). */
int customer_batch_flush(customer_batch *b, arena *a, int64_t *ids);
int customer_batch_size(const customer_batch *b);
/* Forgets the rows added (after a rollback). */
void customer_batch_drop(customer_batch *b);
void customer_batch_free(customer_batch *b);

/* The filters of the customer list (customer_filter.c), shared by GET
 * /customers, the export, the batch moves by filter and saved views:
 * parsed once, then applied to any query over customers aliased `c` (the
 * export applies them to every page). */
#define CUSTOMER_FILTER_PARTS 64
/* Those filters as query parameters for the OpenAPI document (QUERY, http.h):
 * every one customer_filter.c accepts. */
#define CUSTOMER_FILTER_QUERY                                                                      \
    "q owner=me|pool|ID level_id=id industry_id=id region_id=id source_id=id qualification_id=id " \
    "followup_method_id=id protected=bool signed=bool created_from=time created_to=time "        \
    "updated_from=time updated_to=time next_contact_before=time cf.*"
typedef struct customer_filter_part {
    const char *sql; /* a constant fragment */
    int np;
    db_val p[2];
} customer_filter_part;
typedef struct customer_filter {
    const char *norm_q; /* quick search, normalised; NULL for none */
    int n, nvals;
    bool too_many;
    customer_filter_part part[CUSTOMER_FILTER_PARTS];
    json_t *given; /* from_query: the filters as given, for the audit (customer_filter_free) */
} customer_filter;
/* From the query string (unknown plain keys are ignored, as other lists do;
 * unknown cf. keys are not). On a bad filter replies 400 and returns -1. */
int customer_filter_from_query(req *r, customer_filter *f);
/* From a JSON object (a batch body's "filter", a saved view's "query"):
 * every key must be a filter; values are strings, numbers, booleans or (for
 * multi-select custom fields) arrays. Field errors (named prefix + key) are
 * appended to errs; returns -1 if there were any. */
int customer_filter_from_json(req *r, json_t *src, const char *prefix, customer_filter *f,
                              json_t *errs);
void customer_filter_apply(req *r, const customer_filter *f, sqlq *q);
/* A quick search as db_search_drive gave it: the normalised query, the
 * index's MATCH expression, the text that makes it exact (or NULL) and how
 * many rows the match can give at most. */
typedef struct customer_search {
    const char *normq, *match, *verify;
    int64_t most;
} customer_search;
/* customer_parts.c: the newest-first page (at most k rows, columns `cols`,
 * ids below cursor when not 0) of the quick search s for a
 * user who sees the parts pp; cf the other filters (its norm_q already
 * applied). As sqlq_run. */
int customer_parts_search(req *r, const customer_parts *pp, const customer_filter *cf,
                          const customer_search *s, const char *cols, int64_t cursor, int k,
                          db_res *out);
void customer_filter_free(customer_filter *f);
#endif
