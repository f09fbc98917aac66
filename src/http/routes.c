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
extern const route settings_routes[];
extern const route customer_pool_routes[];
extern const route customer_followups_routes[];
extern const route reminders_routes[];
extern const route customer_io_routes[];
extern const route wechat_routes[];

const route *const tf_route_tables[] = {
    system_routes,  session_routes, users_routes,     departments_routes,
    approvals_routes, settings_routes, dicts_routes, customers_routes, customer_pool_routes,
    customer_followups_routes, reminders_routes, customer_io_routes, wechat_routes, NULL,
};
