/* main.c — the tradeflow command line: a table of subcommands (serve, init,
 * migrate, demo, user, backup, routes, version), their help, and the common
 * flags. Each subcommand opens the database it is given and does one thing. */
#include "cli/config.h"
#include "cli/demo.h"
#include "cli/serve_lock.h"
#include "core/jobs.h"
#include "customers/customers.h"
#include "imports/import_jobs.h"
#include "app/modules.h"
#include "base/log.h"
#include "base/util.h"
#include "db/db.h"
#include "http/http.h"
#include "http/server.h"
#include "http/workers.h"
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*fn)(tf_config *c, int argc, char **argv);
    const char *usage, *help;
} command;

static const command commands[];

static db *open_db(const tf_config *c, int pool)
{
    char err[512];
    db *d = db_open(c->db, pool, err, sizeof(err));
    if (!d) {
        fprintf(stderr, "tradeflow: %s\n", err);
        return NULL;
    }
    int n = db_migrate(d, err, sizeof(err));
    if (n < 0) {
        fprintf(stderr, "tradeflow: %s\n", err);
        db_close(d);
        return NULL;
    }
    if (n > 0) tf_log("info", "msg=migrated applied=%d db=%s", n, c->db);
    if (search_reindex_pending(d) < 0) {
        fprintf(stderr, "tradeflow: recomputing the quick-search terms failed\n");
        db_close(d);
        return NULL;
    }
    return d;
}

/* Reads the flags of a subcommand: common ones into c, the listed extra ones
 * (each takes a value) into vals. Returns -1 after printing an error. */
static int parse_flags(tf_config *c, int argc, char **argv, const char *const *extra,
                       const char **vals, const char **positional, int npos)
{
    int pos = 0;
    for (int i = 0; i < argc;) {
        int n = config_flag(c, argc, argv, i);
        if (n < 0) return -1;
        if (n > 0) {
            i += n;
            continue;
        }
        if (strcmp(argv[i], "--config") == 0) { /* already read by main */
            i += 2;
            continue;
        }
        bool found = false;
        for (int k = 0; extra && extra[k]; k++) {
            if (strcmp(argv[i], extra[k]) != 0) continue;
            if (i + 1 >= argc) {
                fprintf(stderr, "tradeflow: %s needs a value\n", argv[i]);
                return -1;
            }
            vals[k] = argv[i + 1];
            i += 2;
            found = true;
            break;
        }
        if (found) continue;
        if (argv[i][0] == '-' || pos >= npos) {
            fprintf(stderr, "tradeflow: unexpected argument \"%s\" (see --help)\n", argv[i]);
            return -1;
        }
        positional[pos++] = argv[i++];
    }
    return 0;
}

static int cmd_serve(tf_config *c, int argc, char **argv)
{
    if (parse_flags(c, argc, argv, NULL, NULL, NULL, 0) < 0) return 2;
    /* Keep freed memory in the process: each request allocates and frees a
     * few hundred kilobytes (arena, result, reply), and glibc gave it back
     * to the kernel and took it again every time — page faults and TLB
     * flushes across the workers' CPUs were a sixth of the whole board's
     * time. */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 16 << 20);
    /* a database connection per worker of each line, and one for the
     * upload check libmicrohttpd's thread makes (server.c) */
    int workers = c->threads > 0 ? c->threads : workers_default(strncmp(c->db, "postgres", 8) == 0);
    db *d = open_db(c, 2 * workers + 1);
    if (!d) return 1;
    if (serve_lock(c->db) < 0) {
        db_close(d);
        return 1;
    }
    tf_app.session_hours = c->session_hours;
    server_config sc = {.listen = c->listen,
                        .threads = workers,
                        .db = d,
                        .secure_cookie = c->secure_cookie,
                        .access_log = c->access_log,
                        .on_stop = import_worker_stop};
    jobs_start(d);
    int rc = server_run(&sc);
    jobs_stop();
    db_close(d);
    return rc == 0 ? 0 : 1;
}

static int cmd_init(tf_config *c, int argc, char **argv)
{
    if (parse_flags(c, argc, argv, NULL, NULL, NULL, 0) < 0) return 2;
    db *d = open_db(c, 1);
    if (!d) return 1;
    char err[256];
    db_conn *k = db_acquire(d, err, sizeof(err));
    int64_t v = 0;
    if (k) {
        db_schema_version(k, &v);
        db_release(k);
    }
    printf("database %s is at schema version %lld\n", c->db, (long long)v);
    db_close(d);
    return 0;
}

