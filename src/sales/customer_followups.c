/* customer_followups.c — (being written) */
#include "../http/http.h"

const route customer_followups_routes[] = {
    ROUTES_END,
};
