/* customer_filter.c — the filters of the customer list, in one place: GET
 * /customers, its export and the batch moves by filter (and the saved views
 * that store them) parse the same keys into a customer_filter and apply it
 * to any query over customers aliased `c`. The keys: q, owner, the
 * dictionary ids (region with its sub-regions), protected, signed, created /
 * updated date ranges, next_contact_before, and cf.KEY[.min|.max|.from|.to]
 * for the administrators' custom fields. */
#include "customers/customers.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <microhttpd.h>
#include <string.h>

enum { FILTER_MAX_VALS = 40, MULTI_MAX = 10 };

static const struct {
    const char *key, *sql;
} ref_filters[] = {{"level_id", " AND c.level_id = ?"},
                   {"industry_id", " AND c.industry_id = ?"},
                   {"source_id", " AND c.source_id = ?"},
                   {"qualification_id", " AND c.qualification_id = ?"},
                   {"followup_method_id", " AND c.followup_method_id = ?"},
                   {"region_id", " AND c.region_id IN (WITH RECURSIVE rsub(id) AS (SELECT CAST(? AS"
                                 " BIGINT) UNION ALL SELECT d.id FROM dict_items d JOIN rsub ON"
                                 " d.parent_id = rsub.id) SELECT id FROM rsub)"}};
enum { NREF_FILTERS = sizeof(ref_filters) / sizeof(ref_filters[0]) };

/* Date filters on the customer's own columns; *_to and a date-only
 * next_contact_before include the whole day. */
static const struct {
    const char *key, *sql;
    bool upper;
} date_filters[] = {
    {"created_from", " AND c.created_at >= ?", false},
    {"created_to", " AND c.created_at <= ?", true},
    {"updated_from", " AND c.updated_at >= ?", false},
    {"updated_to", " AND c.updated_at <= ?", true},
    /* the next contact the latest follow-up planned */
    {"next_contact_before",
     " AND c.id IN (SELECT f.customer_id FROM followups f WHERE f.next_contact_at IS NOT NULL"
     " AND f.next_contact_at <= ? AND NOT EXISTS (SELECT 1 FROM followups f2 WHERE"
     " f2.customer_id = f.customer_id AND f2.id > f.id))",
     true},
};
enum { NDATE_FILTERS = sizeof(date_filters) / sizeof(date_filters[0]) };

/* Custom values: json_extract on SQLite, and on PostgreSQL the function of
 * the same name that migration 007 adds; the path ($."key") is bound. */
#define CF_VALUE "CAST(json_extract(c.custom_json, ?) AS TEXT)"

/* Keys the query string carries that are not filters. */
static const char *const not_filters[] = {"limit", "cursor", "sort", "format", "fields", NULL};

static bool is_known(const char *key)
{
    static const char *const plain[] = {"q", "owner", "protected", "signed", NULL};
    for (int i = 0; plain[i]; i++)
        if (strcmp(key, plain[i]) == 0) return true;
    for (int i = 0; i < NREF_FILTERS; i++)
        if (strcmp(key, ref_filters[i].key) == 0) return true;
    for (int i = 0; i < NDATE_FILTERS; i++)
        if (strcmp(key, date_filters[i].key) == 0) return true;
    return strncmp(key, "cf.", 3) == 0;
}

static void add_part(customer_filter *f, const char *sql, int np, db_val a, db_val b)
{
    if (f->n >= CUSTOMER_FILTER_PARTS || f->nvals + np > FILTER_MAX_VALS) {
        f->too_many = true;
        return;
    }
    f->part[f->n++] = (customer_filter_part){sql, np, {a, b}};
    f->nvals += np;
}

/* The value as text in the arena, so that bound values outlive the JSON
 * (numbers and booleans as their JSON text); NULL for anything else. */
static const char *val_text(arena *a, json_t *v)
{
    if (json_is_string(v)) return arena_strdup(a, json_string_value(v));
    if (json_is_integer(v)) return arena_printf(a, "%lld", (long long)json_integer_value(v));
    if (json_is_boolean(v)) return json_is_true(v) ? "true" : "false";
    return NULL;
}

