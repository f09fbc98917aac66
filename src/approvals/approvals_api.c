/* approvals_api.c — the HTTP side of the approvals engine's set-up: approval
 * flows (list, read, create, edit; one active flow per document type) and
 * the registered document types. Requests (boxes, detail, decisions) are in
 * approval_requests.c; the rules themselves live in core/approvals.c. */
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

/* Flows ----------------------------------------------------------------------- */

#define FLOW_COLS                                                                                  \
    "SELECT id, doc_type, name, active, version, created_at, updated_at FROM approval_flows"
#define STEP_COLS                                                                                  \
    "SELECT s.flow_id, s.seq, s.kind, s.role, s.user_id, u.name AS user_name, s.min_amount"        \
    " FROM approval_steps s LEFT JOIN users u ON u.id = s.user_id"

static json_t *step_json(const db_res *res, int i)
{
    json_t *o = db_row_json(res, i);
    json_object_del(o, "flow_id");
    return o;
}

/* Flow {id} with its steps, or NULL (missing or db error). */
static json_t *flow_json(req *r, int64_t id)
{
    db_res f, s;
    if (db_query(r->db, &r->a, &f, FLOW_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    if (db_query(r->db, &r->a, &s, STEP_COLS " WHERE s.flow_id = ? ORDER BY s.seq", DBP(DBI(id))) <
        0)
        return NULL;
    json_t *o = db_row_json(&f, 0), *steps = json_array();
    for (int i = 0; i < s.nrows; i++)
        json_array_append_new(steps, step_json(&s, i));
    json_object_set_new(o, "steps", steps);
    return o;
}

static int h_flows_list(req *r)
{
    const char *doc_type = req_query(r, "doc_type");
    int limit;
    int64_t cursor;
    db_res f, s;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    if (doc_type && !*doc_type) doc_type = NULL;
    int rc = db_query(r->db, &r->a, &f,
                      FLOW_COLS " WHERE doc_type = COALESCE(?, doc_type) AND (? = 0 OR id < ?)"
                                " ORDER BY id DESC LIMIT ?",
                      DBP(DBS(doc_type), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&f);
    if (f.nrows == 0) return reply_page(r, items, limit, "id");
    /* The steps of the whole page in one query: the page's flows are the
     * matching flows of an id range, so steps of other flows are skipped. */
    int64_t hi = db_get_int(&f, 0, "id"), lo = db_get_int(&f, f.nrows - 1, "id");
    rc = db_query(r->db, &r->a, &s,
                  STEP_COLS " WHERE s.flow_id BETWEEN ? AND ? ORDER BY s.flow_id, s.seq",
                  DBP(DBI(lo), DBI(hi)));
    if (rc < 0) {
        json_decref(items);
        return reply_db_error(r, rc);
    }
    size_t i;
    json_t *flow;
    json_array_foreach(items, i, flow)
    {
        json_t *steps = json_array();
        int64_t fid = json_integer_value(json_object_get(flow, "id"));
        for (int j = 0; j < s.nrows; j++)
            if (db_get_int(&s, j, "flow_id") == fid) json_array_append_new(steps, step_json(&s, j));
        json_object_set_new(flow, "steps", steps);
    }
    return reply_page(r, items, limit, "id");
}

static int h_flows_get(req *r)
{
    int64_t id = req_id(r, 0);
    json_t *o = id > 0 ? flow_json(r, id) : NULL;
    return o ? reply_json(r, 200, o) : reply_not_found(r);
}

static int h_flows_history(req *r)
{
    int64_t id = req_id(r, 0), n = 0;
    if (id > 0)
        db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM approval_flows WHERE id = ?",
                      DBP(DBI(id)));
    if (!n) return reply_not_found(r);
    return audit_reply_history(r, "approval_flow", id);
}

typedef struct step_in {
    const char *kind, *role;
    int64_t user_id, min_amount;
} step_in;

/* Checks the steps array (shape and kind-specific fields; no database) into
 * out[0..*n). Field errors go to errs as steps[i].field. */
static void parse_steps(json_t *arr, step_in *out, int *n, json_t *errs)
{
    static const field step_spec[] = {{"kind", F_STR, F_REQ, 10, 1},
                                      {"role", F_STR, F_NULL, 40, 1},
                                      {"user_id", F_INT, F_NULL, 0, 1},
                                      {"min_amount", F_INT, F_NULL, 0, 0},
                                      FIELDS_END};
    char prefix[32], name[48];
    size_t i;
    json_t *s;
    *n = 0;
    if (json_array_size(arr) < 1) {
        json_array_append_new(errs, field_error("steps", "required", "needs at least one step"));
        return;
    }
    if (json_array_size(arr) > APPROVALS_MAX_STEPS) return; /* the field spec said so */
    json_array_foreach(arr, i, s)
    {
        snprintf(prefix, sizeof(prefix), "steps[%zu].", i);
        if (!json_is_object(s)) {
            snprintf(name, sizeof(name), "steps[%zu]", i);
            json_array_append_new(errs, field_error(name, "wrong_type", "must be an object"));
            continue;
        }
        size_t before = json_array_size(errs);
        input_check_obj(s, step_spec, prefix, errs);
        if (json_array_size(errs) != before) continue;
        step_in *st = &out[(*n)++];
        json_t *uid = json_object_get(s, "user_id"), *min = json_object_get(s, "min_amount");
        st->kind = json_string_value(json_object_get(s, "kind"));
        st->role = json_string_value(json_object_get(s, "role"));
        st->user_id = json_is_integer(uid) ? (int64_t)json_integer_value(uid) : 0;
        st->min_amount = json_is_integer(min) ? (int64_t)json_integer_value(min) : 0;
        tf_role role;
        bool is_role = !strcmp(st->kind, "role"), is_user = !strcmp(st->kind, "user");
        if (!is_role && !is_user && strcmp(st->kind, "manager") != 0) {
            snprintf(name, sizeof(name), "%skind", prefix);
            json_array_append_new(errs,
                                  field_error(name, "invalid", "must be role, user or manager"));
        }
        snprintf(name, sizeof(name), "%srole", prefix);
        if (is_role && !st->role)
            json_array_append_new(errs,
                                  field_error(name, "required", "is required for a role step"));
        else if (is_role && !role_parse(st->role, &role))
            json_array_append_new(errs, field_error(name, "invalid", "is not a known role"));
        else if (!is_role && st->role)
            json_array_append_new(errs, field_error(name, "not_allowed", "is only for role steps"));
        snprintf(name, sizeof(name), "%suser_id", prefix);
        if (is_user && !st->user_id)
            json_array_append_new(errs,
                                  field_error(name, "required", "is required for a user step"));
        else if (!is_user && st->user_id)
            json_array_append_new(errs, field_error(name, "not_allowed", "is only for user steps"));
    }
}

/* The named users of user steps must exist and be active (inside the
 * transaction, so a user disabled meanwhile is seen). */
static int check_step_users(req *r, const step_in *steps, int n, json_t *errs)
{
    char name[48];
    for (int i = 0; i < n; i++) {
        if (!steps[i].user_id) continue;
        int64_t ok = 0;
        int rc = db_scalar_int(r->db, &ok, 0,
                               "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE",
                               DBP(DBI(steps[i].user_id)));
        if (rc < 0) return rc;
        if (!ok) {
            snprintf(name, sizeof(name), "steps[%d].user_id", i);
            json_array_append_new(errs, field_error(name, "not_found", "no such active user"));
        }
    }
    return 0;
}

static int insert_steps(req *r, int64_t flow_id, const step_in *steps, int n)
{
    for (int i = 0; i < n; i++) {
        int rc = db_exec(
            r->db,
            "INSERT INTO approval_steps (flow_id, seq, kind, role, user_id, min_amount)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            DBP(DBI(flow_id), DBI(i + 1), DBS(steps[i].kind), DBS(steps[i].role),
                steps[i].user_id ? DBI(steps[i].user_id) : DBNULL, DBI(steps[i].min_amount)));
        if (rc < 0) return rc;
    }
    return 0;
}

/* Only one flow per document type is active: deactivate the others (with
 * their audit rows) before `keep_id` is activated, in the same transaction.
 * The unique index approval_flows_one_active catches a concurrent twin. */
static int deactivate_others(req *r, const char *doc_type, int64_t keep_id, const char *now)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT id, version FROM approval_flows WHERE doc_type = ? AND active = TRUE"
                      " AND id <> ?",
                      DBP(DBS(doc_type), DBI(keep_id)));
    if (rc < 0) return rc;
    for (int i = 0; i < res.nrows; i++) {
        int64_t id = db_get_int(&res, i, "id"), v = db_get_int(&res, i, "version");
        rc = db_exec(r->db,
                     "UPDATE approval_flows SET active = FALSE, version = version + 1,"
                     " updated_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(id)));
        if (rc < 0) return rc;
        json_t *b = json_pack("{s:b, s:I}", "active", 1, "version", (json_int_t)v);
        json_t *a = json_pack("{s:b, s:I}", "active", 0, "version", (json_int_t)v + 1);
        rc = audit_record(r->db, r->me.id, "approval_flow", id, "deactivate", b, a);
        json_decref(b);
        json_decref(a);
        if (rc < 0) return rc;
    }
    return 0;
}

