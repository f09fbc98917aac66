/* customers.c — the customers resource: quick search and filtered lists,
 * detail, entry (with the entry policy: required fields and duplicate
 * checks on normalised name / phone / WeChat), update with optimistic
 * versions, protection, duplicates lookup and history. Visibility comes from
 * policy_customer_filter / policy_customer_access only. */
#include "customers.h"
#include "dicts.h"
#include "../core/audit.h"
#include "../core/numbering.h"
#include "../core/settings.h"
#include "../core/textsearch.h"
#include "../core/util.h"
#include "../db/sqlq.h"
#include <stdlib.h>
#include <string.h>

#define CUSTOMER_COLS                                                                              \
    "SELECT c.id, c.number, c.name, c.phone, c.telephone, c.address, c.wechat, c.email,"          \
    " c.qualification_id, dq.name AS qualification_name, c.region_id, dr.name AS region_name,"    \
    " c.industry_id, di.name AS industry_name, c.source_id, ds.name AS source_name,"              \
    " c.level_id, dl.name AS level_name, c.followup_method_id, c.owner_id, u.name AS owner_name," \
    " c.protected, c.signed, c.entry_method, c.notes, c.custom_json, c.last_followup_at,"         \
    " c.last_deal_at, c.owned_since, c.created_at, c.updated_at, c.version"
#define CUSTOMER_JOINS                                                                             \
    " LEFT JOIN users u ON u.id = c.owner_id"                                                      \
    " LEFT JOIN dict_items dq ON dq.id = c.qualification_id"                                       \
    " LEFT JOIN dict_items dr ON dr.id = c.region_id"                                              \
    " LEFT JOIN dict_items di ON di.id = c.industry_id"                                            \
    " LEFT JOIN dict_items ds ON ds.id = c.source_id"                                              \
    " LEFT JOIN dict_items dl ON dl.id = c.level_id"
#define CUSTOMER_SELECT CUSTOMER_COLS " FROM customers c" CUSTOMER_JOINS

/* Dictionary-backed fields and their kinds. */
static const struct {
    const char *field, *kind;
} refs[] = {{"qualification_id", "qualification"}, {"region_id", "region"},
            {"industry_id", "industry"},           {"source_id", "source"},
            {"level_id", "level"},                 {"followup_method_id", "followup_method"}};
enum { NREFS = sizeof(refs) / sizeof(refs[0]) };

/* The fields a customer body may carry (create adds owner_id / protected). */
#define CUSTOMER_FIELDS                                                                            \
    {"name", F_STR, 0, 200, 1}, {"phone", F_STR, F_NULL, 40, 0},                                   \
        {"telephone", F_STR, F_NULL, 40, 0}, {"address", F_STR, F_NULL, 300, 0},                   \
        {"wechat", F_STR, F_NULL, 64, 0}, {"email", F_STR, F_NULL, 200, 0},                        \
        {"qualification_id", F_INT, F_NULL, 0, 1}, {"region_id", F_INT, F_NULL, 0, 1},             \
        {"industry_id", F_INT, F_NULL, 0, 1}, {"source_id", F_INT, F_NULL, 0, 1},                  \
        {"level_id", F_INT, F_NULL, 0, 1}, {"followup_method_id", F_INT, F_NULL, 0, 1},            \
        {"notes", F_STR, F_NULL, 5000, 0}, {"custom", F_OBJ, 0, 0, 0},                             \
        {"signed", F_BOOL, 0, 0, 0}, {"confirm_duplicates", F_BOOL, 0, 0, 0}

json_t *customer_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res, CUSTOMER_SELECT " WHERE c.id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

/* The searchable columns of a customer, in the order of its search text. */
static const char *const search_cols[] = {"name",   "number",  "phone", "telephone",
                                          "wechat", "address", "email", "industry_name"};
enum { NSEARCH = sizeof(search_cols) / sizeof(search_cols[0]) };

int customer_reindex(db_conn *c, arena *a, int64_t id)
{
    db_res r, k;
    int rc = db_query(c, a, &r,
                      "SELECT c.number, c.name, c.phone, c.telephone, c.address, c.wechat, c.email,"
                      " di.name AS industry_name, c.custom_json FROM customers c"
                      " LEFT JOIN dict_items di ON di.id = c.industry_id WHERE c.id = ?",
                      DBP(DBI(id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    ts_doc doc;
    ts_doc_init(&doc, a);
    for (int i = 0; i < NSEARCH; i++)
        ts_doc_add(&doc, db_get_text(&r, 0, search_cols[i]));
    rc = db_query(c, a, &k,
                  "SELECT name, phone, mobile, wechat FROM contacts WHERE customer_id = ?"
                  " ORDER BY id LIMIT 50",
                  DBP(DBI(id)));
    for (int i = 0; rc > 0 && i < k.nrows; i++) {
        ts_doc_add(&doc, db_get_text(&k, i, "name"));
        ts_doc_add(&doc, db_get_text(&k, i, "phone"));
        ts_doc_add(&doc, db_get_text(&k, i, "mobile"));
        ts_doc_add(&doc, db_get_text(&k, i, "wechat"));
    }
    json_t *custom = json_loads(db_get_text(&r, 0, "custom_json"), 0, NULL);
    custom_add_search(c, a, "customer", custom, &doc);
    json_decref(custom);
    /* unchanged text is not written again: the FTS triggers would rewrite the row */
    rc = db_exec(c,
                 "UPDATE customers SET search_text = ?, search_grams = ? WHERE id = ?"
                 " AND (search_text <> ? OR search_grams <> ?)",
                 DBP(DBS(doc.text), DBS(doc.grams), DBI(id), DBS(doc.text), DBS(doc.grams)));
    return rc < 0 ? rc : 0;
}

int customer_move(db_conn *c, int64_t customer_id, int64_t from_owner, int64_t to_owner,
                  const char *kind, const char *reason, int64_t actor_id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "INSERT INTO customer_moves(customer_id, from_owner_id, to_owner_id, kind,"
                     " reason, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     DBP(DBI(customer_id), from_owner ? DBI(from_owner) : DBNULL,
                         to_owner ? DBI(to_owner) : DBNULL, DBS(kind), DBS(reason ? reason : ""),
                         actor_id ? DBI(actor_id) : DBNULL, DBS(now)));
    if (rc < 0) return rc;
    json_t *before = json_pack("{s:o}", "owner_id", from_owner ? json_integer(from_owner) : json_null());
    json_t *after = json_pack("{s:o, s:s}", "owner_id", to_owner ? json_integer(to_owner) : json_null(),
                              "reason", reason ? reason : "");
    rc = audit_record(c, actor_id, "customer", customer_id, kind, before, after);
    json_decref(before);
    json_decref(after);
    return rc;
}

static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
}

