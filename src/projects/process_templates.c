/* process_templates.c — process templates defined by managers
 * (/api/v1/process-templates): ordered stages with a default win
 * probability and a checklist of required tasks or fields. Templates are
 * versioned: editing the stages writes a new immutable version and running
 * projects keep theirs (project_process.c reads them); a template may be
 * the default for new projects, or retired. */
#include "projects/projects.h"
#include "core/audit.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include <stdlib.h>
#include <string.h>

#define STAGES_MAX 20
#define ITEMS_MAX  30

/* Templates ------------------------------------------------------------------------ */

static bool key_ok(const char *s)
{
    if (!s || !*s || strlen(s) > PROCESS_KEY_MAX) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static bool gate_field_ok(const char *f)
{
    if (!f) return false;
    if (strncmp(f, "custom.", 7) == 0) return key_ok(f + 7);
    for (int i = 0; project_gate_fields[i]; i++)
        if (strcmp(project_gate_fields[i], f) == 0) return true;
    return false;
}

/* Checks a stages definition; returns its normalised copy (caller owns) or
 * NULL with errors appended (fields "stages[i].…"). */
static json_t *stages_check(arena *a, json_t *stages, json_t *errs)
{
    static const field stage_spec[] = {{"key", F_STR, F_REQ, PROCESS_KEY_MAX, 1},
                                       {"name", F_STR, F_REQ, 60, 1},
                                       {"probability", F_INT, F_REQ, 100, 0},
                                       {"items", F_ARR, 0, ITEMS_MAX, 0},
                                       FIELDS_END};
    static const field item_spec[] = {{"key", F_STR, F_REQ, PROCESS_KEY_MAX, 1},
                                      {"label", F_STR, F_REQ, 200, 1},
                                      {"kind", F_STR, F_REQ, 10, 1},
                                      {"field", F_STR, F_NULL, 80, 1},
                                      {"required", F_BOOL, 0, 0, 0},
                                      FIELDS_END};
    size_t before = json_array_size(errs), n = json_array_size(stages);
    if (n == 0 || n > STAGES_MAX) {
        json_array_append_new(errs,
                              field_error("stages", "out_of_range", "must hold 1 to 20 stages"));
        return NULL;
    }
    json_t *out = json_array(), *skeys = json_object(), *ikeys = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(stages, i);
        char *pre = arena_printf(a, "stages[%zu].", i);
        if (!json_is_object(s)) {
            json_array_append_new(errs, field_error(arena_printf(a, "stages[%zu]", i), "wrong_type",
                                                    "must be an object"));
            continue;
        }
        size_t e0 = json_array_size(errs);
        input_check_obj(s, stage_spec, pre, errs);
        if (json_array_size(errs) > e0) continue;
        const char *key = json_string_value(json_object_get(s, "key"));
        if (!key_ok(key) || strcmp(key, "won") == 0 || strcmp(key, "lost") == 0)
            json_array_append_new(errs, field_error(arena_printf(a, "%skey", pre), "invalid",
                                                    "must be a-z, 0-9 and _, not won or lost"));
        else if (json_object_get(skeys, key))
            json_array_append_new(errs, field_error(arena_printf(a, "%skey", pre), "duplicate",
                                                    "another stage has this key"));
        json_object_set_new(skeys, key, json_true());
        json_t *items = json_array(), *it;
        size_t k;
        json_array_foreach(json_object_get(s, "items"), k, it)
        {
            char *ipre = arena_printf(a, "%sitems[%zu].", pre, k);
            if (!json_is_object(it)) {
                json_array_append_new(errs, field_error(arena_printf(a, "%sitems[%zu]", pre, k),
                                                        "wrong_type", "must be an object"));
                continue;
            }
            size_t e1 = json_array_size(errs);
            input_check_obj(it, item_spec, ipre, errs);
            if (json_array_size(errs) > e1) continue;
            const char *ikey = json_string_value(json_object_get(it, "key"));
            const char *kind = json_string_value(json_object_get(it, "kind"));
            const char *fld = json_string_value(json_object_get(it, "field"));
            if (!key_ok(ikey))
                json_array_append_new(errs, field_error(arena_printf(a, "%skey", ipre), "invalid",
                                                        "must be a-z, 0-9 and _"));
            else if (json_object_get(ikeys, ikey))
                json_array_append_new(errs,
                                      field_error(arena_printf(a, "%skey", ipre), "duplicate",
                                                  "another item of the template has this key"));
            json_object_set_new(ikeys, ikey, json_true());
            bool is_field = strcmp(kind, "field") == 0;
            if (!is_field && strcmp(kind, "task") != 0)
                json_array_append_new(errs, field_error(arena_printf(a, "%skind", ipre), "invalid",
                                                        "must be task or field"));
            else if (is_field && !gate_field_ok(fld))
                json_array_append_new(errs, field_error(arena_printf(a, "%sfield", ipre), "invalid",
                                                        "must name a project field (customer_id,"
                                                        " amount, expected_close_date, products,"
                                                        " competitor_ids, source_id, notes) or"
                                                        " custom.KEY"));
            else if (!is_field && fld)
                json_array_append_new(errs, field_error(arena_printf(a, "%sfield", ipre), "invalid",
                                                        "only field items name a field"));
            json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "key", ikey, "label",
                                  json_string_value(json_object_get(it, "label")), "kind", kind,
                                  "required", !json_is_false(json_object_get(it, "required")));
            if (is_field && fld) json_object_set_new(o, "field", json_string(fld));
            json_array_append_new(items, o);
        }
        json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:o}", "key", key, "name",
                                             json_string_value(json_object_get(s, "name")),
                                             "probability", json_object_get(s, "probability"),
                                             "items", items));
    }
    json_decref(skeys);
    json_decref(ikeys);
    if (json_array_size(errs) > before) {
        json_decref(out);
        return NULL;
    }
    return out;
}

