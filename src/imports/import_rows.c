/* import_rows.c — one row of an import: its cells as customer fields
 * (dictionary names to ids, yes/no, dates, custom fields), the entry policy's
 * checks and duplicates (in the database, earlier in the file for a dry run,
 * in the batches not written yet for a run), and what the row does: a new
 * customer (added to the batch, written by import_batch_write) or an update
 * of the customer it names. Report lines wait in the batch too. The job
 * around the rows is import_run.c. */
#include "imports/import_pass.h"
#include "dicts/dicts.h"
#include "core/audit.h"
#include "core/i18n.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Sets of normalised values (duplicates in the file or in the batch) -------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int64_t import_seen_check(seen_set *s, const char *key, int64_t row)
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


/* The row key was added with, or 0; adds nothing. */
static int64_t seen_find(const seen_set *s, const char *key)
{
    if (!s->cap) return 0;
    size_t j = hash_str(key) & (s->cap - 1);
    while (s->keys[j]) {
        if (strcmp(s->keys[j], key) == 0) return s->rows[j];
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

/* Empties the set (keeping nothing: a batch's set is small). */
static void seen_reset(seen_set *s)
{
    seen_free(s);
    memset(s, 0, sizeof(*s));
}

const char *import_pass_name(const pass *p)
{
    return p->dry ? "dry_run" : "run";
}

int import_log_error(pass *p, int64_t row, const char *fld, const char *code, const char *msg)
{
    if (p->logged >= IMPORT_ERRORS_MAX) return 0;
    p->logged++;
    batch_out *bo = p->out;
    if (bo->nerrs == bo->errcap) {
        int ncap = bo->errcap ? bo->errcap * 2 : 16;
        imp_err *ne = arena_alloc_raw(p->a, sizeof(imp_err) * (size_t)ncap);
        if (bo->nerrs) memcpy(ne, bo->errs, sizeof(imp_err) * (size_t)bo->nerrs);
        bo->errs = ne;
        bo->errcap = ncap;
    }
    /* in the language of the user who runs the import (core/i18n.c) */
    tf_lang lang = i18n_lang(p->me.lang ? p->me.lang : p->me.locale);
    if (lang != LANG_EN) msg = i18n_text(p->a, lang, msg);
    /* copies: some are the check's JSON, gone after the row */
    bo->errs[bo->nerrs++] = (imp_err){row, arena_strdup(p->a, fld), arena_strdup(p->a, code),
                                      arena_strdup(p->a, msg)};
    return 0;
}

/* A field of customer_check ("level_id", "custom.x") as the target name. */
static const char *target_of_field(arena *a, const char *fld)
{
    size_t n = fld ? strlen(fld) : 0;
    if (n > 3 && strcmp(fld + n - 3, "_id") == 0) {
        char *t = arena_strndup(a, fld, n - 3);
        if (import_target_find(&import_customers, t)) return t;
    }
    return fld;
}

/* "KH-202611-00001 Name (owner), ..." naming up to three matches (a row of
 * the file not written yet: "row 12 of this file, Name (owner)"). */
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
        json_t *row = json_object_get(d, "row");
        const char *which =
            row ? arena_printf(a, "row %lld of this file,", (long long)json_integer_value(row))
                : json_string_value(json_object_get(d, "number"));
        s = arena_printf(a, "%s%s%s %s (%s)", s, k > 1 ? ", " : "", which,
                         json_string_value(json_object_get(d, "name")), owner ? owner : "pool");
    }
    return s;
}

/* Trims spaces (also full-width and no-break ones) in the batch arena, and
 * takes off the quote an export puts before = + - @. */