/* Looks for other customers with the same normalised value; appends to dups. */
static void find_dups(db_conn *c, arena *a, const char *col_sql, const char *value,
                      const char *matched, int64_t exclude_id, json_t *dups)
{
    db_res r;
    if (!value || !*value) return;
    sqlq q;
    sqlq_init(&q, a,
              "SELECT c.id, c.number, c.name, u.name AS owner_name FROM customers c"
              " LEFT JOIN users u ON u.id = c.owner_id WHERE ");
    sqlq_add(&q, col_sql, 1, (db_val[]){DBS(value)});
    sqlq_add(&q, " AND c.id <> ? ORDER BY c.id LIMIT 5", 1, (db_val[]){DBI(exclude_id)});
    if (sqlq_run(c, &q, &r) <= 0) return;
    for (int i = 0; i < r.nrows; i++) {
        json_t *o = db_row_json(&r, i);
        json_object_set_new(o, "matched", json_string(matched));
        json_array_append_new(dups, o);
    }
}

/* n copies of a constant fragment, comma separated: the statements below
 * are string literals, one per chunk size, so each is prepared once. */
#define X4(s) s ", " s ", " s ", " s
#define X16(s) X4(X4(s))
#define X64(s) X4(X16(s))
/* (64 rows measured faster than 256 on SQLite) */
#define CHUNK_SQL(head, row, tail)                                                                 \
    {{64, head X64(row) tail}, {16, head X16(row) tail}, {4, head X4(row) tail}, {1, head row tail}}

typedef struct chunk_sql {
    int rows;
    const char *sql;
} chunk_sql;

/* The largest chunk size that fits in `left` rows. */
static const chunk_sql *chunk_for(const chunk_sql sizes[4], int left)
{
    int k = 0;
    while (sizes[k].rows > left)
        k++;
    return &sizes[k];
}

/* Duplicates of many values looked up at once ------------------------------------ */

/* A customer a loaded value matched. */
typedef struct dup_match {
    int64_t id;
    const char *number, *name, *owner_name;
} dup_match;

/* A loaded value and its matches (at most DUP_KEEP, lowest ids first). */
enum { DUP_KEEP = 6 }; /* find_dups shows 5; one more in case one is exclude_id */
struct customer_dup_slot {
    const char *key;
    int n;
    dup_match m[DUP_KEEP];
};

#define DUP_HEAD(col)                                                                              \
    "SELECT c.id, c.number, c.name, c." col " AS k, u.name AS owner_name FROM customers c"         \
    " LEFT JOIN users u ON u.id = c.owner_id WHERE c." col " IN ("
static const chunk_sql dup_sql[3][4] = {CHUNK_SQL(DUP_HEAD("name_norm"), "?", ")"),
                                        CHUNK_SQL(DUP_HEAD("phone_norm"), "?", ")"),
                                        CHUNK_SQL(DUP_HEAD("wechat_norm"), "?", ")")};

static uint64_t dup_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot of key in kind k: found, or the empty one where it belongs. */
static struct customer_dup_slot *dup_slot(const customer_dups *d, int k, const char *key)
{
    size_t mask = d->cap[k] - 1, j = dup_hash(key) & mask;
    while (d->slot[k][j].key && strcmp(d->slot[k][j].key, key) != 0)
        j = (j + 1) & mask;
    return &d->slot[k][j];
}

int customer_dups_load(customer_dups *d, db_conn *c, arena *a, const char *const *norms[3], int n)
{
    memset(d, 0, sizeof(*d));
    for (int k = 0; k < 3; k++) {
        if (!norms[k]) continue;
        size_t cap = 16;
        while (cap < (size_t)n * 2)
            cap *= 2;
        d->cap[k] = cap;
        d->slot[k] = arena_alloc(a, sizeof(struct customer_dup_slot) * cap);
        memset(d->slot[k], 0, sizeof(struct customer_dup_slot) * cap);
        /* the distinct values, then their customers with one query per 64 */
        db_val *v = arena_alloc(a, sizeof(db_val) * (size_t)(n ? n : 1));
        int nv = 0;
        for (int i = 0; i < n; i++) {
            const char *key = norms[k][i];
            if (!key || !*key) continue;
            struct customer_dup_slot *s = dup_slot(d, k, key);
            if (s->key) continue;
            s->key = key;
            v[nv++] = DBS(key);
        }
        for (int done = 0; done < nv;) {
            const chunk_sql *cs = chunk_for(dup_sql[k], nv - done);
            db_res r;
            int rc = db_query(c, a, &r, cs->sql, cs->rows, v + done);
            if (rc < 0) return rc;
            for (int i = 0; i < r.nrows; i++) {
                const char *key = db_get_text(&r, i, "k");
                struct customer_dup_slot *s = key ? dup_slot(d, k, key) : NULL;
                if (!s || !s->key) continue;
                dup_match m = {db_get_int(&r, i, "id"), db_get_text(&r, i, "number"),
                               db_get_text(&r, i, "name"), db_get_text(&r, i, "owner_name")};
                /* keep the lowest ids, in order, as find_dups' ORDER BY c.id does */
                int at = s->n;
                while (at > 0 && s->m[at - 1].id > m.id)
                    at--;
                if (at >= DUP_KEEP) continue;
                int last = s->n < DUP_KEEP ? s->n : DUP_KEEP - 1;
                memmove(&s->m[at + 1], &s->m[at], sizeof(dup_match) * (size_t)(last - at));
                s->m[at] = m;
                if (s->n < DUP_KEEP) s->n++;
            }
            done += cs->rows;
        }
    }
    return 0;
}

/* find_dups from loaded values: false if the value was not loaded. */
static bool dups_loaded(const customer_dups *d, int k, const char *value, const char *matched,
                        int64_t exclude_id, json_t *dups)
{
    if (!d || !d->cap[k]) return false;
    if (!value || !*value) return true;
    const struct customer_dup_slot *s = dup_slot(d, k, value);
    if (!s->key) return false;
    for (int i = 0, shown = 0; i < s->n && shown < 5; i++) {
        if (s->m[i].id == exclude_id) continue;
        shown++;
        json_array_append_new(dups, json_pack("{s:I, s:s?, s:s?, s:s?, s:s}", "id",
                                              (json_int_t)s->m[i].id, "number", s->m[i].number,
                                              "name", s->m[i].name, "owner_name",
                                              s->m[i].owner_name, "matched", matched));
    }
    return true;
}

int customer_check(db_conn *c, arena *a, json_t *fields, int64_t exclude_id, bool creating,
                   json_t *errs, json_t **dups)
{
    json_t *policy = settings_get(c, "customer_entry_policy");
    int rc =
        customer_check_with(c, a, policy, false, NULL, fields, exclude_id, creating, errs, dups);
    json_decref(policy);
    return rc;
}