#define TEMPLATE_SELECT                                                                            \
    "SELECT t.id, t.name, t.description, t.is_default, t.retired, t.current_version_id,"           \
    " v.number AS current_version, v.stages_json, t.version, t.created_at, t.updated_at"           \
    " FROM process_templates t LEFT JOIN process_template_versions v ON v.id = "                   \
    "t.current_version_id"

static json_t *template_json(db_conn *c, arena *a, int64_t id, bool with_versions)
{
    db_res r;
    if (db_query(c, a, &r, TEMPLATE_SELECT " WHERE t.id = ?", DBP(DBI(id))) <= 0) return NULL;
    json_t *o = db_row_json(&r, 0);
    if (with_versions &&
        db_query(
            c, a, &r,
            "SELECT v.id, v.number, v.created_at, v.created_by, (SELECT COUNT(*) FROM projects p"
            " WHERE p.template_version_id = v.id) AS projects FROM process_template_versions v"
            " WHERE v.template_id = ? ORDER BY v.number DESC",
            DBP(DBI(id))) >= 0)
        json_object_set_new(o, "versions", db_rows_json(&r));
    return o;
}

/* GET /process-templates?retired=true — active templates (all with
 * retired=true), the default first, with their current stages. */
static int h_templates_list(req *r)
{
    const char *ret = req_query(r, "retired");
    if (ret && *ret && strcmp(ret, "true") && strcmp(ret, "false"))
        return reply_problem(r, 400, "bad_request", "retired must be true or false");
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      TEMPLATE_SELECT " WHERE (? = 1 OR t.retired = FALSE)"
                                      " ORDER BY t.is_default DESC, t.id LIMIT 500",
                      DBP(DBI(ret && strcmp(ret, "true") == 0)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_templates_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? template_json(r->db, &r->a, id, true) : NULL;
    if (!o) return reply_not_found(r);
    return reply_json(r, 200, o);
}

/* GET /process-templates/{id}/versions/{number} — one version's stages
 * (the one a running project uses may be older than the current). */
static int h_templates_version(req *r)
{
    int64_t id = req_id(r, 0), num = req_id(r, 1);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, template_id, number, stages_json, created_by, created_at FROM"
                      " process_template_versions WHERE template_id = ? AND number = ?",
                      DBP(DBI(id), DBI(num)));
    if (rc < 0) return reply_db_error(r, rc);
    if (rc == 0) return reply_not_found(r);
    return reply_json(r, 200, db_row_json(&res, 0));
}

/* Writes version `number` of template tid from the checked stages and makes
 * it current. */
