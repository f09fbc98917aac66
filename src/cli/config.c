/* config.c — reading tradeflow.conf ("key = value" lines, # comments), the
 * TRADEFLOW_* environment variables and the common flags (see config.h). */
#include "cli/config.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* *slot = a copy of val kept in *owned; the copy it replaces is freed (a
 * setting may come from the file, then the environment, then a flag). */
static void set_str(const char **slot, char **owned, const char *val)
{
    char *copy = strdup(val);
    if (!copy) abort();
    free(*owned);
    *owned = copy;
    *slot = copy;
}

static int set(tf_config *c, const char *key, const char *val, const char *where)
{
    int64_t n;
    if (strcmp(key, "db") == 0) set_str(&c->db, &c->db_owned, val);
    else if (strcmp(key, "listen") == 0) set_str(&c->listen, &c->listen_owned, val);
    else if (strcmp(key, "threads") == 0 || strcmp(key, "session_hours") == 0) {
        if (!tf_parse_i64(val, &n) || n < 1 || n > 1024) {
            fprintf(stderr, "tradeflow: %s: %s must be a number from 1 to 1024\n", where, key);
            return -1;
        }
        if (key[0] == 't') c->threads = (int)n;
        else c->session_hours = (int)n;
    } else if (strcmp(key, "secure_cookie") == 0 || strcmp(key, "access_log") == 0) {
        bool b = strcmp(val, "1") == 0 || strcmp(val, "true") == 0 || strcmp(val, "yes") == 0;
        if (!b && strcmp(val, "0") && strcmp(val, "false") && strcmp(val, "no")) {
            fprintf(stderr, "tradeflow: %s: %s must be true or false\n", where, key);
            return -1;
        }
        if (key[0] == 's') c->secure_cookie = b;
        else c->access_log = b;
    } else {
        fprintf(stderr, "tradeflow: %s: unknown setting \"%s\"\n", where, key);
        return -1;
    }
    return 0;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
    return s;
}

int config_load(tf_config *c, const char *explicit_file)
{
    c->db = "sqlite:tradeflow.db";
    c->listen = "127.0.0.1:8080";
    c->threads = 0; /* the engine's default (workers_default) */
    c->session_hours = 12;
    c->secure_cookie = false;
    c->access_log = true;
    const char *file = explicit_file ? explicit_file : getenv("TRADEFLOW_CONFIG");
    bool must = file != NULL;
    if (!file) file = "tradeflow.conf";
    FILE *f = fopen(file, "r");
    if (!f && must) {
        fprintf(stderr, "tradeflow: cannot read config file %s\n", file);
        return -1;
    }
    if (f) {
        char line[1024];
        int ln = 0;
        while (fgets(line, sizeof(line), f)) {
            ln++;
            char *s = trim(line);
            if (!*s || *s == '#') continue;
            char *eq = strchr(s, '=');
            char where[300];
            snprintf(where, sizeof(where), "%s:%d", file, ln);
            if (!eq) {
                fprintf(stderr, "tradeflow: %s: expected key = value\n", where);
                fclose(f);
                return -1;
            }
            *eq = 0;
            if (set(c, trim(s), trim(eq + 1), where) < 0) {
                fclose(f);
                return -1;
            }
        }
        fclose(f);
    }
    static const struct {
        const char *env, *key;
    } envs[] = {{"TRADEFLOW_DB", "db"},
                {"TRADEFLOW_LISTEN", "listen"},
                {"TRADEFLOW_THREADS", "threads"},
                {"TRADEFLOW_SESSION_HOURS", "session_hours"},
                {"TRADEFLOW_SECURE_COOKIE", "secure_cookie"},
                {"TRADEFLOW_ACCESS_LOG", "access_log"}};
    for (size_t i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
        const char *v = getenv(envs[i].env);
        if (v && *v && set(c, envs[i].key, v, envs[i].env) < 0) return -1;
    }
    return 0;
}

int config_flag(tf_config *c, int argc, char **argv, int i)
{
    static const struct {
        const char *flag, *key;
    } flags[] = {{"--db", "db"},
                 {"--listen", "listen"},
                 {"--threads", "threads"},
                 {"--session-hours", "session_hours"}};
    for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
        if (strcmp(argv[i], flags[k].flag) != 0) continue;
        if (i + 1 >= argc) {
            fprintf(stderr, "tradeflow: %s needs a value\n", argv[i]);
            return -1;
        }
        return set(c, flags[k].key, argv[i + 1], argv[i]) < 0 ? -1 : 2;
    }
    if (strcmp(argv[i], "--secure-cookie") == 0) {
        c->secure_cookie = true;
        return 1;
    }
    if (strcmp(argv[i], "--no-access-log") == 0) {
        c->access_log = false;
        return 1;
    }
    return 0;
}
