/* customer_batch.c — entering customers, one or a batch at a time
 * (customer_batch_*, customer_insert): numbers reserved a batch at a time
 * when it is written, rows written with multi-row INSERTs, the search
 * index filled once per batch on SQLite, pool moves and history rows
 * written as text without reading the rows back. The import and the create
 * handler both come through here (customers.c, import_rows.c). */
#include "customers/customers.h"
#include "customers/customer_sql.h"
#include "dicts/dicts.h"
#include "core/audit.h"
#include "core/numbering.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <stdlib.h>
#include <string.h>

/* Creating customers (one, or a batch) --------------------------------------- */

enum { NEW_NV = 29 }; /* values of a new customer's row */

/* A customer computed by customer_batch_add, waiting for the flush. */
struct customer_new {
    db_val v[NEW_NV]; /* the INSERT's values, in NEW_COLS order */
    const char *contact[4]; /* its first contact (name, title, mobile, email), or NULLs */
    const char *number, *reason;
    int64_t owner_id, id;
    /* the quick-search text and terms of the fields before the number (the
     * name) and after it: the number is given at the flush */
    ts_doc head, tail;
};

#define NEW_COLS                                                                                   \
    "INSERT INTO customers(number, name, phone, telephone, address, wechat, email,"               \
    " qualification_id, region_id, industry_id, source_id, level_id, followup_method_id,"         \
    " owner_id, protected, signed, entry_method, notes, custom_json, name_norm, phone_norm,"      \
    " wechat_norm, search_text, search_grams, owned_since, created_by, created_at, updated_at,"   \
    " name_core) VALUES "
#define NEW_ROW                                                                                    \
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
    b->c = b->w = c;
    b->pa = pa;
    b->failed = -1;
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

/* Reserves the batch's numbers (one per row, in the transaction that
 * writes them: numbers have no gaps) and finds those of them someone
 * entered by hand already: with one range query when the first and last
 * numbers have the same length (then the text order is the number order),
 * else one query per number (check_each). */