/* Like input_check, but returns the field errors (a new array, possibly
 * empty) instead of replying, so the step errors can join them in one 422.
 * NULL after replying 400 when there is no JSON object body. */
static json_t *check_flow_body(req *r, const field *spec)
{
    if (!r->in) {
        reply_problem(r, 400, "bad_request", "a JSON object body is required");
        return NULL;
    }
    json_t *errs = json_array();
    input_check_obj(r->in, spec, "", errs);
    return errs;
}

static int h_flows_create(req *r)
{
    static const field spec[] = {{"doc_type", F_STR, F_REQ, 40, 1},
                                 {"name", F_STR, F_REQ, 100, 1},
                                 {"active", F_BOOL, 0, 0, 0},
                                 {"steps", F_ARR, F_REQ, APPROVALS_MAX_STEPS, 0},
                                 FIELDS_END};
    step_in steps[APPROVALS_MAX_STEPS];
    int nsteps = 0, rc;
    json_t *errs, *after = NULL;
    char now_buf[TF_TS_LEN];
    const char *now = now_buf; /* DBS() wants a pointer, not an array */
    db_res res;

    if (!(errs = check_flow_body(r, spec))) return 0;
    const char *doc_type = in_str(r, "doc_type");
    bool active = in_bool(r, "active", true);
    if (doc_type && !approvals_doc_type(doc_type))
        json_array_append_new(
            errs, field_error("doc_type", "invalid", "is not a registered document type"));
    if (json_is_array(json_object_get(r->in, "steps")))
        parse_steps(json_object_get(r->in, "steps"), steps, &nsteps, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);

    if ((rc = db_begin(r->db)) < 0) goto fail;
    if ((rc = check_step_users(r, steps, nsteps, errs)) < 0) goto fail;
    if (json_array_size(errs)) {
        db_rollback(r->db);
        return reply_invalid(r, errs);
    }
    tf_now(now_buf);
    if (active && (rc = deactivate_others(r, doc_type, 0, now)) < 0) goto fail;
    rc = db_query(r->db, &r->a, &res,
                  "INSERT INTO approval_flows (doc_type, name, active, version, created_at,"
                  " updated_at) VALUES (?, ?, ?, 1, ?, ?) RETURNING id",
                  DBP(DBS(doc_type), DBS(in_str(r, "name")), DBB(active), DBS(now), DBS(now)));
    if (rc < 0) goto fail;
    int64_t id = db_get_int(&res, 0, "id");
    if ((rc = insert_steps(r, id, steps, nsteps)) < 0) goto fail;
    if (!(after = flow_json(r, id))) {
        rc = DB_ERR;
        goto fail;
    }
    if ((rc = audit_record(r->db, r->me.id, "approval_flow", id, "create", NULL, after)) < 0)
        goto fail;
    if ((rc = db_commit(r->db)) < 0) goto fail;
    json_decref(errs);
    return reply_json(r, 201, after);
fail:
    db_rollback(r->db);
    json_decref(errs);
    json_decref(after);
    return reply_db_error(r, rc);
}

