/* customers.c — the customers resource: quick search and filtered lists,
 * detail, entry (with the entry policy: required fields and duplicate
 * checks on normalised name / phone / WeChat), update with optimistic
 * versions, protection, duplicates lookup and history (the writing of new
 * customers is customer_batch.c, the entry checks customer_check.c). Visibility comes from
 * policy_customer_filter / policy_customer_access only. */
#include "customers/customers.h"
#include "customers/customer_sql.h"
#include "dicts/dicts.h"
#include "core/audit.h"
#include "http/record.h"
#include "core/names.h"
#include "core/numbering.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <stdlib.h>
#include <string.h>

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
_Static_assert((int)NSEARCH == (int)CUSTOMER_NSEARCH, "customer_batch.c writes the search text of CUSTOMER_NSEARCH columns");

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
    /* unchanged text is not written again: the FTS triggers would rewrite the
     * row; and a name core that is missing (migration 021 added the column)
     * is filled without touching the search text, so filling it for every
     * customer after the upgrade does not rewrite the search index */
    rc = db_exec(c,
                 "UPDATE customers SET search_text = ?, search_grams = ? WHERE id = ? AND"
                 " (search_text IS NULL OR search_grams IS NULL OR search_text <> ? OR"
                 " search_grams <> ?)",
                 DBP(DBS(doc.text), DBS(doc.grams), DBI(id), DBS(doc.text), DBS(doc.grams)));
    const char *core = name_core(a, db_get_text(&r, 0, "name"), NULL, NULL);
    if (rc >= 0 && core)
        rc = db_exec(c,
                     "UPDATE customers SET name_core = ? WHERE id = ? AND (name_core IS NULL OR"
                     " name_core <> ?)",
                     DBP(DBS(core), DBI(id), DBS(core)));
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

/* Handlers ------------------------------------------------------------------ */

/* The list's columns, for `fields` (a comma-separated choice of them: a
 * screen asks for the columns it shows). The name columns hold the ids
 * here; names_fill (core/names.c) puts the names in, from its cache,
 * instead of a join per row and name. */
static const struct {
    const char *name, *sql;
} list_cols[] = {
    {"id", "c.id"},
    {"number", "c.number"},
    {"name", "c.name"},
    {"phone", "c.phone"},
    {"telephone", "c.telephone"},
    {"address", "c.address"},
    {"wechat", "c.wechat"},
    {"email", "c.email"},
    {"qualification_id", "c.qualification_id"},
    {"qualification_name", "c.qualification_id AS qualification_name"},
    {"region_id", "c.region_id"},
    {"region_name", "c.region_id AS region_name"},
    {"industry_id", "c.industry_id"},
    {"industry_name", "c.industry_id AS industry_name"},
    {"source_id", "c.source_id"},
    {"source_name", "c.source_id AS source_name"},
    {"level_id", "c.level_id"},
    {"level_name", "c.level_id AS level_name"},
    {"followup_method_id", "c.followup_method_id"},
    {"owner_id", "c.owner_id"},
    {"owner_name", "c.owner_id AS owner_name"},
    {"protected", "c.protected"},
    {"signed", "c.signed"},
    {"entry_method", "c.entry_method"},
    {"notes", "c.notes"},
    {"custom", "c.custom_json"},
    {"last_followup_at", "c.last_followup_at"},
    {"last_deal_at", "c.last_deal_at"},
    {"owned_since", "c.owned_since"},
    {"created_at", "c.created_at"},
    {"updated_at", "c.updated_at"},
    {"version", "c.version"},
};
enum { NLIST_COLS = sizeof(list_cols) / sizeof(list_cols[0]) };

/* "SELECT <columns>" for `fields` (NULL or empty: every column, in the
 * order of CUSTOMER_COLS); the id always comes. -1 after a 400 reply
 * naming an unknown field. */
