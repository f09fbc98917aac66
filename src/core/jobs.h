/* jobs.h — background work inside the server (pool take-back, reminders,
 * ...): each job runs every `interval_s` seconds on one server of however
 * many share the database, chosen by a lease row in job_leases. Jobs must be
 * idempotent: a job that ran halfway and crashed runs again from the start. */
#ifndef TF_JOBS_H
#define TF_JOBS_H
#include "db/db.h"

typedef struct job_def {
    const char *name;
    int interval_s;
    /* Does one round of work; returns the number of items handled or < 0. It
     * opens and commits its own transactions. */
    int (*run)(db_conn *c, arena *a);
} job_def;

/* Every job, NULL-terminated (jobs_list.c). */
extern const job_def *const tf_jobs[];

/* Starts the job thread for the server; jobs_stop() ends it (waits for a
 * running job to finish). */
void jobs_start(db *d);
void jobs_stop(void);
/* Runs one job now if this process can take its lease (tests, CLI, admin
 * API). Returns items handled, or < 0 (-100 if unknown, -101 if another
 * server holds the lease). */
int jobs_run_now(db *d, const char *name);
#endif
