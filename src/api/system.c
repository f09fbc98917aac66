/* system.c — the operational endpoints: health, Prometheus metrics and the
 * OpenAPI document. */
#include "http/http.h"
#include "http/metrics.h"

static int h_healthz(req *r)
{
    int64_t one = 0;
    if (db_scalar_int(r->db, &one, 0, "SELECT 1", DBP0) < 0 || one != 1)
        return reply_problem(r, 503, "unavailable", "the database cannot be reached");
    return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

static int h_metrics(req *r)
{
    size_t len;
    char *text = metrics_render(&r->a, &len);
    return reply_raw(r, 200, "text/plain; version=0.0.4", text, len);
}

static int h_openapi(req *r)
{
    return reply_json(r, 200, openapi_document());
}

const route system_routes[] = {
    {"GET", "/healthz", h_healthz, PERM_PUBLIC, 0, "200 when the database is reachable", NULL},
    {"GET", "/metrics", h_metrics, "metrics.read", 0, "Prometheus metrics", NULL},
    {"GET", "/api/v1/openapi.json", h_openapi, PERM_PUBLIC, 0, "This OpenAPI document", NULL},
    ROUTES_END,
};