static int cmd_demo(tf_config *c, int argc, char **argv)
{
    static const char *const extra[] = {"--password", NULL};
    const char *vals[1] = {"demo123"};
    if (parse_flags(c, argc, argv, extra, vals, NULL, 0) < 0) return 2;
    if (strlen(vals[0]) < 6) {
        fprintf(stderr, "tradeflow: --password needs at least 6 characters\n");
        return 2;
    }
    db *d = open_db(c, 1);
    if (!d) return 1;
    int rc = demo_load(d, vals[0], stdout);
    db_close(d);
    return rc == 0 ? 0 : 1;
}

static int cmd_user(tf_config *c, int argc, char **argv)
{
    static const char *const extra[] = {"--name", "--role", "--password", "--department", NULL};
    const char *vals[4] = {NULL, NULL, NULL, NULL};
    const char *pos[2] = {NULL, NULL};
    if (parse_flags(c, argc, argv, extra, vals, pos, 2) < 0) return 2;
    const char *verb = pos[0], *login = pos[1];
    if (!verb || (strcmp(verb, "list") != 0 && !login)) {
        fprintf(stderr, "tradeflow: usage: %s\n", commands[3].usage);
        return 2;
    }
    int64_t dep = 0;
    if (vals[3] && (!tf_parse_i64(vals[3], &dep) || dep < 1)) {
        fprintf(stderr, "tradeflow: --department must be a department id\n");
        return 2;
    }
    if ((strcmp(verb, "add") == 0 || strcmp(verb, "passwd") == 0) && !vals[2]) {
        fprintf(stderr, "tradeflow: --password is required\n");
        return 2;
    }
    db *d = open_db(c, 1);
    if (!d) return 1;
    int rc;
    if (strcmp(verb, "add") == 0)
        rc = cli_user_add(d, login, vals[0] ? vals[0] : login, vals[1] ? vals[1] : "salesperson",
                          vals[2], (long long)dep);
    else if (strcmp(verb, "passwd") == 0)
        rc = cli_user_passwd(d, login, vals[2]);
    else if (strcmp(verb, "disable") == 0)
        rc = cli_user_disable(d, login);
    else if (strcmp(verb, "list") == 0)
        rc = cli_user_list(d, stdout);
    else {
        fprintf(stderr, "tradeflow: unknown user command \"%s\"\n", verb);
        rc = -2;
    }
    db_close(d);
    return rc == 0 ? 0 : rc == -2 ? 2 : 1;
}

static int cmd_backup(tf_config *c, int argc, char **argv)
{
    static const char *const extra[] = {"--to", NULL};
    const char *vals[1] = {NULL};
    if (parse_flags(c, argc, argv, extra, vals, NULL, 0) < 0) return 2;
    if (!vals[0]) {
        fprintf(stderr, "tradeflow: backup needs --to PATH\n");
        return 2;
    }
    db *d = open_db(c, 1);
    if (!d) return 1;
    char err[512];
    int rc = db_backup(d, vals[0], err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "tradeflow: %s\n", err);
    else
        printf("backup of %s written to %s\n", c->db, vals[0]);
    db_close(d);
    return rc == 0 ? 0 : 1;
}

static int cmd_jobs(tf_config *c, int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    if (parse_flags(c, argc, argv, NULL, NULL, pos, 2) < 0) return 2;
    if (!pos[0] || strcmp(pos[0], "run") != 0 || !pos[1]) {
        fprintf(stderr, "tradeflow: usage: tradeflow jobs run NAME [--db URL]\n");
        return 2;
    }
    db *d = open_db(c, 1);
    if (!d) return 1;
    int n = jobs_run_now(d, pos[1]);
    db_close(d);
    if (n == -100)
        fprintf(stderr, "tradeflow: no job named %s\n", pos[1]);
    else if (n == -101)
        fprintf(stderr, "tradeflow: another server is running %s\n", pos[1]);
    else if (n < 0)
        fprintf(stderr, "tradeflow: job %s failed\n", pos[1]);
    else
        printf("job %s handled %d items\n", pos[1], n);
    return n < 0 ? 1 : 0;
}

