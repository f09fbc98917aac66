/* projects.c — the projects (opportunities) resource: entry with the entry
 * policy (settings key project_entry_policy: required fields, duplicate
 * names off / warn / forbid), lists with filters, detail, update with
 * versions, members and their roles, assignment in batches, applications
 * for unassigned projects (document project_application of the approvals
 * engine), project follow-ups and the timeline they share with the
 * customer's, and history. Stages, gates, templates and won / lost live in
 * project_process.c; the board and the weighted pipeline in
 * project_pipeline.c. Visibility and access come from policy_projects.c.
 *
 * Project follow-ups are rows of the followups table with project_id set
 * and the stage they were made at: one table, so the customer's follow-up
 * list and the project's timeline read the same rows. A project without a
 * customer has follow-ups too (followups.customer_id is nullable since 004);
 * when the project is linked to a customer later, its follow-ups follow. */
#include "projects.h"
#include "applications.h"
#include "dicts.h"
#include "followups.h"
#include "../core/approvals.h"
#include "../core/audit.h"
#include "../core/settings.h"
#include "../core/textsearch.h"
#include "../core/util.h"
#include "../db/sqlq.h"
#include "../http/http.h"
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 1000
#define ECALLBACK (-100) /* on_decided refuses: the application is not pending */

#define PROJECT_SELECT                                                                             \
    "SELECT p.id, p.name, p.customer_id, cu.number AS customer_number, cu.name AS customer_name,"  \
    " p.owner_id, ou.name AS owner_name, p.template_id, t.name AS template_name,"                  \
    " p.template_version_id, tv.number AS template_version, p.stage, p.status, p.amount,"          \
    " p.probability, p.weighted AS weighted_amount, p.expected_close_date, p.source_id,"           \
    " ds.name AS source_name, p.products_json, p.competitor_ids_json, p.notes, p.custom_json,"     \
    " p.close_reason, p.lost_to_id, dl.name AS lost_to_name, p.closed_stage, p.closed_at,"         \
    " p.stage_entered_at, p.owned_since, p.last_followup_at, p.created_by, p.version,"             \
    " p.created_at, p.updated_at FROM projects p"                                                  \
    " LEFT JOIN customers cu ON cu.id = p.customer_id LEFT JOIN users ou ON ou.id = p.owner_id"    \
    " JOIN process_templates t ON t.id = p.template_id"                                            \
    " JOIN process_template_versions tv ON tv.id = p.template_version_id"                          \
    " LEFT JOIN dict_items ds ON ds.id = p.source_id LEFT JOIN dict_items dl ON dl.id = "          \
    "p.lost_to_id"

/* What a list row carries (the board uses the same). */
#define PROJECT_LIST_COLS                                                                          \
    "SELECT p.id, p.name, p.customer_id, cu.number AS customer_number, cu.name AS customer_name,"  \
    " p.owner_id, ou.name AS owner_name, p.template_id, p.template_version_id, p.stage,"           \
    " p.status, p.amount, p.probability, p.weighted AS weighted_amount, p.expected_close_date,"    \
    " p.stage_entered_at, p.last_followup_at, p.version, p.updated_at FROM projects p"             \
    " LEFT JOIN customers cu ON cu.id = p.customer_id LEFT JOIN users ou ON ou.id = p.owner_id"

const char *const project_gate_fields[] = {
    "customer_id", "amount", "expected_close_date", "products", "competitor_ids", "source_id",
    "notes",       NULL};

static const char *const access_names[] = {"none", "read", "write", "manage"};
/* Shared helpers --------------------------------------------------------------- */

json_t *project_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res, PROJECT_SELECT " WHERE p.id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

int64_t project_weighted(int64_t amount, int64_t probability)
{
    return (amount * probability + 50) / 100;
}

bool project_customer_ok(db_conn *c, int64_t project_id, int64_t customer_id)
{
    int64_t n = 0;
    db_scalar_int(c, &n, 0, "SELECT COUNT(*) FROM projects WHERE id = ? AND customer_id = ?",
                  DBP(DBI(project_id), DBI(customer_id)));
    return n > 0;
}

int project_problem(req *r, int status, const char *code, const char *detail, json_t *extra)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                          arena_printf(&r->a, "about:blank#%s", code), "title",
                          status == 409   ? "Conflict"
                          : status == 422 ? "Unprocessable Content"
                          : status == 403 ? "Forbidden"
                                          : "Error",
                          "status", status, "code", code, "detail", detail);
    if (extra) {
        json_object_update(o, extra);
        json_decref(extra);
    }
    r->resp_type = "application/problem+json";
    return reply_json(r, status, o);
}

int64_t project_need(req *r, tf_access need, tf_access *acc)
{
    int64_t id = req_id(r, 0);
    tf_access a = id > 0 ? policy_project_access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc) *acc = a;
    if (a == ACCESS_NONE) {
        reply_not_found(r);
        return -1;
    }
    if (a < need) {
        reply_forbidden(r);
        return -1;
    }
    return id;
}

static json_t *members_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT m.user_id, u.name, u.role AS user_role, m.role, m.added_by, m.added_at"
                 " FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ?"
                 " ORDER BY m.added_at, m.user_id",
                 DBP(DBI(id))) < 0)
        return json_array();
    return db_rows_json(&res);
}

int project_reply_detail(req *r, int status, int64_t id, tf_access acc)
{
    json_t *o = project_json(r->db, &r->a, id);
    if (!o) return reply_not_found(r);
    json_object_set_new(o, "access", json_string(access_names[acc]));
    json_object_set_new(o, "members", members_json(r->db, &r->a, id));
    proc_version v;
    int64_t vid = json_integer_value(json_object_get(o, "template_version_id"));
    if (process_version_load(r->db, &r->a, vid, &v) == 0) {
        int si = process_stage_index(&v, json_string_value(json_object_get(o, "stage")));
        if (si >= 0) json_object_set_new(o, "stage_name", json_string(v.stages[si].name));
        json_object_set_new(o, "process", process_detail_json(r->db, &r->a, &v, o));
    }
    db_res res;
    if (db_query(r->db, &r->a, &res,
                 "SELECT id, state, created_at FROM project_applications WHERE project_id = ? AND"
                 " applicant_id = ? ORDER BY id DESC LIMIT 1",
                 DBP(DBI(id), DBI(r->me.id))) > 0)
        json_object_set_new(o, "my_application", db_row_json(&res, 0));
    else
        json_object_set_new(o, "my_application", json_null());
    return reply_json(r, status, o);
}

void project_stage_names(db_conn *c, arena *a, json_t *items)
{
    enum { CACHE = 16 };
    int64_t ids[CACHE];
    proc_version vs[CACHE];
    int n = 0;
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        int64_t vid = json_integer_value(json_object_get(o, "template_version_id"));
        const char *stage = json_string_value(json_object_get(o, "stage"));
        int k = 0;
        while (k < n && ids[k] != vid)
            k++;
        if (k == n) {
            if (n == CACHE || process_version_load(c, a, vid, &vs[n]) != 0) continue;
            ids[n++] = vid;
        }
        int si = process_stage_index(&vs[k], stage);
        json_object_set_new(o, "stage_name",
                            si >= 0 ? json_string(vs[k].stages[si].name) : json_null());
    }
}

/* Entry: checks and insert ----------------------------------------------------- */

static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_integer(v) && json_integer_value(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* A calendar date YYYY-MM-DD between 2000 and 2999 that exists. */
static bool date_ok(const char *s)
{
    time_t t;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || s[0] != '2') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    if (!tf_ts_parse(s, &t)) return false;
    char back[TF_TS_LEN];
    tf_ts(back, t);
    return strncmp(back, s, 10) == 0;
}

static const field product_spec[] = {{"name", F_STR, F_REQ, 200, 1},
                                     {"spec", F_STR, F_NULL, 200, 0},
                                     {"quantity_milli", F_INT, F_NULL, 1000000000000000LL, 0},
                                     {"unit", F_STR, F_NULL, 10, 0},
                                     {"package", F_STR, F_NULL, 60, 0},
                                     {"note", F_STR, F_NULL, 200, 0},
                                     FIELDS_END};

