/* wechat.c — (being written) */
#include "../http/http.h"

const route wechat_routes[] = {
    ROUTES_END,
};