static int h_flows_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"name", F_STR, 0, 100, 1},
                                 {"active", F_BOOL, 0, 0, 0},
                                 {"steps", F_ARR, 0, APPROVALS_MAX_STEPS, 0},
                                 FIELDS_END};
    step_in steps[APPROVALS_MAX_STEPS];
    int nsteps = 0, rc;
    json_t *errs, *before = NULL, *after = NULL;
    char now_buf[TF_TS_LEN];
    const char *now = now_buf; /* DBS() wants a pointer, not an array */
    int64_t id = req_id(r, 0);

    if (id < 0) return reply_not_found(r);
    if (!(errs = check_flow_body(r, spec))) return 0;
    bool new_steps = json_is_array(json_object_get(r->in, "steps"));
    if (new_steps) parse_steps(json_object_get(r->in, "steps"), steps, &nsteps, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);

    if ((rc = db_begin(r->db)) < 0) goto fail;
    if (!(before = flow_json(r, id))) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    int64_t version = json_integer_value(json_object_get(before, "version"));
    if (version != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(errs);
        json_decref(before);
        return reply_conflict_version(r, version);
    }
    if ((rc = check_step_users(r, steps, nsteps, errs)) < 0) goto fail;
    if (json_array_size(errs)) {
        db_rollback(r->db);
        json_decref(before);
        return reply_invalid(r, errs);
    }
    bool active = in_bool(r, "active", json_is_true(json_object_get(before, "active")));
    const char *doc_type = json_string_value(json_object_get(before, "doc_type"));
    tf_now(now_buf);
    if (active && (rc = deactivate_others(r, doc_type, id, now)) < 0) goto fail;
    rc = db_exec(r->db,
                 "UPDATE approval_flows SET name = COALESCE(?, name), active = ?,"
                 " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBB(active), DBS(now), DBI(id), DBI(version)));
    if (rc < 0) goto fail;
    if (rc == 0) { /* changed between our read and our write */
        db_rollback(r->db);
        json_decref(errs);
        json_decref(before);
        return reply_conflict_version(r, version + 1);
    }
    /* Running requests keep their own snapshot (steps_json), so replacing the
     * steps affects only requests submitted from now on. */
    if (new_steps) {
        rc = db_exec(r->db, "DELETE FROM approval_steps WHERE flow_id = ?", DBP(DBI(id)));
        if (rc < 0 || (rc = insert_steps(r, id, steps, nsteps)) < 0) goto fail;
    }
    if (!(after = flow_json(r, id))) {
        rc = DB_ERR;
        goto fail;
    }
    if ((rc = audit_record(r->db, r->me.id, "approval_flow", id, "update", before, after)) < 0)
        goto fail;
    if ((rc = db_commit(r->db)) < 0) goto fail;
    json_decref(errs);
    json_decref(before);
    return reply_json(r, 200, after);
fail:
    db_rollback(r->db);
    json_decref(errs);
    json_decref(before);
    json_decref(after);
    return reply_db_error(r, rc);
}