static int version_write(db_conn *c, arena *a, int64_t tid, json_t *stages, int64_t actor,
                         const char *now)
{
    int64_t number = 0;
    int rc = db_scalar_int(c, &number, 0,
                           "SELECT COALESCE(MAX(number), 0) + 1 FROM process_template_versions"
                           " WHERE template_id = ?",
                           DBP(DBI(tid)));
    if (rc < 0) return rc;
    char *s = json_dumps(stages, JSON_COMPACT);
    db_res res;
    rc = db_query(c, a, &res,
                  "INSERT INTO process_template_versions(template_id, number, stages_json,"
                  " created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                  DBP(DBI(tid), DBI(number), DBS(s), DBI(actor), DBS(now)));
    free(s);
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    rc = db_exec(c, "UPDATE process_templates SET current_version_id = ? WHERE id = ?",
                 DBP(DBI(db_get_int(&res, 0, "id")), DBI(tid)));
    return rc < 0 ? rc : 0;
}

static int set_default(db_conn *c, int64_t tid)
{
    int rc = db_exec(c, "UPDATE process_templates SET is_default = (id = ?)", DBP(DBI(tid)));
    return rc < 0 ? rc : 0;
}

/* POST /process-templates {"name", "description"?, "stages", "is_default"?} */
static int h_templates_create(req *r)
{
    static const field spec[] = {{"name", F_STR, F_REQ, 100, 1},
                                 {"description", F_STR, F_NULL, 500, 0},
                                 {"stages", F_ARR, F_REQ, STAGES_MAX, 0},
                                 {"is_default", F_BOOL, 0, 0, 0},
                                 FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.templates")) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    json_t *stages = stages_check(&r->a, json_object_get(r->in, "stages"), errs);
    if (!stages) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    db_res res;
    json_t *after = NULL;
    int64_t tid = 0, dup = 0;
    int rc = db_begin(r->db);
    if (rc == 0)
        db_scalar_int(r->db, &dup, 0, "SELECT COUNT(*) FROM process_templates WHERE name = ?",
                      DBP(DBS(in_str(r, "name"))));
    if (rc == 0 && dup) {
        db_rollback(r->db);
        json_decref(stages);
        errs = json_array();
        json_array_append_new(errs, field_error("name", "duplicate", "another template has it"));
        return reply_invalid(r, errs);
    }
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO process_templates(name, description, created_by, created_at,"
                      " updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "name")), DBS(in_str(r, "description")), DBI(r->me.id),
                          DBS(now), DBS(now)));
    if (rc > 0) {
        tid = db_get_int(&res, 0, "id");
        rc = version_write(r->db, &r->a, tid, stages, r->me.id, now);
    }
    if (rc >= 0 && in_bool(r, "is_default", false)) rc = set_default(r->db, tid);
    if (rc >= 0) {
        after = template_json(r->db, &r->a, tid, false);
        rc = audit_record(r->db, r->me.id, "process_template", tid, "create", NULL, after);
    }
    json_decref(after);
    json_decref(stages);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, template_json(r->db, &r->a, tid, true));
}

/* PATCH /process-templates/{id} {"version", "name"?, "description"?,
 * "stages"?, "is_default"?, "retired"?} — new stages make a new version;
 * projects running on older versions keep theirs. */
static int h_templates_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"description", F_STR, F_NULL, 500, 0},
                                 {"stages", F_ARR, 0, STAGES_MAX, 0},
                                 {"is_default", F_BOOL, 0, 0, 0},
                                 {"retired", F_BOOL, 0, 0, 0},
                                 FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.templates")) return reply_forbidden(r);
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array(), *stages = NULL;
    if (in_has(r, "stages") &&
        !(stages = stages_check(&r->a, json_object_get(r->in, "stages"), errs)))
        return reply_invalid(r, errs);
    if (in_bool(r, "is_default", false) && in_bool(r, "retired", false))
        json_array_append_new(
            errs, field_error("retired", "invalid", "the default template cannot be retired"));
    if (json_array_size(errs)) {
        json_decref(stages);
        return reply_invalid(r, errs);
    }
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(stages);
        return reply_db_error(r, rc);
    }
    json_t *before = template_json(r->db, &r->a, id, false), *after = NULL;
    if (!before) {
        db_rollback(r->db);
        json_decref(stages);
        return reply_not_found(r);
    }
    int64_t cur = json_integer_value(json_object_get(before, "version")), dup = 0;
    const char *name = in_str(r, "name");
    if (name)
        db_scalar_int(r->db, &dup, 0,
                      "SELECT COUNT(*) FROM process_templates WHERE name = ? AND id <> ?",
                      DBP(DBS(name), DBI(id)));
    if (cur != in_int(r, "version", 0) || dup) {
        db_rollback(r->db);
        json_decref(stages);
        json_decref(before);
        if (!dup) return reply_conflict_version(r, cur);
        errs = json_array();
        json_array_append_new(errs, field_error("name", "duplicate", "another template has it"));
        return reply_invalid(r, errs);
    }
    bool retire = in_bool(r, "retired", false);
    rc = db_exec(
        r->db,
        "UPDATE process_templates SET name = COALESCE(?, name),"
        " description = CASE WHEN ? = 1 THEN ? ELSE description END,"
        " retired = COALESCE(?, retired), is_default = CASE WHEN ? = 1 THEN FALSE ELSE"
        " is_default END, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
        DBP(DBS(name), DBI(in_has(r, "description")), DBS(in_str(r, "description")),
            in_has(r, "retired") ? DBB(retire) : DBNULL, DBI(retire), DBS(now), DBI(id), DBI(cur)));
    if (rc == 0) {
        db_rollback(r->db);
        json_decref(stages);
        json_decref(before);
        return reply_conflict_version(r, cur + 1);
    }
    if (rc > 0 && stages) rc = version_write(r->db, &r->a, id, stages, r->me.id, now);
    if (rc >= 0 && in_has(r, "is_default")) {
        if (in_bool(r, "is_default", false))
            rc = set_default(r->db, id);
        else
            rc = db_exec(r->db, "UPDATE process_templates SET is_default = FALSE WHERE id = ?",
                         DBP(DBI(id)));
    }
    if (rc >= 0) {
        after = template_json(r->db, &r->a, id, false);
        rc = audit_record(r->db, r->me.id, "process_template", id, "update", before, after);
    }
    json_decref(before);
    json_decref(after);
    json_decref(stages);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, template_json(r->db, &r->a, id, true));
}