/* A date (YYYY-MM-DD) or timestamp as the stored text: a date becomes the
 * first (or, upper, the last) second of the day. NULL if malformed. */
static const char *bound_ts(arena *a, const char *s, bool upper)
{
    time_t t;
    if (!s || strlen(s) > 40 || !tf_ts_parse(s, &t)) return NULL;
    if (strlen(s) == 10) return arena_printf(a, "%sT%s", s, upper ? "23:59:59Z" : "00:00:00Z");
    char out[TF_TS_LEN];
    tf_ts(out, t);
    return arena_strdup(a, out);
}

static bool in_options(json_t *options, const char *s)
{
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o) if (json_is_string(o) && strcmp(json_string_value(o), s) == 0)
        return true;
    return false;
}

typedef struct parse_ctx {
    req *r;
    customer_filter *f;
    json_t *errs;
    const char *prefix;
    db_res cf; /* the customer custom fields, loaded at the first cf. key */
    bool cf_loaded;
} parse_ctx;

static void fail(parse_ctx *x, const char *key, const char *code, const char *msg)
{
    int klen = 0; /* the key, at most 60 bytes, cut on a character boundary */
    for (int i = 0; key[i] && i <= 60; i++)
        if ((key[i] & 0xC0) != 0x80) klen = i;
    if (strlen(key) <= 60) klen = (int)strlen(key);
    /* no key (the filter as a whole): the prefix without its dot */
    int plen = (int)strlen(x->prefix) - (!*key && *x->prefix);
    json_array_append_new(x->errs, field_error(arena_printf(&x->r->a, "%.*s%.*s", plen, x->prefix,
                                                            klen, key),
                                               code, msg));
}

/* cf.KEY[.OP]: checks the value against the field's type and adds its
 * condition. */