int customer_check_with(db_conn *c, arena *a, json_t *policy, bool refs_known,
                        const customer_dups *known, json_t *fields, int64_t exclude_id,
                        bool creating, json_t *errs, json_t **dups)
{
    json_t *current = exclude_id && !refs_known ? customer_json(c, a, exclude_id) : NULL;
    size_t before = json_array_size(errs);
    int warn = 0;
    /* required fields */
    if (creating && blank(json_object_get(fields, "name")))
        json_array_append_new(errs, field_error("name", "required", "is required"));
    size_t i;
    json_t *rq;
    json_array_foreach(json_object_get(policy, "required"), i, rq)
    {
        const char *f = json_string_value(rq);
        json_t *v = json_object_get(fields, f);
        if ((creating && blank(v)) || (!creating && v && blank(v)))
            json_array_append_new(errs, field_error(f, "required", "is required by the entry policy"));
    }
    /* dictionary references: new choices must be active items */
    for (int k = 0; k < NREFS && !refs_known; k++) {
        json_t *v = json_object_get(fields, refs[k].field);
        if (!json_is_integer(v)) continue;
        int64_t id = json_integer_value(v);
        bool unchanged = current && json_integer_value(json_object_get(current, refs[k].field)) == id;
        if (!dict_ref_ok(c, refs[k].kind, id, unchanged))
            json_array_append_new(errs, field_error(refs[k].field, "not_found",
                                                    "is not an active item of the dictionary"));
    }
    const char *email = json_string_value(json_object_get(fields, "email"));
    if (email && *email && (!strchr(email, '@') || strchr(email, '@') == email))
        json_array_append_new(errs, field_error("email", "invalid", "must be an e-mail address"));
    const char *phone = json_string_value(json_object_get(fields, "phone"));
    if (phone && *phone && !ts_phone(a, phone))
        json_array_append_new(errs, field_error("phone", "invalid", "must contain digits"));
    json_t *custom = json_object_get(fields, "custom");
    if (custom) custom_validate(c, a, "customer", custom, creating, errs);
    /* duplicates on normalised values, each by its own policy */
    *dups = json_array();
    static const struct {
        const char *field, *col, *mode_key;
    } dchecks[] = {{"name", "c.name_norm = ?", "name"},
                   {"phone", "c.phone_norm = ?", "phone"},
                   {"wechat", "c.wechat_norm = ?", "wechat"}};
    for (int k = 0; k < 3; k++) {
        json_t *v = json_object_get(fields, dchecks[k].field);
        const char *mode = json_string_value(
            json_object_get(json_object_get(policy, "duplicates"), dchecks[k].mode_key));
        if (!json_is_string(v) || !mode || strcmp(mode, "off") == 0) continue;
        const char *norm = k == 1 ? ts_phone(a, json_string_value(v))
                                  : ts_normalize(a, json_string_value(v));
        size_t n0 = json_array_size(*dups);
        if (!dups_loaded(known, k, norm, dchecks[k].field, exclude_id, *dups))
            find_dups(c, a, dchecks[k].col, norm, dchecks[k].field, exclude_id, *dups);
        if (json_array_size(*dups) == n0) continue;
        if (strcmp(mode, "forbid") == 0)
            json_array_append_new(errs, field_error(dchecks[k].field, "duplicate",
                                                    "another customer already has it"));
        else warn = 1;
    }
    json_decref(current);
    if (json_array_size(errs) > before) return -1;
    return warn;
}

static const char *str_or_null(json_t *fields, const char *k)
{
    const char *s = json_string_value(json_object_get(fields, k));
    return s && *s ? s : NULL;
}

static db_val ref_val(json_t *fields, const char *k)
{
    json_t *v = json_object_get(fields, k);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}

/* Creating customers (one, or a batch) --------------------------------------- */

/* A customer computed by customer_batch_add, waiting for the flush. */
struct customer_new {
    db_val v[28]; /* the INSERT's values, in NEW_COLS order */
    const char *number, *reason;
    int64_t owner_id, id;
};

#define NEW_COLS                                                                                   \
    "INSERT INTO customers(number, name, phone, telephone, address, wechat, email,"               \
    " qualification_id, region_id, industry_id, source_id, level_id, followup_method_id,"         \
    " owner_id, protected, signed, entry_method, notes, custom_json, name_norm, phone_norm,"      \
    " wechat_norm, search_text, search_grams, owned_since, created_by, created_at, updated_at)"   \
    " VALUES "
#define NEW_ROW                                                                                    \
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define MOVE_ROW "(?, ?, ?, ?, ?, ?, ?)"
static const chunk_sql new_sql[4] = CHUNK_SQL(NEW_COLS, NEW_ROW, " RETURNING id, number");
static const chunk_sql reread_sql[4] = CHUNK_SQL(CUSTOMER_SELECT " WHERE c.id IN (", "?", ")");
static const chunk_sql move_sql[4] =
    CHUNK_SQL("INSERT INTO customer_moves(customer_id, from_owner_id, to_owner_id, kind, reason,"
              " actor_id, at) VALUES ",
              MOVE_ROW, "");

static int after_col(const char *col);

int customer_batch_init(customer_batch *b, db_conn *c, arena *pa, int64_t actor_id,
                        const char *reason)
{
    memset(b, 0, sizeof(*b));
    b->c = c;
    b->pa = pa;
    b->actor_id = actor_id;
    b->reason = reason;
    json_t *num = settings_get(c, "customer_number");
    const char *pattern = json_string_value(json_object_get(num, "pattern"));
    b->pattern = arena_strdup(pa, pattern ? pattern : "");
    json_decref(num);
    /* the columns of customer_json, to show new rows alike without reading them back */
    int rc = db_query(c, pa, &b->cols, CUSTOMER_SELECT " WHERE c.id = 0", DBP0);
    if (rc < 0) return rc;
    if (b->cols.ncols > 64) b->cols.ncols = 0; /* more than we map: read rows back */
    for (int i = 0; i < b->cols.ncols; i++) /* looked up once, not per row and column */
        if ((b->col_after[i] = (signed char)after_col(b->cols.cols[i])) < 0)
            b->cols.ncols = 0; /* unknown: read rows back */
    return 0;
}

int customer_batch_size(const customer_batch *b)
{
    return b->n;
}

void customer_batch_free(customer_batch *b)
{
    free(b->rows);
    b->rows = NULL;
    b->n = b->cap = 0;
}

/* Reserves the next block of customer numbers (b->block of them, at least
 * one) and finds those of them someone entered by hand already: with one
 * range query when the block's first and last numbers have the same length
 * (then the text order is the number order), else one query per number. */
static int reserve_numbers(customer_batch *b)
{
    b->seq_t = time(NULL);
    int64_t n = b->block > 0 ? b->block : 1, first = 0;
    int rc = numbering_reserve(b->c, "customer", b->pattern, b->seq_t, n, &first);
    if (rc < 0) return rc;
    b->seq_next = first;
    b->seq_last = first + n - 1;
    b->ntaken = 0;
    b->check_each = false;
    if (n == 1) {
        b->check_each = true;
        return 0;
    }
    const char *lo = numbering_format(b->pa, b->pattern, b->seq_t, first);
    const char *hi = numbering_format(b->pa, b->pattern, b->seq_t, b->seq_last);
    if (!lo || !hi) return DB_ERR;
    db_res r;
    b->check_each = strlen(lo) != strlen(hi);
    if (b->check_each) return 0;
    rc = db_query(b->c, b->pa, &r,
                  "SELECT number FROM customers WHERE number >= ? AND number <= ? LIMIT 65",
                  DBP(DBS(lo), DBS(hi)));
    if (rc < 0) return rc;
    if (rc > 64) { /* numbers entered by hand in that range: ask about each */
        b->check_each = true;
        return 0;
    }
    for (int i = 0; i < rc; i++)
        b->taken[b->ntaken++] = db_get_text(&r, i, "number");
    return 0;
}

/* Gives back the numbers reserved but not used (inside the transaction that
 * reserved them), so numbers stay without gaps. */
