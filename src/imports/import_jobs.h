/* import_jobs.h — the import kit: what the import's HTTP handlers
 * (import_api.c) and its worker (import_run.c) share, and what a module
 * declares to have its records imported (import_resource).
 *
 * A job's life (import_jobs.state):
 *   uploaded  the file is stored (import_chunks) and checked as a file
 *   mapped    columns are mapped to customer fields (mode, owner chosen)
 *   queued    a dry run or a run (task) waits for a worker
 *   running   a worker is at it (runner, heartbeat_at, done_rows move)
 *   checked   the dry run is over: counts and import_errors (pass dry_run)
 *   done      the run is over; the file is deleted
 *   failed    the run stopped (message says why and from which row); a new
 *             run resumes after the last committed batch
 * Work runs in one worker thread per server with a database connection of
 * its own (import_run.c explains why), never in the request. */
#ifndef TF_IMPORT_JOBS_H
#define TF_IMPORT_JOBS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include "core/policy.h"
#include "db/db.h"
#include "http/http.h"

#define IMPORT_BODY_MAX   ((size_t)64 * 1024 * 1024) /* bytes of an uploaded file */
#define IMPORT_CHUNK      (1024 * 1024)              /* bytes per import_chunks row */
#define IMPORT_BATCH      1000                       /* rows per transaction */
#define IMPORT_BATCH_BYTES ((size_t)8 * 1024 * 1024) /* a batch ends early past this much text */
#define IMPORT_ERRORS_MAX 50000                      /* report lines kept per pass */
#define IMPORT_HEADER_MAX 200                        /* characters of a column header */
#define IMPORT_STALE_S    120 /* a running job without heartbeat this long is taken over */
#define IMPORT_OPEN_MAX   20  /* unfinished jobs (each holding its file) per user */

/* Mapping targets ------------------------------------------------------------
 * A column maps to one target of its resource's table. Customers': name phone telephone address wechat email notes
 * number level industry region source qualification followup_method
 * protected signed contact_name contact_title contact_mobile contact_email,
 * or custom.<key> of an active customer custom field. A dictionary column
 * (level ... followup_method) has a choice for values its dictionary lacks:
 * refuse the row, leave the field empty, or add the value (choices_json). */
typedef enum {
    TG_TEXT,   /* text of at most max characters (every target of other resources) */
    TG_NUMBER, /* the customer number: the key of update_by_number */
    TG_DICT,   /* a dictionary item, by its name (or English name) */
    TG_BOOL,   /* protected, signed */
    TG_CUSTOM, /* custom.<key> */
    TG_CONTACT, /* the first contact's name, title, mobile or email */
} import_tkind;

typedef struct import_target {
    const char *name; /* as in a mapping */
    import_tkind kind;
    const char *field; /* the customer JSON field it fills */
    int max;           /* TG_TEXT: most characters */
    const char *dict;  /* TG_DICT: the dictionary kind */
} import_target;

/* What can be imported -------------------------------------------------------
 * A resource is declared once by the module that owns it: its column table
 * (targets), the header names each target is known by, and what a row
 * does. The upload, the mapping, the dry run, the background job, progress
 * and the error report are the kit's, the same for every resource.
 * Customers (import_customers) have a pass of their own (modes, owners,
 * duplicates, dictionaries, a writer thread: import_rows.c); every other
 * resource gives a row function. */
typedef struct import_known {
    const char *target, *names; /* names: "a|b|名称", compared normalised */
} import_known;

typedef struct import_resource {
    const char *entity; /* import_jobs.entity, import_mappings.entity, ?entity= */
    const char *perm;   /* the right to import it (checked again when a job runs) */
    const import_target *targets;
    int ntargets;
    const import_known *known;
    int nknown;
    const char *custom_entity;   /* its custom fields are targets too (custom.<key>), or NULL */
    const char *const *required; /* targets a mapping must name (NULL-terminated) */
    const char *unique; /* a target no two rows of a file may share (its duplicates in the
                           file are reported by the kit), or NULL */
    /* One row (every resource but customers): fields holds the row's mapped,
     * non-empty cells as text ({target: text}, within the target's max);
     * the function checks them and, unless dry, writes the record inside
     * the batch's transaction, with its audit row. A rejected row appends
     * {field, code, message} errors and writes nothing. 0 or < 0 (a
     * database error: the batch is rolled back). */
    int (*row)(db_conn *c, arena *a, const principal *me, int64_t job_id, bool dry,
               json_t *fields, json_t *errs);
} import_resource;

extern const import_resource import_customers; /* import_map.c */
/* Declares another resource (at start-up, before the server serves). */
void import_resource_add(const import_resource *res);
/* The resource of an entity name, or NULL. */
const import_resource *import_resource_find(const char *entity);

/* The built-in target called name, or NULL (custom.* are not built in). */
const import_target *import_target_find(const import_resource *res, const char *name);
/* True if target is a built-in or the custom.<key> of an active custom
 * field of the resource; *custom_type then says its type. */
bool import_target_valid(const import_resource *res, db_conn *c, arena *a, const char *target,
                         const char **custom_type);
/* {header: target|null} for the columns (a JSON array of header names): the
 * user's remembered choices first, then names and labels a header is known
 * by (English and Chinese, and custom field labels). *remembered is true if
 * every header was remembered. Caller owns the result. */
json_t *import_suggest(const import_resource *res, db_conn *c, arena *a, int64_t user_id,
                       json_t *columns, bool *remembered);

/* Checks the "choices" of a mapping request ({header: refuse|empty|add}):
 * each names a column that map sends to a dictionary field, and adding
 * needs the right to manage dictionaries. Appends field errors
 * ("choices.<header>") to errs. */
void import_choices_check(req *r, const import_resource *res, json_t *map, json_t *errs);

/* The uploaded file ------------------------------------------------------------ */
/* Stores the file as the job's import_chunks (inside the caller's
 * transaction). */
int import_store_file(db_conn *c, int64_t job_id, FILE *f);
/* A temporary copy of the job's file, read from import_chunks, positioned at
 * its start (unlinked already: fclose removes it), or NULL. */
FILE *import_load_file(db_conn *c, arena *a, int64_t job_id);
/* An unlinked temporary file for reading and writing, or NULL. */
FILE *import_tmpfile(void);

/* The worker ------------------------------------------------------------------ */
/* Wakes this server's import worker (starting it the first time), which then
 * runs every queued job and takes over stale ones. d is the server's pool:
 * the worker opens its own connection to the same database. */
void import_worker_kick(db *d);
/* Stops the worker: it ends the batch it writes, puts its job back in the
 * queue for the next run, and ends. The server calls it as soon as it is
 * asked to stop (and at exit). */
void import_worker_stop(void);
/* The background job (jobs_list.c): wakes the worker when jobs wait (queued
 * by a server that stopped, or stale), and deletes the files of jobs left
 * unfinished for a week. */
int import_housekeeping(db_conn *c, arena *a);
#endif
