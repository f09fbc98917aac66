/* import_run.c — the import worker: storing and reloading uploaded files,
 * the worker thread, and the two passes over a file — the dry run (checks
 * every row, writes nothing but its report) and the run (creates or updates
 * customers in batches of IMPORT_BATCH rows, one transaction each).
 *
 * Why a worker thread and not the request: a 100,000-row file takes
 * seconds, and libmicrohttpd's thread pool gives every worker thread its
 * own connections, so a long request would stall unrelated requests queued
 * on the same thread; and a request would hold one of the pool's database
 * connections (one per thread) all along. The worker has a connection of
 * its own (never taken from the request pool), takes one job at a time (on
 * SQLite writes are serial anyway), and holds the write lock one batch at a
 * time, so other users' writes slip in between batches. Progress is in
 * import_jobs, which the UI polls.
 *
 * The file lives in the database (import_chunks), not on this server's
 * disk: with several servers on one PostgreSQL, the upload, the mapping and
 * the run may each reach a different server, and a job whose server died is
 * taken over by another (heartbeat_at older than IMPORT_STALE_S). Each batch
 * commits its progress (done_rows) with its rows, so a resumed run starts
 * exactly after the last committed batch and never imports a row twice. */
#include "customers.h"
#include "import_jobs.h"
#include "import_parse.h"
#include "../core/audit.h"
#include "../core/log.h"
#include "../core/settings.h"
#include "../core/textsearch.h"
#include "../core/util.h"
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Files ------------------------------------------------------------------------ */

FILE *import_tmpfile(void)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof(path), "%s/tf-import-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    unlink(path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) close(fd);
    return f;
}

int import_store_file(db_conn *c, int64_t job_id, FILE *f)
{
    unsigned char *bin = malloc(IMPORT_CHUNK);
    size_t b64cap = sodium_base64_ENCODED_LEN(IMPORT_CHUNK, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(b64cap);
    if (!bin || !b64) abort();
    int rc = 0;
    fseek(f, 0, SEEK_SET);
    for (int64_t seq = 0; rc >= 0; seq++) {
        size_t n = fread(bin, 1, IMPORT_CHUNK, f);
        if (n == 0) break;
        sodium_bin2base64(b64, b64cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
        rc = db_exec(c, "INSERT INTO import_chunks(job_id, seq, data_b64) VALUES (?, ?, ?)",
                     DBP(DBI(job_id), DBI(seq), DBS(b64)));
    }
    if (rc >= 0 && ferror(f)) rc = DB_ERR;
    free(bin);
    free(b64);
    return rc < 0 ? rc : 0;
}

FILE *import_load_file(db_conn *c, arena *a, int64_t job_id)
{
    FILE *f = import_tmpfile();
    if (!f) return NULL;
    unsigned char *bin = malloc(IMPORT_CHUNK);
    if (!bin) abort();
    bool ok = true;
    for (int64_t seq = 0; ok; seq++) {
        arena ca; /* one chunk at a time, not the whole file */
        arena_init(&ca);
        db_res r;
        int rc =
            db_query(c, &ca, &r, "SELECT data_b64 FROM import_chunks WHERE job_id = ? AND seq = ?",
                     DBP(DBI(job_id), DBI(seq)));
        if (rc == 0) {
            arena_free(&ca);
            ok = seq > 0;
            break;
        }
        const char *b64 = rc > 0 ? db_get_text(&r, 0, "data_b64") : NULL;
        size_t n = 0;
        ok = b64 &&
             sodium_base642bin(bin, IMPORT_CHUNK, b64, strlen(b64), NULL, &n, NULL,
                               sodium_base64_VARIANT_ORIGINAL) == 0 &&
             fwrite(bin, 1, n, f) == n;
        arena_free(&ca);
    }
    (void)a;
    free(bin);
    if (!ok || fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    return f;
}

/* Sets of values seen earlier in the file (dry run duplicates) ------------------- */

typedef struct seen_set {
    char **keys;
    int64_t *rows;
    size_t cap, n;
} seen_set;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The row where key was first seen, or 0 (then it is added with row). */
static int64_t seen_check(seen_set *s, const char *key, int64_t row)
{
    if (s->n * 2 >= s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 1024;
        char **nk = calloc(ncap, sizeof(char *));
        int64_t *nr = calloc(ncap, sizeof(int64_t));
        if (!nk || !nr) abort();
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->keys[i]) continue;
            size_t j = hash_str(s->keys[i]) & (ncap - 1);
            while (nk[j])
                j = (j + 1) & (ncap - 1);
            nk[j] = s->keys[i];
            nr[j] = s->rows[i];
        }
        free(s->keys);
        free(s->rows);
        s->keys = nk;
        s->rows = nr;
        s->cap = ncap;
    }
    size_t j = hash_str(key) & (s->cap - 1);
    while (s->keys[j]) {
        if (strcmp(s->keys[j], key) == 0) return s->rows[j];
        j = (j + 1) & (s->cap - 1);
    }
    s->keys[j] = strdup(key);
    if (!s->keys[j]) abort();
    s->rows[j] = row;
    s->n++;
    return 0;
}

static void seen_free(seen_set *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->keys[i]);
    free(s->keys);
    free(s->rows);
}

