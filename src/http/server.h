/* server.h — starting and stopping the HTTP server (libmicrohttpd). */
#ifndef TF_SERVER_H
#define TF_SERVER_H
#include <stdbool.h>
#include "db/db.h"

typedef struct server_config {
    const char *listen; /* HOST:PORT */
    int threads;        /* request workers (workers.c); 0: the engine's default */
    db *db;
    bool secure_cookie; /* add Secure to the session cookie (behind TLS) */
    bool access_log;
    void (*on_stop)(void); /* called when a stop is asked, before the drain */
} server_config;

/* Runs until SIGTERM or SIGINT; in-flight requests finish first. 0 on a
 * clean stop, -1 if the server could not start (message printed). */
int server_run(const server_config *cfg);

/* Long-lived process settings the request path reads (never request state). */
extern struct tf_app {
    db *db;
    bool secure_cookie;
    bool access_log;
    int session_hours;
} tf_app;

#endif
