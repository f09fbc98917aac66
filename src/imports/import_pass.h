/* import_pass.h — what the two halves of the import worker share: a pass
 * over a file (its job, mapping, caches and counters). import_run.c owns
 * the job (claiming, reading the file, batches and their transactions,
 * progress, the worker thread); import_rows.c owns what happens to one row
 * (cells to fields, checks, duplicates, creating or updating the customer)
 * and writes a batch's new customers at its end. Internal to the import. */
#ifndef TF_IMPORT_PASS_H
#define TF_IMPORT_PASS_H
#include "customers/customers.h"
#include "imports/import_jobs.h"
#include "imports/import_parse.h"
#include "dicts/dicts.h"

/* Sets of values seen earlier in the file (dry run duplicates) ------------------- */

typedef struct seen_set {
    char **keys;
    int64_t *rows;
    size_t cap, n;
} seen_set;

/* A pass over a file ---------------------------------------------------------- */

enum { MODE_CREATE, MODE_BY_NUMBER, MODE_BY_PHONE };

/* What a dictionary column does with a value its dictionary lacks. */
enum { UNKNOWN_REFUSE, UNKNOWN_EMPTY, UNKNOWN_ADD };

/* The values a dictionary column's dictionary lacked in this pass, and in
 * how many rows (at most UNKNOWN_KEEP values kept, all rows counted). */
enum { UNKNOWN_KEEP = 100 };
typedef struct unknown_tally {
    int64_t rows;
    int n;
    const char *value[UNKNOWN_KEEP];
    const char *norm[UNKNOWN_KEEP];
    int64_t count[UNKNOWN_KEEP];
} unknown_tally;

typedef struct col_map {
    const char *target; /* NULL: not imported */
    const import_target *t;
    const char *custom_key, *custom_type;
    const char *header;
    int on_unknown;       /* dictionary columns: UNKNOWN_* */
    unknown_tally *tally; /* dictionary columns: in the pass's arena */
} col_map;

typedef struct dict_cache {
    const char *kind;
    int n;
    char **norm;
    int64_t *id; /* -1: two items share the name */
} dict_cache;

/* A line of the error report, kept until its batch is written. */
typedef struct imp_err {
    int64_t row;
    const char *field, *code, *msg;
} imp_err;

/* The job's counters, as import_jobs keeps them. */
typedef struct imp_counts {
    int64_t done, created, updated, errors, dups;
} imp_counts;

/* What a batch leaves to write once its rows are read and checked: its
 * report lines and (create mode) its new customers, with the job's counters
 * after it. A run in create mode hands it to a writer thread with a
 * connection of its own, and reads and checks the next batch meanwhile
 * (import_run.c); other passes write it themselves. */
typedef struct batch_out {
    arena a;            /* the batch's rows, fields and report lines */
    customer_batch *cb; /* its new customers (create mode), or NULL */
    const int64_t *cb_rows; /* the file row of each of them */
    imp_err *errs;
    int nerrs, errcap;
    imp_counts before, after;
    int64_t first, last; /* its first and last row in the file */
} batch_out;

/* The new customers of a batch (create mode), and their normalised name,
 * phone and WeChat, so that a later row sees them as duplicates before
 * they are written: those of the batch being read, and those of the batch
 * the writer has. */
typedef struct pending {
    customer_batch cb;
    arena ca; /* cb's own (its caches), apart from the other's: two threads */
    seen_set keys[3];
    int64_t row[IMPORT_BATCH];
    const char *name[IMPORT_BATCH];
} pending;

typedef struct pass {
    const import_resource *res; /* what is imported */
    db_conn *c; /* reads, and writes when the pass writes its batches itself */
    arena *pa;  /* lives as long as the pass */
    arena *a;   /* the current batch's (its batch_out's) */
    batch_out *out; /* the current batch */
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
    region_list regions; /* the region dictionary, loaded at its first cell */
    bool regions_loaded;
    json_t *policy;    /* customer_entry_policy, read once per pass */
    json_t *dup_modes; /* its duplicates (borrowed from policy) */
    seen_set seen[3];  /* name, phone, wechat (dry run) */
    imp_counts n;
    int64_t logged; /* report lines so far (IMPORT_ERRORS_MAX) */
    /* create mode: pend[cur] is the batch being read, pend[!cur] the one
     * being written (empty when the pass writes its batches itself) */
    pending *pend;
    int cur;
    /* create mode: the database's customers with the batch's names, phones
     * and WeChat ids, loaded before its first row (import_batch_load) */
    customer_dups known;
    const char *owner_name; /* of the new customers: NULL for the pool */
    const char *reason;     /* their pool move's reason: "import #ID" */
} pass;
/* The row where key was first seen in s, or 0 (then it is added with row). */
int64_t import_seen_check(seen_set *s, const char *key, int64_t row);
/* A report line, kept in the batch until it is written (in the language of
 * the user who runs the import). 0. */
int import_log_error(pass *p, int64_t row, const char *fld, const char *code, const char *msg);
/* A row with more cells than the header (or, in a CSV, fewer): 1 after its
 * report line, else 0 (< 0 a database error). */
int import_ragged(pass *p, const imp_row *row);
/* import_resource.c: one row of a resource with a row function. */
int import_resource_row(pass *p, const imp_row *row);
/* The pass's name in import_errors: "dry_run" or "run". */
const char *import_pass_name(const pass *p);
/* After the job's settings are in p (mode, owner, user): reads the entry
 * policy and what the rows need once. 0 or < 0. */
int import_pass_begin(pass *p);
/* Before the rows of a batch: in create mode, loads the duplicates of their
 * names, phones and WeChat ids with a few queries. 0 or < 0. */
int import_batch_load(pass *p, const imp_row *rows, int n);
/* One row: 0 imported (dry run: would be; create mode: waits for its batch
 * to be written), 1 rejected (its report lines in p->out), < 0 database
 * error (update mode writes the row, inside the batch's transaction). */
int import_row(pass *p, const imp_row *row);
/* A cell trimmed of spaces (also full-width and no-break ones), without the
 * quote an export puts before = + - @; in a. */
const char *import_clean(arena *a, const char *s);
/* import_unknown.c: the item a dictionary cell names (regions: as
 * region_find reads them): > 0, 0 none, -1 several. */
int64_t import_dict_lookup(pass *p, const import_target *t, const char *v);
/* Counts a value the column's dictionary lacks. */
void import_tally(pass *p, col_map *m, const char *v);
/* A run with columns whose unknown values are added to their dictionary:
 * reads the rest of the file (rd, after the header) and adds them all, in
 * one transaction, before any row is imported. 0 or < 0 (*fail set). */
int import_add_unknown(pass *p, imp_reader *rd, const char **fail);
/* The tallies of unknown values as the job shows them (unknown_json):
 * [{column, target, choice, rows, values: [{value, rows}]}]. Caller owns. */
json_t *import_unknown_json(const pass *p);
/* Writes the batch's report lines and new customers with w, inside the
 * caller's transaction. 0 or < 0 (a number taken: bo->cb->failed). */
int import_batch_write(const pass *p, db_conn *w, batch_out *bo);
/* After bo was committed with w: refreshes the customers' statistics when
 * the import's new customers pass 1,024, 4,096, 16,384... (db_analyze). */
void import_batch_written(db_conn *w, const batch_out *bo);
/* Forgets pend[which]'s customers and keys (written, or rolled back). */
void import_pending_reset(pass *p, int which);
void import_pass_free(pass *p);
#endif