/* A pass over a file ---------------------------------------------------------- */

enum { MODE_CREATE, MODE_BY_NUMBER, MODE_BY_PHONE };

typedef struct col_map {
    const char *target; /* NULL: not imported */
    const import_target *t;
    const char *custom_key, *custom_type;
} col_map;

typedef struct dict_cache {
    const char *kind;
    int n;
    char **norm;
    int64_t *id; /* -1: two items share the name */
} dict_cache;

typedef struct pass {
    db_conn *c;
    arena *pa; /* lives as long as the pass */
    arena *a;  /* the current batch */
    int64_t job_id;
    const char *runner;
    principal me;
    bool dry, confirm_dups, csv;
    int mode;
    int64_t owner_id;
    int header_cells;
    col_map cols[IMP_MAX_COLS];
    dict_cache dicts[8];
    int ndicts;
    json_t *dup_modes; /* customer_entry_policy.duplicates */
    seen_set seen[3];  /* name, phone, wechat (dry run) */
    int64_t done, created, updated, errors, dups, logged;
} pass;

static const char *pass_name(const pass *p)
{
    return p->dry ? "dry_run" : "run";
}

static int log_error(pass *p, int64_t row, const char *fld, const char *code, const char *msg)
{
    if (p->logged >= IMPORT_ERRORS_MAX) return 0;
    p->logged++;
    int rc =
        db_exec(p->c,
                "INSERT INTO import_errors(job_id, pass, row_no, field, code, message)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                DBP(DBI(p->job_id), DBS(pass_name(p)), DBI(row), DBS(fld), DBS(code), DBS(msg)));
    return rc < 0 ? rc : 0;
}

/* A field of customer_check ("level_id", "custom.x") as the target name. */
static const char *target_of_field(arena *a, const char *fld)
{
    size_t n = fld ? strlen(fld) : 0;
    if (n > 3 && strcmp(fld + n - 3, "_id") == 0) {
        char *t = arena_strndup(a, fld, n - 3);
        if (import_target_find(t)) return t;
    }
    return fld;
}

/* " (KH-202611-00001 Name, ...)" naming up to three matches. */
static const char *dup_list(arena *a, json_t *dups, const char *matched)
{
    char *s = "";
    size_t i;
    json_t *d;
    int k = 0;
    json_array_foreach(dups, i, d)
    {
        const char *m = json_string_value(json_object_get(d, "matched"));
        if (matched && m && strcmp(m, matched) != 0) continue;
        if (k++ == 3) {
            s = arena_printf(a, "%s, ...", s);
            break;
        }
        const char *owner = json_string_value(json_object_get(d, "owner_name"));
        s = arena_printf(a, "%s%s%s %s (%s)", s, k > 1 ? ", " : "",
                         json_string_value(json_object_get(d, "number")),
                         json_string_value(json_object_get(d, "name")), owner ? owner : "pool");
    }
    return s;
}

/* Loads the items of a dictionary kind once per pass. */
static dict_cache *dict_of(pass *p, const char *kind)
{
    for (int i = 0; i < p->ndicts; i++)
        if (strcmp(p->dicts[i].kind, kind) == 0) return &p->dicts[i];
    if (p->ndicts == 8) return NULL;
    dict_cache *d = &p->dicts[p->ndicts++];
    d->kind = kind;
    db_res r;
    if (db_query(p->c, p->pa, &r,
                 "SELECT id, name, name_en FROM dict_items WHERE kind = ? AND retired = FALSE"
                 " ORDER BY sort, id LIMIT 5000",
                 DBP(DBS(kind))) < 0)
        r.nrows = 0;
    d->norm = arena_alloc(p->pa, sizeof(char *) * (size_t)(r.nrows * 2 + 1));
    d->id = arena_alloc(p->pa, sizeof(int64_t) * (size_t)(r.nrows * 2 + 1));
    for (int i = 0; i < r.nrows; i++) {
        static const char *const cols[] = {"name", "name_en"};
        for (int k = 0; k < 2; k++) {
            const char *v = db_get_text(&r, i, cols[k]);
            if (!v || !*v) continue;
            char *norm = ts_normalize(p->pa, v);
            int64_t id = db_get_int(&r, i, "id");
            int dup = -1;
            for (int j = 0; j < d->n; j++)
                if (strcmp(d->norm[j], norm) == 0) dup = j;
            if (dup >= 0) {
                if (d->id[dup] != id) d->id[dup] = -1;
                continue;
            }
            d->norm[d->n] = norm;
            d->id[d->n++] = id;
        }
    }
    return d;
}

/* Trims spaces (also full-width and no-break ones) in the batch arena, and
 * takes off the quote an export puts before = + - @. */
static const char *clean(arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' ||
           (strncmp(s, "\xE3\x80\x80", 3) == 0 && (s += 2)) ||
           (strncmp(s, "\xC2\xA0", 2) == 0 && (s += 1)))
        s++;
    size_t n = strlen(s);
    for (;;) {
        if (n && strchr(" \t\r\n", s[n - 1]))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else if (n >= 2 && memcmp(s + n - 2, "\xC2\xA0", 2) == 0)
            n -= 2;
        else
            break;
    }
    if (n >= 2 && s[0] == '\'' && strchr("=+-@", s[1])) {
        s++;
        n--;
    }
    return arena_strndup(a, s, n);
}