static int release_numbers(customer_batch *b)
{
    int rc = 0;
    if (b->seq_next && b->seq_next <= b->seq_last)
        rc = numbering_release(b->c, "customer", b->pattern, b->seq_t, b->seq_next, b->seq_last);
    b->seq_next = b->seq_last = 0;
    b->ntaken = 0;
    return rc;
}

void customer_batch_drop(customer_batch *b)
{
    b->n = 0;
    b->seq_next = b->seq_last = 0;
    b->ntaken = 0;
}

/* The industry's name for the search text (a few per batch, remembered). */
static const char *industry_name(customer_batch *b, int64_t id)
{
    int slot = (int)(id & 7);
    if (b->ind_id[slot] == id) return b->ind_name[slot];
    db_res r;
    if (db_query(b->c, b->pa, &r, "SELECT name FROM dict_items WHERE id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    b->ind_id[slot] = id;
    b->ind_name[slot] = db_get_text(&r, 0, "name");
    return b->ind_name[slot];
}

int customer_batch_add(customer_batch *b, arena *a, const customer_input *in, const char **number)
{
    db_conn *c = b->c;
    json_t *f = in->fields;
    int rc = 0;
    if ((!b->seq_next || b->seq_next > b->seq_last) && (rc = reserve_numbers(b)) < 0) return rc;
    char *num = numbering_format(a, b->pattern, b->seq_t, b->seq_next);
    if (!num) {
        snprintf(c->err, sizeof(c->err), "invalid number pattern %s", b->pattern);
        return DB_ERR;
    }
    /* a pattern can hand out a number someone entered by hand: say which row */
    int64_t taken = 0;
    for (int i = 0; i < b->ntaken && !taken; i++)
        taken = strcmp(b->taken[i], num) == 0;
    if (b->check_each &&
        (rc = db_scalar_int(c, &taken, 0, "SELECT COUNT(*) FROM customers WHERE number = ?",
                            DBP(DBS(num)))) < 0)
        return rc;
    if (taken) {
        snprintf(c->err, sizeof(c->err), "the customer number %s is taken already", num);
        return DB_EUNIQUE;
    }
    b->seq_next++;
    if (b->n == b->cap) {
        int ncap = b->cap ? b->cap * 2 : 64;
        struct customer_new *nr = realloc(b->rows, sizeof(*nr) * (size_t)ncap);
        if (!nr) abort();
        b->rows = nr;
        b->cap = ncap;
    }
    char *now = arena_alloc(a, TF_TS_LEN);
    tf_now(now);
    json_t *custom = json_object_get(f, "custom");
    char *cja = "{}";
    if (json_is_object(custom)) {
        char *cj = json_dumps(custom, JSON_COMPACT | JSON_SORT_KEYS);
        cja = arena_strdup(a, cj);
        free(cj);
    }
    /* copies: the fields may be gone by the flush */
#define COPY(s) ((s) ? arena_strdup(a, (s)) : NULL)
    const char *name = COPY(json_string_value(json_object_get(f, "name")));
    const char *phone = COPY(str_or_null(f, "phone")), *wechat = COPY(str_or_null(f, "wechat"));
    const char *tel = COPY(str_or_null(f, "telephone")), *addr = COPY(str_or_null(f, "address"));
    const char *email = COPY(str_or_null(f, "email")), *notes = COPY(str_or_null(f, "notes"));
#undef COPY
    json_t *ind = json_object_get(f, "industry_id");
    /* the quick-search text now, so the row is written once */
    const char *ind_name =
        json_is_integer(ind) ? industry_name(b, json_integer_value(ind)) : NULL;
    const char *sv[NSEARCH] = {name, num, phone, tel, wechat, addr, email, ind_name};
    ts_doc doc;
    ts_doc_init(&doc, a);
    for (int i = 0; i < NSEARCH; i++)
        ts_doc_add(&doc, sv[i]);
    if (json_is_object(custom)) custom_add_search(c, a, "customer", custom, &doc);
    struct customer_new *n = &b->rows[b->n++];
    const db_val v[28] = {
        DBS(num), DBS(name), DBS(phone), DBS(tel), DBS(addr), DBS(wechat), DBS(email),
        ref_val(f, "qualification_id"), ref_val(f, "region_id"), ref_val(f, "industry_id"),
        ref_val(f, "source_id"), ref_val(f, "level_id"), ref_val(f, "followup_method_id"),
        in->owner_id ? DBI(in->owner_id) : DBNULL,
        DBB(in->owner_id && json_is_true(json_object_get(f, "protected"))),
        DBB(json_is_true(json_object_get(f, "signed"))), DBS(in->entry_method),
        DBS(notes), DBS(cja), DBS(ts_normalize(a, name)),
        DBS(ts_phone(a, phone)), DBS(wechat ? ts_normalize(a, wechat) : NULL), DBS(doc.text),
        DBS(doc.grams), DBS(in->owner_id ? now : NULL),
        b->actor_id ? DBI(b->actor_id) : DBNULL, DBS(now), DBS(now)};
    memcpy(n->v, v, sizeof(v));
    n->number = num;
    n->owner_id = in->owner_id;
    n->reason = b->reason ? b->reason : in->entry_method;
    n->id = 0;
    if (number) *number = num;
    return 0;
}

/* The name of a dictionary item or user (for the history), remembered. */
static db_val cached_name(customer_batch *b, bool user, const db_val *id)
{
    if (id->t != DBV_INT) return DBNULL;
    int slot = (int)((id->i * 2 + user) & 255);
    if (b->name_id[slot] != id->i * 2 + user) {
        db_res r;
        int rc = db_query(b->c, b->pa, &r,
                          user ? "SELECT name FROM users WHERE id = ?"
                               : "SELECT name FROM dict_items WHERE id = ?",
                          DBP(DBI(id->i)));
        b->name_id[slot] = id->i * 2 + user;
        b->name[slot] = rc > 0 ? db_get_text(&r, 0, "name") : NULL;
    }
    return DBS(b->name[slot]);
}

/* Where after_json finds each column of CUSTOMER_SELECT. */
static const struct {
    const char *col;
    int v; /* index in customer_new.v, or: -1 id, -2 version, -3 null, -4 dict name of v2,
              -5 user name of v2 */
    int v2;
} after_map[] = {{"id", -1, 0},          {"number", 0, 0},           {"name", 1, 0},
           {"phone", 2, 0},        {"telephone", 3, 0},        {"address", 4, 0},
           {"wechat", 5, 0},       {"email", 6, 0},            {"qualification_id", 7, 0},
           {"qualification_name", -4, 7}, {"region_id", 8, 0},  {"region_name", -4, 8},
           {"industry_id", 9, 0},  {"industry_name", -4, 9},   {"source_id", 10, 0},
           {"source_name", -4, 10}, {"level_id", 11, 0},       {"level_name", -4, 11},
           {"followup_method_id", 12, 0}, {"owner_id", 13, 0}, {"owner_name", -5, 13},
           {"protected", 14, 0},   {"signed", 15, 0},          {"entry_method", 16, 0},
           {"notes", 17, 0},       {"custom_json", 18, 0},     {"last_followup_at", -3, 0},
           {"last_deal_at", -3, 0}, {"owned_since", 24, 0},    {"created_at", 26, 0},
           {"updated_at", 27, 0},  {"version", -2, 0}};
enum { NAFTER = sizeof(after_map) / sizeof(after_map[0]) };

static int after_col(const char *col)
{
    for (int k = 0; k < NAFTER; k++)
        if (strcmp(after_map[k].col, col) == 0) return k;
    return -1;
}

/* The new customer as customer_json would show it, from what was written
 * (no re-read): the cells of CUSTOMER_SELECT's columns (b->cols), typed by
 * db_row_json alike. Caller owns. */
static json_t *after_json(customer_batch *b, arena *a, const struct customer_new *n)
{
    db_res one = b->cols;
    one.nrows = 1;
    one.cells = arena_alloc(a, sizeof(db_val) * (size_t)one.ncols);
    for (int i = 0; i < one.ncols; i++) {
        int k = b->col_after[i];
        if (k < 0) return NULL;
        int v = after_map[k].v;
        one.cells[i] = v >= 0 ? n->v[v] : v == -1 ? DBI(n->id) : v == -2 ? DBI(1)
                       : v == -3 ? DBNULL : cached_name(b, v == -5, &n->v[after_map[k].v2]);
        if (v == 14 || v == 15) one.cells[i].t = DBV_BOOL;
    }
    return db_row_json(&one, 0);
}

/* Appends s to o as a JSON string (quoted, escaped; UTF-8 as it is, as
 * jansson writes it); o has room for 6 bytes per byte of s plus 2. */
static char *put_json_string(char *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    *o++ = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            *o++ = '\\';
            *o++ = (char)*p;
        } else if (*p < 0x20) {
            memcpy(o, "\\u00", 4);
            o[4] = hex[*p >> 4];
            o[5] = hex[*p & 15];
            o += 6;
        } else {
            *o++ = (char)*p;
        }
    }
    *o++ = '"';
    return o;
}

