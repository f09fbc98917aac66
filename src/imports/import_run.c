/* import_run.c — the import worker: the worker thread, and the two passes over a file — the dry run (checks
 * every row, writes nothing but its report) and the run (creates or updates
 * records in batches of IMPORT_BATCH rows, one transaction each). What
 * happens to one row is import_rows.c (customers) or import_resource.c
 * (the others); the uploaded file is stored by import_file.c.
 *
 * Why a worker thread and not the request: a 100,000-row file takes
 * seconds, and libmicrohttpd's thread pool gives every worker thread its
 * own connections, so a long request would stall unrelated requests queued
 * on the same thread; and a request would hold one of the pool's database
 * connections (one per thread) all along. The worker has a connection of
 * its own (never taken from the request pool), takes one job at a time (on
 * SQLite writes are serial anyway), and holds the write lock one batch at a
 * time, so other users' writes slip in between batches. Progress is in
 * import_jobs, which the UI polls.
 *
 * The file lives in the database (import_chunks, import_file.c), not on this server's
 * disk: with several servers on one PostgreSQL, the upload, the mapping and
 * the run may each reach a different server, and a job whose server died is
 * taken over by another (heartbeat_at older than IMPORT_STALE_S). Each batch
 * commits its progress (done_rows) with its rows, so a resumed run starts
 * exactly after the last committed batch and never imports a row twice. */
#include "imports/import_pass.h"
#include "customers/customers.h"
#include "core/audit.h"
#include "base/log.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/checkpointer.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IMPORT_WAL_PAGES 10000

/* Job bookkeeping --------------------------------------------------------------- */

static int set_state(db_conn *c, int64_t job, const char *runner, const char *state,
                     const char *message)
{
    char now[TF_TS_LEN];
    tf_now(now);
    return db_exec(
        c,
        "UPDATE import_jobs SET state = ?, message = ?, runner = NULL,"
        " heartbeat_at = NULL, updated_at = ?,"
        " finished_at = CASE WHEN ? = 'done' THEN ? ELSE finished_at END"
        " WHERE id = ? AND runner = ?",
        DBP(DBS(state), DBS(message), DBS(now), DBS(state), DBS(now), DBI(job), DBS(runner)));
}

/* Puts a job this server runs back in the queue (the server stops). */
static int requeue(db_conn *c, int64_t job, const char *runner)
{
    return db_exec(c,
                   "UPDATE import_jobs SET state = 'queued', runner = NULL, heartbeat_at = NULL"
                   " WHERE id = ? AND runner = ?",
                   DBP(DBI(job), DBS(runner)));
}

/* The job's counters n, with w: 1, or 0 when another server took the job
 * over (we were silent too long), or < 0. */
static int save_progress(const pass *p, db_conn *w, const imp_counts *n)
{
    char now[TF_TS_LEN];
    tf_now(now);
    return db_exec(w,
                   "UPDATE import_jobs SET done_rows = ?, created_rows = ?, updated_rows = ?,"
                   " error_rows = ?, duplicate_rows = ?, heartbeat_at = ?, updated_at = ?"
                   " WHERE id = ? AND runner = ? AND state = 'running'",
                   DBP(DBI(n->done), DBI(n->created), DBI(n->updated), DBI(n->errors), DBI(n->dups),
                       DBS(now), DBS(now), DBI(p->job_id), DBS(p->runner)));
}

static bool load_user(db_conn *c, arena *a, int64_t id, principal *me)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT id, login, name, role, locale, lang, department_id FROM users"
                 " WHERE id = ? AND active = TRUE",
                 DBP(DBI(id))) <= 0)
        return false;
    memset(me, 0, sizeof(*me));
    me->id = id;
    me->login = db_get_text(&r, 0, "login");
    me->name = db_get_text(&r, 0, "name");
    me->locale = db_get_text(&r, 0, "locale");
    me->lang = db_get_text(&r, 0, "lang"); /* the report speaks it (import_rows.c) */
    me->department_id = db_get_int(&r, 0, "department_id");
    return role_parse(db_get_text(&r, 0, "role"), &me->role);
}