static int cmd_routes(tf_config *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    for (const route *const *t = tf_route_tables; *t; t++)
        for (const route *rt = *t; rt->method; rt++) {
            const char *kind = route_record_kind(rt->pattern);
            printf("%s %s %s %s\n", rt->method, rt->pattern,
                   rt->perm == PERM_PUBLIC ? "public"
                   : rt->perm[0]           ? rt->perm
                                           : "signed-in",
                   kind ? kind : "-");
        }
    return 0;
}

static int cmd_version(tf_config *c, int argc, char **argv)
{
    (void)c;
    (void)argc;
    (void)argv;
    printf("tradeflow 0.1.0\n");
    return 0;
}

static const command commands[] = {
    {"serve", cmd_serve,
     "tradeflow serve [--db URL] [--listen HOST:PORT] [--threads N] [--session-hours N] "
     "[--secure-cookie] [--no-access-log]",
     "Run the HTTP server (creating or upgrading the database first). Stops cleanly on SIGTERM."},
    {"init", cmd_init, "tradeflow init [--db URL]",
     "Create the database, or upgrade an old one to this version's schema."},
    {"migrate", cmd_init, "tradeflow migrate [--db URL]", "Same as init: apply new migrations."},
    {"user", cmd_user,
     "tradeflow user add LOGIN --password P [--name N] [--role R] [--department ID] | "
     "user passwd LOGIN --password P | user disable LOGIN | user list   [--db URL]",
     "Manage users from the shell."},
    {"demo", cmd_demo, "tradeflow demo [--db URL] [--password P]",
     "Create the database if needed and load the demo company; prints the demo logins."},
    {"backup", cmd_backup, "tradeflow backup [--db URL] --to PATH",
     "Online, consistent copy of a live database (SQLite file, or pg_dump archive)."},
    {"jobs", cmd_jobs, "tradeflow jobs run NAME [--db URL]",
     "Run a background job now (pool take-back, reminders, ...)."},
    {"routes", cmd_routes, "tradeflow routes",
     "Print the route table: method, path, permission, and the record kind of the path's {id} (- "
     "for none)."},
    {"version", cmd_version, "tradeflow version", "Print the version."},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *f)
{
    fprintf(f, "Tradeflow — sales management.\n\nCommands:\n");
    for (const command *k = commands; k->name; k++)
        fprintf(f, "  %s\n      %s\n", k->usage, k->help);
    fprintf(f, "\nURL is sqlite:PATH or postgresql://... . Settings come from flags, then the\n"
               "environment (TRADEFLOW_DB, TRADEFLOW_LISTEN, TRADEFLOW_THREADS, ...), then the\n"
               "config file (--config PATH, TRADEFLOW_CONFIG, or ./tradeflow.conf).\n"
               "`tradeflow COMMAND --help` shows one command.\n");
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "tradeflow: libsodium failed to start\n");
        return 1;
    }
    modules_register();
    const char *name = argc > 1 ? argv[1] : "serve";
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    const command *k = commands;
    while (k->name && strcmp(k->name, name) != 0)
        k++;
    if (!k->name) {
        fprintf(stderr, "tradeflow: unknown command \"%s\"\n\n", name);
        usage(stderr);
        return 2;
    }
    int sub_argc = argc > 1 ? argc - 2 : 0;
    char **sub_argv = argv + (argc > 1 ? 2 : 1);
    const char *cfg_file = NULL;
    for (int i = 0; i < sub_argc; i++) {
        if (strcmp(sub_argv[i], "--help") == 0 || strcmp(sub_argv[i], "-h") == 0) {
            printf("usage: %s\n\n%s\n", k->usage, k->help);
            return 0;
        }
        if (strcmp(sub_argv[i], "--config") == 0) {
            if (i + 1 >= sub_argc) {
                fprintf(stderr, "tradeflow: --config needs a value\n");
                return 2;
            }
            cfg_file = sub_argv[i + 1];
        }
    }
    static tf_config cfg; /* static: its strings live as long as the process */
    if (config_load(&cfg, cfg_file) < 0) return 2;
    return k->fn(&cfg, sub_argc, sub_argv);
}
