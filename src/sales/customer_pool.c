/* customer_pool.c — (being written) */
#include "../http/http.h"

const route customer_pool_routes[] = {
    ROUTES_END,
};