/* after_json as compact JSON text, written directly (in a): the history of
 * an import holds one per customer, and building and dumping a jansson
 * object of 32 members was a fifth of the import's time. Keys in the order
 * of CUSTOMER_SELECT; custom_json is the custom object itself, as
 * db_row_json shows it. NULL if a column is unknown. */
static const char *after_text(customer_batch *b, arena *a, const struct customer_new *n)
{
    db_val cell[64];
    size_t cap = 2;
    int nc = b->cols.ncols < 64 ? b->cols.ncols : 0;
    if (!nc) return NULL;
    for (int i = 0; i < nc; i++) {
        int k = b->col_after[i];
        if (k < 0) return NULL;
        int v = after_map[k].v;
        cell[i] = v >= 0 ? n->v[v] : v == -1 ? DBI(n->id) : v == -2 ? DBI(1)
                  : v == -3 ? DBNULL : cached_name(b, v == -5, &n->v[after_map[k].v2]);
        if (v == 14 || v == 15) cell[i].t = DBV_BOOL;
        cap += strlen(b->cols.cols[i]) + 4 + 24;
        if (cell[i].t == DBV_TEXT) cap += strlen(cell[i].s) * 6 + 2;
    }
    char *out = arena_alloc(a, cap), *o = out;
    *o++ = '{';
    for (int i = 0; i < nc; i++) {
        const char *col = b->cols.cols[i];
        size_t cl = strlen(col);
        bool raw = cl > 5 && strcmp(col + cl - 5, "_json") == 0;
        if (i) *o++ = ',';
        *o++ = '"';
        memcpy(o, col, raw ? cl - 5 : cl); /* column names need no escaping */
        o += raw ? cl - 5 : cl;
        *o++ = '"';
        *o++ = ':';
        const db_val *v = &cell[i];
        if (v->t == DBV_TEXT && raw) { /* JSON text jansson wrote (customer_batch_add) */
            size_t l = strlen(v->s);
            memcpy(o, v->s, l);
            o += l;
        } else if (v->t == DBV_TEXT) {
            o = put_json_string(o, v->s);
        } else if (v->t == DBV_INT) {
            o += snprintf(o, 24, "%lld", (long long)v->i);
        } else if (v->t == DBV_BOOL) {
            memcpy(o, v->i ? "true" : "false", v->i ? 4 : 5);
            o += v->i ? 4 : 5;
        } else {
            memcpy(o, "null", 4);
            o += 4;
        }
    }
    *o++ = '}';
    *o = 0;
    return out;
}

/* Writes rows[0..n) (n <= 64): INSERT, the audit rows (the new record as
 * customer_json shows it) and the pool moves. */
static int flush_chunk(customer_batch *b, arena *a, struct customer_new *rows, int n)
{
    db_conn *c = b->c;
    const chunk_sql *cs = chunk_for(new_sql, n);
    db_val *v = arena_alloc(a, sizeof(db_val) * 28 * (size_t)n);
    for (int i = 0; i < n; i++)
        memcpy(v + 28 * i, rows[i].v, sizeof(rows[i].v));
    db_res r;
    int rc = db_query(c, a, &r, cs->sql, 28 * n, v);
    if (rc < 0) return rc;
    if (rc != n) return DB_ERR;
    /* RETURNING promises no order: match the rows by their unique number */
    for (int k = 0; k < n; k++) {
        const char *num = db_get_text(&r, k, "number");
        for (int i = 0; i < n; i++)
            if (!rows[i].id && strcmp(rows[i].number, num) == 0) {
                rows[i].id = db_get_int(&r, k, "id");
                break;
            }
    }
    db_val *ids = arena_alloc(a, sizeof(db_val) * (size_t)n);
    db_val *mv = arena_alloc(a, sizeof(db_val) * 7 * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (!rows[i].id) return DB_ERR;
        ids[i] = DBI(rows[i].id);
        const db_val m[7] = {DBI(rows[i].id), DBNULL,
                             rows[i].owner_id ? DBI(rows[i].owner_id) : DBNULL, DBS("create"),
                             DBS(rows[i].reason), b->actor_id ? DBI(b->actor_id) : DBNULL,
                             rows[i].v[26]};
        memcpy(mv + 7 * i, m, sizeof(m));
    }
    bool reread = !b->cols.ncols;
    if (reread && (rc = db_query(c, a, &r, chunk_for(reread_sql, n)->sql, n, ids)) < 0) return rc;
    if ((rc = db_exec(c, chunk_for(move_sql, n)->sql, 7 * n, mv)) < 0) return rc;
    /* per customer: its creation, then its arrival with its owner (or in the pool) */
    audit_row *ar = arena_alloc(a, sizeof(audit_row) * 2 * (size_t)n);
    json_t **made = arena_alloc(a, sizeof(json_t *) * (size_t)n);
    /* the move's before and after are the same text for every row with the
     * same owner and reason (all of an import's): made once */
    const char *ma_text = NULL, *ma_reason = NULL;
    int64_t ma_owner = -1;
    for (int i = 0; i < n; i++) {
        const char *text = reread ? NULL : after_text(b, a, &rows[i]);
        json_t *after = reread || text ? NULL : after_json(b, a, &rows[i]);
        for (int k = 0; reread && k < r.nrows && !after; k++)
            if (db_get_int(&r, k, "id") == rows[i].id) after = db_row_json(&r, k);
        if (!ma_text || ma_owner != rows[i].owner_id || strcmp(ma_reason, rows[i].reason) != 0) {
            json_t *ma = json_pack("{s:o, s:s}", "owner_id",
                                   rows[i].owner_id ? json_integer(rows[i].owner_id) : json_null(),
                                   "reason", rows[i].reason);
            char *t = json_dumps(ma, JSON_COMPACT | JSON_SORT_KEYS);
            json_decref(ma);
            if (!t) return DB_ERR;
            ma_text = arena_strdup(a, t);
            free(t);
            ma_owner = rows[i].owner_id;
            ma_reason = rows[i].reason;
        }
        made[i] = after;
        ar[2 * i] = (audit_row){rows[i].id, "create", NULL, after, NULL, text};
        ar[2 * i + 1] =
            (audit_row){rows[i].id, "create", NULL, NULL, "{\"owner_id\":null}", ma_text};
    }
    rc = audit_record_rows(c, b->actor_id, "customer", ar, 2 * n);
    for (int i = 0; i < n; i++)
        json_decref(made[i]);
    return rc;
}