static void parse_custom(parse_ctx *x, const char *key, json_t *v)
{
    arena *a = &x->r->a;
    if (!x->cf_loaded) {
        x->cf_loaded = true;
        if (db_query(x->r->db, a, &x->cf,
                     "SELECT key, type, options_json FROM custom_fields WHERE entity = 'customer'"
                     " AND retired = FALSE ORDER BY id LIMIT 500",
                     DBP0) < 0)
            x->cf.nrows = 0;
    }
    const char *name = key + 3, *dot = strchr(name, '.');
    size_t nlen = dot ? (size_t)(dot - name) : strlen(name);
    const char *op = dot ? dot + 1 : "";
    int row = -1;
    for (int i = 0; i < x->cf.nrows && row < 0; i++) {
        const char *k = db_get_text(&x->cf, i, "key");
        if (strlen(k) == nlen && strncmp(k, name, nlen) == 0) row = i;
    }
    if (row < 0) return fail(x, key, "unknown_field", "is not a custom field of customers");
    const char *type = db_get_text(&x->cf, row, "type");
    /* the key is a-z, 0-9 and _ (checked when the field was defined) */
    const char *path = arena_printf(a, "$.\"%.*s\"", (int)nlen, name);
    bool number = strcmp(type, "number") == 0, date = strcmp(type, "date") == 0;
    bool multi = strcmp(type, "multiselect") == 0;
    if (*op) {
        bool ok = (number && (strcmp(op, "min") == 0 || strcmp(op, "max") == 0)) ||
                  (date && (strcmp(op, "from") == 0 || strcmp(op, "to") == 0));
        if (!ok)
            return fail(x, key, "unknown_field",
                        number ? "takes .min or .max" : date ? "takes .from or .to" : "takes no suffix");
    }
    if (json_is_string(v) && !*json_string_value(v)) return; /* empty: no filter */
    if (multi) {
        /* any of the given options: the stored array's JSON text holds "option" */
        json_t *opts = json_loads(db_get_text(&x->cf, row, "options_json"), 0, NULL);
        json_t *list = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
        size_t i, n = json_array_size(list);
        json_t *o;
        const char *bad = n == 0 ? "needs at least one option"
                          : n > MULTI_MAX ? "takes at most 10 options" : NULL;
        json_array_foreach(list, i, o) if (!bad && (!json_is_string(o) ||
                                                    !in_options(opts, json_string_value(o))))
            bad = "is not one of the options";
        if (!bad) {
            add_part(x->f, " AND (1 = 0", 0, DBNULL, DBNULL);
            json_array_foreach(list, i, o)
            {
                char *js = json_dumps(o, JSON_ENCODE_ANY);
                add_part(x->f, " OR " CF_VALUE " LIKE ? ESCAPE '\\'", 2, DBS(path),
                         DBS(tf_like_contains(a, arena_strdup(a, js))));
                free(js);
            }
            add_part(x->f, ")", 0, DBNULL, DBNULL);
        }
        json_decref(list);
        json_decref(opts);
        if (bad) fail(x, key, "invalid", bad);
        return;
    }
    const char *s = val_text(a, v);
    if (!s || !*s || tf_utf8_len(s) > 200)
        return fail(x, key, "invalid", "must be a value of at most 200 characters");
    if (number) {
        int64_t n;
        if (!tf_parse_i64(s, &n)) return fail(x, key, "invalid", "must be a whole number");
        const char *sql = strcmp(op, "min") == 0   ? " AND CAST(" CF_VALUE " AS BIGINT) >= ?"
                          : strcmp(op, "max") == 0 ? " AND CAST(" CF_VALUE " AS BIGINT) <= ?"
                                                   : " AND CAST(" CF_VALUE " AS BIGINT) = ?";
        /* only values that are whole numbers are compared (PostgreSQL's
         * cast refuses anything else); the field's type guarantees them */
        return add_part(x->f, sql, 2, DBS(path), DBI(n));
    }
    if (date) {
        time_t t;
        if (strlen(s) != 10 || !tf_ts_parse(s, &t))
            return fail(x, key, "invalid", "must be a date YYYY-MM-DD");
        const char *sql = strcmp(op, "from") == 0 ? " AND " CF_VALUE " >= ?"
                          : strcmp(op, "to") == 0 ? " AND " CF_VALUE " <= ?"
                                                  : " AND " CF_VALUE " = ?";
        return add_part(x->f, sql, 2, DBS(path), DBS(s));
    }
    if (strcmp(type, "select") == 0) {
        json_t *opts = json_loads(db_get_text(&x->cf, row, "options_json"), 0, NULL);
        bool ok = in_options(opts, s);
        json_decref(opts);
        if (!ok) return fail(x, key, "invalid", "is not one of the options");
        return add_part(x->f, " AND " CF_VALUE " = ?", 2, DBS(path), DBS(s));
    }
    /* text, phone, e-mail: contains, ignoring case */
    add_part(x->f, " AND LOWER(" CF_VALUE ") LIKE LOWER(?) ESCAPE '\\'", 2, DBS(path),
             DBS(tf_like_contains(a, s)));
}

static void parse_one(parse_ctx *x, const char *key, json_t *v)
{
    req *r = x->r;
    customer_filter *f = x->f;
    int64_t n = 0;
    const char *s = val_text(&r->a, v);
    bool num = json_is_integer(v) ? (n = json_integer_value(v), true) : s && tf_parse_i64(s, &n);
    if (strncmp(key, "cf.", 3) == 0) return parse_custom(x, key, v);
    if (json_is_string(v) && !*s) return; /* an empty parameter filters nothing */
    for (int i = 0; i < NREF_FILTERS; i++) {
        if (strcmp(key, ref_filters[i].key)) continue;
        if (!num || n < 1) return fail(x, key, "invalid", "must be an id");
        return add_part(f, ref_filters[i].sql, 1, DBI(n), DBNULL);
    }
    for (int i = 0; i < NDATE_FILTERS; i++) {
        if (strcmp(key, date_filters[i].key)) continue;
        const char *ts = bound_ts(&r->a, json_is_string(v) ? s : NULL, date_filters[i].upper);
        if (!ts) return fail(x, key, "invalid", "must be a date YYYY-MM-DD or a timestamp");
        return add_part(f, date_filters[i].sql, 1, DBS(ts), DBNULL);
    }
    if (strcmp(key, "q") == 0) {
        if (!json_is_string(v) || strlen(s) > 200)
            return fail(x, key, "invalid", "must be text of at most 200 bytes");
        char *norm = ts_normalize(&r->a, s);
        f->norm_q = *norm ? norm : NULL;
    } else if (strcmp(key, "owner") == 0) {
        if (s && strcmp(s, "me") == 0)
            add_part(f, " AND c.owner_id = ?", 1, DBI(r->me.id), DBNULL);
        else if (s && strcmp(s, "pool") == 0)
            add_part(f, " AND c.owner_id IS NULL", 0, DBNULL, DBNULL);
        else if (num && n > 0)
            add_part(f, " AND c.owner_id = ?", 1, DBI(n), DBNULL);
        else
            fail(x, key, "invalid", "must be me, pool or a user id");
    } else if (strcmp(key, "protected") == 0 || strcmp(key, "signed") == 0) {
        if (!s || (strcmp(s, "true") && strcmp(s, "false")))
            return fail(x, key, "invalid", "must be true or false");
        add_part(f, key[0] == 'p' ? " AND c.protected = ?" : " AND c.signed = ?", 1,
                 DBB(strcmp(s, "true") == 0), DBNULL);
    } else {
        fail(x, key, "unknown_field", "is not a known filter");
    }
}

