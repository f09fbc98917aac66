/* config.h — settings for every subcommand, from (highest first) command-line
 * flags, environment variables, a config file, and defaults. */
#ifndef TF_CONFIG_H
#define TF_CONFIG_H
#include <stdbool.h>

typedef struct tf_config {
    const char *db;      /* --db, TRADEFLOW_DB, "db" */
    const char *listen;  /* --listen, TRADEFLOW_LISTEN, "listen" */
    int threads;         /* --threads, TRADEFLOW_THREADS, "threads" */
    int session_hours;   /* --session-hours, TRADEFLOW_SESSION_HOURS, "session_hours" */
    bool secure_cookie;  /* --secure-cookie, TRADEFLOW_SECURE_COOKIE, "secure_cookie" */
    bool access_log;     /* --no-access-log turns it off */
    const char *config;  /* --config, TRADEFLOW_CONFIG; else ./tradeflow.conf if present */
    char *db_owned, *listen_owned; /* config.c's copies behind db and listen */
} tf_config;

/* Fills defaults, then the file, then the environment. Flags are applied by
 * each subcommand afterwards via config_flag(). Returns -1 on a bad file. */
int config_load(tf_config *c, const char *explicit_file);
/* Applies one "--name value" flag if it is a common one; returns the number
 * of argv entries consumed (0 if not a common flag, -1 on a bad value). */
int config_flag(tf_config *c, int argc, char **argv, int i);
#endif