static int h_templates_history(req *r)
{
    int64_t id = req_id(r, 0), n = 0;
    if (id > 0)
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM process_templates WHERE id = ?",
                      DBP(DBI(id)));
    if (!n) return reply_not_found(r);
    return audit_reply_history(r, "process_template", id);
}

#define STAGES_SCHEMA                                                                              \
    "\"stages\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":20,\"items\":{\"type\":"           \
    "\"object\",\"required\":[\"key\",\"name\",\"probability\"],\"properties\":{\"key\":{"         \
    "\"type\":\"string\",\"pattern\":\"^[a-z0-9_]{1,40}$\"},\"name\":{\"type\":\"string\"},"       \
    "\"probability\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100},\"items\":{\"type\":"    \
    "\"array\",\"maxItems\":30,\"items\":{\"type\":\"object\",\"required\":[\"key\",\"label\","    \
    "\"kind\"],\"properties\":{\"key\":{\"type\":\"string\"},\"label\":{\"type\":\"string\"},"     \
    "\"kind\":{\"enum\":[\"task\",\"field\"]},\"field\":{\"type\":\"string\"},\"required\":{"      \
    "\"type\":\"boolean\"}}}}}}}"

const route process_templates_routes[] = {
    {"GET", "/api/v1/process-templates", h_templates_list, PERM_SIGNED_IN, 0,
     QUERY("retired=bool")
     "Process templates with their current stages (retired=true: also retired ones)", NULL},
    {"POST", "/api/v1/process-templates", h_templates_create, PERM_SIGNED_IN, 262144,
     "Define a process template (projects.templates)",
     "{\"type\":\"object\",\"required\":[\"name\",\"stages\"],\"properties\":{\"name\":{\"type\":"
     "\"string\"},\"description\":{\"type\":[\"string\",\"null\"]},\"is_default\":{\"type\":"
     "\"boolean\"}," STAGES_SCHEMA "}}"},
    {"GET", "/api/v1/process-templates/{id}", h_templates_get, PERM_SIGNED_IN, 0,
     "A process template with its current stages and every version", NULL},
    {"PATCH", "/api/v1/process-templates/{id}", h_templates_update, PERM_SIGNED_IN, 262144,
     "Edit a template (send version); new stages make a new version, running projects keep theirs",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"},\"name\":{\"type\":\"string\"},\"description\":{\"type\":[\"string\",\"null\"]},"
     "\"is_default\":{\"type\":\"boolean\"},\"retired\":{\"type\":\"boolean\"}," STAGES_SCHEMA
     "}}"},
    {"GET", "/api/v1/process-templates/{id}/versions/{number}", h_templates_version, PERM_SIGNED_IN,
     0, "One version of a template", NULL},
    {"GET", "/api/v1/process-templates/{id}/history", h_templates_history, PERM_SIGNED_IN, 0,
     QUERY("page")
     "Every change to a template", NULL},
    ROUTES_END,
};
