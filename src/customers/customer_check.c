/* customer_check.c — the checks of a customer's fields before it is written:
 * dictionary references, the entry policy's required fields, and the
 * duplicate checks on normalised name / phone / WeChat (one query per value,
 * or a batch's values loaded at once for an import: customer_dups_load). */
#include "customers/customers.h"
#include "customers/customer_sql.h"
#include "dicts/dicts.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

/* Dictionary-backed fields and their kinds. */
static const struct {
    const char *field, *kind;
} refs[] = {{"qualification_id", "qualification"}, {"region_id", "region"},
            {"industry_id", "industry"},           {"source_id", "source"},
            {"level_id", "level"},                 {"followup_method_id", "followup_method"}};
enum { NREFS = sizeof(refs) / sizeof(refs[0]) };

static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v));
}

/* Looks for other customers with the same normalised value; appends to dups. */
void customer_find_dups(db_conn *c, arena *a, const char *col_sql, const char *value,
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
/* A name's core is shared by many customers (the generated million: dozens
 * each): for each core only the first DUP_KEEP customers by id are read,
 * each core by its own seek in the name_core index. SQLite runs "c.id IN
 * (the first six)" as that seek per value. PostgreSQL cannot make that
 * correlated subquery a join: it tested every customer against every value
 * (an import of 100,000 rows slowed as the table grew: 464 s); a LATERAL
 * join, which SQLite lacks, is the same seek per value there. */
#define CORE_HEAD                                                                                  \
    "SELECT c.id, c.number, c.name, v.k, u.name AS owner_name FROM (SELECT column1 AS k FROM"     \
    " (VALUES "
#define CORE_TAIL                                                                                  \
    ") AS vv) v JOIN customers c ON c.id IN (SELECT x.id FROM customers x WHERE x.name_core ="   \
    " v.k ORDER BY x.id LIMIT 6) LEFT JOIN users u ON u.id = c.owner_id"
#define CORE_TAIL_PG                                                                               \
    ") AS vv) v CROSS JOIN LATERAL (SELECT x.id FROM customers x WHERE x.name_core = v.k"        \
    " ORDER BY x.id LIMIT 6) f JOIN customers c ON c.id = f.id LEFT JOIN users u ON"             \
    " u.id = c.owner_id"
static const chunk_sql dup_sql[4][4] = {CHUNK_SQL(DUP_HEAD("name_norm"), "?", ")"),
                                        CHUNK_SQL(DUP_HEAD("phone_norm"), "?", ")"),
                                        CHUNK_SQL(DUP_HEAD("wechat_norm"), "?", ")"),
                                        CHUNK_SQL(CORE_HEAD, "(CAST(? AS TEXT))", CORE_TAIL)};
static const chunk_sql core_sql_pg[4] =
    CHUNK_SQL(CORE_HEAD, "(CAST(? AS TEXT))", CORE_TAIL_PG);

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

int customer_dups_load(customer_dups *d, db_conn *c, arena *a, const char *const *norms[4], int n)
{
    memset(d, 0, sizeof(*d));
    for (int k = 0; k < 4; k++) {
        if (!norms[k]) continue;
        size_t cap = 16;
        while (cap < (size_t)n * 2)
            cap *= 2;
        d->cap[k] = cap;
        d->slot[k] = arena_alloc(a, sizeof(struct customer_dup_slot) * cap); /* zeroed */
        /* the distinct values, then their customers with one query per 64 */
        db_val *v = arena_alloc_raw(a, sizeof(db_val) * (size_t)(n ? n : 1));
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
            bool pg = k == 3 && c->owner && db_engine_of(c->owner) == DB_ENGINE_PG;
            const chunk_sql *cs = chunk_for(pg ? core_sql_pg : dup_sql[k], nv - done);
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

/* customer_similar from the batch's loaded cores (an import), or asked of
 * the database when they were not loaded; how many were found. */
static int similar(db_conn *c, arena *a, const customer_dups *known, const char *name,
                   int64_t exclude_id, json_t *dups)
{
    if (!known || !known->cap[3]) return customer_similar(c, a, name, exclude_id, dups);
    const char *place = NULL;
    bool is_city = false;
    const char *core = name_core(a, name, &place, &is_city);
    if (!core || !*core) return 0;
    const struct customer_dup_slot *s = dup_slot(known, 3, core);
    if (!s->key) return customer_similar(c, a, name, exclude_id, dups);
    int found = 0;
    for (int i = 0; i < s->n && found < 5; i++) {
        if (s->m[i].id == exclude_id ||
            !customer_similar_place_ok(a, place, is_city, s->m[i].name))
            continue;
        json_array_append_new(dups, json_pack("{s:I, s:s?, s:s?, s:s?, s:s}", "id",
                                              (json_int_t)s->m[i].id, "number", s->m[i].number,
                                              "name", s->m[i].name, "owner_name",
                                              s->m[i].owner_name, "matched", "name_similar"));
        found++;
    }
    return found;
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
    const char *phone_msg = phone_problem(a, json_string_value(json_object_get(fields, "phone")));
    if (phone_msg) json_array_append_new(errs, field_error("phone", "invalid", phone_msg));
    json_t *custom = json_object_get(fields, "custom");
    if (custom) custom_validate(c, a, "customer", custom, creating, errs);
    /* duplicates on normalised values, each by its own policy */
    *dups = json_array();
    static const struct {
        const char *field, *col, *mode_key;
    } dchecks[] = {{"name", "c.name_norm = ?", "name"}, {"phone", "c.phone_norm = ?", "phone"},
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
            customer_find_dups(c, a, dchecks[k].col, norm, dchecks[k].field, exclude_id, *dups);
        /* the same company written another way (a warning, whatever the mode) */
        if (!k && json_array_size(*dups) == n0 &&
            (warn = similar(c, a, known, json_string_value(v), exclude_id, *dups) > 0)) continue;
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