/* SQLite: a batch of at least this many rows fills the quick-search index
 * with one statement (migrations/009_import_speed.sqlite.sql says why). */
enum { FTS_DEFER_MIN = 16 };

int customer_batch_flush(customer_batch *b, arena *a, int64_t *ids)
{
    int rc = 0;
    bool defer = b->n >= FTS_DEFER_MIN && b->c->owner &&
                 db_engine_of(b->c->owner) == DB_ENGINE_SQLITE;
    if (defer)
        rc = db_exec(b->c, "INSERT INTO fts_deferred(name) VALUES ('customers')", DBP0);
    for (int done = 0; rc >= 0 && done < b->n;) {
        int n = chunk_for(new_sql, b->n - done)->rows;
        rc = flush_chunk(b, a, b->rows + done, n);
        for (int i = 0; rc >= 0 && ids && i < n; i++)
            ids[done + i] = b->rows[done + i].id;
        done += n;
    }
    if (rc >= 0 && defer) {
        /* ids only grow (AUTOINCREMENT) and the transaction writes alone: the
         * range holds exactly the batch's rows */
        int64_t lo = b->rows[0].id, hi = b->rows[0].id;
        for (int i = 1; i < b->n; i++) {
            if (b->rows[i].id < lo) lo = b->rows[i].id;
            if (b->rows[i].id > hi) hi = b->rows[i].id;
        }
        rc = db_exec(b->c,
                     "INSERT INTO customers_fts(rowid, search_grams) SELECT id, search_grams"
                     " FROM customers WHERE id >= ? AND id <= ?",
                     DBP(DBI(lo), DBI(hi)));
        if (rc >= 0 && rc != b->n) {
            snprintf(b->c->err, sizeof(b->c->err), "the search index got %d of %d rows", rc, b->n);
            rc = DB_ERR;
        }
        if (rc >= 0)
            rc = db_exec(b->c, "DELETE FROM fts_deferred WHERE name = 'customers'", DBP0);
    }
    b->n = 0;
    if (rc >= 0) rc = release_numbers(b);
    return rc < 0 ? rc : 0;
}

int customer_insert(db_conn *c, arena *a, const customer_input *in, int64_t actor_id, int64_t *id)
{
    customer_batch b;
    int rc = customer_batch_init(&b, c, a, actor_id, NULL);
    if (rc >= 0) rc = customer_batch_add(&b, a, in, NULL);
    if (rc >= 0) rc = customer_batch_flush(&b, a, id);
    customer_batch_free(&b);
    return rc;
}

/* Handlers ------------------------------------------------------------------ */

static int h_customers_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    customer_filter cf;
    if (customer_filter_from_query(r, &cf) < 0) return 0;
    /* keyset paging: the cursor is the id of the last row; other orders
     * compare against that row's sort value */
    const char *sort = req_query(r, "sort");
    static const struct {
        const char *name, *cond, *order;
    } sorts[] = {
        {"-id", " AND (? = 0 OR c.id < ?)", " ORDER BY c.id DESC"},
        {"id", " AND (? = 0 OR c.id > ?)", " ORDER BY c.id"},
        {"name", " AND (? = 0 OR c.name > (SELECT name FROM customers WHERE id = ?) OR (c.name ="
                 " (SELECT name FROM customers WHERE id = ?) AND c.id > ?))",
         " ORDER BY c.name, c.id"},
        {"-updated_at", " AND (? = 0 OR c.updated_at < (SELECT updated_at FROM customers WHERE id ="
                        " ?) OR (c.updated_at = (SELECT updated_at FROM customers WHERE id = ?) AND"
                        " c.id < ?))",
         " ORDER BY c.updated_at DESC, c.id DESC"},
        {"number", " AND (? = 0 OR c.number > (SELECT number FROM customers WHERE id = ?))",
         " ORDER BY c.number"},
    };
    int si = -1;
    for (int i = 0; i < (int)(sizeof(sorts) / sizeof(sorts[0])); i++)
        if (strcmp(sorts[i].name, sort && *sort ? sort : "-id") == 0) si = i;
    if (si < 0) {
        customer_filter_free(&cf);
        return reply_problem(r, 400, "bad_request", "sort must be -id, id, name, -updated_at or number");
    }
    /* the newest first with a quick search, on SQLite: the full-text index
     * drives the query in its rowid order and the LIMIT stops it after a page,
     * instead of every match being collected first */
    const char *match = NULL, *like = NULL;
    bool driven = si == 0 && cf.norm_q &&
                  db_search_drive(r->db, &r->a, "customers", cf.norm_q, &match, &like);
    sqlq q;
    if (driven) {
        sqlq_init(&q, &r->a,
                  CUSTOMER_COLS " FROM customers_fts f CROSS JOIN customers c ON c.id = f.rowid"
                  CUSTOMER_JOINS " WHERE f.customers_fts MATCH ?");
        q.p[q.n++] = DBS(match);
        if (like) sqlq_add(&q, " AND c.search_text LIKE ? ESCAPE '\\'", 1, (db_val[]){DBS(like)});
        cf.norm_q = NULL; /* applied: the other filters follow */
    } else {
        sqlq_init(&q, &r->a, CUSTOMER_SELECT " WHERE 1 = 1");
    }
    policy_customer_filter(&r->me, &q, now);
    customer_filter_apply(r, &cf, &q);
    customer_filter_free(&cf);
    if (driven) {
        if (cursor) sqlq_add(&q, " AND f.rowid < ?", 1, (db_val[]){DBI(cursor)});
        sqlq_add(&q, " ORDER BY f.rowid DESC", 0, NULL);
    } else {
        int np = 0;
        for (const char *p = sorts[si].cond; *p; p++) np += *p == '?';
        db_val cp[4] = {DBI(cursor), DBI(cursor), DBI(cursor), DBI(cursor)};
        sqlq_add(&q, sorts[si].cond, np, cp);
        sqlq_add(&q, sorts[si].order, 0, NULL);
    }
    sqlq_add(&q, " LIMIT ?", 1, (db_val[]){DBI(limit + 1)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

static int h_customers_get(req *r)
{
    int64_t id = req_id(r, 0);
    tf_access acc = id > 0 ? policy_customer_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc == ACCESS_NONE) return reply_not_found(r);
    json_t *o = customer_json(r->db, &r->a, id);
    if (!o) return reply_not_found(r);
    static const char *const names[] = {"none", "read", "write", "manage"};
    json_object_set_new(o, "access", json_string(names[acc]));
    return reply_json(r, 200, o);
}

/* A duplicate the user may not open and that is protected shows only that it
 * exists and what matched: protection hides its name, number and owner. */
static void mask_dups(req *r, json_t *dups)
{
    size_t i;
    json_t *d;
    json_array_foreach(dups, i, d)
    {
        int64_t id = json_integer_value(json_object_get(d, "id"));
        if (policy_customer_access(r->db, &r->me, id) != ACCESS_NONE) continue;
        int64_t prot = 0;
        db_scalar_int(r->db, &prot, 0, "SELECT COUNT(*) FROM customers WHERE id = ? AND protected = TRUE",
                      DBP(DBI(id)));
        if (!prot) continue;
        json_t *m = json_pack("{s:O, s:b}", "matched", json_object_get(d, "matched"), "hidden", 1);
        json_array_set_new(dups, i, m);
    }
}

static int reply_dups(req *r, json_t *errs, json_t *dups, bool warning)
{
    mask_dups(r, dups);
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:o, s:o}", "type",
                          warning ? "about:blank#duplicate_warning" : "about:blank#validation_failed",
                          "title", warning ? "Conflict" : "Unprocessable Content", "status",
                          warning ? 409 : 422, "code", warning ? "duplicate_warning" : "validation_failed",
                          "detail",
                          warning ? "similar customers exist; send confirm_duplicates to enter it anyway"
                                  : "the customer has invalid fields",
                          "errors", errs, "duplicates", dups);
    r->resp_type = "application/problem+json";
    return reply_json(r, warning ? 409 : 422, o);
}