static atomic_bool stopping;

/* A copy of row in a (a row from imp_next lives until the next one); adds
 * the bytes of its text to *bytes. */
static imp_row copy_row(arena *a, const imp_row *row, size_t *bytes)
{
    imp_row out = {.row_no = row->row_no, .ncells = row->ncells};
    const char **cells = arena_alloc(a, sizeof(char *) * (size_t)(row->ncells ? row->ncells : 1));
    for (int i = 0; i < row->ncells; i++) {
        size_t len = strlen(row->cells[i]);
        cells[i] = arena_strndup(a, row->cells[i], len);
        *bytes += len + sizeof(char *);
    }
    out.cells = cells;
    return out;
}

static void set_autocheckpoint(db_conn *c, int pages)
{
    arena pa; /* db_query: the PRAGMA answers with a row */
    arena_init(&pa);
    db_res r;
    db_query(c, &pa, &r, arena_printf(&pa, "PRAGMA wal_autocheckpoint = %d", pages), DBP0);
    arena_free(&pa);
}

/* Writing a batch --------------------------------------------------------------- */

enum { WROTE = 0, TAKEN_OVER = 1 };

/* The job's message when row (of bo) failed with dberr. */
static const char *row_failed(arena *a, const batch_out *bo, int64_t row, const char *dberr)
{
    return arena_printf(a,
                        "the batch starting at row %lld was rolled back: row %lld failed (%s);"
                        " nothing of that batch was saved, the %lld rows before it were; run the"
                        " import again to go on from row %lld",
                        (long long)bo->first, (long long)row, dberr, (long long)bo->before.done,
                        (long long)bo->first);
}

/* Writes bo with w in a transaction of its own: its report lines, its new
 * customers and the job's progress. WROTE, TAKEN_OVER (rolled back), or
 * < 0 (rolled back; *fail says why and which rows, in a). */
static int write_batch(const pass *p, db_conn *w, batch_out *bo, bool begun, arena *a,
                       const char **fail)
{
    int rc = begun ? 0 : db_begin(w);
    if (rc >= 0) rc = import_batch_write(p, w, bo);
    int saved = rc >= 0 ? save_progress(p, w, &bo->after) : rc;
    if (saved == 1) {
        if ((rc = db_commit(w)) >= 0) {
            import_batch_written(w, bo);
            return WROTE;
        }
    } else if (saved == 0) {
        db_rollback(w);
        return TAKEN_OVER;
    }
    rc = rc < 0 ? rc : saved < 0 ? saved : DB_ERR;
    const char *dberr = arena_strdup(a, db_errmsg(w));
    db_rollback(w);
    int at = bo->cb ? bo->cb->failed : -1;
    if (at >= 0) /* a number taken: that row */
        *fail = row_failed(a, bo, bo->cb_rows[at], dberr);
    else
        *fail = arena_printf(a,
                             "the batch of rows %lld to %lld was rolled back: writing it failed"
                             " (%s); nothing of that batch was saved, the %lld rows before it"
                             " were; run the import again to go on from row %lld",
                             (long long)bo->first, (long long)bo->last, dberr,
                             (long long)bo->before.done, (long long)bo->first);
    return rc;
}

/* A run in create mode writes its batches on a thread of its own, with a
 * connection of its own, while this one reads and checks the next batch
 * (about a third of the work: the file, the fields, the checks and the
 * search terms; the writing is the rest). One batch waits at most. */
typedef struct writer {
    pthread_t t;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const pass *p;
    db_conn *w;
    batch_out *todo; /* handed over, not taken yet */
    bool busy, quit;
    int rc;          /* the last batch's (write_batch) */
    const char *fail; /* its message, in fa */
    arena fa;
} writer;