static int list_select(req *r, const char *fields, const char **cols)
{
    bool all = !fields || !*fields, want[NLIST_COLS] = {true}; /* the id */
    for (const char *p = all ? "" : fields; *p;) {
        size_t n = strcspn(p, ",");
        int k = -1;
        for (int i = 0; i < NLIST_COLS && k < 0; i++)
            if (strlen(list_cols[i].name) == n && strncmp(p, list_cols[i].name, n) == 0) k = i;
        if (k < 0 && n > 0)
            return reply_problem(r, 400, "bad_request", "fields: %s is not a field of the list",
                                 tf_utf8_prefix(&r->a, arena_strndup(&r->a, p, n), 40)), -1;
        if (k >= 0) want[k] = true;
        p += n + (p[n] == ',');
    }
    /* the pieces' lengths first, then one copy each (printf per column was
     * a few percent of a list request) */
    size_t ns = strlen("SELECT ");
    for (int i = 0; i < NLIST_COLS; i++)
        if (all || want[i]) ns += strlen(", ") + strlen(list_cols[i].sql);
    char *sel = arena_alloc_raw(&r->a, ns + 1);
    char *o = stpcpy(sel, "SELECT ");
    for (int i = 0; i < NLIST_COLS; i++)
        if (all || want[i]) o = stpcpy(i ? stpcpy(o, ", ") : o, list_cols[i].sql);
    *cols = sel;
    return 0;
}

static int h_customers_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    const char *cols;
    if (list_select(r, req_query(r, "fields"), &cols) < 0) return 0;
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
    const char *match = NULL, *verify = NULL;
    int64_t most = 0;
    bool driven = si == 0 && cf.norm_q &&
                  db_search_drive(r->db, &r->a, "customers", cf.norm_q, &match, &verify, &most);
    customer_parts parts;
    if (driven && policy_customer_parts(r->db, &r->me, now, &parts)) {
        /* a salesperson: each part of what they see by its own index */
        const char *normq = cf.norm_q;
        cf.norm_q = NULL;
        db_res res;
        customer_search s = {normq, match, verify, most};
        int rc = customer_parts_search(r, &parts, &cf, &s, cols, cursor, limit + 1, &res);
        customer_filter_free(&cf);
        if (rc >= 0) rc = names_fill(r->db, &r->a, &res);
        if (rc < 0) return reply_db_error(r, rc);
        return reply_page_rows(r, &res, limit, "id");
    }
    sqlq q;
    if (driven) {
        sqlq_init(&q, &r->a,
                  arena_cat(&r->a, cols,
                            " FROM customers_fts f CROSS JOIN customers c ON c.id = f.rowid"
                            " WHERE f.customers_fts MATCH ?", NULL));
        q.p[q.n++] = DBS(match);
        if (verify) sqlq_add(&q, " AND instr(c.search_text, ?) > 0", 1, (db_val[]){DBS(verify)});
        cf.norm_q = NULL; /* applied: the other filters follow */
    } else {
        sqlq_init(&q, &r->a, arena_cat(&r->a, cols, " FROM customers c WHERE 1 = 1", NULL));
    }
    policy_customer_filter(r->db, &r->me, &q, now);
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
    if (rc >= 0) rc = names_fill(r->db, &r->a, &res);
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
    json_object_set_new(o, "access", json_string(policy_access_name(acc)));
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
    return reply_problem_with(
        r, warning ? 409 : 422, warning ? "duplicate_warning" : "validation_failed",
        warning ? "similar customers exist; send confirm_duplicates to enter it anyway"
                : "the customer has invalid fields",
        json_pack("{s:o, s:o}", "errors", errs, "duplicates", dups));
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
        customer_find_dups(r->db, &r->a, cols[i], i == 1 ? ts_phone(&r->a, v) : ts_normalize(&r->a, v),
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
     QUERY("page fields sort=-id|id|name|-updated_at|number " CUSTOMER_FILTER_QUERY)
     "Quick search and filtered list of the customers you may see (q, owner=me|pool|ID,"
     " level_id, industry_id, region_id (with sub-regions), source_id, qualification_id,"
     " followup_method_id, protected, signed, created_from, created_to, updated_from, updated_to"
     " (dates or timestamps), next_contact_before, cf.KEY (text: contains; select: equals;"
     " multi-select: any of, repeat the key), cf.KEY.min/.max (number), cf.KEY.from/.to (date),"
     " sort; fields=a,b,...: only these columns of each row, and its id)",
     NULL},
    {"POST", "/api/v1/customers", h_customers_create, "customers.create", 65536,
     "Enter a customer (for yourself; managers: for a salesperson or into the pool)",
     CUSTOMER_SCHEMA},
    {"GET", "/api/v1/customers/duplicates", h_customers_duplicates, "customers.create", 0,
     QUERY("name phone wechat exclude_id=int")
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
     QUERY("page")
     "Every change to a customer, moves in and out of the pool included", NULL},
    ROUTES_END,
};