static int h_customers_create(req *r)
{
    static const field spec[] = {CUSTOMER_FIELDS, {"owner_id", F_INT, F_NULL, 0, 1},
                                 {"protected", F_BOOL, 0, 0, 0}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    /* a salesperson enters for themself; managers for a salesperson or the pool */
    json_t *ov = json_object_get(r->in, "owner_id");
    int64_t owner = r->me.id;
    bool may_assign = policy_allows(&r->me, "customers.assign");
    if (ov) owner = json_is_integer(ov) ? json_integer_value(ov) : 0;
    if (!may_assign && owner != r->me.id)
        return reply_problem(r, 403, "forbidden", "you can only enter customers for yourself");
    json_t *errs = json_array(), *dups = NULL;
    if (owner && owner != r->me.id) {
        int64_t ok = 0;
        db_scalar_int(r->db, &ok, 0,
                      "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                      " ('salesperson', 'sales_manager')",
                      DBP(DBI(owner)));
        if (!ok || !policy_sees_owner(r->db, &r->me, owner))
            json_array_append_new(errs, field_error("owner_id", "invalid",
                                                    "must be an active salesperson you manage"));
    }
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    int chk = customer_check(r->db, &r->a, r->in, 0, true, errs, &dups);
    if (chk < 0 || json_array_size(errs)) {
        db_rollback(r->db);
        return reply_dups(r, errs, dups, false);
    }
    if (chk == 1 && !in_bool(r, "confirm_duplicates", false)) {
        db_rollback(r->db);
        return reply_dups(r, errs, dups, true);
    }
    json_decref(errs);
    json_decref(dups);
    customer_input in = {.fields = r->in, .owner_id = owner, .entry_method = "manual"};
    int64_t id = 0;
    rc = customer_insert(r->db, &r->a, &in, r->me.id, &id);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, customer_json(r->db, &r->a, id));
}