static void *writer_main(void *arg)
{
    writer *wr = arg;
    pthread_mutex_lock(&wr->mu);
    for (;;) {
        while (!wr->todo && !wr->quit)
            pthread_cond_wait(&wr->cv, &wr->mu);
        if (!wr->todo) break;
        batch_out *bo = wr->todo;
        wr->todo = NULL;
        wr->busy = true;
        pthread_mutex_unlock(&wr->mu);
        const char *fail = NULL;
        int rc = write_batch(wr->p, wr->w, bo, false, &wr->fa, &fail);
        pthread_mutex_lock(&wr->mu);
        wr->busy = false;
        if (wr->rc == WROTE) { /* the first failure stays */
            wr->rc = rc;
            wr->fail = fail;
        }
        pthread_cond_broadcast(&wr->cv);
    }
    pthread_mutex_unlock(&wr->mu);
    return NULL;
}

/* Waits until the writer has written all it was given: WROTE, TAKEN_OVER
 * or < 0 (*fail says why). */
static int writer_wait(writer *wr, const char **fail)
{
    pthread_mutex_lock(&wr->mu);
    while (wr->busy || wr->todo)
        pthread_cond_wait(&wr->cv, &wr->mu);
    int rc = wr->rc;
    *fail = wr->fail;
    pthread_mutex_unlock(&wr->mu);
    return rc;
}

/* Hands bo over once the writer is done with the batch before. */
static int writer_put(writer *wr, batch_out *bo, const char **fail)
{
    int rc = writer_wait(wr, fail);
    if (rc != WROTE) return rc;
    pthread_mutex_lock(&wr->mu);
    wr->todo = bo;
    pthread_cond_signal(&wr->cv);
    pthread_mutex_unlock(&wr->mu);
    return WROTE;
}

static bool writer_start(writer *wr, const pass *p, db_conn *w)
{
    memset(wr, 0, sizeof(*wr));
    wr->p = p;
    wr->w = w;
    arena_init(&wr->fa);
    pthread_mutex_init(&wr->mu, NULL);
    pthread_cond_init(&wr->cv, NULL);
    if (pthread_create(&wr->t, NULL, writer_main, wr) == 0) return true;
    pthread_mutex_destroy(&wr->mu);
    pthread_cond_destroy(&wr->cv);
    arena_free(&wr->fa);
    return false;
}

/* Lets the writer finish what it has, and ends it. */
static void writer_stop(writer *wr)
{
    const char *fail;
    writer_wait(wr, &fail);
    pthread_mutex_lock(&wr->mu);
    wr->quit = true;
    pthread_cond_signal(&wr->cv);
    pthread_mutex_unlock(&wr->mu);
    pthread_join(wr->t, NULL);
    pthread_mutex_destroy(&wr->mu);
    pthread_cond_destroy(&wr->cv);
    arena_free(&wr->fa);
}

static void batch_free(batch_out *bo)
{
    if (!bo) return;
    arena_free(&bo->a);
    free(bo);
}

/* Runs the claimed job to its end (or to a stop). Returns 0, or < 0 when
 * the job was failed with a message. */
