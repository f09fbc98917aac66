/* audit.c — the history of every record: one audit_log row per change,
 * written in the change's own transaction (the replies that end a change or
 * page through its history are http/record.c's). */
#include "core/audit.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

static bool secret_key(const char *k)
{
    return strcmp(k, "password") == 0 || strncmp(k, "token", 5) == 0 || strstr(k, "_hash");
}

/* o without secrets: the password itself, tokens and any *_hash (a copy,
 * or o itself with a reference when it has none). Markers such as
 * "password_changed" stay: the history should say so. */
static json_t *scrub(json_t *o)
{
    if (!o) return NULL;
    const char *k0;
    json_t *v0;
    bool any = false;
    json_object_foreach(o, k0, v0) any |= secret_key(k0);
    if (!any) return json_incref(o); /* nothing to take out: no copy */
    json_t *c = json_deep_copy(o);
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(c, tmp, k, v)
    {
        if (secret_key(k)) json_object_del(c, k);
    }
    return c;
}

int audit_record(db_conn *c, int64_t user_id, const char *entity, int64_t entity_id,
                 const char *action, json_t *before, json_t *after)
{
    char ts[TF_TS_LEN];
    tf_now(ts);
    json_t *b = scrub(before), *a = scrub(after);
    char *bs = b ? json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *as = a ? json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    int rc = db_exec(c,
                     "INSERT INTO audit_log(at, user_id, entity, entity_id, action, before_json, "
                     "after_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     DBP(DBS(ts), user_id ? DBI(user_id) : DBNULL, DBS(entity), DBI(entity_id),
                         DBS(action), DBS(bs), DBS(as)));
    free(bs);
    free(as);
    json_decref(b);
    json_decref(a);
    return rc < 0 ? rc : 0;
}

#define AUDIT_ROW "(?, ?, ?, ?, ?, ?, ?)"
#define AX4(s) s ", " s ", " s ", " s
#define AUDIT_SQL "INSERT INTO audit_log(at, user_id, entity, entity_id, action, before_json," \
                  " after_json) VALUES "

int audit_record_rows(db_conn *c, int64_t user_id, const char *entity, const audit_row *rows,
                      int n)
{
    /* one statement per chunk size, each a constant string prepared once */
    static const struct {
        int rows;
        const char *sql;
    } sizes[] = {{64, AUDIT_SQL AX4(AX4(AX4(AUDIT_ROW)))},
                 {16, AUDIT_SQL AX4(AX4(AUDIT_ROW))},
                 {4, AUDIT_SQL AX4(AUDIT_ROW)},
                 {1, AUDIT_SQL AUDIT_ROW}};
    char ts[TF_TS_LEN];
    tf_now(ts);
    db_val v[64 * 7];
    char *texts[64 * 2];
    int rc = 0;
    for (int done = 0; rc >= 0 && done < n;) {
        int k = 0;
        while (sizes[k].rows > n - done)
            k++;
        int m = sizes[k].rows;
        for (int i = 0; i < m; i++) {
            const audit_row *ar = &rows[done + i];
            json_t *b = scrub(ar->before), *a = scrub(ar->after);
            /* in the order of their keys (no sorting: many rows, and the order is the
             * record's own) */
            texts[2 * i] = b ? json_dumps(b, JSON_COMPACT) : NULL;
            texts[2 * i + 1] = a ? json_dumps(a, JSON_COMPACT) : NULL;
            json_decref(b);
            json_decref(a);
            const db_val row[7] = {
                DBS(ts),
                user_id ? DBI(user_id) : DBNULL,
                DBS(entity),
                DBI(ar->entity_id),
                DBS(ar->action),
                DBS(ar->before ? texts[2 * i] : ar->before_text),
                DBS(ar->after ? texts[2 * i + 1] : ar->after_text)};
            memcpy(v + 7 * i, row, sizeof(row));
        }
        rc = db_exec(c, sizes[k].sql, 7 * m, v);
        for (int i = 0; i < 2 * m; i++)
            free(texts[i]);
        done += m;
    }
    return rc < 0 ? rc : 0;
}
