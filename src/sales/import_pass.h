/* import_pass.h — what the two halves of the import worker share: a pass
 * over a file (its job, mapping, caches and counters). import_run.c owns
 * the job (claiming, reading the file, batches and their transactions,
 * progress, the worker thread); import_rows.c owns what happens to one row
 * (cells to fields, checks, duplicates, creating or updating the customer)
 * and writes a batch's new customers at its end. Internal to the import. */
#ifndef TF_IMPORT_PASS_H
#define TF_IMPORT_PASS_H
#include "customers.h"
#include "import_jobs.h"
#include "import_parse.h"

/* Sets of values seen earlier in the file (dry run duplicates) ------------------- */

typedef struct seen_set {
    char **keys;
    int64_t *rows;
    size_t cap, n;
} seen_set;

/* A pass over a file ---------------------------------------------------------- */

enum { MODE_CREATE, MODE_BY_NUMBER, MODE_BY_PHONE };

typedef struct col_map {
    const char *target; /* NULL: not imported */
    const import_target *t;
    const char *custom_key, *custom_type;
} col_map;

typedef struct dict_cache {
    const char *kind;
    int n;
    char **norm;
    int64_t *id; /* -1: two items share the name */
} dict_cache;

typedef struct pass {
    db_conn *c;
    arena *pa; /* lives as long as the pass */
    arena *a;  /* the current batch */
    int64_t job_id;
    const char *runner;
    principal me;
    bool dry, confirm_dups, csv;
    int mode;
    int64_t owner_id;
    int header_cells;
    col_map cols[IMP_MAX_COLS];
    dict_cache dicts[8];
    int ndicts;
    json_t *policy;    /* customer_entry_policy, read once per pass */
    json_t *dup_modes; /* its duplicates (borrowed from policy) */
    seen_set seen[3];  /* name, phone, wechat (dry run) */
    int64_t done, created, updated, errors, dups, logged;
    /* a run in create mode: the batch's customers, written at its end (see
     * customer_batch in customers.h), and their normalised name, phone and
     * WeChat, so a later row of the same batch sees them as duplicates */
    customer_batch batch;
    seen_set pending[3];
    const char *pend_number[IMPORT_BATCH], *pend_name[IMPORT_BATCH];
    /* create mode: the database's customers with the batch's names, phones
     * and WeChat ids, loaded before its first row (import_batch_load) */
    customer_dups known;
    const char *owner_name; /* of the new customers: NULL for the pool */
    const char *reason;     /* their pool move's reason: "import #ID" */
} pass;
/* The pass's name in import_errors: "dry_run" or "run". */
const char *import_pass_name(const pass *p);
/* After the job's settings are in p (mode, owner, user): reads the entry
 * policy and what the rows need once. 0 or < 0. */
int import_pass_begin(pass *p);
/* Before the rows of a batch (inside its transaction): in create mode,
 * loads the duplicates of their names, phones and WeChat ids with a few
 * queries. 0 or < 0. */
int import_batch_load(pass *p, const imp_row *rows, int n);
/* One row, inside the batch's transaction: 0 imported (dry run: would be;
 * create mode: waits for import_batch_flush), 1 rejected (logged),
 * < 0 database error. */
int import_row(pass *p, const imp_row *row);
/* The end of a batch, inside its transaction: writes its new customers. On a
 * database error the caller rolls back and calls import_batch_drop. */
int import_batch_flush(pass *p);
/* Forgets the batch's rows (after a rollback). */
void import_batch_drop(pass *p);
void import_pass_free(pass *p);
#endif