/* Other projects with the same normalised name: {id, name, status, stage,
 * owner_name} — shown even when the user cannot open them, so they learn
 * the project exists (as the customers' duplicate check does). */
static json_t *find_dups(db_conn *c, arena *a, const char *norm, int64_t exclude_id)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT p.id, p.name, p.status, p.stage, ou.name AS owner_name FROM projects p"
                 " LEFT JOIN users ou ON ou.id = p.owner_id WHERE p.name_norm = ? AND p.id <> ?"
                 " ORDER BY p.id LIMIT 5",
                 DBP(DBS(norm), DBI(exclude_id))) <= 0)
        return json_array();
    return db_rows_json(&r);
}

static bool int_in(json_t *arr, json_int_t v)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_integer_value(x) == v) return true;
    return false;
}

/* Checks the fields of a new project (current NULL) or of a change to one
 * (current: the project's JSON): entry policy, references, formats, custom
 * fields, duplicate names. Field errors go to errs; *dups gets the
 * duplicates found (caller owns). Returns -1 on errors, 1 if only a
 * duplicate warning, 0 if clean. */
static int project_check(db_conn *c, arena *a, const principal *u, json_t *fields, json_t *current,
                         json_t *errs, json_t **dups)
{
    bool creating = current == NULL;
    size_t before = json_array_size(errs);
    json_t *policy = settings_get(c, "project_entry_policy");
    int warn = 0;
    *dups = json_array();
    if (creating && blank(json_object_get(fields, "name")))
        json_array_append_new(errs, field_error("name", "required", "is required"));
    size_t i;
    json_t *rq;
    json_array_foreach(json_object_get(policy, "required"), i, rq)
    {
        const char *f = json_string_value(rq);
        json_t *v = f ? json_object_get(fields, f) : NULL;
        if (f && ((creating && blank(v)) || (!creating && v && blank(v))))
            json_array_append_new(errs,
                                  field_error(f, "required", "is required by the entry policy"));
    }
    json_t *cv = json_object_get(fields, "customer_id");
    if (json_is_integer(cv) &&
        (creating ||
         json_integer_value(json_object_get(current, "customer_id")) != json_integer_value(cv)) &&
        policy_customer_access(c, u, json_integer_value(cv)) == ACCESS_NONE)
        json_array_append_new(
            errs, field_error("customer_id", "not_found", "no such customer that you may see"));
    json_t *sv = json_object_get(fields, "source_id");
    if (json_is_integer(sv)) {
        bool unchanged = current && json_integer_value(json_object_get(current, "source_id")) ==
                                        json_integer_value(sv);
        if (!dict_ref_ok(c, "source", json_integer_value(sv), unchanged))
            json_array_append_new(errs, field_error("source_id", "not_found",
                                                    "is not an active item of the dictionary"));
    }
    json_t *comp = json_object_get(fields, "competitor_ids"), *it;
    json_array_foreach(comp, i, it)
    {
        char *name = arena_printf(a, "competitor_ids[%zu]", i);
        json_int_t id = json_integer_value(it);
        if (!json_is_integer(it) || id < 1) {
            json_array_append_new(errs, field_error(name, "wrong_type", "must be a dictionary id"));
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = json_integer_value(json_array_get(comp, k)) == id;
        bool had = current && int_in(json_object_get(current, "competitor_ids"), id);
        if (seen)
            json_array_append_new(errs, field_error(name, "duplicate", "is listed twice"));
        else if (!dict_ref_ok(c, "competitor", id, had))
            json_array_append_new(errs,
                                  field_error(name, "not_found", "is not an active competitor"));
    }
    json_array_foreach(json_object_get(fields, "products"), i, it)
    {
        char *prefix = arena_printf(a, "products[%zu].", i);
        if (!json_is_object(it))
            json_array_append_new(errs, field_error(arena_printf(a, "products[%zu]", i),
                                                    "wrong_type", "must be an object"));
        else
            input_check_obj(it, product_spec, prefix, errs);
    }
    const char *date = json_string_value(json_object_get(fields, "expected_close_date"));
    if (date && !date_ok(date))
        json_array_append_new(
            errs, field_error("expected_close_date", "invalid", "must be a date 2026-12-31"));
    json_t *custom = json_object_get(fields, "custom");
    if (creating || custom) custom_validate(c, a, "project", custom, creating, errs);
    const char *name = json_string_value(json_object_get(fields, "name"));
    const char *mode =
        json_string_value(json_object_get(json_object_get(policy, "duplicates"), "name"));
    if (name && *name && mode && strcmp(mode, "off") != 0) {
        const char *norm = ts_normalize(a, name);
        const char *was = json_string_value(json_object_get(current, "name"));
        if (*norm && (!was || strcmp(ts_normalize(a, was), norm) != 0)) {
            json_decref(*dups);
            *dups = find_dups(c, a, norm,
                              current ? json_integer_value(json_object_get(current, "id")) : 0);
            if (json_array_size(*dups) && strcmp(mode, "forbid") == 0)
                json_array_append_new(errs, field_error("name", "duplicate",
                                                        "another project already has this name"));
            else if (json_array_size(*dups))
                warn = 1;
        }
    }
    json_decref(policy);
    if (json_array_size(errs) > before) return -1;
    return warn;
}

static int reply_dups(req *r, json_t *errs, json_t *dups, bool warning)
{
    json_t *o = json_pack("{s:o, s:o}", "errors", errs, "duplicates", dups);
    return project_problem(r, warning ? 409 : 422,
                           warning ? "duplicate_warning" : "validation_failed",
                           warning ? "projects with the same name exist; send confirm_duplicates"
                                     " to enter it anyway"
                                   : "the project has invalid fields",
                           o);
}

/* JSON text of v (or dflt when absent), in the arena. */
static const char *dump(arena *a, json_t *v, const char *dflt)
{
    if (!v || json_is_null(v)) return dflt;
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    const char *out = arena_strdup(a, s);
    free(s);
    return out;
}

static db_val opt_int(json_t *fields, const char *k)
{
    json_t *v = json_object_get(fields, k);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}

static const char *opt_str(json_t *fields, const char *k)
{
    const char *s = json_string_value(json_object_get(fields, k));
    return s && *s ? s : NULL;
}

int project_insert(db_conn *c, arena *a, const project_input *in, int64_t actor_id, int64_t *id)
{
    json_t *f = in->fields;
    char now[TF_TS_LEN];
    tf_now(now);
    const char *name = json_string_value(json_object_get(f, "name"));
    int64_t amount = json_integer_value(json_object_get(f, "amount"));
    db_res r;
    int rc = db_query(
        c, a, &r,
        "INSERT INTO projects(name, name_norm, customer_id, owner_id, template_id,"
        " template_version_id, stage, status, amount, probability, weighted, expected_close_date,"
        " source_id, products_json, competitor_ids_json, notes, custom_json, stage_entered_at,"
        " owned_since, created_by, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "
        "id",
        DBP(DBS(name), DBS(ts_normalize(a, name)), opt_int(f, "customer_id"),
            in->owner_id ? DBI(in->owner_id) : DBNULL, DBI(in->template_id), DBI(in->version_id),
            DBS(in->stage), DBI(amount), DBI(in->probability),
            DBI(project_weighted(amount, in->probability)), DBS(opt_str(f, "expected_close_date")),
            opt_int(f, "source_id"), DBS(dump(a, json_object_get(f, "products"), "[]")),
            DBS(dump(a, json_object_get(f, "competitor_ids"), "[]")), DBS(opt_str(f, "notes")),
            DBS(dump(a, json_object_get(f, "custom"), "{}")), DBS(now),
            DBS(in->owner_id ? now : NULL), actor_id ? DBI(actor_id) : DBNULL, DBS(now), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *id = db_get_int(&r, 0, "id");
    json_t *after = project_json(c, a, *id);
    rc = audit_record(c, actor_id, "project", *id, "create", NULL, after);
    json_decref(after);
    return rc;
}

/* The fields a project body may carry (create adds owner_id, template_id
 * and stage; update adds version). */
/* clang-format off */
#define PROJECT_FIELDS                                                                             \
    {"name", F_STR, 0, 200, 1}, {"customer_id", F_INT, F_NULL, 0, 1},                              \
    {"amount", F_INT, 0, PROJECT_AMOUNT_MAX, 0}, {"expected_close_date", F_STR, F_NULL, 10, 0},    \
    {"products", F_ARR, 0, 50, 0}, {"source_id", F_INT, F_NULL, 0, 1},                             \
    {"probability", F_INT, 0, 100, 0}, {"competitor_ids", F_ARR, 0, 20, 0},                        \
    {"notes", F_STR, F_NULL, 5000, 0}, {"custom", F_OBJ, 0, 0, 0},                                 \
    {"confirm_duplicates", F_BOOL, 0, 0, 0}
/* clang-format on */

/* POST /projects — a salesperson enters for themself; managers for a
 * salesperson they cover or unassigned (owner_id null). The project starts
 * at the template's first stage, or at `stage` if every gate before it is
 * already satisfied by the fields given. */
static int h_projects_create(req *r)
{
    static const field spec[] = {PROJECT_FIELDS,
                                 {"owner_id", F_INT, F_NULL, 0, 1},
                                 {"template_id", F_INT, 0, 0, 1},
                                 {"stage", F_STR, 0, 40, 1},
                                 FIELDS_END};
    /* route is PERM_SIGNED_IN: project permissions live in policy_projects.c */
    if (!policy_project_allows(&r->me, "projects.create")) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *ov = json_object_get(r->in, "owner_id");
    int64_t owner = r->me.id;
    if (ov) owner = json_is_integer(ov) ? json_integer_value(ov) : 0;
    if (owner != r->me.id && !policy_project_allows(&r->me, "projects.assign"))
        return reply_problem(r, 403, "forbidden", "you can only enter projects for yourself");
    json_t *errs = json_array(), *dups = NULL;
    if (owner && owner != r->me.id && !policy_may_assign_to(r->db, &r->me, owner))
        json_array_append_new(
            errs, field_error("owner_id", "invalid", "must be an active salesperson you cover"));
    int64_t tid = 0, vid = 0;
    proc_version v;
    int si = 0;
    if (process_current(r->db, in_int(r, "template_id", 0), &tid, &vid) != 0 ||
        process_version_load(r->db, &r->a, vid, &v) != 0) {
        json_array_append_new(errs, field_error("template_id", "not_found",
                                                in_has(r, "template_id")
                                                    ? "no such active process template"
                                                    : "no default process template; define one"));
        return reply_invalid(r, errs);
    }
    const char *stage = in_str(r, "stage");
    if (stage && (si = process_stage_index(&v, stage)) < 0) {
        json_array_append_new(errs,
                              field_error("stage", "invalid", "is not a stage of the template"));
        return reply_invalid(r, errs);
    }
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    int chk = project_check(r->db, &r->a, &r->me, r->in, NULL, errs, &dups);
    if (chk < 0 || json_array_size(errs)) {
        db_rollback(r->db);
        return reply_dups(r, errs, dups, false);
    }
    if (chk == 1 && !in_bool(r, "confirm_duplicates", false)) {
        db_rollback(r->db);
        return reply_dups(r, errs, dups, true);
    }
    json_decref(dups);
    if (si > 0) { /* no gate is skipped, not even at entry */
        json_t *missing = process_missing(r->db, &r->a, &v, r->in, 0, si);
        if (!missing || json_array_size(missing)) {
            db_rollback(r->db);
            json_decref(errs);
            if (!missing) return reply_db_error(r, DB_ERR);
            return project_problem(
                r, 409, "conflict",
                "a project can only start at a later stage when every gate"
                " before it is met",
                json_pack("{s:s, s:o}", "reason", "gate_blocked", "missing", missing));
        }
        json_decref(missing);
    }
    json_decref(errs);
    project_input in = {.fields = r->in,
                        .owner_id = owner,
                        .template_id = tid,
                        .version_id = vid,
                        .stage = v.stages[si].key,
                        .probability = in_int(r, "probability", v.stages[si].probability)};
    int64_t id = 0;
    rc = project_insert(r->db, &r->a, &in, r->me.id, &id);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return project_reply_detail(r, 201, id, policy_project_access(r->db, &r->me, id));
}

/* PATCH /projects/{id} — owner and managers; stage, owner and status have
 * their own endpoints. */
static int h_projects_update(req *r)
{
    static const field spec[] = {PROJECT_FIELDS, {"version", F_INT, F_REQ, 0, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = project_json(r->db, &r->a, id), *errs = json_array(), *dups = NULL;
    json_t *after = NULL;
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
    int chk = project_check(r->db, &r->a, &r->me, r->in, before, errs, &dups);
    if (chk < 0 || (chk == 1 && !in_bool(r, "confirm_duplicates", false))) {
        db_rollback(r->db);
        json_decref(before);
        return reply_dups(r, errs, dups, chk == 1);
    }
    json_decref(errs);
    json_decref(dups);
    json_t *f = r->in, *custom = json_object_get(f, "custom");
    const char *cja = NULL;
    if (custom) { /* custom values merge into the stored ones; null removes a key */
        json_t *merged = json_deep_copy(json_object_get(before, "custom"));
        if (!json_is_object(merged)) {
            json_decref(merged);
            merged = json_object();
        }
        const char *k;
        json_t *cv;
        json_object_foreach(custom, k, cv)
        {
            if (json_is_null(cv))
                json_object_del(merged, k);
            else
                json_object_set(merged, k, cv);
        }
        cja = dump(&r->a, merged, "{}");
        json_decref(merged);
    }
    int64_t amount = in_int(r, "amount", json_integer_value(json_object_get(before, "amount")));
    int64_t prob =
        in_int(r, "probability", json_integer_value(json_object_get(before, "probability")));
    const char *name = in_str(r, "name");
    char now[TF_TS_LEN];
    tf_now(now);
#define OPT(k) DBI(in_has(r, k))
    rc = db_exec(
        r->db,
        "UPDATE projects SET name = COALESCE(?, name), name_norm = COALESCE(?, name_norm),"
        " customer_id = CASE WHEN ? = 1 THEN ? ELSE customer_id END,"
        " amount = ?, probability = ?, weighted = ?,"
        " expected_close_date = CASE WHEN ? = 1 THEN ? ELSE expected_close_date END,"
        " source_id = CASE WHEN ? = 1 THEN ? ELSE source_id END,"
        " products_json = COALESCE(?, products_json),"
        " competitor_ids_json = COALESCE(?, competitor_ids_json),"
        " notes = CASE WHEN ? = 1 THEN ? ELSE notes END, custom_json = COALESCE(?, custom_json),"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        DBP(DBS(name), DBS(name ? ts_normalize(&r->a, name) : NULL), OPT("customer_id"),
            opt_int(f, "customer_id"), DBI(amount), DBI(prob), DBI(project_weighted(amount, prob)),
            OPT("expected_close_date"), DBS(opt_str(f, "expected_close_date")), OPT("source_id"),
            opt_int(f, "source_id"), DBS(dump(&r->a, json_object_get(f, "products"), NULL)),
            DBS(dump(&r->a, json_object_get(f, "competitor_ids"), NULL)), OPT("notes"),
            DBS(opt_str(f, "notes")), DBS(cja), DBS(now), DBI(id), DBI(cur)));
#undef OPT
    if (rc == 0) { /* PostgreSQL: a concurrent change committed after our read */
        db_rollback(r->db);
        json_decref(before);
        int64_t now_v = 0;
        db_scalar_int(r->db, &now_v, 0, "SELECT version FROM projects WHERE id = ?", DBP(DBI(id)));
        return reply_conflict_version(r, now_v);
    }
    /* follow-ups made on the project follow it to its (new) customer */
    if (rc > 0 && in_has(r, "customer_id"))
        rc = db_exec(
            r->db,
            "UPDATE followups SET customer_id = ? WHERE project_id = ? AND stage IS NOT NULL",
            DBP(opt_int(f, "customer_id"), DBI(id)));
    if (rc >= 0) {
        after = project_json(r->db, &r->a, id);
        rc = audit_record(r->db, r->me.id, "project", id, "update", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    json_decref(after);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return project_reply_detail(r, 200, id, policy_project_access(r->db, &r->me, id));
}

static int h_projects_get(req *r)
{
    tf_access acc;
    int64_t id = project_need(r, ACCESS_READ, &acc);
    if (id < 0) return 0;
    return project_reply_detail(r, 200, id, acc);
}

static int h_projects_history(req *r)
{
    int64_t id = project_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    return audit_reply_history(r, "project", id);
}

/* GET /projects?q&owner=me|unassigned|ID&stage&status&customer_id&
 * template_id&member=me — newest first. */
/* The list's ranges: close_from / close_to (expected close date, inclusive)
 * and amount_min / amount_max (fen, inclusive). Replies 400 and returns -1
 * on a bad value. */
static int list_ranges(req *r, sqlq *q)
{
    static const struct {
        const char *param, *sql;
    } dates[] = {{"close_from", " AND p.expected_close_date >= ?"},
                 {"close_to", " AND p.expected_close_date <= ?"}},
      amounts[] = {{"amount_min", " AND p.amount >= ?"}, {"amount_max", " AND p.amount <= ?"}};
    for (size_t i = 0; i < 2; i++) {
        const char *d = req_query(r, dates[i].param);
        if (!d || !*d) continue;
        if (!date_ok(d)) {
            reply_problem(r, 400, "bad_request", "%s must be a date 2026-12-31", dates[i].param);
            return -1;
        }
        sqlq_add(q, dates[i].sql, 1, (db_val[]){DBS(d)});
    }
    for (size_t i = 0; i < 2; i++) {
        const char *m = req_query(r, amounts[i].param);
        int64_t v;
        if (!m || !*m) continue;
        if (!tf_parse_i64(m, &v) || v < 0 || v > PROJECT_AMOUNT_MAX) {
            reply_problem(r, 400, "bad_request", "%s must be an amount in fen from 0 to %lld",
                          amounts[i].param, (long long)PROJECT_AMOUNT_MAX);
            return -1;
        }
        sqlq_add(q, amounts[i].sql, 1, (db_val[]){DBI(v)});
    }
    return 0;
}

/* The list's order (sort=-id newest first, -amount, -weighted, close_date:
 * soonest first, no date last, -updated_at) with keyset paging: the cursor
 * is the id of the last row, other orders compare against that row's value
 * and break ties by id. Replies 400 and returns -1 on an unknown sort. */
static int list_order(req *r, sqlq *q, int64_t cursor, int limit)
{
#define AFTER(col, op, sub)                                                                        \
    " AND (? = 0 OR " col " " op " (" sub ") OR (" col " = (" sub ") AND p.id < ?))"
#define CLOSE_COL "COALESCE(p.expected_close_date, '9999-12-31')"
#define CLOSE_SUB "SELECT COALESCE(expected_close_date, '9999-12-31') FROM projects WHERE id = ?"
    static const struct {
        const char *name, *cond, *order;
    } sorts[] = {
        {"-id", " AND (? = 0 OR p.id < ?)", " ORDER BY p.id DESC"},
        {"-amount", AFTER("p.amount", "<", "SELECT amount FROM projects WHERE id = ?"),
         " ORDER BY p.amount DESC, p.id DESC"},
        {"-weighted", AFTER("p.weighted", "<", "SELECT weighted FROM projects WHERE id = ?"),
         " ORDER BY p.weighted DESC, p.id DESC"},
        {"close_date", AFTER(CLOSE_COL, ">", CLOSE_SUB), " ORDER BY " CLOSE_COL ", p.id DESC"},
        {"-updated_at", AFTER("p.updated_at", "<", "SELECT updated_at FROM projects WHERE id = ?"),
         " ORDER BY p.updated_at DESC, p.id DESC"},
    };
#undef AFTER
#undef CLOSE_COL
#undef CLOSE_SUB
    const char *sort = req_query(r, "sort");
    int si = -1;
    for (int i = 0; i < (int)(sizeof(sorts) / sizeof(sorts[0])); i++)
        if (strcmp(sorts[i].name, sort && *sort ? sort : "-id") == 0) si = i;
    if (si < 0) {
        reply_problem(r, 400, "bad_request",
                      "sort must be -id, -amount, -weighted, close_date or -updated_at");
        return -1;
    }
    int np = 0;
    for (const char *p = sorts[si].cond; *p; p++) np += *p == '?';
    db_val cp[4] = {DBI(cursor), DBI(cursor), DBI(cursor), DBI(cursor)};
    sqlq_add(q, sorts[si].cond, np, cp);
    sqlq_add(q, sorts[si].order, 0, NULL);
    sqlq_add(q, " LIMIT ?", 1, (db_val[]){DBI(limit + 1)});
    return 0;
}

static int h_projects_list(req *r)
{
    int limit;
    int64_t cursor, v;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    sqlq q;
    sqlq_init(&q, &r->a, PROJECT_LIST_COLS " WHERE 1 = 1");
    policy_project_filter(&r->me, &q);
    const char *s = req_query(r, "q");
    if (s && *s) {
        if (strlen(s) > 200 || !tf_utf8_valid(s, strlen(s)))
            return reply_problem(r, 400, "bad_request", "q must be text of at most 200 bytes");
        const char *norm = ts_normalize(&r->a, s);
        if (*norm) {
            const char *like = tf_like_contains(&r->a, norm);
            sqlq_add(&q, " AND (p.name_norm LIKE ? ESCAPE '\\' OR cu.name_norm LIKE ? ESCAPE '\\')",
                     2, (db_val[]){DBS(like), DBS(like)});
        }
    }
    const char *owner = req_query(r, "owner");
    if (owner && *owner) {
        if (strcmp(owner, "me") == 0)
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(r->me.id)});
        else if (strcmp(owner, "unassigned") == 0)
            sqlq_add(&q, " AND p.owner_id IS NULL", 0, NULL);
        else if (tf_parse_i64(owner, &v))
            sqlq_add(&q, " AND p.owner_id = ?", 1, (db_val[]){DBI(v)});
        else
            return reply_problem(r, 400, "bad_request",
                                 "owner must be me, unassigned or a user id");
    }
    const char *member = req_query(r, "member");
    if (member && *member) {
        if (strcmp(member, "me") != 0)
            return reply_problem(r, 400, "bad_request", "member must be me");
        sqlq_add(&q, " AND p.id IN (SELECT project_id FROM project_members WHERE user_id = ?)", 1,
                 (db_val[]){DBI(r->me.id)});
    }
    const char *stage = req_query(r, "stage");
    if (stage && *stage) {
        if (strlen(stage) > 40) return reply_problem(r, 400, "bad_request", "stage is too long");
        sqlq_add(&q, " AND p.stage = ?", 1, (db_val[]){DBS(stage)});
    }
    const char *status = req_query(r, "status");
    if (status && *status) {
        if (strcmp(status, "open") && strcmp(status, "won") && strcmp(status, "lost"))
            return reply_problem(r, 400, "bad_request", "status must be open, won or lost");
        sqlq_add(&q, " AND p.status = ?", 1, (db_val[]){DBS(status)});
    }
    static const struct {
        const char *param, *sql;
    } ids[] = {{"customer_id", " AND p.customer_id = ?"},
               {"template_id", " AND p.template_id = ?"}};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const char *p = req_query(r, ids[i].param);
        if (!p || !*p) continue;
        if (!tf_parse_i64(p, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "%s must be an id", ids[i].param);
        sqlq_add(&q, ids[i].sql, 1, (db_val[]){DBI(v)});
    }
    const char *dept = req_query(r, "department_id");
    if (dept && *dept) { /* the owner's department or one below it */
        if (!tf_parse_i64(dept, &v) || v < 1)
            return reply_problem(r, 400, "bad_request", "department_id must be an id");
        sqlq_add(&q, " AND p.owner_id IN (SELECT du.id FROM users du WHERE du.department_id IN (",
                 0, NULL);
        sqlq_add(&q, POLICY_DEPT_SUBTREE_SQL, 1, (db_val[]){DBI(v)});
        sqlq_add(&q, "))", 0, NULL);
    }
    if (list_ranges(r, &q) < 0) return 0;
    if (list_order(r, &q, cursor, limit) < 0) return 0;
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res);
    project_stage_names(r->db, &r->a, items);
    return reply_page(r, items, limit, "id");
}

/* Members ------------------------------------------------------------------------ */

static int h_members_list(req *r)
{
    int64_t id = project_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    return reply_json(
        r, 200, json_pack("{s:o, s:n}", "items", members_json(r->db, &r->a, id), "next_cursor"));
}

/* The member row of (project, user) as JSON, or NULL. */
static json_t *member_json(db_conn *c, arena *a, int64_t id, int64_t user_id)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT m.user_id, u.name, u.role AS user_role, m.role, m.added_by, m.added_at"
                 " FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ?"
                 " AND m.user_id = ?",
                 DBP(DBI(id), DBI(user_id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* POST /projects/{id}/members {"user_id", "role"} — anyone active may
 * follow a project (technical support sits in other departments). */
static int h_members_add(req *r)
{
    static const field spec[] = {
        {"user_id", F_INT, F_REQ, 0, 1}, {"role", F_STR, F_REQ, 40, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int64_t uid = in_int(r, "user_id", 0), ok = 0, owner = 0;
    db_scalar_int(r->db, &ok, 0, "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE",
                  DBP(DBI(uid)));
    db_scalar_int(r->db, &owner, 0, "SELECT owner_id FROM projects WHERE id = ?", DBP(DBI(id)));
    json_t *errs = json_array();
    if (!ok)
        json_array_append_new(errs, field_error("user_id", "not_found", "no such active user"));
    else if (owner == uid)
        json_array_append_new(errs, field_error("user_id", "invalid", "is the project's owner"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    rc = db_exec(r->db,
                 "INSERT INTO project_members(project_id, user_id, role, added_by, added_at)"
                 " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, user_id) DO NOTHING",
                 DBP(DBI(id), DBI(uid), DBS(in_str(r, "role")), DBI(r->me.id), DBS(now)));
    if (rc == 0) {
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "the user already follows this project");
    }
    json_t *m = rc > 0 ? member_json(r->db, &r->a, id, uid) : NULL;
    if (rc > 0) rc = audit_record(r->db, r->me.id, "project", id, "member_add", NULL, m);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(m);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, m);
}

/* PATCH /projects/{id}/members/{user_id} {"role"} */
static int h_members_update(req *r)
{
    static const field spec[] = {{"role", F_STR, F_REQ, 40, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL), uid = req_id(r, 1);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = uid > 0 ? member_json(r->db, &r->a, id, uid) : NULL, *after = NULL;
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db, "UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?",
                 DBP(DBS(in_str(r, "role")), DBI(id), DBI(uid)));
    if (rc >= 0) {
        after = member_json(r->db, &r->a, id, uid);
        rc = audit_record(r->db, r->me.id, "project", id, "member_role", before, after);
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

/* DELETE /projects/{id}/members/{user_id} — managers of the project, or the
 * member leaving. */
static int h_members_remove(req *r)
{
    tf_access acc;
    int64_t id = project_need(r, ACCESS_READ, &acc), uid = req_id(r, 1);
    if (id < 0) return 0;
    if (acc < ACCESS_MANAGE && uid != r->me.id) return reply_forbidden(r);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = uid > 0 ? member_json(r->db, &r->a, id, uid) : NULL;
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db, "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
                 DBP(DBI(id), DBI(uid)));
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "project", id, "member_remove", before, NULL);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

/* Assignment ------------------------------------------------------------------------ */

/* Moves project id (at `version`, owned by `from`) to `to` (0: unassigned)
 * with its audit row. 1 if moved, 0 if it changed meanwhile, or < 0. */
/* A new owner stops being a member of the project (one role each). */
static int owner_not_member(db_conn *c, int64_t id, int64_t owner)
{
    int rc = db_exec(c, "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
                     DBP(DBI(id), DBI(owner)));
    return rc < 0 ? rc : 0;
}

static int project_move(db_conn *c, int64_t id, int64_t version, int64_t from, int64_t to,
                        const char *kind, const char *reason, int64_t actor_id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc =
        db_exec(c,
                "UPDATE projects SET owner_id = ?, owned_since = ?, version = version + 1,"
                " updated_at = ? WHERE id = ? AND version = ?",
                DBP(to ? DBI(to) : DBNULL, DBS(to ? now : NULL), DBS(now), DBI(id), DBI(version)));
    if (rc <= 0) return rc;
    if (to && (rc = owner_not_member(c, id, to)) < 0) return rc;
    json_t *before = json_pack("{s:o}", "owner_id", from ? json_integer(from) : json_null());
    json_t *after = json_pack("{s:o, s:s}", "owner_id", to ? json_integer(to) : json_null(),
                              "reason", reason ? reason : "");
    rc = audit_record(c, actor_id, "project", id, kind, before, after);
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 1;
}

/* assign and takeback: every project checked first (manage access), then
 * all moved in one transaction or none. */
static int batch_move(req *r, bool assign)
{
    static const field spec_assign[] = {{"ids", F_ARR, F_REQ, BATCH_MAX, 0},
                                        {"owner_id", F_INT, F_REQ, 0, 1},
                                        {"reason", F_STR, F_NULL, PROJECT_REASON_MAX, 0},
                                        FIELDS_END};
    static const field spec_takeback[] = {{"ids", F_ARR, F_REQ, BATCH_MAX, 0},
                                          {"reason", F_STR, F_REQ, PROJECT_REASON_MAX, 1},
                                          FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.assign")) return reply_forbidden(r);
    if (input_check(r, assign ? spec_assign : spec_takeback) < 0) return 0;
    int64_t to = assign ? in_int(r, "owner_id", 0) : 0;
    json_t *errs = json_array(), *ids = json_object_get(r->in, "ids"), *it;
    if (assign && !policy_may_assign_to(r->db, &r->me, to))
        json_array_append_new(errs, field_error("owner_id", "invalid",
                                                "must be an active salesperson or manager you"
                                                " cover"));
    size_t n = json_array_size(ids), i, k = 0;
    if (n == 0) json_array_append_new(errs, field_error("ids", "required", "may not be empty"));
    int64_t *v = arena_alloc(&r->a, (n ? n : 1) * sizeof(int64_t));
    json_array_foreach(ids, i, it)
    {
        int64_t x = json_is_integer(it) ? (int64_t)json_integer_value(it) : 0;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = v[j] == x;
        if (x < 1)
            json_array_append_new(errs, field_error(arena_printf(&r->a, "ids[%zu]", i), "invalid",
                                                    "must be a project id"));
        else if (!dup)
            v[k++] = x;
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    int64_t *owner = arena_alloc(&r->a, (k ? k : 1) * sizeof(int64_t));
    int64_t *ver = arena_alloc(&r->a, (k ? k : 1) * sizeof(int64_t));
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    for (i = 0; i < k; i++) {
        tf_access acc = policy_project_access(r->db, &r->me, v[i]);
        db_res res;
        rc = db_query(r->db, &r->a, &res, "SELECT owner_id, version FROM projects WHERE id = ?",
                      DBP(DBI(v[i])));
        if (rc < 0) goto fail;
        json_t *e = NULL;
        if (rc == 0 || acc == ACCESS_NONE)
            e = field_error("ids", "not_found", "no such project");
        else if (acc < ACCESS_MANAGE)
            e = field_error("ids", "forbidden",
                            assign ? "you may not assign this project"
                                   : "you may not take this project back");
        if (e) {
            json_object_set_new(e, "id", json_integer(v[i]));
            json_array_append_new(errs, e);
            continue;
        }
        owner[i] =
            db_cell(&res, 0, "owner_id")->t == DBV_NULL ? 0 : db_get_int(&res, 0, "owner_id");
        ver[i] = db_get_int(&res, 0, "version");
    }
    if (json_array_size(errs)) {
        db_rollback(r->db);
        return reply_invalid(r, errs);
    }
    json_t *moved = json_array(), *unchanged = json_array();
    rc = 0;
    for (i = 0; i < k; i++) {
        if (owner[i] == to) {
            json_array_append_new(unchanged, json_integer(v[i]));
            continue;
        }
        int m = project_move(r->db, v[i], ver[i], owner[i], to, assign ? "assign" : "takeback",
                             in_str(r, "reason"), r->me.id);
        if (m < 0) {
            rc = m;
            break;
        }
        if (m == 0) { /* a concurrent change got there first */
            json_t *e = field_error("ids", "conflict", "changed meanwhile; nothing was moved");
            json_object_set_new(e, "id", json_integer(v[i]));
            json_array_append_new(errs, e);
            break;
        }
        json_array_append_new(moved, json_integer(v[i]));
    }
    if (rc == 0 && !json_array_size(errs)) rc = db_commit(r->db);
    if (rc < 0 || json_array_size(errs)) {
        json_decref(moved);
        json_decref(unchanged);
        if (rc < 0) goto fail;
        db_rollback(r->db);
        return project_problem(r, 409, "conflict",
                               "a project of the batch changed meanwhile; nothing was moved",
                               json_pack("{s:o}", "errors", errs));
    }
    json_decref(errs);
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o}", "moved", moved, "unchanged", unchanged,
                                "owner_id", to ? json_integer(to) : json_null()));
fail:
    db_rollback(r->db);
    json_decref(errs);
    return reply_db_error(r, rc);
}

/* POST /projects/assign {"ids", "owner_id", "reason"?} */
static int h_projects_assign(req *r)
{
    return batch_move(r, true);
}

/* POST /projects/takeback {"ids", "reason"} — back to unassigned. */
static int h_projects_takeback(req *r)
{
    return batch_move(r, false);
}

/* Applications ------------------------------------------------------------------- */

#define APP_SELECT                                                                                 \
    "SELECT a.id, a.project_id, p.name AS project_name, a.applicant_id, u.name AS applicant_name," \
    " a.reason, a.state, a.request_id, a.outcome_note, a.created_at, a.decided_at"                 \
    " FROM project_applications a JOIN projects p ON p.id = a.project_id"                          \
    " JOIN users u ON u.id = a.applicant_id"

static json_t *app_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r, APP_SELECT " WHERE a.id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&r, 0);
}

/* on_decided of project_application, inside the deciding transaction: an
 * approved application makes the project the applicant's if it is still
 * unassigned; otherwise the application is lost, saying who has it. */
static int app_on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome,
                          int64_t actor_id)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT project_id, applicant_id, reason, state FROM project_applications"
                      " WHERE id = ?",
                      DBP(DBI(doc_id)));
    if (rc <= 0) return rc < 0 ? rc : ECALLBACK;
    if (strcmp(db_get_text(&r, 0, "state"), "pending") != 0) return ECALLBACK;
    int64_t pid = db_get_int(&r, 0, "project_id"), applicant = db_get_int(&r, 0, "applicant_id");
    json_t *before = app_json(c, a, doc_id), *after = NULL;
    const char *state = outcome, *note = NULL;
    char now[TF_TS_LEN];
    tf_now(now);
    if (strcmp(outcome, "approved") == 0) {
        int64_t active = 0;
        db_scalar_int(c, &active, 0,
                      "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                      " ('salesperson', 'sales_manager')",
                      DBP(DBI(applicant)));
        db_res p;
        rc = db_query(c, a, &p,
                      "SELECT p.owner_id, p.version, u.name AS owner_name FROM projects p"
                      " LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = ?",
                      DBP(DBI(pid)));
        if (rc <= 0) {
            rc = rc < 0 ? rc : ECALLBACK;
            goto done;
        }
        const db_val *owner = db_cell(&p, 0, "owner_id");
        if (!active) {
            state = "lost";
            note = "the applicant can no longer own projects";
        } else if (owner->t != DBV_NULL && owner->i == applicant) {
            note = "the project was already the applicant's";
        } else if (owner->t != DBV_NULL) {
            state = "lost";
            note = arena_printf(a, "%s got the project first", db_get_text(&p, 0, "owner_name"));
        } else {
            /* the UPDATE requires the project still unassigned: of two
             * approvals at once, one moves it and the other is lost */
            rc = db_exec(c,
                         "UPDATE projects SET owner_id = ?, owned_since = ?, version = version + 1,"
                         " updated_at = ? WHERE id = ? AND owner_id IS NULL",
                         DBP(DBI(applicant), DBS(now), DBS(now), DBI(pid)));
            if (rc < 0) goto done;
            if (rc == 0) {
                state = "lost";
                note = "someone else got the project first";
            } else if ((rc = owner_not_member(c, pid, applicant)) == 0) {
                json_t *b = json_pack("{s:n}", "owner_id");
                json_t *af =
                    json_pack("{s:I, s:s, s:I}", "owner_id", (json_int_t)applicant, "reason",
                              db_get_text(&r, 0, "reason"), "application_id", (json_int_t)doc_id);
                rc = audit_record(c, actor_id ? actor_id : applicant, "project", pid, "apply", b,
                                  af);
                json_decref(b);
                json_decref(af);
            }
            if (rc < 0) goto done;
        }
    } else if (strcmp(outcome, "rejected") && strcmp(outcome, "cancelled")) {
        rc = ECALLBACK;
        goto done;
    }
    rc = db_exec(c,
                 "UPDATE project_applications SET state = ?, outcome_note = ?, decided_at = ?"
                 " WHERE id = ? AND state = 'pending'",
                 DBP(DBS(state), DBS(note), DBS(now), DBI(doc_id)));
    if (rc == 0) rc = ECALLBACK;
    if (rc < 0) goto done;
    after = app_json(c, a, doc_id);
    rc = audit_record(c, actor_id, "project_application", doc_id, state, before, after);
done:
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

/* Besides the applicant, the approvers and admins: the applicant's managers
 * and whoever may assign projects to the applicant. */
static bool app_can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    int64_t applicant = 0;
    db_scalar_int(c, &applicant, 0, "SELECT applicant_id FROM project_applications WHERE id = ?",
                  DBP(DBI(doc_id)));
    if (!applicant) return false;
    return policy_is_manager_of(c, u->id, applicant) ||
           (policy_project_allows(u, "projects.assign") && policy_sees_owner(c, u, applicant));
}

static const approval_doc_type app_doc_type = {
    "project_application", "Project application", "项目申请", app_on_decided, app_can_view,
};

void projects_register(void)
{
    approvals_register(&app_doc_type);
}

/* POST /projects/{id}/apply {"reason"} — asks for an unassigned project; the
 * approvals engine decides (at once when no flow step applies). */
static int h_projects_apply(req *r)
{
    static const field spec[] = {{"reason", F_STR, F_REQ, PROJECT_REASON_MAX, 1}, FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.apply")) return reply_forbidden(r);
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    tf_access acc = policy_project_access(r->db, &r->me, id);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res p;
    rc = db_query(r->db, &r->a, &p,
                  "SELECT p.name, p.owner_id, p.status, p.amount, u.name AS owner_name FROM"
                  " projects p LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = ?",
                  DBP(DBI(id)));
    if (rc <= 0) {
        db_rollback(r->db);
        return rc < 0 ? reply_db_error(r, rc) : reply_not_found(r);
    }
    const db_val *owner = db_cell(&p, 0, "owner_id");
    if (owner->t != DBV_NULL) {
        db_rollback(r->db);
        bool mine = owner->i == r->me.id;
        const char *who = acc >= ACCESS_READ ? db_get_text(&p, 0, "owner_name") : NULL;
        return project_problem(
            r, 409, "conflict",
            mine  ? "this project is already yours"
            : who ? arena_printf(&r->a, "this project is not unassigned: %s owns it", who)
                  : "this project is not unassigned any more",
            json_pack("{s:s}", "reason", mine ? "already_yours" : "already_owned"));
    }
    if (acc == ACCESS_NONE) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    if (strcmp(db_get_text(&p, 0, "status"), "open") != 0) {
        db_rollback(r->db);
        return project_problem(r, 409, "conflict", "the project is closed",
                               json_pack("{s:s}", "reason", "closed"));
    }
    int64_t pending = 0, app_id = 0, request_id = 0;
    bool approved_now = false;
    db_scalar_int(r->db, &pending, 0,
                  "SELECT MAX(id) FROM project_applications WHERE project_id = ? AND"
                  " applicant_id = ? AND state = 'pending'",
                  DBP(DBI(id), DBI(r->me.id)));
    if (pending) {
        db_rollback(r->db);
        return project_problem(r, 409, "duplicate",
                               "you have already applied for this project; the application"
                               " awaits approval",
                               json_pack("{s:I}", "application_id", (json_int_t)pending));
    }
    char now[TF_TS_LEN];
    tf_now(now);
    db_res ins;
    rc = db_query(r->db, &r->a, &ins,
                  "INSERT INTO project_applications(project_id, applicant_id, reason, state,"
                  " created_at) VALUES (?, ?, ?, 'pending', ?) RETURNING id",
                  DBP(DBI(id), DBI(r->me.id), DBS(in_str(r, "reason")), DBS(now)));
    if (rc == 0) rc = DB_ERR;
    if (rc == DB_EUNIQUE) { /* a concurrent application of the same user won */
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "you have already applied for this project");
    }
    if (rc < 0) goto fail;
    app_id = db_get_int(&ins, 0, "id");
    json_t *created = app_json(r->db, &r->a, app_id);
    rc = audit_record(r->db, r->me.id, "project_application", app_id, "create", NULL, created);
    json_decref(created);
    if (rc < 0) goto fail;
    rc = approvals_submit(
        r->db, &r->a, "project_application", app_id,
        arena_printf(&r->a, "申请项目 Project application: %s", db_get_text(&p, 0, "name")),
        db_get_int(&p, 0, "amount"), r->me.id, &request_id, &approved_now);
    if (rc == APPR_EPENDING) {
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "the application already awaits approval");
    }
    if (rc < 0) goto fail;
    rc = db_exec(r->db, "UPDATE project_applications SET request_id = ? WHERE id = ?",
                 DBP(DBI(request_id), DBI(app_id)));
    if (rc < 0 || (rc = db_commit(r->db)) < 0) goto fail;
    return reply_json(r, 201, app_json(r->db, &r->a, app_id));
fail:
    db_rollback(r->db);
    if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
        return reply_problem(r, 409, "conflict", "the application could not be submitted");
    return reply_db_error(r, rc);
}

static const app_kind project_apps = {APP_SELECT, "project_id", " AND a.project_id = ?",
                                      policy_project_allows, "projects.assign"};

/* GET /project-applications?box=mine|all&state=&project_id= */
static int h_apps_list(req *r) { return applications_list(r, &project_apps); }

/* GET /project-applications/{id} */
static int h_apps_get(req *r) { return applications_get(r, &project_apps); }

/* Follow-ups and timeline ---------------------------------------------------------- */

#define FOLLOWUP_LIST                                                                              \
    "SELECT f.id, f.customer_id, f.project_id, pp.name AS project_name, f.user_id,"                \
    " u.name AS user_name, f.method_id, d.name AS method_name, d.name_en AS method_name_en,"       \
    " f.content, f.stage, f.effect, f.next_step, f.next_contact_at, f.created_at"
#define FOLLOWUP_FROM                                                                              \
    " FROM followups f LEFT JOIN users u ON u.id = f.user_id"                                      \
    " LEFT JOIN dict_items d ON d.id = f.method_id LEFT JOIN projects pp ON pp.id = f.project_id"
#define FOLLOWUP_COLS FOLLOWUP_LIST FOLLOWUP_FROM

/* GET /projects/{id}/followups — the project's own, newest first. */
static int h_followups_list(req *r)
{
    int limit;
    int64_t cursor, id = project_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      FOLLOWUP_COLS " WHERE f.project_id = ? AND (? = 0 OR f.id < ?)"
                                    " ORDER BY f.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page(r, db_rows_json(&res), limit, "id");
}

/* First `max` code points of s, in the arena. */
static char *utf8_cut(arena *a, const char *s, size_t max)
{
    size_t i = 0, n = 0;
    for (; s[i]; i++)
        if ((s[i] & 0xC0) != 0x80 && n++ == max) break;
    return arena_strndup(a, s, i);
}

/* POST /projects/{id}/followups {"method_id"?, "content", "effect"?,
 * "next_step"?, "next_contact_at"?} — owner, managers and members. Records
 * the stage the project is at; stamps the project's and its customer's
 * last follow-up; a next contact becomes a reminder for the author. */
static int h_followups_create(req *r)
{
    static const field spec[] = {
        {"method_id", F_INT, F_NULL, 0, 1},        {"content", F_STR, F_REQ, 5000, 1},
        {"effect", F_STR, F_NULL, 500, 0},         {"next_step", F_STR, F_NULL, 500, 0},
        {"next_contact_at", F_STR, F_NULL, 40, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_WRITE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int64_t method = in_int(r, "method_id", 0);
    if (method && !dict_ref_ok(r->db, "followup_method", method, false))
        json_array_append_new(
            errs, field_error("method_id", "not_found", "is not an active follow-up method"));
    const char *when = in_str(r, "next_contact_at"), *next = in_str(r, "next_step");
    const char *effect = in_str(r, "effect");
    char due[TF_TS_LEN] = "";
    time_t t, now_t = time(NULL);
    bool date_only;
    if (when && !when_parse(when, &t, &date_only))
        json_array_append_new(errs, field_error("next_contact_at", "invalid", WHEN_FORMAT_MSG));
    else if (when && t < now_t - 86400)
        json_array_append_new(errs,
                              field_error("next_contact_at", "in_past", "may not lie in the past"));
    else if (when)
        tf_ts(due, t);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res p, ins;
    json_t *after = NULL;
    int64_t fid = 0, reminder = 0, cust = 0;
    rc = db_query(r->db, &r->a, &p, "SELECT name, customer_id, stage FROM projects WHERE id = ?",
                  DBP(DBI(id)));
    if (rc == 0) rc = DB_ERR;
    if (rc > 0) {
        cust = db_cell(&p, 0, "customer_id")->t == DBV_NULL ? 0 : db_get_int(&p, 0, "customer_id");
        rc = db_query(r->db, &r->a, &ins,
                      "INSERT INTO followups(customer_id, project_id, user_id, method_id, content,"
                      " stage, effect, next_step, next_contact_at, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(cust ? DBI(cust) : DBNULL, DBI(id), DBI(r->me.id),
                          method ? DBI(method) : DBNULL, DBS(in_str(r, "content")),
                          DBS(db_get_text(&p, 0, "stage")), DBS(effect && *effect ? effect : NULL),
                          DBS(next && *next ? next : NULL), DBS(due[0] ? due : NULL), DBS(now)));
    }
    if (rc > 0) {
        fid = db_get_int(&ins, 0, "id");
        rc = db_exec(r->db, "UPDATE projects SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(id)));
    }
    if (rc >= 0 && cust)
        rc = db_exec(r->db, "UPDATE customers SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(cust)));
    if (rc >= 0 && due[0]) {
        const char *name = db_get_text(&p, 0, "name");
        const char *title = next && *next ? arena_printf(&r->a, "%s: %s", name, next) : name;
        rc = reminder_insert(r->db, &r->a, r->me.id, cust, "contact", utf8_cut(&r->a, title, 200),
                             next, due, &reminder);
    }
    if (rc >= 0) {
        db_res f;
        rc = db_query(r->db, &r->a, &f, FOLLOWUP_COLS " WHERE f.id = ?", DBP(DBI(fid)));
        if (rc > 0) after = db_row_json(&f, 0);
        if (rc >= 0) rc = audit_record(r->db, r->me.id, "project", id, "followup_add", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    json_object_set_new(after, "reminder_id", reminder ? json_integer(reminder) : json_null());
    return reply_json(r, 201, after);
}

/* GET /projects/{id}/timeline — the project's follow-ups and, for users who
 * may read its customer's records, the customer's own, newest first; each
 * says its source ("project" or "customer"). "customer_included" tells the
 * UI whether the customer's follow-ups were left out. */
static int h_timeline(req *r)
{
    int limit;
    int64_t cursor, id = project_need(r, ACCESS_READ, NULL), cust = 0;
    if (id < 0) return 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_scalar_int(r->db, &cust, 0, "SELECT customer_id FROM projects WHERE id = ?", DBP(DBI(id)));
    bool with_customer = policy_project_customer_records(r->db, &r->me, cust);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      FOLLOWUP_LIST ", CASE WHEN f.project_id = ? THEN 'project' ELSE"
                                    " 'customer' END AS source" FOLLOWUP_FROM
                                    " WHERE (f.project_id = ? OR (? = 1 AND f.customer_id = ?))"
                                    " AND (? = 0 OR f.id < ?) ORDER BY f.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(id), DBI(with_customer), DBI(cust), DBI(cursor), DBI(cursor),
                          DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res);
    json_t *next = json_null();
    if (json_array_size(items) > (size_t)limit) {
        json_array_remove(items, json_array_size(items) - 1);
        json_t *last = json_array_get(items, json_array_size(items) - 1);
        json_decref(next);
        next = json_string(arena_printf(
            &r->a, "%lld", (long long)json_integer_value(json_object_get(last, "id"))));
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:b}", "items", items, "next_cursor", next,
                                "customer_included", with_customer));
}

#define PROJECT_PROPS                                                                              \
    "\"name\":{\"type\":\"string\",\"maxLength\":200},\"customer_id\":{\"type\":[\"integer\","     \
    "\"null\"]},\"amount\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"fen\"},"          \
    "\"expected_close_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"products\":{"  \
    "\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"object\",\"required\":[\"name\"],"   \
    "\"properties\":{\"name\":{\"type\":\"string\"},\"spec\":{\"type\":\"string\"},"               \
    "\"quantity_milli\":{\"type\":\"integer\",\"description\":\"thousandths of unit\"},"           \
    "\"unit\":{\"type\":\"string\"},\"package\":{\"type\":\"string\"},\"note\":{\"type\":"         \
    "\"string\"}}}},\"source_id\":{\"type\":[\"integer\",\"null\"]},\"probability\":{\"type\":"    \
    "\"integer\",\"minimum\":0,\"maximum\":100},\"competitor_ids\":{\"type\":\"array\",\"items\":" \
    "{\"type\":\"integer\"}},\"notes\":{\"type\":[\"string\",\"null\"]},\"custom\":{\"type\":"     \
    "\"object\"},\"confirm_duplicates\":{\"type\":\"boolean\"}"
#define IDS_PROP "\"ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":1000}"

const route projects_routes[] = {
    {"GET", "/api/v1/projects", h_projects_list, PERM_SIGNED_IN, 0,
     "Projects you may see (q, owner=me|unassigned|ID, member=me, stage, status=open|won|lost,"
     " customer_id, template_id, department_id (the owner's, with sub-departments),"
     " close_from, close_to, amount_min, amount_max (fen); sort=-id|-amount|-weighted|"
     "close_date|-updated_at)",
     NULL},
    {"POST", "/api/v1/projects", h_projects_create, PERM_SIGNED_IN, 65536,
     "Enter a project (projects.create): for yourself; managers for a salesperson or"
     " unassigned (owner_id null)",
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{" PROJECT_PROPS
     ",\"owner_id\":{\"type\":[\"integer\",\"null\"]},\"template_id\":{\"type\":\"integer\"},"
     "\"stage\":{\"type\":\"string\"}}}"},
    {"POST", "/api/v1/projects/assign", h_projects_assign, PERM_SIGNED_IN, 65536,
     "Assign projects to a salesperson (projects.assign), all or none",
     "{\"type\":\"object\",\"required\":[\"ids\",\"owner_id\"],\"properties\":{" IDS_PROP
     ",\"owner_id\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"}}}"},
    {"POST", "/api/v1/projects/takeback", h_projects_takeback, PERM_SIGNED_IN, 65536,
     "Take projects back to unassigned (projects.assign), all or none",
     "{\"type\":\"object\",\"required\":[\"ids\",\"reason\"],\"properties\":{" IDS_PROP
     ",\"reason\":{\"type\":\"string\"}}}"},
    {"GET", "/api/v1/projects/{id}", h_projects_get, PERM_SIGNED_IN, 0,
     "A project with its members, process (stages, checklist, gate) and your access", NULL},
    {"PATCH", "/api/v1/projects/{id}", h_projects_update, PERM_SIGNED_IN, 65536,
     "Update a project's fields (send version)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{" PROJECT_PROPS
     ",\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/projects/{id}/members", h_members_list, PERM_SIGNED_IN, 0,
     "The people following a project besides its owner, with their roles", NULL},
    {"POST", "/api/v1/projects/{id}/members", h_members_add, PERM_SIGNED_IN, 4096,
     "Add a member with a role (technical support, pre-sales, ...)",
     "{\"type\":\"object\",\"required\":[\"user_id\",\"role\"],\"properties\":{\"user_id\":{"
     "\"type\":\"integer\"},\"role\":{\"type\":\"string\",\"maxLength\":40}}}"},
    {"PATCH", "/api/v1/projects/{id}/members/{user_id}", h_members_update, PERM_SIGNED_IN, 4096,
     "Change a member's role",
     "{\"type\":\"object\",\"required\":[\"role\"],\"properties\":{\"role\":{\"type\":"
     "\"string\",\"maxLength\":40}}}"},
    {"DELETE", "/api/v1/projects/{id}/members/{user_id}", h_members_remove, PERM_SIGNED_IN, 0,
     "Remove a member (or leave a project)", NULL},
    {"POST", "/api/v1/projects/{id}/apply", h_projects_apply, PERM_SIGNED_IN, 4096,
     "Apply for an unassigned project (projects.apply); a manager approves it",
     "{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":{\"reason\":{\"type\":"
     "\"string\",\"maxLength\":500}}}"},
    {"GET", "/api/v1/projects/{id}/followups", h_followups_list, PERM_SIGNED_IN, 0,
     "The project's follow-ups, newest first", NULL},
    {"POST", "/api/v1/projects/{id}/followups", h_followups_create, PERM_SIGNED_IN, 32768,
     "Follow up a project (owner, managers, members): records its stage",
     "{\"type\":\"object\",\"required\":[\"content\"],\"properties\":{\"method_id\":{\"type\":["
     "\"integer\",\"null\"]},\"content\":{\"type\":\"string\",\"maxLength\":5000},\"effect\":{"
     "\"type\":[\"string\",\"null\"]},\"next_step\":{\"type\":[\"string\",\"null\"]},"
     "\"next_contact_at\":{\"type\":[\"string\",\"null\"]}}}"},
    {"GET", "/api/v1/projects/{id}/timeline", h_timeline, PERM_SIGNED_IN, 0,
     "The project's follow-ups with its customer's (when you may read them), newest first", NULL},
    {"GET", "/api/v1/projects/{id}/history", h_projects_history, PERM_SIGNED_IN, 0,
     "Every change to a project: fields, stages, overrides, owners, members, follow-ups", NULL},
    {"GET", "/api/v1/project-applications", h_apps_list, PERM_SIGNED_IN, 0,
     "Applications for unassigned projects: box=mine (default) or all (managers), state,"
     " project_id",
     NULL},
    {"GET", "/api/v1/project-applications/{id}", h_apps_get, PERM_SIGNED_IN, 0,
     "One application (its applicant and their managers)", NULL},
    ROUTES_END,
};
