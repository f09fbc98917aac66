/* metrics.h — Prometheus counters kept by the server: requests by route and
 * status, a latency histogram per route, DB pool use. */
#ifndef TF_METRICS_H
#define TF_METRICS_H
#include <stdint.h>
#include "base/arena.h"

void metrics_init(int nroutes);
/* route_index -1 for static files / unmatched */
void metrics_observe(int route_index, int status, int64_t usec);
/* Prometheus text exposition; in the arena. */
char *metrics_render(arena *a, size_t *len);
#endif