static int run_job(db_conn *c, int64_t job_id, const char *runner, int autocheckpoint)
{
    arena pa;
    arena_init(&pa);
    pass p = {.c = c, .pa = &pa, .job_id = job_id, .runner = runner};
    writer wr;
    db_conn *wc = NULL;         /* the writer's connection, when there is one */
    batch_out *inflight = NULL; /* the batch the writer has, or had last */
    db_res j;
    FILE *f = NULL;
    imp_reader *rd = NULL;
    const char *fail = NULL;
    int rc = db_query(c, &pa, &j,
                      "SELECT entity, user_id, format, encoding, mode, owner_id, confirm_duplicates,"
                      " task,"
                      " mapping_json, choices_json, columns_json, done_rows, created_rows,"
                      " updated_rows,"
                      " error_rows, duplicate_rows FROM import_jobs WHERE id = ?",
                      DBP(DBI(job_id)));
    if (rc <= 0) goto out;
    p.dry = strcmp(db_get_text(&j, 0, "task"), "dry_run") == 0;
    p.csv = strcmp(db_get_text(&j, 0, "format"), "csv") == 0;
    p.confirm_dups = db_get_int(&j, 0, "confirm_duplicates") != 0;
    p.owner_id = db_get_int(&j, 0, "owner_id");
    const char *mode = db_get_text(&j, 0, "mode");
    p.mode = strcmp(mode, "update_by_number") == 0  ? MODE_BY_NUMBER
             : strcmp(mode, "update_by_phone") == 0 ? MODE_BY_PHONE
                                                    : MODE_CREATE;
    p.res = import_resource_find(db_get_text(&j, 0, "entity"));
    if (!p.res) {
        fail = "this server does not import such records";
        goto out;
    }
    bool own_rows = p.res->row != NULL; /* not customers: the resource's row function */
    if (!load_user(c, &pa, db_get_int(&j, 0, "user_id"), &p.me) ||
        !policy_allows(&p.me, p.res->perm)) {
        fail = "the user who started the import may no longer import these records";
        goto out;
    }
    /* a fresh pass starts from zero; a run resumes after its last batch */
    int64_t skip = p.dry ? 0 : db_get_int(&j, 0, "done_rows");
    if (skip > 0) {
        p.n.done = skip;
        p.n.created = db_get_int(&j, 0, "created_rows");
        p.n.updated = db_get_int(&j, 0, "updated_rows");
        p.n.errors = db_get_int(&j, 0, "error_rows");
        p.n.dups = db_get_int(&j, 0, "duplicate_rows");
        db_scalar_int(c, &p.logged, 0,
                      "SELECT COUNT(*) FROM import_errors WHERE job_id = ? AND pass = 'run'",
                      DBP(DBI(job_id)));
    } else if ((rc = db_exec(c, "DELETE FROM import_errors WHERE job_id = ? AND pass = ?",
                             DBP(DBI(job_id), DBS(import_pass_name(&p))))) < 0 ||
               (rc = save_progress(&p, c, &p.n)) < 0) {
        goto out;
    }
    if (!own_rows && (rc = import_pass_begin(&p)) < 0) goto out;
    /* the mapping, by column position */
    json_t *cols = json_loads(db_get_text(&j, 0, "columns_json"), 0, NULL);
    json_t *map = json_loads(db_get_text(&j, 0, "mapping_json"), 0, NULL);
    const char *cj = db_get_text(&j, 0, "choices_json");
    json_t *choices = cj ? json_loads(cj, 0, NULL) : NULL;
    bool adds = false;
    size_t i;
    json_t *h;
    json_array_foreach(cols, i, h)
    {
        if (i >= IMP_MAX_COLS) break;
        const char *t = json_string_value(json_object_get(map, json_string_value(h)));
        const char *ctype = NULL;
        if (!t || !import_target_valid(p.res, c, &pa, t, &ctype)) continue;
        col_map *m = &p.cols[i];
        m->target = arena_strdup(&pa, t);
        m->t = import_target_find(p.res, t);
        m->header = arena_strdup(&pa, json_string_value(h));
        const char *ch = json_string_value(json_object_get(choices, m->header));
        m->on_unknown = !ch || !m->t || m->t->kind != TG_DICT ? UNKNOWN_REFUSE
                        : strcmp(ch, "empty") == 0          ? UNKNOWN_EMPTY
                        : strcmp(ch, "add") == 0            ? UNKNOWN_ADD
                                                            : UNKNOWN_REFUSE;
        adds |= m->on_unknown == UNKNOWN_ADD;
        if (!m->t) {
            m->custom_key = m->target + 7;
            m->custom_type = arena_strdup(&pa, ctype);
        }
    }
    p.header_cells = (int)json_array_size(cols);
    json_decref(cols);
    json_decref(map);
    json_decref(choices);
    f = import_load_file(c, &pa, job_id);
    imp_error err;
    imp_row row;
    if (!f) {
        fail = "the uploaded file is gone; upload it again";
        goto out;
    }
    /* a run first adds the values its "add" columns' dictionaries lack */
    if (!p.dry && adds) {
        imp_reader *pre = NULL;
        if (imp_open(&pre, f, p.csv ? IMP_CSV : IMP_XLSX, db_get_text(&j, 0, "encoding"), &err) <
                0 ||
            imp_next(pre, &row, &err) <= 0) {
            imp_close(pre);
            fail = arena_printf(&pa, "the file cannot be read again: %s", err.msg);
            goto out;
        }
        rc = import_add_unknown(&p, pre, &fail);
        imp_close(pre);
        rewind(f);
        if (rc < 0) goto out;
    }
    if (imp_open(&rd, f, p.csv ? IMP_CSV : IMP_XLSX, db_get_text(&j, 0, "encoding"), &err) < 0 ||
        imp_next(rd, &row, &err) <= 0) { /* the header */
        fail = arena_printf(&pa, "the file cannot be read again: %s", err.msg);
        goto out;
    }
    for (int64_t k = 0; k < skip; k++)
        if (imp_next(rd, &row, &err) <= 0) {
            fail = "the file is shorter than the rows already imported";
            goto out;
        }
    /* a run in create mode: a writer thread with a connection of its own
     * (without one, this thread writes its batches itself) */
    if (!p.dry && p.mode == MODE_CREATE && !own_rows) {
        char werr[256];
        wc = db_acquire(c->owner, werr, sizeof(werr));
        if (wc && !writer_start(&wr, &p, wc)) {
            db_release(wc);
            wc = NULL;
        }
        if (!wc) tf_log("warn", "msg=import_writer_not_started job=%lld", (long long)job_id);
        else if (autocheckpoint >= 0)
            set_autocheckpoint(wc, autocheckpoint);
    }
    int rows = 1;
    while (rows > 0) {
        if (atomic_load(&stopping)) { /* the server stops: another run resumes */
            if (wc && (rc = writer_wait(&wr, &fail)) != WROTE) break;
            rc = requeue(c, job_id, runner);
            goto out;
        }
        batch_out *bo = calloc(1, sizeof(*bo));
        if (!bo) abort();
        arena_init(&bo->a);
        p.a = &bo->a;
        p.out = bo;
        bo->before = p.n;
        /* this thread writes the batch: its transaction holds the rows too
         * (update mode writes them as it goes) */
        rc = wc ? 0 : db_begin(c);
        /* the batch's rows first, so that their duplicates are looked up at once */
        imp_row *batch = arena_alloc(&bo->a, sizeof(imp_row) * IMPORT_BATCH);
        int nread = 0;
        size_t bytes = 0;
        while (rc >= 0 && nread < IMPORT_BATCH && bytes < IMPORT_BATCH_BYTES &&
               (rows = imp_next(rd, &row, &err)) > 0)
            batch[nread++] = copy_row(&bo->a, &row, &bytes);
        if (rows < 0 && rc >= 0) fail = arena_printf(&pa, "the file cannot be read: %s", err.msg);
        if (nread > 0) bo->first = bo->last = batch[0].row_no;
        if (rc >= 0 && !fail && !own_rows) rc = import_batch_load(&p, batch, nread);
        for (int n = 0; rc >= 0 && !fail && n < nread; n++) {
            bo->last = batch[n].row_no;
            rc = own_rows ? import_resource_row(&p, &batch[n]) : import_row(&p, &batch[n]);
            if (rc > 0) p.n.errors++;
            p.n.done++;
        }
        if (rc < 0 || fail) { /* nothing of this batch was written */
            const char *dberr = arena_strdup(&pa, db_errmsg(c));
            const char *wfail = NULL;
            if (!wc) db_rollback(c);
            else if (writer_wait(&wr, &wfail) < 0) /* the batch before failed first */
                fail = wfail;
            if (!fail) fail = row_failed(&pa, bo, bo->last, dberr);
            batch_free(bo);
            goto out;
        }
        if (p.pend) {
            bo->cb = &p.pend[p.cur].cb;
            bo->cb_rows = p.pend[p.cur].row;
        }
        bo->after = p.n;
        if (!wc) {
            rc = write_batch(&p, c, bo, true, &pa, &fail);
            import_pending_reset(&p, p.cur);
            batch_free(bo);
        } else if (atomic_load(&stopping)) { /* not handed over: done again on resume */
            import_pending_reset(&p, p.cur);
            batch_free(bo);
            if ((rc = writer_wait(&wr, &fail)) != WROTE) break;
            rc = requeue(c, job_id, runner);
            goto out;
        } else {
            /* once the writer is done with the batch before, it is
             * committed: its keys are in the database for the next batch's
             * checks, and its rows and arena can go */
            rc = writer_put(&wr, bo, &fail);
            if (rc != WROTE) {
                batch_free(bo);
                break;
            }
            batch_free(inflight);
            inflight = bo;
            import_pending_reset(&p, !p.cur);
            p.cur = !p.cur;
        }
        if (rc != WROTE) break;
    }
    if (wc && rc == WROTE) rc = writer_wait(&wr, &fail);
    if (rc == TAKEN_OVER) {
        tf_log("warn", "msg=import_taken_over job=%lld", (long long)job_id);
        rc = 0;
        goto out;
    }
    if (rc < 0) goto out;
    /* the end */
    const char *msg =
        p.dry ? arena_printf(&pa,
                             "dry run: %lld of %lld rows can be imported, %lld have errors,"
                             " %lld look like duplicates",
                             (long long)(p.n.done - p.n.errors), (long long)p.n.done,
                             (long long)p.n.errors, (long long)p.n.dups)
              : arena_printf(&pa, "%lld created, %lld updated, %lld rows not imported",
                             (long long)p.n.created, (long long)p.n.updated,
                             (long long)p.n.errors);
    if ((rc = db_begin(c)) >= 0) {
        rc = set_state(c, job_id, runner, p.dry ? "checked" : "done", msg);
        json_t *unk = import_unknown_json(&p);
        char *uj = json_dumps(unk, JSON_COMPACT);
        json_decref(unk);
        if (rc >= 0)
            rc = db_exec(c, "UPDATE import_jobs SET unknown_json = ? WHERE id = ?",
                         DBP(DBS(uj), DBI(job_id)));
        free(uj);
        if (rc >= 0 && !p.dry) {
            json_t *after =
                json_pack("{s:I, s:I, s:I, s:s}", "created", (json_int_t)p.n.created, "updated",
                          (json_int_t)p.n.updated, "errors", (json_int_t)p.n.errors, "mode", mode);
            rc = audit_record(c, p.me.id, "import", job_id, "run", NULL, after);
            json_decref(after);
            if (rc >= 0)
                rc = db_exec(c, "DELETE FROM import_chunks WHERE job_id = ?", DBP(DBI(job_id)));
        }
        if (rc >= 0) rc = db_commit(c);
        if (rc < 0) db_rollback(c);
    }
out:
    if (wc) {
        if (fail) fail = arena_strdup(&pa, fail); /* it may be the writer's */
        writer_stop(&wr);
        batch_free(inflight);
        db_release(wc);
    }
    if (fail || rc < 0) {
        if (!fail) fail = arena_printf(&pa, "the import stopped: %s", db_errmsg(c));
        tf_log("warn", "msg=import_failed job=%lld reason=\"%s\"", (long long)job_id, fail);
        set_state(c, job_id, runner, "failed", fail);
    }
    imp_close(rd);
    if (f) fclose(f);
    import_pass_free(&p);
    arena_free(&pa);
    return fail ? -1 : 0;
}

