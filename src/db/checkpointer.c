/* checkpointer.c — copies a bulk writer's WAL into the database file from
 * another thread, while the writer goes on.
 *
 * SQLite checkpoints in the connection whose commit pushes the WAL past its
 * limit: during an import that is the import's own thread, which then
 * copies pages and waits for the disk instead of computing the next batch.
 * The import turns its automatic checkpoints off and runs one of these: a
 * thread with its own connection that runs a PASSIVE checkpoint (it never
 * blocks the writer or readers) every CHECKPOINT_MS, on the other CPU. */
#include "db/checkpointer.h"
#include "db/db.h"
#include "base/arena.h"
#include "base/log.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

enum { CHECKPOINT_MS = 200 };

struct checkpointer {
    db *d;
    db_conn *c;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* PASSIVE while the writer writes; TRUNCATE at the end, which also gives
 * the grown WAL file back (it waits for readers, at most the busy timeout). */
static void checkpoint(checkpointer *k, bool last)
{
    arena a;
    arena_init(&a);
    db_res r; /* the PRAGMA answers with a row: busy, log, checkpointed */
    if (db_query(k->c, &a, &r,
                 last ? "PRAGMA wal_checkpoint(TRUNCATE)" : "PRAGMA wal_checkpoint(PASSIVE)",
                 DBP0) < 0)
        tf_log("warn", "msg=checkpoint_failed err=\"%s\"", db_errmsg(k->c));
    arena_free(&a);
}

static void *loop(void *arg)
{
    checkpointer *k = arg;
    pthread_mutex_lock(&k->mu);
    while (!k->stop) {
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += (long)CHECKPOINT_MS * 1000000L;
        t.tv_sec += t.tv_nsec / 1000000000L;
        t.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&k->cv, &k->mu, &t);
        pthread_mutex_unlock(&k->mu);
        checkpoint(k, false);
        pthread_mutex_lock(&k->mu);
    }
    pthread_mutex_unlock(&k->mu);
    return NULL;
}

checkpointer *checkpointer_start(const char *url)
{
    char err[256];
    checkpointer *k = calloc(1, sizeof(*k));
    if (!k) return NULL;
    k->d = db_open(url, 1, err, sizeof(err));
    k->c = k->d ? db_acquire(k->d, err, sizeof(err)) : NULL;
    if (!k->c || db_engine_of(k->d) != DB_ENGINE_SQLITE) goto fail;
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    if (pthread_create(&k->thread, NULL, loop, k) != 0) {
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->cv);
        goto fail;
    }
    return k;
fail:
    if (k->c) db_release(k->c);
    if (k->d) db_close(k->d);
    free(k);
    return NULL;
}

void checkpointer_stop(checkpointer *k)
{
    if (!k) return;
    pthread_mutex_lock(&k->mu);
    k->stop = true;
    pthread_cond_signal(&k->cv);
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    checkpoint(k, true); /* what the writer wrote last */
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    db_release(k->c);
    db_close(k->d);
    free(k);
}
