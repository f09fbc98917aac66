/* customer_io.c — (being written) */
#include "../http/http.h"

const route customer_io_routes[] = {
    ROUTES_END,
};