const char *import_clean(arena *a, const char *s)
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
            /* searched within this item only: searching the whole rest
             * made a cell of many items quadratic */
            for (int k = 0; k < 3; k++) {
                char *q = memmem(p, len, seps[k], strlen(seps[k]));
                if (q) len = (size_t)(q - p);
            }
            const char *item = import_clean(a, arena_strndup(a, p, len));
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
    json_t *custom = NULL, *contact = NULL;
    *key = NULL;
    for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS; i++) {
        col_map *m = &p->cols[i];
        if (!m->target) continue;
        const char *v = import_clean(p->a, i < row->ncells ? row->cells[i] : "");
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
            int64_t id = import_dict_lookup(p, m->t, v);
            if (id > 0) {
                json_object_set_new(f, m->t->field, json_integer(id));
            } else if (id == 0 && m->on_unknown != UNKNOWN_REFUSE) {
                import_tally(p, m, v); /* left empty, or (dry run) to be added */
            } else {
                if (id == 0) import_tally(p, m, v);
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
        case TG_CONTACT: {
            const char *pm = strcmp(m->t->field, "mobile") == 0 ? phone_problem(p->a, v) : NULL;
            if ((int64_t)tf_utf8_len(v) > m->t->max) {
                code = "too_long";
                msg = arena_printf(p->a, "is longer than %d characters", m->t->max);
            } else if (pm) {
                msg = pm;
            } else if (strcmp(m->t->field, "email") == 0 && (!strchr(v, '@') || *v == '@')) {
                msg = "must be an e-mail address";
            } else {
                if (!contact) {
                    contact = json_object();
                    json_object_set_new(f, "contact", contact);
                }
                json_object_set_new(contact, m->t->field, json_string(v));
            }
            break;
        }
        }
        if (msg) {
            nerr++;
            if ((rc = import_log_error(p, row->row_no, m->target, code, msg)) < 0) return rc;
        }
    }
    if (contact && !json_object_get(contact, "name")) { /* a contact has a name */
        nerr++;
        if ((rc = import_log_error(p, row->row_no, "contact_name", "required",
                            "is required when the row has other contact cells")) < 0)
            return rc;
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
        if ((rc = import_log_error(p, row, target_of_field(p->a, fld), code ? code : "invalid",
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
        int64_t first = import_seen_check(&p->seen[k], norm, row->row_no);
        if (!first) continue;
        const char *msg =
            arena_printf(p->a, "row %lld of this file has the same %s", (long long)first, keys[k]);
        if (strcmp(mode, "forbid") == 0) {
            nerr++;
            if ((rc = import_log_error(p, row->row_no, keys[k], "duplicate", msg)) < 0) return rc;
        } else {
            *warn = true;
            if ((rc = import_log_error(p, row->row_no, keys[k], "duplicate_warning", msg)) < 0)
                return rc;
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
        *rc = import_log_error(p, row->row_no, fld, "required",
                               "is empty: the row names no customer");
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
        *rc = import_log_error(p, row->row_no, fld, "ambiguous",
                        "several customers have this phone; update them by number");
        return 0;
    }
    if (!id)
        *rc = import_log_error(p, row->row_no, fld, "not_found",
                        arena_printf(p->a, "no customer with this %s that you may edit", fld));
    return id;
}

/* A run in create mode: duplicates among the rows of the batches not
 * written yet, this one's and the one the writer has (customer_check saw
 * the database only). Adds them to dups and errs as customer_check would;
 * returns the new check result. */
static int pending_dups(pass *p, json_t *f, int chk, json_t *errs, json_t *dups)
{
    static const char *const keys[] = {"name", "phone", "wechat"};
    for (int k = 0; k < 3; k++) {
        const char *v = json_string_value(json_object_get(f, keys[k]));
        const char *mode = json_string_value(json_object_get(p->dup_modes, keys[k]));
        if (!v || !mode || strcmp(mode, "off") == 0) continue;
        const char *norm = k == 1 ? ts_phone(p->a, v) : ts_normalize(p->a, v);
        const pending *in = NULL;
        int64_t at = 0;
        for (int w = 0; w < 2 && !at && norm && *norm; w++) {
            in = &p->pend[w ? !p->cur : p->cur];
            at = seen_find(&in->keys[k], norm);
        }
        if (!at) continue;
        json_array_append_new(dups, json_pack("{s:n, s:I, s:s, s:o, s:s}", "id", "row",
                                              (json_int_t)in->row[at - 1], "name",
                                              in->name[at - 1], "owner_name",
                                              p->owner_name ? json_string(p->owner_name)
                                                            : json_null(),
                                              "matched", keys[k]));
        if (strcmp(mode, "forbid") == 0) {
            json_array_append_new(errs, field_error(keys[k], "duplicate",
                                                    "another customer already has it"));
            chk = -1;
        } else if (chk == 0) {
            chk = 1;
        }
    }
    return chk;
}

/* Adds a checked row to the batch's new customers (written by
 * import_batch_write) and remembers its keys for pending_dups. */
static int add_new(pass *p, const imp_row *row, json_t *f)
{
    customer_input in = {.fields = f,
                         .owner_id = p->owner_id,
                         .entry_method = "import",
                         .confirm_duplicates = p->confirm_dups};
    pending *pd = &p->pend[p->cur];
    int at = customer_batch_size(&pd->cb) + 1;
    if (at > IMPORT_BATCH) return DB_ERR;
    int rc = customer_batch_add(&pd->cb, p->a, &in);
    if (rc < 0) return rc;
    const char *name = json_string_value(json_object_get(f, "name"));
    pd->row[at - 1] = row->row_no;
    pd->name[at - 1] = arena_strdup(p->a, name ? name : "");
    static const char *const keys[] = {"name", "phone", "wechat"};
    for (int k = 0; k < 3; k++) {
        const char *v = json_string_value(json_object_get(f, keys[k]));
        const char *norm = !v ? NULL : k == 1 ? ts_phone(p->a, v) : ts_normalize(p->a, v);
        if (norm && *norm) import_seen_check(&pd->keys[k], norm, at);
    }
    return 0;
}

int import_ragged(pass *p, const imp_row *row)
{
    int rc;
    if (row->ncells > p->header_cells || (p->csv && row->ncells < p->header_cells)) {
        bool extra = false;
        for (int i = p->header_cells; i < row->ncells; i++)
            extra |= row->cells[i][0] != 0;
        if (extra || row->ncells < p->header_cells) {
            const char *msg = arena_printf(p->a, "has %d cells but the header has %d", row->ncells,
                                           p->header_cells);
            return (rc = import_log_error(p, row->row_no, NULL, "ragged", msg)) < 0 ? rc : 1;
        }
    }
    return 0;
}

/* One row: 0 imported (dry run: would be), 1 rejected, < 0 database error. */
int import_row(pass *p, const imp_row *row)
{
    int rc = import_ragged(p, row);
    if (rc) return rc;
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
    int chk = customer_check_with(p->c, p->a, p->policy, true,
                                  p->mode == MODE_CREATE ? &p->known : NULL, f, id,
                                  p->mode == MODE_CREATE, errs, &dups);
    if (!p->dry && p->mode == MODE_CREATE) chk = pending_dups(p, f, chk, errs, dups);
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
        if ((rc = import_log_error(p, row->row_no, NULL, "duplicate_warning", msg)) < 0) goto done;
    }
    if (warn) p->n.dups++;
    if (warn && !p->dry && !p->confirm_dups) {
        rc = 1; /* not confirmed: reported, not imported */
        goto done;
    }
    rc = 0;
    if (p->dry) goto done;
    if (p->mode == MODE_CREATE) {
        rc = add_new(p, row, f);
        if (rc >= 0) p->n.created++;
    } else {
        rc = update_customer(p, id, f);
        if (rc >= 0) p->n.updated++;
    }
    rc = rc < 0 ? rc : 0;
done:
    json_decref(f);
    json_decref(errs);
    json_decref(dups);
    return rc;
}

/* The batch and the pass ------------------------------------------------------- */

int import_batch_load(pass *p, const imp_row *rows, int n)
{
    static const char *const keys[] = {"name", "phone", "wechat"};
    memset(&p->known, 0, sizeof(p->known));
    if (p->mode != MODE_CREATE || n <= 0) return 0;
    const char **norms[4] = {NULL, NULL, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        const char *mode = json_string_value(json_object_get(p->dup_modes, keys[k]));
        int col = -1;
        for (int i = 0; i < p->header_cells && i < IMP_MAX_COLS && col < 0; i++)
            if (p->cols[i].t && strcmp(p->cols[i].t->name, keys[k]) == 0) col = i;
        if (col < 0 || !mode || strcmp(mode, "off") == 0) continue;
        norms[k] = arena_alloc(p->a, sizeof(char *) * (size_t)n);
        /* the value as row_fields and customer_check will see it */
        for (int i = 0; i < n; i++) {
            const char *v = col < rows[i].ncells ? import_clean(p->a, rows[i].cells[col]) : "";
            norms[k][i] = !*v ? NULL : k == 1 ? ts_phone(p->a, v) : ts_normalize(p->a, v);
        }
        if (k == 0) { /* and the names' cores, for the near duplicates */
            norms[3] = arena_alloc(p->a, sizeof(char *) * (size_t)n);
            for (int i = 0; i < n; i++) {
                const char *v = col < rows[i].ncells ? import_clean(p->a, rows[i].cells[col]) : "";
                norms[3][i] = *v ? name_core(p->a, v, NULL, NULL) : NULL;
            }
        }
    }
    return customer_dups_load(&p->known, p->c, p->a, (const char *const **)norms, n);
}

int import_pass_begin(pass *p)
{
    p->policy = settings_get(p->c, "customer_entry_policy");
    p->dup_modes = json_object_get(p->policy, "duplicates");
    if (p->dry || p->mode != MODE_CREATE) return 0;
    p->reason = arena_printf(p->pa, "import #%lld", (long long)p->job_id);
    db_res r;
    if (p->owner_id &&
        db_query(p->c, p->pa, &r, "SELECT name FROM users WHERE id = ?", DBP(DBI(p->owner_id))) > 0)
        p->owner_name = db_get_text(&r, 0, "name");
    p->pend = calloc(2, sizeof(pending));
    if (!p->pend) abort();
    int rc = 0;
    for (int w = 0; w < 2 && rc >= 0; w++) {
        arena_init(&p->pend[w].ca);
        rc = customer_batch_init(&p->pend[w].cb, p->c, &p->pend[w].ca, p->me.id, p->reason);
    }
    return rc;
}

void import_batch_written(db_conn *w, const batch_out *bo)
{
    int64_t was = bo->before.created / 256, now = bo->after.created / 256;
    for (int64_t q = 4; q <= now; q *= 4)
        if (was < q) {
            db_analyze(w, "customers"); /* a hint: a failure undoes nothing written */
            return;
        }
}

int import_batch_write(const pass *p, db_conn *w, batch_out *bo)
{
    int rc = 0;
    for (int i = 0; i < bo->nerrs && rc >= 0; i++) {
        const imp_err *e = &bo->errs[i];
        rc = db_exec(w,
                     "INSERT INTO import_errors(job_id, pass, row_no, field, code, message)"
                     " VALUES (?, ?, ?, ?, ?, ?)",
                     DBP(DBI(p->job_id), DBS(import_pass_name(p)), DBI(e->row), DBS(e->field),
                         DBS(e->code), DBS(e->msg)));
    }
    if (rc >= 0 && bo->cb && customer_batch_size(bo->cb) > 0) {
        bo->cb->w = w;
        rc = customer_batch_flush(bo->cb, &bo->a, NULL);
    }
    return rc < 0 ? rc : 0;
}

void import_pending_reset(pass *p, int which)
{
    if (!p->pend) return;
    pending *pd = &p->pend[which];
    customer_batch_drop(&pd->cb);
    for (int k = 0; k < 3; k++)
        seen_reset(&pd->keys[k]);
}

void import_pass_free(pass *p)
{
    json_decref(p->policy);
    p->policy = p->dup_modes = NULL;
    for (int w = 0; p->pend && w < 2; w++) {
        customer_batch_free(&p->pend[w].cb);
        for (int k = 0; k < 3; k++)
            seen_free(&p->pend[w].keys[k]);
        arena_free(&p->pend[w].ca);
    }
    free(p->pend);
    p->pend = NULL;
    for (int k = 0; k < 3; k++)
        seen_free(&p->seen[k]);
}