static int h_customers_update(req *r)
{
    static const field spec[] = {CUSTOMER_FIELDS, {"version", F_INT, F_REQ, 0, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    tf_access acc = policy_customer_access(r->db, &r->me, id);
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_WRITE) return reply_forbidden(r);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = customer_json(r->db, &r->a, id), *errs = json_array(), *dups = NULL;
    if (!before) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    if (cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(errs);
        json_decref(before);
        return reply_conflict_version(r, cur);
    }
    int chk = customer_check(r->db, &r->a, r->in, id, false, errs, &dups);
    if (chk < 0 || (chk == 1 && !in_bool(r, "confirm_duplicates", false))) {
        db_rollback(r->db);
        json_decref(before);
        return reply_dups(r, errs, dups, chk == 1);
    }
    json_decref(errs);
    json_decref(dups);
    char now[TF_TS_LEN];
    tf_now(now);
    json_t *f = r->in, *custom = json_object_get(f, "custom");
    char *cja = NULL;
    if (custom) {
        /* custom values merge into the stored ones; null removes a key */
        json_t *merged = json_deep_copy(json_object_get(before, "custom"));
        if (!json_is_object(merged)) {
            json_decref(merged);
            merged = json_object();
        }
        const char *k;
        json_t *v;
        json_object_foreach(custom, k, v)
        {
            if (json_is_null(v)) json_object_del(merged, k);
            else json_object_set(merged, k, v);
        }
        char *s = json_dumps(merged, JSON_COMPACT | JSON_SORT_KEYS);
        cja = arena_strdup(&r->a, s);
        free(s);
        json_decref(merged);
    }
    const char *name = in_str(r, "name"), *phone = in_str(r, "phone"), *wechat = in_str(r, "wechat");
    /* each optional column: "was it sent" flag, then the value */
#define OPT_TEXT(k) DBI(in_has(r, k)), DBS(str_or_null(f, k))
#define OPT_REF(k) DBI(in_has(r, k)), ref_val(f, k)
    rc = db_exec(
        r->db,
        "UPDATE customers SET name = COALESCE(?, name), name_norm = COALESCE(?, name_norm),"
        " phone = CASE WHEN ? = 1 THEN ? ELSE phone END,"
        " phone_norm = CASE WHEN ? = 1 THEN ? ELSE phone_norm END,"
        " telephone = CASE WHEN ? = 1 THEN ? ELSE telephone END,"
        " address = CASE WHEN ? = 1 THEN ? ELSE address END,"
        " wechat = CASE WHEN ? = 1 THEN ? ELSE wechat END,"
        " wechat_norm = CASE WHEN ? = 1 THEN ? ELSE wechat_norm END,"
        " email = CASE WHEN ? = 1 THEN ? ELSE email END,"
        " notes = CASE WHEN ? = 1 THEN ? ELSE notes END,"
        " qualification_id = CASE WHEN ? = 1 THEN ? ELSE qualification_id END,"
        " region_id = CASE WHEN ? = 1 THEN ? ELSE region_id END,"
        " industry_id = CASE WHEN ? = 1 THEN ? ELSE industry_id END,"
        " source_id = CASE WHEN ? = 1 THEN ? ELSE source_id END,"
        " level_id = CASE WHEN ? = 1 THEN ? ELSE level_id END,"
        " followup_method_id = CASE WHEN ? = 1 THEN ? ELSE followup_method_id END,"
        " signed = COALESCE(?, signed), custom_json = COALESCE(?, custom_json),"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        DBP(DBS(name), DBS(name ? ts_normalize(&r->a, name) : NULL), OPT_TEXT("phone"),
            DBI(in_has(r, "phone")), DBS(ts_phone(&r->a, phone)), OPT_TEXT("telephone"),
            OPT_TEXT("address"), OPT_TEXT("wechat"), DBI(in_has(r, "wechat")),
            DBS(wechat && *wechat ? ts_normalize(&r->a, wechat) : NULL), OPT_TEXT("email"),
            OPT_TEXT("notes"), OPT_REF("qualification_id"), OPT_REF("region_id"),
            OPT_REF("industry_id"), OPT_REF("source_id"), OPT_REF("level_id"),
            OPT_REF("followup_method_id"),
            in_has(r, "signed") ? DBB(in_bool(r, "signed", false)) : DBNULL, DBS(cja), DBS(now),
            DBI(id), DBI(cur)));
#undef OPT_TEXT
#undef OPT_REF
    json_t *after = NULL;
    if (rc == 0) rc = DB_EBUSY; /* version checked above inside this transaction */
    if (rc > 0) rc = customer_reindex(r->db, &r->a, id);
    if (rc >= 0) {
        after = customer_json(r->db, &r->a, id);
        rc = audit_record(r->db, r->me.id, "customer", id, "update", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

/* PUT /customers/{id}/protection {"protected": bool, "version"} — the owner
 * (or their manager) hides a customer from everyone else. */
static int h_customers_protect(req *r)
{
    static const field spec[] = {{"protected", F_BOOL, F_REQ, 0, 0}, {"version", F_INT, F_REQ, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    tf_access acc = policy_customer_access(r->db, &r->me, id);
    if (acc == ACCESS_NONE) return reply_not_found(r);
    if (acc < ACCESS_MANAGE) return reply_forbidden(r);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = customer_json(r->db, &r->a, id), *after = NULL;
    if (before && json_is_null(json_object_get(before, "owner_id"))) {
        db_rollback(r->db);
        json_decref(before);
        return reply_problem(r, 409, "conflict", "a customer in the pool cannot be protected");
    }
    rc = db_exec(r->db,
                 "UPDATE customers SET protected = ?, version = version + 1, updated_at = ?"
                 " WHERE id = ? AND version = ?",
                 DBP(DBB(in_bool(r, "protected", false)), DBS(now), DBI(id),
                     DBI(in_int(r, "version", 0))));
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) {
        after = customer_json(r->db, &r->a, id);
        rc = audit_record(r->db, r->me.id, "customer", id,
                          in_bool(r, "protected", false) ? "protect" : "unprotect", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

/* GET /customers/duplicates?name=&phone=&wechat= — the entry form's live
 * check. Shows number, name and owner of matches, nothing more, even for
 * customers the user cannot open (they must learn who has the customer) —
 * except protected ones, which show only that a match exists. */
static int h_customers_duplicates(req *r)
{
    json_t *fields = json_object();
    static const char *const keys[] = {"name", "phone", "wechat"};
    for (int i = 0; i < 3; i++) {
        const char *v = req_query(r, keys[i]);
        if (v && strlen(v) > 200) {
            json_decref(fields);
            return reply_problem(r, 400, "bad_request", "%s is too long", keys[i]);
        }
        if (v && *v && tf_utf8_valid(v, strlen(v))) json_object_set_new(fields, keys[i], json_string(v));
    }
    const char *ex = req_query(r, "exclude_id");
    int64_t exclude = 0;
    if (ex && *ex && !tf_parse_i64(ex, &exclude)) exclude = 0;
    json_t *dups = json_array();
    for (int i = 0; i < 3; i++) {
        const char *v = json_string_value(json_object_get(fields, keys[i]));
        if (!v) continue;
        static const char *const cols[] = {"c.name_norm = ?", "c.phone_norm = ?", "c.wechat_norm = ?"};
        find_dups(r->db, &r->a, cols[i], i == 1 ? ts_phone(&r->a, v) : ts_normalize(&r->a, v),
                  keys[i], exclude, dups);
    }
    json_decref(fields);
    mask_dups(r, dups);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", dups, "next_cursor"));
}

static int h_customers_history(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE) return reply_not_found(r);
    return audit_reply_history(r, "customer", id);
}

#define CUSTOMER_SCHEMA                                                                            \
    "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"phone\":{\"type\":["   \
    "\"string\",\"null\"]},\"telephone\":{\"type\":[\"string\",\"null\"]},\"address\":{\"type\":" \
    "[\"string\",\"null\"]},\"wechat\":{\"type\":[\"string\",\"null\"]},\"email\":{\"type\":["    \
    "\"string\",\"null\"]},\"level_id\":{\"type\":[\"integer\",\"null\"]},\"industry_id\":{"      \
    "\"type\":[\"integer\",\"null\"]},\"region_id\":{\"type\":[\"integer\",\"null\"]},"            \
    "\"source_id\":{\"type\":[\"integer\",\"null\"]},\"qualification_id\":{\"type\":[\"integer\"," \
    "\"null\"]},\"followup_method_id\":{\"type\":[\"integer\",\"null\"]},\"notes\":{\"type\":["   \
    "\"string\",\"null\"]},\"custom\":{\"type\":\"object\"},\"signed\":{\"type\":\"boolean\"},"    \
    "\"owner_id\":{\"type\":[\"integer\",\"null\"]},\"protected\":{\"type\":\"boolean\"},"         \
    "\"confirm_duplicates\":{\"type\":\"boolean\"},\"version\":{\"type\":\"integer\"}}}"

const route customers_routes[] = {
    {"GET", "/api/v1/customers", h_customers_list, PERM_SIGNED_IN, 0,
     "Quick search and filtered list of the customers you may see (q, owner=me|pool|ID,"
     " level_id, industry_id, region_id (with sub-regions), source_id, qualification_id,"
     " followup_method_id, protected, signed, created_from, created_to, updated_from, updated_to"
     " (dates or timestamps), next_contact_before, cf.KEY (text: contains; select: equals;"
     " multi-select: any of, repeat the key), cf.KEY.min/.max (number), cf.KEY.from/.to (date),"
     " sort)",
     NULL},
    {"POST", "/api/v1/customers", h_customers_create, "customers.create", 65536,
     "Enter a customer (for yourself; managers: for a salesperson or into the pool)",
     CUSTOMER_SCHEMA},
    {"GET", "/api/v1/customers/duplicates", h_customers_duplicates, "customers.create", 0,
     "Customers whose normalised name, phone or WeChat match (for the entry form)", NULL},
    {"GET", "/api/v1/customers/{id}", h_customers_get, PERM_SIGNED_IN, 0, "A customer's detail",
     NULL},
    {"PATCH", "/api/v1/customers/{id}", h_customers_update, PERM_SIGNED_IN, 65536,
     "Update a customer (send version)", CUSTOMER_SCHEMA},
    {"PUT", "/api/v1/customers/{id}/protection", h_customers_protect, PERM_SIGNED_IN, 1024,
     "Protect or unprotect a customer",
     "{\"type\":\"object\",\"required\":[\"protected\",\"version\"],\"properties\":{\"protected\":"
     "{\"type\":\"boolean\"},\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/customers/{id}/history", h_customers_history, PERM_SIGNED_IN, 0,
     "Every change to a customer, moves in and out of the pool included", NULL},
    ROUTES_END,
};