/* The worker thread --------------------------------------------------------------- */

static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcv = PTHREAD_COND_INITIALIZER;
static pthread_t wthread;
static bool wstarted;
static int wkicks;
static char *wurl;
static char wrunner[96];

/* True if runner ("host:pid:import") was a process of this host that is
 * gone (it crashed or was killed): its job is taken over at once instead of
 * after IMPORT_STALE_S. */
static bool runner_gone(const char *runner)
{
    char host[48] = "";
    gethostname(host, sizeof(host) - 1);
    size_t hl = strlen(host);
    if (!runner || !hl || strncmp(runner, host, hl) != 0 || runner[hl] != ':') return false;
    int64_t pid = 0;
    const char *p = runner + hl + 1, *colon = strchr(p, ':');
    char num[24];
    if (!colon || strcmp(colon, ":import") != 0 || colon - p < 1 || colon - p >= 20) return false;
    memcpy(num, p, (size_t)(colon - p));
    num[colon - p] = 0;
    if (!tf_parse_i64(num, &pid)) return false;
    return pid > 0 && pid != getpid() && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Claims the oldest job that waits (or whose runner went silent or is
 * gone): its id, or 0. */
static int64_t claim(db_conn *c)
{
    arena a;
    arena_init(&a);
    char now[TF_TS_LEN], stale[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(now, t);
    tf_ts(stale, t - IMPORT_STALE_S);
    db_res r;
    int64_t got = 0;
    int n = db_query(c, &a, &r,
                     "SELECT id, state, runner, heartbeat_at FROM import_jobs"
                     " WHERE state IN ('queued', 'running') ORDER BY id LIMIT 50",
                     DBP0);
    for (int i = 0; i < n && !got; i++) {
        int64_t id = db_get_int(&r, i, "id");
        const char *runner = db_get_text(&r, i, "runner"), *hb = db_get_text(&r, i, "heartbeat_at");
        bool queued = strcmp(db_get_text(&r, i, "state"), "queued") == 0;
        if (!queued && !(hb && strcmp(hb, stale) < 0) && !runner_gone(runner)) continue;
        /* the same conditions again, in the UPDATE: one server wins */
        if (db_exec(c,
                    "UPDATE import_jobs SET state = 'running', runner = ?, heartbeat_at = ?,"
                    " updated_at = ? WHERE id = ? AND (state = 'queued' OR (state = 'running'"
                    " AND (heartbeat_at < ? OR runner = ?)))",
                    DBP(DBS(wrunner), DBS(now), DBS(now), DBI(id), DBS(stale),
                        DBS(queued ? "" : runner))) == 1)
            got = id;
    }
    arena_free(&a);
    return got;
}

static void *worker(void *arg)
{
    char err[256];
    db *d = db_open(wurl, 2, err, sizeof(err)); /* the worker's and its writer's */
    db_conn *c = d ? db_acquire(d, err, sizeof(err)) : NULL;
    if (!c) tf_log("error", "msg=import_worker_no_db err=\"%s\"", err);
    /* SQLite: this connection is the worker's own. Its commits (a batch at a
     * time, a few MB each) do not checkpoint the WAL: a checkpointer thread
     * does, on the other CPU, while a job runs (src/db/checkpointer.c;
     * 100,000 rows in 7.8-9.4 s instead of 10.6-11.6). Without one (it
     * could not start) they checkpoint every IMPORT_WAL_PAGES pages
     * instead of every 1000: the pages every batch rewrites (the indexes'
     * upper levels, the search index) are copied to the database file
     * once per checkpoint. */
    bool sqlite = c && c->owner && db_engine_of(c->owner) == DB_ENGINE_SQLITE;
    if (sqlite) set_autocheckpoint(c, IMPORT_WAL_PAGES);
    pthread_mutex_lock(&wmu);
    while (!atomic_load(&stopping)) {
        wkicks = 0;
        pthread_mutex_unlock(&wmu);
        int64_t id;
        while (c && !atomic_load(&stopping) && (id = claim(c)) > 0) {
            checkpointer *k = sqlite ? checkpointer_start(wurl) : NULL;
            if (k) set_autocheckpoint(c, 0);
            run_job(c, id, wrunner, !sqlite ? -1 : k ? 0 : IMPORT_WAL_PAGES);
            if (k) set_autocheckpoint(c, IMPORT_WAL_PAGES);
            checkpointer_stop(k);
            /* the batches wrote the search index unmerged (customer_batch.c):
             * merge it now, after the job is done, rather than at the next
             * round of the search_tidy job */
            if (sqlite) {
                arena ta;
                arena_init(&ta);
                if (search_tidy(c, &ta) < 0)
                    tf_log("error", "msg=import_search_tidy_failed err=\"%s\"", db_errmsg(c));
                arena_free(&ta);
            }
        }
        pthread_mutex_lock(&wmu);
        while (!wkicks && !atomic_load(&stopping))
            pthread_cond_wait(&wcv, &wmu);
    }
    pthread_mutex_unlock(&wmu);
    if (c) db_release(c);
    db_close(d);
    return NULL;
}

void import_worker_stop(void)
{
    pthread_mutex_lock(&wmu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&wcv);
    bool started = wstarted;
    wstarted = false; /* a second call (at exit) finds nothing to join */
    pthread_mutex_unlock(&wmu);
    if (started) pthread_join(wthread, NULL);
    free(wurl);
    wurl = NULL;
}

void import_worker_kick(db *d)
{
    pthread_mutex_lock(&wmu);
    if (!wstarted && !atomic_load(&stopping)) {
        const char *t = db_target(d);
        size_t n = strlen(t) + 8;
        wurl = malloc(n);
        if (!wurl) abort();
        snprintf(wurl, n, "%s%s", db_engine_of(d) == DB_ENGINE_SQLITE ? "sqlite:" : "", t);
        char host[48] = "";
        gethostname(host, sizeof(host) - 1);
        snprintf(wrunner, sizeof(wrunner), "%.47s:%d:import", host, (int)getpid());
        if (pthread_create(&wthread, NULL, worker, NULL) == 0) {
            wstarted = true;
            atexit(import_worker_stop);
        } else {
            tf_log("error", "msg=import_worker_not_started err=%d", errno);
        }
    }
    wkicks++;
    pthread_cond_signal(&wcv);
    pthread_mutex_unlock(&wmu);
}

int import_housekeeping(db_conn *c, arena *a)
{
    char stale[TF_TS_LEN], week[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(stale, t - IMPORT_STALE_S);
    tf_ts(week, t - 7 * 86400);
    int64_t waiting = 0;
    db_scalar_int(c, &waiting, 0,
                  "SELECT COUNT(*) FROM import_jobs WHERE state = 'queued' OR (state = 'running'"
                  " AND heartbeat_at < ?)",
                  DBP(DBS(stale)));
    db_res run;
    int nr = db_query(c, a, &run,
                      "SELECT runner FROM import_jobs WHERE state = 'running' ORDER BY id LIMIT 50",
                      DBP0);
    for (int i = 0; i < nr; i++)
        waiting += runner_gone(db_get_text(&run, i, "runner"));
    if (waiting > 0 && c->owner) import_worker_kick(c->owner);
    /* files of jobs nobody ran for a week */
    db_res r;
    int n = db_query(c, a, &r,
                     "SELECT id FROM import_jobs WHERE state IN ('uploaded', 'mapped', 'checked',"
                     " 'failed') AND updated_at < ? ORDER BY id LIMIT 100",
                     DBP(DBS(week)));
    for (int i = 0; i < n; i++) {
        int64_t id = db_get_int(&r, i, "id");
        if (db_begin(c) < 0) break;
        int rc = db_exec(c, "DELETE FROM import_chunks WHERE job_id = ?", DBP(DBI(id)));
        if (rc >= 0)
            rc = db_exec(
                c,
                "UPDATE import_jobs SET state = 'failed', message = ? WHERE id = ?"
                " AND updated_at < ?",
                DBP(DBS("the file was deleted after a week without a run"), DBI(id), DBS(week)));
        if (rc >= 0) rc = db_commit(c);
        if (rc < 0) db_rollback(c);
    }
    return (int)waiting + (n > 0 ? n : 0);
}
