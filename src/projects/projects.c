/* projects.c — the projects (opportunities) resource itself: entry with the
 * entry policy (settings key project_entry_policy: required fields,
 * duplicate names off / warn / forbid), detail, update with versions, and
 * history; plus the helpers every project file shares
 * (projects.h). Beside it: project_list.c (the list with its filters and
 * sorts), project_members.c (members and their roles),
 * project_assign.c (batch assign / take back, applications for unassigned
 * projects), project_followups.c (follow-ups and the timeline),
 * project_process.c (stages, gates, won / lost), project_pipeline.c (the
 * board and the weighted pipeline). Visibility and access come from
 * policy_projects.c. */
#include "projects/projects.h"
#include "approvals/applications.h"
#include "dicts/dicts.h"
#include "customers/followups.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <stdlib.h>
#include <string.h>

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

const char *const project_gate_fields[] = {
    "customer_id", "amount", "expected_close_date", "products", "competitor_ids", "source_id",
    "notes",       NULL};

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

int64_t project_need(req *r, tf_access need, tf_access *acc)
{
    return record_need(r, need, policy_project_access, acc);
}

int project_reply_detail(req *r, int status, int64_t id, tf_access acc)
{
    json_t *o = project_json(r->db, &r->a, id);
    if (!o) return reply_not_found(r);
    json_object_set_new(o, "access", json_string(policy_access_name(acc)));
    json_object_set_new(o, "members", project_members_json(r->db, &r->a, id));
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

/* Entry: checks and insert ----------------------------------------------------- */

static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_integer(v) && json_integer_value(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

bool project_date_ok(const char *s)
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
    project_products_check(c, a, json_object_get(fields, "products"), current, errs);
    const char *date = json_string_value(json_object_get(fields, "expected_close_date"));
    if (date && !project_date_ok(date))
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
    return reply_problem_with(r, warning ? 409 : 422,
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
            return reply_problem_with(
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

#define PROJECT_PROPS                                                                              \
    "\"name\":{\"type\":\"string\",\"maxLength\":200},\"customer_id\":{\"type\":[\"integer\","     \
    "\"null\"]},\"amount\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"fen\"},"          \
    "\"expected_close_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"products\":{"  \
    "\"type\":\"array\",\"maxItems\":50,\"items\":{\"type\":\"object\",\"description\":\"a"       \
    " catalogue line (product_id; its code, name, spec, unit and list_price are the catalogue's)"  \
    " or a text line (name required)\",\"properties\":{\"product_id\":{\"type\":\"integer\"},"      \
    "\"code\":{\"type\":\"string\"},\"list_price\":{\"type\":\"integer\",\"description\":\"fen\"},"   \
    "\"name\":{\"type\":\"string\"},\"spec\":{\"type\":\"string\"},"                                \
    "\"quantity_milli\":{\"type\":\"integer\",\"description\":\"thousandths of unit\"},"           \
    "\"unit\":{\"type\":\"string\"},\"package\":{\"type\":\"string\"},\"note\":{\"type\":"         \
    "\"string\"}}}},\"source_id\":{\"type\":[\"integer\",\"null\"]},\"probability\":{\"type\":"    \
    "\"integer\",\"minimum\":0,\"maximum\":100},\"competitor_ids\":{\"type\":\"array\",\"items\":" \
    "{\"type\":\"integer\"}},\"notes\":{\"type\":[\"string\",\"null\"]},\"custom\":{\"type\":"     \
    "\"object\"},\"confirm_duplicates\":{\"type\":\"boolean\"}"
const route projects_routes[] = {
    {"POST", "/api/v1/projects", h_projects_create, PERM_SIGNED_IN, 65536,
     "Enter a project (projects.create): for yourself; managers for a salesperson or"
     " unassigned (owner_id null)",
     "{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{" PROJECT_PROPS
     ",\"owner_id\":{\"type\":[\"integer\",\"null\"]},\"template_id\":{\"type\":\"integer\"},"
     "\"stage\":{\"type\":\"string\"}}}"},
    {"GET", "/api/v1/projects/{id}", h_projects_get, PERM_SIGNED_IN, 0,
     "A project with its members, process (stages, checklist, gate) and your access", NULL},
    {"PATCH", "/api/v1/projects/{id}", h_projects_update, PERM_SIGNED_IN, 65536,
     "Update a project's fields (send version)",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{" PROJECT_PROPS
     ",\"version\":{\"type\":\"integer\"}}}"},
    {"GET", "/api/v1/projects/{id}/history", h_projects_history, PERM_SIGNED_IN, 0,
     QUERY("page")
     "Every change to a project: fields, stages, overrides, owners, members, follow-ups", NULL},
    ROUTES_END,
};
