/* routes.c — the list of every resource's route table. A new resource adds
 * its table here; the dispatcher, the metrics and the OpenAPI document all
 * read this one list. */
#include "http.h"

extern const route system_routes[];
extern const route session_routes[];
extern const route users_routes[];
extern const route departments_routes[];
extern const route approvals_routes[];
extern const route dicts_routes[];
extern const route customers_routes[];

const route *const tf_route_tables[] = {
    system_routes,  session_routes, users_routes,     departments_routes,
    approvals_routes, dicts_routes, customers_routes, NULL,
};
