/* jobs.c — the background job thread and the lease that makes each job run
 * on one server at a time (see jobs.h). The lease is an UPDATE that only one
 * server can win, so it works the same on SQLite and PostgreSQL. */
#include "core/jobs.h"
#include "base/log.h"
#include "base/util.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_t thread;
static atomic_bool running;
static bool started;
static char holder[64];

/* Takes the lease of `name` for running it. `due_only`: only if its last run
 * is at least `interval` seconds old (the schedule); otherwise whenever no
 * other server is running it. The lease lasts `hold` seconds at most, so a
 * crashed server does not block the job forever. True if this process won. */
static bool take_lease(db_conn *c, const char *name, int interval, bool due_only)
{
    char now[TF_TS_LEN], until[TF_TS_LEN], due[TF_TS_LEN];
    time_t t = time(NULL);
    const int hold = 600;
    tf_ts(now, t);
    tf_ts(until, t + hold);
    tf_ts(due, due_only ? t - interval : t + 1);
    db_exec(c, "INSERT INTO job_leases(name) VALUES (?) ON CONFLICT(name) DO NOTHING",
            DBP(DBS(name)));
    int rc = db_exec(c,
                     "UPDATE job_leases SET holder = ?, until = ? WHERE name = ? AND"
                     " (until IS NULL OR until <= ?) AND (last_run_at IS NULL OR last_run_at <= ?)",
                     DBP(DBS(holder), DBS(until), DBS(name), DBS(now), DBS(due)));
    return rc == 1;
}

static int run_job(db_conn *c, const job_def *j)
{
    arena a;
    arena_init(&a);
    int n = j->run(c, &a);
    arena_free(&a);
    if (c->tx_where) {
        tf_log("error", "job %s left a transaction open at %s", j->name, c->tx_where);
        db_rollback(c);
    }
    char now[TF_TS_LEN];
    tf_now(now);
    /* release the lease; the last run time schedules the next one */
    db_exec(c, "UPDATE job_leases SET last_run_at = ?, until = NULL WHERE name = ?",
            DBP(DBS(now), DBS(j->name)));
    if (n < 0) tf_log("error", "msg=job_failed job=%s rc=%d err=\"%s\"", j->name, n, db_errmsg(c));
    else if (n > 0) tf_log("info", "msg=job_done job=%s items=%d", j->name, n);
    return n;
}

static void *loop(void *arg)
{
    db *d = arg;
    while (atomic_load(&running)) {
        char err[256];
        db_conn *c = db_acquire(d, err, sizeof(err));
        if (c) {
            for (const job_def *const *j = tf_jobs; *j && atomic_load(&running); j++)
                if (take_lease(c, (*j)->name, (*j)->interval_s, true)) run_job(c, *j);
            db_release(c);
        }
        for (int i = 0; i < 20 && atomic_load(&running); i++) usleep(250 * 1000);
    }
    return NULL;
}

static void set_holder(void)
{
    if (holder[0]) return;
    char host[40] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(holder, sizeof(holder), "%.39s:%d", host, (int)getpid());
}

void jobs_start(db *d)
{
    set_holder();
    atomic_store(&running, true);
    started = pthread_create(&thread, NULL, loop, d) == 0;
}

void jobs_stop(void)
{
    if (!started) return;
    atomic_store(&running, false);
    pthread_join(thread, NULL);
    started = false;
}

int jobs_run_now(db *d, const char *name)
{
    set_holder();
    const job_def *job = NULL;
    for (const job_def *const *j = tf_jobs; *j; j++)
        if (strcmp((*j)->name, name) == 0) job = *j;
    if (!job) return -100;
    char err[256];
    db_conn *c = db_acquire(d, err, sizeof(err));
    if (!c) return DB_ECONN;
    /* wait up to 30 s for a run on another server (or the job thread) to end */
    int n = -101;
    for (int i = 0; i < 300; i++) {
        if (take_lease(c, name, job->interval_s, false)) {
            n = run_job(c, job);
            break;
        }
        usleep(100 * 1000);
    }
    db_release(c);
    return n;
}
