/* metrics.c — request counters and latency histograms for GET /metrics. One
 * mutex guards them: a few adds per request are far below the cost of the
 * request itself. */
#include "http/metrics.h"
#include "http/http.h"
#include "http/server.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t bucket_us[] = {1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
                                    500000, 1000000, 2500000};
enum { NBUCKETS = sizeof(bucket_us) / sizeof(bucket_us[0]), NCLASSES = 5 };

typedef struct {
    uint64_t by_class[NCLASSES]; /* 1xx..5xx */
    uint64_t buckets[NBUCKETS + 1];
    int64_t sum_us;
    uint64_t count;
} route_stats;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static route_stats *stats; /* nroutes + 1; the last is "other" */
static int nstats;
static const route **route_of;

void metrics_init(int nroutes)
{
    nstats = nroutes + 1;
    stats = calloc((size_t)nstats, sizeof(*stats));
    route_of = calloc((size_t)nstats, sizeof(*route_of));
    if (!stats || !route_of) abort();
    int i = 0;
    for (const route *const *t = tf_route_tables; *t; t++)
        for (const route *rt = *t; rt->method; rt++) route_of[i++] = rt;
}

void metrics_observe(int route_index, int status, int64_t usec)
{
    if (!stats) return;
    int i = route_index < 0 || route_index >= nstats - 1 ? nstats - 1 : route_index;
    int cls = status / 100 - 1;
    if (cls < 0 || cls >= NCLASSES) cls = NCLASSES - 1;
    int b = 0;
    while (b < NBUCKETS && usec > bucket_us[b]) b++;
    pthread_mutex_lock(&mu);
    stats[i].by_class[cls]++;
    stats[i].buckets[b]++;
    stats[i].sum_us += usec;
    stats[i].count++;
    pthread_mutex_unlock(&mu);
}

typedef struct {
    char *buf;
    size_t len, cap;
    arena *a;
} sbuf;

static void put(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sbuf *s, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(s->buf + s->len, s->cap - s->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < s->cap - s->len) {
            s->len += (size_t)n;
            return;
        }
        size_t ncap = s->cap * 2 + (size_t)(n > 0 ? n : 0);
        char *nb = arena_alloc(s->a, ncap);
        memcpy(nb, s->buf, s->len);
        s->buf = nb;
        s->cap = ncap;
    }
}

char *metrics_render(arena *a, size_t *len)
{
    sbuf s = {arena_alloc(a, 16384), 0, 16384, a};
    route_stats *copy = arena_alloc(a, sizeof(*copy) * (size_t)nstats);
    pthread_mutex_lock(&mu);
    memcpy(copy, stats, sizeof(*copy) * (size_t)nstats);
    pthread_mutex_unlock(&mu);
    put(&s, "# HELP tradeflow_requests_total Requests by route and status class.\n"
            "# TYPE tradeflow_requests_total counter\n");
    for (int i = 0; i < nstats; i++) {
        const char *m = route_of[i] ? route_of[i]->method : "ANY";
        const char *p = route_of[i] ? route_of[i]->pattern : "other";
        for (int c = 0; c < NCLASSES; c++)
            if (copy[i].by_class[c])
                put(&s, "tradeflow_requests_total{method=\"%s\",route=\"%s\",status=\"%dxx\"} %llu\n",
                    m, p, c + 1, (unsigned long long)copy[i].by_class[c]);
    }
    put(&s, "# HELP tradeflow_request_duration_seconds Request latency by route.\n"
            "# TYPE tradeflow_request_duration_seconds histogram\n");
    for (int i = 0; i < nstats; i++) {
        if (!copy[i].count) continue;
        const char *m = route_of[i] ? route_of[i]->method : "ANY";
        const char *p = route_of[i] ? route_of[i]->pattern : "other";
        uint64_t cum = 0;
        for (int b = 0; b <= NBUCKETS; b++) {
            cum += copy[i].buckets[b];
            if (b < NBUCKETS)
                put(&s,
                    "tradeflow_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} "
                    "%llu\n",
                    m, p, (double)bucket_us[b] / 1e6, (unsigned long long)cum);
            else
                put(&s,
                    "tradeflow_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} "
                    "%llu\n",
                    m, p, (unsigned long long)cum);
        }
        put(&s, "tradeflow_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n", m, p,
            (double)copy[i].sum_us / 1e6);
        put(&s, "tradeflow_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n", m, p,
            (unsigned long long)copy[i].count);
    }
    int size = 0, open = 0, in_use = 0;
    if (tf_app.db) db_pool_stats(tf_app.db, &size, &open, &in_use);
    put(&s,
        "# HELP tradeflow_db_pool_connections Database pool connections.\n"
        "# TYPE tradeflow_db_pool_connections gauge\n"
        "tradeflow_db_pool_connections{state=\"max\"} %d\n"
        "tradeflow_db_pool_connections{state=\"open\"} %d\n"
        "tradeflow_db_pool_connections{state=\"in_use\"} %d\n",
        size, open, in_use);
    *len = s.len;
    return s.buf;
}
