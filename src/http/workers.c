/* workers.c — the request workers.
 *
 * libmicrohttpd's thread reads a request, suspends its connection and puts
 * the request at the end of a line; a worker takes the oldest, computes
 * the reply (dispatch, handler, gzip) and resumes the connection, and the
 * reply is sent by libmicrohttpd's thread again. One worker per CPU (on
 * SQLite): each request, once started, runs to its end without sharing a
 * CPU, and requests start in arrival order. Before, libmicrohttpd's pool of
 * eight threads each computed the requests of their own connections; the
 * kernel sliced two CPUs between half-done requests, a request waited
 * behind later ones on other threads and behind earlier ones on its own,
 * and the slowest percent of replies took four to seven times the mean
 * (see the README's benchmarks).
 *
 * Requests that hold a CPU for long (a sign-in's argon2id takes 175 ms, an
 * export or an uploaded file seconds) have a line and workers of their own
 * (server.c names them), so ordinary requests never wait behind them. */
#include "http/workers.h"
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum { WORKERS_MAX = 256 };

typedef struct line {
    req *head, *tail; /* linked through req.queue_next */
    pthread_cond_t ready;
    pthread_t threads[WORKERS_MAX];
    int nthreads;
} line;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static line lines[2] = {{.ready = PTHREAD_COND_INITIALIZER}, {.ready = PTHREAD_COND_INITIALIZER}};
static bool stopping;
static void (*run_fn)(req *r);

int workers_default(bool postgres)
{
    if (postgres) return 8;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n < WORKERS_MAX ? (int)n : 2;
}

static void *loop(void *arg)
{
    line *l = arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        while (!l->head && !stopping) pthread_cond_wait(&l->ready, &mu);
        req *r = l->head;
        if (!r) { /* stopping, and nothing left */
            pthread_mutex_unlock(&mu);
            return NULL;
        }
        l->head = r->queue_next;
        if (!l->head) l->tail = NULL;
        pthread_mutex_unlock(&mu);
        r->queue_next = NULL;
        run_fn(r);
    }
}

int workers_start(int n, void (*run)(req *r))
{
    if (n < 1) n = 1;
    if (n > WORKERS_MAX) n = WORKERS_MAX;
    run_fn = run;
    stopping = false;
    for (int k = 0; k < 2; k++) {
        line *l = &lines[k];
        for (l->nthreads = 0; l->nthreads < n; l->nthreads++)
            if (pthread_create(&l->threads[l->nthreads], NULL, loop, l) != 0) break;
        if (l->nthreads == 0) return -1;
    }
    return 0;
}

void workers_push(req *r, bool slow)
{
    line *l = &lines[slow ? 1 : 0];
    r->queue_next = NULL;
    pthread_mutex_lock(&mu);
    if (l->tail) l->tail->queue_next = r;
    else l->head = r;
    l->tail = r;
    pthread_mutex_unlock(&mu);
    pthread_cond_signal(&l->ready);
}

void workers_stop(void)
{
    pthread_mutex_lock(&mu);
    stopping = true;
    pthread_mutex_unlock(&mu);
    for (int k = 0; k < 2; k++) {
        line *l = &lines[k];
        pthread_cond_broadcast(&l->ready);
        for (int i = 0; i < l->nthreads; i++) pthread_join(l->threads[i], NULL);
        l->nthreads = 0;
    }
}