static int parse_bool(const char *v)
{
    static const char *const yes[] = {"yes", "y", "true", "1", "是", "√", "✓", "x"};
    static const char *const no[] = {"no", "n", "false", "0", "否"};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (strcasecmp(v, yes[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (strcasecmp(v, no[i]) == 0) return 0;
    return -1;
}

/* A custom field's cell as the JSON value custom_validate expects. */
static json_t *custom_value(arena *a, const char *type, const char *v)
{
    int64_t n;
    if (strcmp(type, "number") == 0 && tf_parse_i64(v, &n)) return json_integer(n);
    if (strcmp(type, "multiselect") == 0) {
        json_t *arr = json_array();
        char *s = arena_strdup(a, v);
        /* split on , ; | 、 and their full-width forms */
        for (char *p = s; *p;) {
            size_t len = strcspn(p, ",;|");
            const char *seps[] = {"，", "；", "、"};
            for (int k = 0; k < 3; k++) {
                char *q = strstr(p, seps[k]);
                if (q && (size_t)(q - p) < len) len = (size_t)(q - p);
            }
            const char *item = clean(a, arena_strndup(a, p, len));
            if (*item) json_array_append_new(arr, json_string(item));
            p += len;
            if (!*p) break;
            p += (unsigned char)*p < 0x80 ? 1 : 3;
        }
        return arr;
    }
    if (strcmp(type, "date") == 0) { /* 2026/1/5, 2026.1.5, 2026-1-5 → 2026-01-05 */
        int y, m, d;
        char s1, s2, tail;
        if (sscanf(v, "%4d%c%2d%c%2d%c", &y, &s1, &m, &s2, &d, &tail) == 5 && s1 == s2 &&
            strchr("-/.", s1) && m >= 1 && m <= 12 && d >= 1 && d <= 31)
            return json_string(arena_printf(a, "%04d-%02d-%02d", y, m, d));
    }
    return json_string(v);
}

/* The row's cells as customer fields; conversion errors are logged.
 * Returns the number of errors, or < 0 on a database error. */
static int row_fields(pass *p, const imp_row *row, json_t *f, const char **key)
{
    int nerr = 0, rc;
    json_t *custom = NULL;
    *key = NULL;
    for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS; i++) {
        const col_map *m = &p->cols[i];
        if (!m->target) continue;
        const char *v = clean(p->a, i < row->ncells ? row->cells[i] : "");
        if (!*v) continue;
        const char *msg = NULL, *code = "invalid";
        if (m->custom_key) {
            if (!custom) {
                custom = json_object();
                json_object_set_new(f, "custom", custom);
            }
            json_object_set_new(custom, m->custom_key, custom_value(p->a, m->custom_type, v));
            continue;
        }
        switch (m->t->kind) {
        case TG_TEXT:
        case TG_NUMBER:
            if ((int64_t)tf_utf8_len(v) > m->t->max) {
                code = "too_long";
                msg = arena_printf(p->a, "is longer than %d characters", m->t->max);
            } else if (m->t->kind == TG_NUMBER) {
                *key = v;
            } else {
                json_object_set_new(f, m->t->field, json_string(v));
            }
            break;
        case TG_DICT: {
            dict_cache *d = dict_of(p, m->t->dict);
            int64_t id = 0;
            char *norm = ts_normalize(p->a, v);
            for (int k = 0; d && k < d->n && !id; k++)
                if (strcmp(d->norm[k], norm) == 0) id = d->id[k];
            if (id > 0) {
                json_object_set_new(f, m->t->field, json_integer(id));
            } else {
                code = id < 0 ? "ambiguous" : "not_found";
                msg = arena_printf(p->a,
                                   id < 0 ? "\"%.100s\" names several items of the %s dictionary"
                                          : "\"%.100s\" is not an item of the %s dictionary",
                                   v, m->t->dict);
            }
            break;
        }
        case TG_BOOL: {
            int b = parse_bool(v);
            if (b < 0)
                msg = "must be yes or no";
            else
                json_object_set_new(f, m->t->field, json_boolean(b));
            break;
        }
        case TG_CUSTOM:
            break;
        }
        if (msg) {
            nerr++;
            if ((rc = log_error(p, row->row_no, m->target, code, msg)) < 0) return rc;
        }
    }
    return nerr;
}

/* Logs customer_check's errors (duplicates named) and returns how many. */
static int log_check_errors(pass *p, int64_t row, json_t *errs, json_t *dups)
{
    size_t i;
    json_t *e;
    int n = 0, rc;
    json_array_foreach(errs, i, e)
    {
        const char *fld = json_string_value(json_object_get(e, "field"));
        const char *code = json_string_value(json_object_get(e, "code"));
        const char *msg = json_string_value(json_object_get(e, "message"));
        if (code && strcmp(code, "duplicate") == 0)
            msg = arena_printf(p->a, "%s: %s", msg, dup_list(p->a, dups, fld));
        if ((rc = log_error(p, row, target_of_field(p->a, fld), code ? code : "invalid",
                            msg ? msg : "is invalid")) < 0)
            return rc;
        n++;
    }
    return n;
}

/* Dry run only: values an earlier row of this file would have entered. */
static int infile_dups(pass *p, const imp_row *row, json_t *f, bool *warn)
{
    static const char *const keys[] = {"name", "phone", "wechat"};
    int nerr = 0, rc;
    for (int k = 0; k < 3; k++) {
        const char *v = json_string_value(json_object_get(f, keys[k]));
        const char *mode = json_string_value(json_object_get(p->dup_modes, keys[k]));
        if (!v || !mode || strcmp(mode, "off") == 0) continue;
        const char *norm = k == 1 ? ts_phone(p->a, v) : ts_normalize(p->a, v);
        if (!norm || !*norm) continue;
        int64_t first = seen_check(&p->seen[k], norm, row->row_no);
        if (!first) continue;
        const char *msg =
            arena_printf(p->a, "row %lld of this file has the same %s", (long long)first, keys[k]);
        if (strcmp(mode, "forbid") == 0) {
            nerr++;
            if ((rc = log_error(p, row->row_no, keys[k], "duplicate", msg)) < 0) return rc;
        } else {
            *warn = true;
            if ((rc = log_error(p, row->row_no, keys[k], "duplicate_warning", msg)) < 0) return rc;
        }
    }
    return nerr;
}

/* Updates the fields the row carries (empty cells leave values alone). */
static int update_customer(pass *p, int64_t id, json_t *f)
{
    json_t *before = customer_json(p->c, p->a, id), *after = NULL;
    if (!before) return DB_ERR;
    char *cja = NULL;
    json_t *custom = json_object_get(f, "custom");
    if (custom) {
        json_t *merged = json_deep_copy(json_object_get(before, "custom"));
        if (!json_is_object(merged)) {
            json_decref(merged);
            merged = json_object();
        }
        json_object_update(merged, custom);
        char *s = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
        cja = arena_strdup(p->a, s);
        free(s);
        json_decref(merged);
    }
    const char *name = json_string_value(json_object_get(f, "name"));
    const char *phone = json_string_value(json_object_get(f, "phone"));
    const char *wechat = json_string_value(json_object_get(f, "wechat"));
    json_t *sg = json_object_get(f, "signed");
    char now[TF_TS_LEN];
    tf_now(now);
#define T(k) DBS(json_string_value(json_object_get(f, k)))
#define R(k)                                                                                       \
    (json_is_integer(json_object_get(f, k)) ? DBI(json_integer_value(json_object_get(f, k)))       \
                                            : DBNULL)
    int rc = db_exec(
        p->c,
        "UPDATE customers SET name = COALESCE(?, name), name_norm = COALESCE(?, name_norm),"
        " phone = COALESCE(?, phone), phone_norm = COALESCE(?, phone_norm),"
        " telephone = COALESCE(?, telephone), address = COALESCE(?, address),"
        " wechat = COALESCE(?, wechat), wechat_norm = COALESCE(?, wechat_norm),"
        " email = COALESCE(?, email), notes = COALESCE(?, notes),"
        " qualification_id = COALESCE(?, qualification_id), region_id = COALESCE(?, region_id),"
        " industry_id = COALESCE(?, industry_id), source_id = COALESCE(?, source_id),"
        " level_id = COALESCE(?, level_id),"
        " followup_method_id = COALESCE(?, followup_method_id),"
        " signed = COALESCE(?, signed), custom_json = COALESCE(?, custom_json),"
        " version = version + 1, updated_at = ? WHERE id = ?",
        DBP(DBS(name), DBS(name ? ts_normalize(p->a, name) : NULL), DBS(phone),
            DBS(ts_phone(p->a, phone)), T("telephone"), T("address"), DBS(wechat),
            DBS(wechat ? ts_normalize(p->a, wechat) : NULL), T("email"), T("notes"),
            R("qualification_id"), R("region_id"), R("industry_id"), R("source_id"), R("level_id"),
            R("followup_method_id"), sg ? DBB(json_is_true(sg)) : DBNULL, DBS(cja), DBS(now),
            DBI(id)));
#undef T
#undef R
    if (rc >= 0) rc = customer_reindex(p->c, p->a, id);
    if (rc >= 0) {
        after = customer_json(p->c, p->a, id);
        rc = audit_record(p->c, p->me.id, "customer", id, "update", before, after);
    }
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

/* The customer a row of an update import is about, or 0 after logging why
 * there is none. */
static int64_t find_target(pass *p, const imp_row *row, json_t *f, const char *key, int *rc)
{
    db_res r;
    const char *fld = p->mode == MODE_BY_NUMBER ? "number" : "phone";
    const char *v =
        p->mode == MODE_BY_NUMBER ? key : json_string_value(json_object_get(f, "phone"));
    const char *norm = p->mode == MODE_BY_PHONE ? ts_phone(p->a, v) : v;
    *rc = 0;
    if (!norm || !*norm) {
        *rc = log_error(p, row->row_no, fld, "required", "is empty: the row names no customer");
        return 0;
    }
    int n = db_query(p->c, p->a, &r,
                     p->mode == MODE_BY_NUMBER
                         ? "SELECT id FROM customers WHERE number = ? ORDER BY id LIMIT 2"
                         : "SELECT id FROM customers WHERE phone_norm = ? ORDER BY id LIMIT 2",
                     DBP(DBS(norm)));
    if (n < 0) {
        *rc = n;
        return 0;
    }
    int64_t id = n > 0 ? db_get_int(&r, 0, "id") : 0;
    /* customers the user cannot edit are reported like missing ones */
    if (id && policy_customer_access(p->c, &p->me, id) < ACCESS_WRITE) id = 0;
    if (n > 1) {
        *rc = log_error(p, row->row_no, fld, "ambiguous",
                        "several customers have this phone; update them by number");
        return 0;
    }
    if (!id)
        *rc = log_error(p, row->row_no, fld, "not_found",
                        arena_printf(p->a, "no customer with this %s that you may edit", fld));
    return id;
}

/* One row: 0 imported (dry run: would be), 1 rejected, < 0 database error. */
static int process_row(pass *p, const imp_row *row)
{
    int rc;
    if (row->ncells > p->header_cells || (p->csv && row->ncells < p->header_cells)) {
        bool extra = false;
        for (int i = p->header_cells; i < row->ncells; i++)
            extra |= row->cells[i][0] != 0;
        if (extra || row->ncells < p->header_cells) {
            const char *msg = arena_printf(p->a, "has %d cells but the header has %d", row->ncells,
                                           p->header_cells);
            return (rc = log_error(p, row->row_no, NULL, "ragged", msg)) < 0 ? rc : 1;
        }
    }
    json_t *f = json_object();
    const char *key = NULL;
    int nerr = row_fields(p, row, f, &key);
    int64_t id = 0;
    json_t *errs = NULL, *dups = NULL;
    bool warn = false;
    if (nerr < 0) {
        rc = nerr;
        goto done;
    }
    if (nerr > 0) {
        rc = 1;
        goto done;
    }
    if (p->mode != MODE_CREATE) {
        id = find_target(p, row, f, key, &rc);
        if (!id) {
            rc = rc < 0 ? rc : 1;
            goto done;
        }
    }
    errs = json_array();
    int chk = customer_check(p->c, p->a, f, id, p->mode == MODE_CREATE, errs, &dups);
    if (chk < 0) {
        rc = log_check_errors(p, row->row_no, errs, dups);
        rc = rc < 0 ? rc : 1;
        goto done;
    }
    if (p->dry && p->mode == MODE_CREATE) {
        if ((nerr = infile_dups(p, row, f, &warn)) != 0) {
            rc = nerr < 0 ? nerr : 1;
            goto done;
        }
    }
    if (chk == 1) {
        warn = true;
        const char *msg = arena_printf(p->a, "looks like %s", dup_list(p->a, dups, NULL));
        if ((rc = log_error(p, row->row_no, NULL, "duplicate_warning", msg)) < 0) goto done;
    }
    if (warn) p->dups++;
    if (warn && !p->dry && !p->confirm_dups) {
        rc = 1; /* not confirmed: reported, not imported */
        goto done;
    }
    rc = 0;
    if (p->dry) goto done;
    if (p->mode == MODE_CREATE) {
        customer_input in = {.fields = f,
                             .owner_id = p->owner_id,
                             .entry_method = "import",
                             .confirm_duplicates = p->confirm_dups};
        rc = customer_insert(p->c, p->a, &in, p->me.id, &id);
        if (rc >= 0) p->created++;
    } else {
        rc = update_customer(p, id, f);
        if (rc >= 0) p->updated++;
    }
    rc = rc < 0 ? rc : 0;
done:
    json_decref(f);
    json_decref(errs);
    json_decref(dups);
    return rc;
}

/* Job bookkeeping --------------------------------------------------------------- */

static int set_state(db_conn *c, int64_t job, const char *runner, const char *state,
                     const char *message)
{
    char now[TF_TS_LEN];
    tf_now(now);
    return db_exec(
        c,
        "UPDATE import_jobs SET state = ?, message = ?, runner = NULL,"
        " heartbeat_at = NULL, updated_at = ?,"
        " finished_at = CASE WHEN ? = 'done' THEN ? ELSE finished_at END"
        " WHERE id = ? AND runner = ?",
        DBP(DBS(state), DBS(message), DBS(now), DBS(state), DBS(now), DBI(job), DBS(runner)));
}

static int save_progress(pass *p)
{
    char now[TF_TS_LEN];
    tf_now(now);
    return db_exec(p->c,
                   "UPDATE import_jobs SET done_rows = ?, created_rows = ?, updated_rows = ?,"
                   " error_rows = ?, duplicate_rows = ?, heartbeat_at = ?, updated_at = ?"
                   " WHERE id = ? AND runner = ? AND state = 'running'",
                   DBP(DBI(p->done), DBI(p->created), DBI(p->updated), DBI(p->errors), DBI(p->dups),
                       DBS(now), DBS(now), DBI(p->job_id), DBS(p->runner)));
}

static bool load_user(db_conn *c, arena *a, int64_t id, principal *me)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT id, login, name, role, locale, department_id FROM users"
                 " WHERE id = ? AND active = TRUE",
                 DBP(DBI(id))) <= 0)
        return false;
    memset(me, 0, sizeof(*me));
    me->id = id;
    me->login = db_get_text(&r, 0, "login");
    me->name = db_get_text(&r, 0, "name");
    me->locale = db_get_text(&r, 0, "locale");
    me->department_id = db_get_int(&r, 0, "department_id");
    return role_parse(db_get_text(&r, 0, "role"), &me->role);
}