int customer_filter_from_json(req *r, json_t *src, const char *prefix, customer_filter *f,
                              json_t *errs)
{
    memset(f, 0, sizeof(*f));
    parse_ctx x = {.r = r, .f = f, .errs = errs, .prefix = prefix ? prefix : ""};
    size_t before = json_array_size(errs);
    const char *key;
    json_t *v;
    if (json_object_size(src) > 60) {
        fail(&x, "", "too_many", "has more than 60 filters");
        return -1;
    }
    json_object_foreach(src, key, v) parse_one(&x, key, v);
    if (f->too_many) fail(&x, "", "too_many", "has too many filter values; narrow it");
    return json_array_size(errs) > before ? -1 : 0;
}

/* Collects the query string's filter keys into a JSON object (a repeated key
 * becomes an array: multi-select options). */
static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    json_t *o = cls;
    for (int i = 0; not_filters[i]; i++)
        if (strcmp(key, not_filters[i]) == 0) return MHD_YES;
    if (!is_known(key) || json_object_size(o) > 60) return MHD_YES;
    json_t *s = json_string(value ? value : ""), *had = json_object_get(o, key);
    if (!s) return MHD_YES; /* not UTF-8: the dispatcher refused such URLs already */
    if (!had) json_object_set_new(o, key, s);
    else if (json_is_array(had)) json_array_append_new(had, s);
    else json_object_set_new(o, key, json_pack("[O, o]", had, s));
    return MHD_YES;
}

int customer_filter_from_query(req *r, customer_filter *f)
{
    json_t *src = json_object(), *errs = json_array();
    MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, collect_arg,
                              src);
    /* a repeated plain key is a mistake, not a list */
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(src, key, v) if (json_is_array(v) && strncmp(key, "cf.", 3) != 0)
    {
        reply_problem(r, 400, "bad_request", "%s is given more than once", key);
        rc = -1;
        break;
    }
    if (rc == 0 && customer_filter_from_json(r, src, "", f, errs) < 0) {
        json_t *e = json_array_get(errs, 0);
        const char *field_name = json_string_value(json_object_get(e, "field"));
        reply_problem(r, 400, "bad_request", "%s %s", *field_name ? field_name : "the filter",
                      json_string_value(json_object_get(e, "message")));
        rc = -1;
    }
    json_decref(errs);
    if (rc < 0) {
        json_decref(src);
        memset(f, 0, sizeof(*f));
        return -1;
    }
    f->given = src;
    return 0;
}

void customer_filter_apply(req *r, const customer_filter *f, sqlq *q)
{
    if (f->norm_q) db_search_filter(r->db, q, "customers", f->norm_q);
    for (int i = 0; i < f->n; i++)
        sqlq_add(q, f->part[i].sql, f->part[i].np, f->part[i].p);
}

void customer_filter_free(customer_filter *f)
{
    json_decref(f->given);
    f->given = NULL;
}
