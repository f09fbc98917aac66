/* reminders.c — (being written) */
#include "../http/http.h"

const route reminders_routes[] = {
    ROUTES_END,
};