static atomic_bool stopping;

/* Runs the claimed job to its end (or to a stop). Returns 0, or < 0 when
 * the job was failed with a message. */
static int run_job(db_conn *c, int64_t job_id, const char *runner)
{
    arena pa;
    arena_init(&pa);
    pass p = {.c = c, .pa = &pa, .job_id = job_id, .runner = runner};
    db_res j;
    FILE *f = NULL;
    imp_reader *rd = NULL;
    const char *fail = NULL;
    int rc = db_query(c, &pa, &j,
                      "SELECT user_id, format, encoding, mode, owner_id, confirm_duplicates, task,"
                      " mapping_json, columns_json, done_rows, created_rows, updated_rows,"
                      " error_rows, duplicate_rows FROM import_jobs WHERE id = ?",
                      DBP(DBI(job_id)));
    if (rc <= 0) goto out;
    p.dry = strcmp(db_get_text(&j, 0, "task"), "dry_run") == 0;
    p.csv = strcmp(db_get_text(&j, 0, "format"), "csv") == 0;
    p.confirm_dups = db_get_int(&j, 0, "confirm_duplicates") != 0;
    p.owner_id = db_get_int(&j, 0, "owner_id");
    const char *mode = db_get_text(&j, 0, "mode");
    p.mode = strcmp(mode, "update_by_number") == 0  ? MODE_BY_NUMBER
             : strcmp(mode, "update_by_phone") == 0 ? MODE_BY_PHONE
                                                    : MODE_CREATE;
    if (!load_user(c, &pa, db_get_int(&j, 0, "user_id"), &p.me) ||
        !policy_allows(&p.me, "customers.import")) {
        fail = "the user who started the import may no longer import customers";
        goto out;
    }
    /* a fresh pass starts from zero; a run resumes after its last batch */
    int64_t skip = p.dry ? 0 : db_get_int(&j, 0, "done_rows");
    if (skip > 0) {
        p.done = skip;
        p.created = db_get_int(&j, 0, "created_rows");
        p.updated = db_get_int(&j, 0, "updated_rows");
        p.errors = db_get_int(&j, 0, "error_rows");
        p.dups = db_get_int(&j, 0, "duplicate_rows");
        db_scalar_int(c, &p.logged, 0,
                      "SELECT COUNT(*) FROM import_errors WHERE job_id = ? AND pass = 'run'",
                      DBP(DBI(job_id)));
    } else if ((rc = db_exec(c, "DELETE FROM import_errors WHERE job_id = ? AND pass = ?",
                             DBP(DBI(job_id), DBS(pass_name(&p))))) < 0 ||
               (rc = save_progress(&p)) < 0) {
        goto out;
    }
    json_t *pol = settings_get(c, "customer_entry_policy");
    p.dup_modes = json_incref(json_object_get(pol, "duplicates"));
    json_decref(pol);
    /* the mapping, by column position */
    json_t *cols = json_loads(db_get_text(&j, 0, "columns_json"), 0, NULL);
    json_t *map = json_loads(db_get_text(&j, 0, "mapping_json"), 0, NULL);
    size_t i;
    json_t *h;
    json_array_foreach(cols, i, h)
    {
        if (i >= IMP_MAX_COLS) break;
        const char *t = json_string_value(json_object_get(map, json_string_value(h)));
        const char *ctype = NULL;
        if (!t || !import_target_valid(c, &pa, t, &ctype)) continue;
        col_map *m = &p.cols[i];
        m->target = arena_strdup(&pa, t);
        m->t = import_target_find(t);
        if (!m->t) {
            m->custom_key = m->target + 7;
            m->custom_type = arena_strdup(&pa, ctype);
        }
    }
    p.header_cells = (int)json_array_size(cols);
    json_decref(cols);
    json_decref(map);
    f = import_load_file(c, &pa, job_id);
    imp_error err;
    imp_row row;
    if (!f) {
        fail = "the uploaded file is gone; upload it again";
        goto out;
    }
    if (imp_open(&rd, f, p.csv ? IMP_CSV : IMP_XLSX, db_get_text(&j, 0, "encoding"), &err) < 0 ||
        imp_next(rd, &row, &err) <= 0) { /* the header */
        fail = arena_printf(&pa, "the file cannot be read again: %s", err.msg);
        goto out;
    }
    for (int64_t k = 0; k < skip; k++)
        if (imp_next(rd, &row, &err) <= 0) {
            fail = "the file is shorter than the rows already imported";
            goto out;
        }
    int rows = 1;
    while (rows > 0) {
        if (atomic_load(&stopping)) { /* the server stops: another run resumes */
            rc = db_exec(c,
                         "UPDATE import_jobs SET state = 'queued', runner = NULL,"
                         " heartbeat_at = NULL WHERE id = ? AND runner = ?",
                         DBP(DBI(job_id), DBS(runner)));
            goto out;
        }
        arena ba;
        arena_init(&ba);
        p.a = &ba;
        /* the counters as committed, for a batch that rolls back */
        int64_t saved[6] = {p.done, p.created, p.updated, p.errors, p.dups, p.logged};
        int64_t first = 0, last = 0;
        rc = db_begin(c);
        int n = 0;
        while (rc >= 0 && n < IMPORT_BATCH && (rows = imp_next(rd, &row, &err)) > 0) {
            if (!first) first = row.row_no;
            last = row.row_no;
            rc = process_row(&p, &row);
            if (rc > 0) p.errors++;
            p.done++;
            n++;
        }
        if (rows < 0 && rc >= 0) fail = arena_printf(&pa, "the file cannot be read: %s", err.msg);
        if (rc >= 0 && !fail && (rc = save_progress(&p)) == 0) {
            /* another server took the job over (we were silent too long) */
            db_rollback(c);
            arena_free(&ba);
            tf_log("warn", "msg=import_taken_over job=%lld", (long long)job_id);
            goto out;
        }
        if (rc >= 0 && !fail) rc = db_commit(c);
        if (rc < 0 || fail) {
            const char *dberr = arena_strdup(&pa, db_errmsg(c));
            db_rollback(c);
            int64_t done = saved[0];
            p.done = saved[0];
            p.created = saved[1];
            p.updated = saved[2];
            p.errors = saved[3];
            p.dups = saved[4];
            p.logged = saved[5];
            if (!fail)
                fail = arena_printf(&pa,
                                    "the batch starting at row %lld was rolled back: row %lld"
                                    " failed (%s); nothing of that batch was saved, the %lld"
                                    " rows before it were; run the import again to go on from"
                                    " row %lld",
                                    (long long)first, (long long)last, dberr, (long long)done,
                                    (long long)first);
            arena_free(&ba);
            goto out;
        }
        arena_free(&ba);
    }
    /* the end */
    const char *msg =
        p.dry ? arena_printf(&pa,
                             "dry run: %lld of %lld rows can be imported, %lld have errors,"
                             " %lld look like duplicates",
                             (long long)(p.done - p.errors), (long long)p.done, (long long)p.errors,
                             (long long)p.dups)
              : arena_printf(&pa, "%lld created, %lld updated, %lld rows not imported",
                             (long long)p.created, (long long)p.updated, (long long)p.errors);
    if ((rc = db_begin(c)) >= 0) {
        rc = set_state(c, job_id, runner, p.dry ? "checked" : "done", msg);
        if (rc >= 0 && !p.dry) {
            json_t *after =
                json_pack("{s:I, s:I, s:I, s:s}", "created", (json_int_t)p.created, "updated",
                          (json_int_t)p.updated, "errors", (json_int_t)p.errors, "mode", mode);
            rc = audit_record(c, p.me.id, "import", job_id, "run", NULL, after);
            json_decref(after);
            if (rc >= 0)
                rc = db_exec(c, "DELETE FROM import_chunks WHERE job_id = ?", DBP(DBI(job_id)));
        }
        if (rc >= 0) rc = db_commit(c);
        if (rc < 0) db_rollback(c);
    }
out:
    if (fail || rc < 0) {
        if (!fail) fail = arena_printf(&pa, "the import stopped: %s", db_errmsg(c));
        tf_log("warn", "msg=import_failed job=%lld reason=\"%s\"", (long long)job_id, fail);
        set_state(c, job_id, runner, "failed", fail);
    }
    imp_close(rd);
    if (f) fclose(f);
    json_decref(p.dup_modes);
    for (int k = 0; k < 3; k++)
        seen_free(&p.seen[k]);
    arena_free(&pa);
    return fail ? -1 : 0;
}