static int reserve_numbers(customer_batch *b, arena *a, int64_t *first)
{
    b->seq_t = time(NULL);
    b->ntaken = 0;
    b->check_each = b->n == 1;
    int rc = numbering_reserve(b->w, "customer", b->pattern, b->seq_t, b->n, first);
    if (rc < 0 || b->n == 1) return rc;
    const char *lo = numbering_format(a, b->pattern, b->seq_t, *first);
    const char *hi = numbering_format(a, b->pattern, b->seq_t, *first + b->n - 1);
    if (!lo || !hi) return DB_ERR;
    db_res r;
    b->check_each = strlen(lo) != strlen(hi);
    if (b->check_each) return 0;
    rc = db_query(b->w, a, &r,
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

void customer_batch_drop(customer_batch *b)
{
    b->n = 0;
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

int customer_batch_add(customer_batch *b, arena *a, const customer_input *in)
{
    db_conn *c = b->c;
    json_t *f = in->fields;
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
    /* the search fields in their order, the number (second) added at the flush */
    const char *sv[CUSTOMER_NSEARCH - 1] = {phone, tel, wechat, addr, email, ind_name};
    struct customer_new *n = &b->rows[b->n];
    ts_doc_init(&n->head, a);
    ts_doc_add(&n->head, name);
    ts_doc_init(&n->tail, a);
    for (int i = 0; i < CUSTOMER_NSEARCH - 1; i++)
        ts_doc_add(&n->tail, sv[i]);
    /* the first contact (the import's contact columns), searchable as
     * customer_reindex makes it: name, phone, mobile, WeChat */
    json_t *ct = json_object_get(f, "contact");
    static const char *const ck[4] = {"name", "title", "mobile", "email"};
    for (int i = 0; i < 4; i++) {
        const char *cv = json_string_value(json_object_get(ct, ck[i]));
        n->contact[i] = cv && *cv ? arena_strdup(a, cv) : NULL;
    }
    if (n->contact[0]) {
        ts_doc_add(&n->tail, n->contact[0]);
        ts_doc_add(&n->tail, n->contact[2]);
    }
    if (json_is_object(custom)) custom_add_search(c, a, "customer", custom, &n->tail);
    const db_val v[NEW_NV] = {
        DBNULL, DBS(name), DBS(phone), DBS(tel), DBS(addr), DBS(wechat), DBS(email),
        ref_val(f, "qualification_id"), ref_val(f, "region_id"), ref_val(f, "industry_id"),
        ref_val(f, "source_id"), ref_val(f, "level_id"), ref_val(f, "followup_method_id"),
        in->owner_id ? DBI(in->owner_id) : DBNULL,
        DBB(in->owner_id && json_is_true(json_object_get(f, "protected"))),
        DBB(json_is_true(json_object_get(f, "signed"))), DBS(in->entry_method),
        DBS(notes), DBS(cja), DBS(ts_normalize(a, name)),
        DBS(ts_phone(a, phone)), DBS(wechat ? ts_normalize(a, wechat) : NULL), DBNULL,
        DBNULL, DBS(in->owner_id ? now : NULL),
        b->actor_id ? DBI(b->actor_id) : DBNULL, DBS(now), DBS(now),
        DBS(name_core(a, name, NULL, NULL))};
    memcpy(n->v, v, sizeof(v));
    n->number = NULL;
    n->owner_id = in->owner_id;
    n->reason = b->reason ? b->reason : in->entry_method;
    n->id = 0;
    b->n++;
    return 0;
}

/* Gives the batch's rows their numbers, in the order they were added, and
 * with them their search text. A number entered by hand already is
 * DB_EUNIQUE, with b->failed its row. */
static int give_numbers(customer_batch *b, arena *a)
{
    int64_t first = 0;
    int rc = reserve_numbers(b, a, &first);
    if (rc < 0) return rc;
    for (int i = 0; i < b->n; i++) {
        struct customer_new *n = &b->rows[i];
        char *num = numbering_format(a, b->pattern, b->seq_t, first + i);
        if (!num) {
            snprintf(b->w->err, sizeof(b->w->err), "invalid number pattern %s", b->pattern);
            return DB_ERR;
        }
        /* a pattern can hand out a number someone entered by hand: say which row */
        int64_t taken = 0;
        for (int k = 0; k < b->ntaken && !taken; k++)
            taken = strcmp(b->taken[k], num) == 0;
        if (b->check_each &&
            (rc = db_scalar_int(b->w, &taken, 0, "SELECT COUNT(*) FROM customers WHERE number = ?",
                                DBP(DBS(num)))) < 0)
            return rc;
        if (taken) {
            snprintf(b->w->err, sizeof(b->w->err), "the customer number %s is taken already", num);
            b->failed = i;
            return DB_EUNIQUE;
        }
        ts_doc doc;
        ts_doc_init(&doc, a);
        ts_doc_append(&doc, &n->head);
        ts_doc_add(&doc, num);
        ts_doc_append(&doc, &n->tail);
        n->number = num;
        n->v[0] = DBS(num);
        n->v[22] = DBS(doc.text);
        n->v[23] = DBS(doc.grams);
    }
    return 0;
}

/* The name of a dictionary item or user (for the history), remembered. */
static db_val cached_name(customer_batch *b, bool user, const db_val *id)
{
    if (id->t != DBV_INT) return DBNULL;
    int slot = (int)((id->i * 2 + user) & 255);
    if (b->name_id[slot] != id->i * 2 + user) {
        db_res r;
        int rc = db_query(b->w, b->pa, &r,
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
    char *out = arena_alloc_raw(a, cap), *o = out;
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
            o = tf_put_i64(o, v->i);
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
    db_conn *c = b->w;
    const chunk_sql *cs = chunk_for(new_sql, n);
    db_val *v = arena_alloc_raw(a, sizeof(db_val) * NEW_NV * (size_t)n);
    for (int i = 0; i < n; i++)
        memcpy(v + NEW_NV * i, rows[i].v, sizeof(rows[i].v));
    db_res r;
    int rc = db_query(c, a, &r, cs->sql, NEW_NV * n, v);
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
    db_val *ids = arena_alloc_raw(a, sizeof(db_val) * (size_t)n);
    db_val *mv = arena_alloc_raw(a, sizeof(db_val) * 7 * (size_t)n);
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
    audit_row *ar = arena_alloc_raw(a, sizeof(audit_row) * 2 * (size_t)n);
    json_t **made = arena_alloc_raw(a, sizeof(json_t *) * (size_t)n);
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
    /* the first contacts, primary, each with its history row */
    for (int i = 0; rc >= 0 && i < n; i++) {
        const char *const *ct = rows[i].contact;
        if (!ct[0]) continue;
        db_res cr;
        rc = db_query(c, a, &cr,
                      "INSERT INTO contacts(customer_id, name, title, mobile, email, is_primary,"
                      " created_at) VALUES (?, ?, ?, ?, ?, TRUE, ?) RETURNING id",
                      DBP(DBI(rows[i].id), DBS(ct[0]), DBS(ct[1]), DBS(ct[2]), DBS(ct[3]),
                          rows[i].v[26]));
        if (rc <= 0) break;
        json_t *after = json_pack("{s:I, s:I, s:s, s:s?, s:s?, s:s?, s:b}", "id",
                                  (json_int_t)db_get_int(&cr, 0, "id"), "customer_id",
                                  (json_int_t)rows[i].id, "name", ct[0], "title", ct[1], "mobile",
                                  ct[2], "email", ct[3], "is_primary", 1);
        rc = audit_record(c, b->actor_id, "customer", rows[i].id, "contact_add", NULL, after);
        json_decref(after);
    }
    return rc < 0 ? rc : 0;
}

/* SQLite: a batch of at least this many rows fills the quick-search index
 * with one statement (migrations/009_import_speed.sqlite.sql says why). */
enum { FTS_DEFER_MIN = 16, FTS_AUTOMERGE = 4 /* FTS5's default */ };

int customer_batch_flush(customer_batch *b, arena *a, int64_t *ids)
{
    b->failed = -1;
    if (!b->n) return 0;
    int rc = give_numbers(b, a);
    bool defer = b->n >= FTS_DEFER_MIN && b->w->owner &&
                 db_engine_of(b->w->owner) == DB_ENGINE_SQLITE;
    if (rc >= 0 && defer)
        rc = db_exec(b->w, "INSERT INTO fts_deferred(name) VALUES ('customers')", DBP0);
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
        /* without FTS5's merging after the batch's segment is written: an
         * import merged the index level by level at every batch (a tenth
         * of its instructions); the search_tidy job merges it once after
         * the import (import_run.c). Set back before the commit, so no other
         * writer ever sees it off. */
        rc = search_automerge(b->w, a, 0);
        if (rc >= 0)
            rc = db_exec(b->w,
                         "INSERT INTO customers_fts(rowid, search_grams) SELECT id, search_grams"
                         " FROM customers WHERE id >= ? AND id <= ?",
                         DBP(DBI(lo), DBI(hi)));
        if (rc >= 0 && rc != b->n) {
            snprintf(b->w->err, sizeof(b->w->err), "the search index got %d of %d rows", rc, b->n);
            rc = DB_ERR;
        }
        if (rc >= 0) /* and the pool's own index (migration 013) */
            rc = db_exec(b->w,
                         "INSERT INTO customers_pool_fts(rowid, search_grams) SELECT id, search_grams"
                         " FROM customers WHERE id >= ? AND id <= ? AND owner_id IS NULL",
                         DBP(DBI(lo), DBI(hi)));
        if (rc >= 0) rc = search_automerge(b->w, a, FTS_AUTOMERGE);
        if (rc >= 0)
            rc = db_exec(b->w, "DELETE FROM fts_deferred WHERE name = 'customers'", DBP0);
    }
    b->n = 0;
    return rc < 0 ? rc : 0;
}

int customer_insert(db_conn *c, arena *a, const customer_input *in, int64_t actor_id, int64_t *id)
{
    customer_batch b;
    int rc = customer_batch_init(&b, c, a, actor_id, NULL);
    if (rc >= 0) rc = customer_batch_add(&b, a, in);
    if (rc >= 0) rc = customer_batch_flush(&b, a, id);
    customer_batch_free(&b);
    return rc;
}