/* Document types -------------------------------------------------------------- */

static int h_doc_types(req *r)
{
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT doc_type, id FROM approval_flows WHERE active = TRUE", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    for (int i = 0; i < approvals_doc_type_count(); i++) {
        const approval_doc_type *t = approvals_doc_type_at(i);
        json_t *flow = json_null();
        for (int j = 0; j < res.nrows; j++)
            if (!strcmp(db_get_text(&res, j, "doc_type"), t->doc_type)) {
                json_decref(flow);
                flow = json_integer(db_get_int(&res, j, "id"));
            }
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:o}", "doc_type", t->doc_type,
                                               "label_en", t->label_en ? t->label_en : t->doc_type,
                                               "label_zh", t->label_zh ? t->label_zh : t->doc_type,
                                               "active_flow_id", flow));
    }
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

/* Routes ------------------------------------------------------------------------ */

#define STEPS_SCHEMA                                                                               \
    "\"steps\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":10,\"items\":{\"type\":\"object\"," \
    "\"required\":[\"kind\"],\"properties\":{"                                                     \
    "\"kind\":{\"enum\":[\"role\",\"user\",\"manager\"]},"                                         \
    "\"role\":{\"type\":\"string\",\"description\":\"role steps: admin, sales_manager, ...\"},"    \
    "\"user_id\":{\"type\":\"integer\",\"description\":\"user steps: an active user\"},"           \
    "\"min_amount\":{\"type\":\"integer\",\"minimum\":0,"                                          \
    "\"description\":\"the step applies when the amount (minor units) is at least this\"}}}}"

const route approvals_routes[] = {
    {"GET", "/api/v1/approval-flows", h_flows_list, PERM_SIGNED_IN, 0,
     QUERY("page doc_type")
     "Approval flows with their steps; optional doc_type", NULL},
    {"POST", "/api/v1/approval-flows", h_flows_create, "flows.manage", 16384,
     "Create an approval flow (activating it deactivates the doc type's other flows)",
     "{\"type\":\"object\",\"required\":[\"doc_type\",\"name\",\"steps\"],\"properties\":{"
     "\"doc_type\":{\"type\":\"string\"},\"name\":{\"type\":\"string\",\"maxLength\":100},"
     "\"active\":{\"type\":\"boolean\",\"default\":true}," STEPS_SCHEMA "}}"},
    {"GET", "/api/v1/approval-flows/{id}", h_flows_get, PERM_SIGNED_IN, 0,
     "One approval flow with its steps", NULL},
    {"PATCH", "/api/v1/approval-flows/{id}", h_flows_update, "flows.manage", 16384,
     "Edit a flow (name, active, steps replaced); running requests keep their steps",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{"
     "\"version\":{\"type\":\"integer\",\"minimum\":1},"
     "\"name\":{\"type\":\"string\",\"maxLength\":100},"
     "\"active\":{\"type\":\"boolean\"}," STEPS_SCHEMA "}}"},
    {"GET", "/api/v1/approval-flows/{id}/history", h_flows_history, PERM_SIGNED_IN, 0,
     QUERY("page")
     "History of an approval flow", NULL},
    {"GET", "/api/v1/doc-types", h_doc_types, PERM_SIGNED_IN, 0,
     "Document types that go through approvals, with labels and their active flow", NULL},
    ROUTES_END,
};