/* The worker thread --------------------------------------------------------------- */

static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcv = PTHREAD_COND_INITIALIZER;
static pthread_t wthread;
static bool wstarted;
static int wkicks;
static char *wurl;
static char wrunner[96];

/* Claims the oldest job that waits (or whose runner went silent): its id,
 * or 0. */
static int64_t claim(db_conn *c)
{
    arena a;
    arena_init(&a);
    char now[TF_TS_LEN], stale[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(now, t);
    tf_ts(stale, t - IMPORT_STALE_S);
    db_res r;
    int64_t got = 0;
    int n = db_query(c, &a, &r,
                     "SELECT id FROM import_jobs WHERE state = 'queued' OR (state = 'running'"
                     " AND heartbeat_at < ?) ORDER BY id LIMIT 20",
                     DBP(DBS(stale)));
    for (int i = 0; i < n && !got; i++) {
        int64_t id = db_get_int(&r, i, "id");
        if (db_exec(c,
                    "UPDATE import_jobs SET state = 'running', runner = ?, heartbeat_at = ?,"
                    " updated_at = ? WHERE id = ? AND (state = 'queued' OR (state = 'running'"
                    " AND heartbeat_at < ?))",
                    DBP(DBS(wrunner), DBS(now), DBS(now), DBI(id), DBS(stale))) == 1)
            got = id;
    }
    arena_free(&a);
    return got;
}

static void *worker(void *arg)
{
    (void)arg;
    char err[256];
    db *d = db_open(wurl, 1, err, sizeof(err));
    db_conn *c = d ? db_acquire(d, err, sizeof(err)) : NULL;
    if (!c) tf_log("error", "msg=import_worker_no_db err=\"%s\"", err);
    pthread_mutex_lock(&wmu);
    while (!atomic_load(&stopping)) {
        wkicks = 0;
        pthread_mutex_unlock(&wmu);
        int64_t id;
        while (c && !atomic_load(&stopping) && (id = claim(c)) > 0)
            run_job(c, id, wrunner);
        pthread_mutex_lock(&wmu);
        while (!wkicks && !atomic_load(&stopping))
            pthread_cond_wait(&wcv, &wmu);
    }
    pthread_mutex_unlock(&wmu);
    if (c) db_release(c);
    db_close(d);
    return NULL;
}

/* At exit (after the server has stopped): the worker finishes its batch,
 * puts its job back in the queue, and ends. */
static void worker_stop(void)
{
    pthread_mutex_lock(&wmu);
    atomic_store(&stopping, true);
    pthread_cond_broadcast(&wcv);
    bool started = wstarted;
    pthread_mutex_unlock(&wmu);
    if (started) pthread_join(wthread, NULL);
    free(wurl);
    wurl = NULL;
}

void import_worker_kick(db *d)
{
    pthread_mutex_lock(&wmu);
    if (!wstarted && !atomic_load(&stopping)) {
        const char *t = db_target(d);
        size_t n = strlen(t) + 8;
        wurl = malloc(n);
        if (!wurl) abort();
        snprintf(wurl, n, "%s%s", db_engine_of(d) == DB_ENGINE_SQLITE ? "sqlite:" : "", t);
        char host[48] = "";
        gethostname(host, sizeof(host) - 1);
        snprintf(wrunner, sizeof(wrunner), "%.47s:%d:import", host, (int)getpid());
        if (pthread_create(&wthread, NULL, worker, NULL) == 0) {
            wstarted = true;
            atexit(worker_stop);
        } else {
            tf_log("error", "msg=import_worker_not_started err=%d", errno);
        }
    }
    wkicks++;
    pthread_cond_signal(&wcv);
    pthread_mutex_unlock(&wmu);
}

int import_housekeeping(db_conn *c, arena *a)
{
    char stale[TF_TS_LEN], week[TF_TS_LEN];
    time_t t = time(NULL);
    tf_ts(stale, t - IMPORT_STALE_S);
    tf_ts(week, t - 7 * 86400);
    int64_t waiting = 0;
    db_scalar_int(c, &waiting, 0,
                  "SELECT COUNT(*) FROM import_jobs WHERE state = 'queued' OR (state = 'running'"
                  " AND heartbeat_at < ?)",
                  DBP(DBS(stale)));
    if (waiting > 0 && c->owner) import_worker_kick(c->owner);
    /* files of jobs nobody ran for a week */
    db_res r;
    int n = db_query(c, a, &r,
                     "SELECT id FROM import_jobs WHERE state IN ('uploaded', 'mapped', 'checked',"
                     " 'failed') AND updated_at < ? ORDER BY id LIMIT 100",
                     DBP(DBS(week)));
    for (int i = 0; i < n; i++) {
        int64_t id = db_get_int(&r, i, "id");
        if (db_begin(c) < 0) break;
        int rc = db_exec(c, "DELETE FROM import_chunks WHERE job_id = ?", DBP(DBI(id)));
        if (rc >= 0)
            rc = db_exec(
                c,
                "UPDATE import_jobs SET state = 'failed', message = ? WHERE id = ?"
                " AND updated_at < ?",
                DBP(DBS("the file was deleted after a week without a run"), DBI(id), DBS(week)));
        if (rc >= 0) rc = db_commit(c);
        if (rc < 0) db_rollback(c);
    }
    return (int)waiting + (n > 0 ? n : 0);
}
