/* approvals_api.c — the HTTP side of the approvals engine: requests (inbox,
 * mine, all; detail; approve / reject / cancel; history), approval flows
 * (list, read, create, edit; one active flow per document type) and the
 * registered document types. The rules themselves live in core/approvals.c. */
#include "core/approvals.h"
#include "core/audit.h"
#include "core/util.h"
#include "http/http.h"
#include <string.h>

/* Requests ------------------------------------------------------------------ */

#define REQ_LIST_COLS                                                                              \
    "SELECT r.id, r.doc_type, r.doc_id, r.title, r.amount, r.applicant_id,"                        \
    " u.name AS applicant_name, r.state, r.current_step,"                                          \
    " COALESCE(cu.name, r.approver_role) AS step_label, r.created_at, r.decided_at, r.version"     \
    " FROM approval_requests r JOIN users u ON u.id = r.applicant_id"                              \
    " LEFT JOIN users cu ON cu.id = r.current_user_id"

/* Filters every box shares: optional state and doc_type, then the cursor. */
#define REQ_LIST_TAIL                                                                              \
    " AND r.state = COALESCE(?, r.state) AND r.doc_type = COALESCE(?, r.doc_type)"                 \
    " AND (? = 0 OR r.id < ?) ORDER BY r.id DESC LIMIT ?"

/* Pending requests whose current step waits for me, by user or by role; never
 * my own (an applicant does not approve their request) unless I am an admin. */
static const char SQL_INBOX[] =
    REQ_LIST_COLS " WHERE r.state = 'pending' AND (r.current_user_id = ?"
                  " OR (r.current_user_id IS NULL AND r.approver_role = ?))"
                  " AND (r.applicant_id <> ? OR ?)" REQ_LIST_TAIL;
static const char SQL_MINE[] = REQ_LIST_COLS " WHERE r.applicant_id = ?" REQ_LIST_TAIL;
static const char SQL_ALL[] = REQ_LIST_COLS " WHERE 1 = 1" REQ_LIST_TAIL;

static bool blank(const char *s)
{
    if (!s) return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static json_t *one_error(const char *name, const char *code, const char *message)
{
    json_t *errs = json_array();
    json_array_append_new(errs, field_error(name, code, message));
    return errs;
}

static int h_approvals_list(req *r)
{
    static const char *const states[] = {"pending", "approved", "rejected", "cancelled"};
    const char *box = req_query(r, "box"), *state = req_query(r, "state");
    const char *doc_type = req_query(r, "doc_type");
    int limit;
    int64_t cursor;
    db_res res;
    int rc;

    if (req_page(r, &limit, &cursor) < 0) return 0;
    if (!box || !*box) box = "inbox";
    if (state && !*state) state = NULL;
    if (doc_type && !*doc_type) doc_type = NULL;
    if (state) {
        bool ok = false;
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
            ok |= !strcmp(state, states[i]);
        if (!ok)
            return reply_problem(r, 400, "bad_request",
                                 "state must be pending, approved, rejected or cancelled");
    }
    if (strcmp(box, "inbox") == 0) {
        rc = db_query(r->db, &r->a, &res, SQL_INBOX,
                      DBP(DBI(r->me.id), DBS(role_name(r->me.role)), DBI(r->me.id),
                          DBB(r->me.role == ROLE_ADMIN), DBS(state), DBS(doc_type), DBI(cursor),
                          DBI(cursor), DBI(limit + 1)));
    } else if (strcmp(box, "mine") == 0) {
        rc = db_query(r->db, &r->a, &res, SQL_MINE,
                      DBP(DBI(r->me.id), DBS(state), DBS(doc_type), DBI(cursor), DBI(cursor),
                          DBI(limit + 1)));
    } else if (strcmp(box, "all") == 0) {
        if (!policy_allows(&r->me, "approvals.read_all")) return reply_forbidden(r);
        rc = db_query(r->db, &r->a, &res, SQL_ALL,
                      DBP(DBS(state), DBS(doc_type), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    } else {
        return reply_problem(r, 400, "bad_request", "box must be inbox, mine or all");
    }
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

static const char *user_name(req *r, int64_t id)
{
    db_res res;
    if (id <= 0) return NULL;
    if (db_query(r->db, &r->a, &res, "SELECT name FROM users WHERE id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_get_text(&res, 0, "name");
}

static json_t *nullable_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The full JSON of a request as `me` sees it: steps with names and labels,
 * actions, and whether `me` may decide or cancel now. NULL on a db error. */
static json_t *request_json(req *r, const approval_request *q)
{
    db_res res;
    json_t *steps = json_array(), *o;
    const char *step_label = NULL;
    size_t i;
    json_t *s;

    json_array_foreach(q->steps, i, s)
    {
        json_t *uid = json_object_get(s, "user_id");
        int64_t user_id = json_is_integer(uid) ? (int64_t)json_integer_value(uid) : 0;
        const char *role = json_string_value(json_object_get(s, "role"));
        const char *name = user_name(r, user_id);
        const char *label = user_id > 0 ? (name ? name : "?") : (role ? role : "?");
        json_int_t seq = json_integer_value(json_object_get(s, "seq"));
        if (seq == q->current_step) step_label = label;
        json_array_append_new(
            steps, json_pack("{s:I, s:O?, s:o, s:O?, s:o, s:O?, s:b, s:s}", "seq", seq, "kind",
                             json_object_get(s, "kind"), "role", nullable_str(role), "user_id", uid,
                             "user_name", nullable_str(name), "min_amount",
                             json_object_get(s, "min_amount"), "escalated",
                             json_is_true(json_object_get(s, "escalated")), "label", label));
    }
    if (db_query(r->db, &r->a, &res,
                 "SELECT a.step_seq, a.actor_id, u.name AS actor_name, a.decision, a.comment, a.at"
                 " FROM approval_actions a JOIN users u ON u.id = a.actor_id"
                 " WHERE a.request_id = ? ORDER BY a.id",
                 DBP(DBI(q->id))) < 0) {
        json_decref(steps);
        return NULL;
    }
    const approval_doc_type *t = approvals_doc_type(q->doc_type);
    o = json_pack("{s:I, s:s, s:I, s:s, s:I, s:I, s:o, s:s, s:o, s:o, s:s, s:o, s:I}", "id",
                  (json_int_t)q->id, "doc_type", q->doc_type, "doc_id", (json_int_t)q->doc_id,
                  "title", q->title, "amount", (json_int_t)q->amount, "applicant_id",
                  (json_int_t)q->applicant_id, "applicant_name",
                  nullable_str(user_name(r, q->applicant_id)), "state", q->state, "current_step",
                  q->current_step > 0 ? json_integer(q->current_step) : json_null(), "step_label",
                  nullable_str(step_label), "created_at", q->created_at ? q->created_at : "",
                  "decided_at", nullable_str(q->decided_at), "version", (json_int_t)q->version);
    json_object_set_new(o, "doc_type_label_en", nullable_str(t ? t->label_en : NULL));
    json_object_set_new(o, "doc_type_label_zh", nullable_str(t ? t->label_zh : NULL));
    json_object_set_new(o, "flow_id", q->flow_id > 0 ? json_integer(q->flow_id) : json_null());
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "actions", db_rows_json(&res));
    json_object_set_new(o, "can_decide", json_boolean(approvals_may_decide(q, &r->me)));
    json_object_set_new(
        o, "can_cancel",
        json_boolean(strcmp(q->state, "pending") == 0 && q->applicant_id == r->me.id));
    return o;
}

/* Loads request {id} if `me` may see it. On failure it has replied (404 for
 * both "missing" and "not yours", so existence is not revealed) and returns
 * -1. The caller frees q with approvals_request_free. */
static int load_visible(req *r, int64_t id, approval_request *q)
{
    int rc = id > 0 ? approvals_load(r->db, &r->a, id, q) : APPR_ENOTFOUND;
    if (rc == 0 && approvals_may_view(r->db, q, &r->me)) return 0;
    approvals_request_free(q);
    if (rc < 0 && rc != APPR_ENOTFOUND)
        reply_db_error(r, rc);
    else
        reply_not_found(r);
    return -1;
}

static int reply_request(req *r, int64_t id, int status)
{
    approval_request q;
    if (load_visible(r, id, &q) < 0) return 0;
    json_t *o = request_json(r, &q);
    approvals_request_free(&q);
    return o ? reply_json(r, status, o) : reply_db_error(r, DB_ERR);
}

/* An engine error code as an HTTP reply. */
static int reply_engine_error(req *r, int rc, int64_t id)
{
    int64_t v = 0;
    switch (rc) {
    case APPR_ENOTFOUND:
        return reply_not_found(r);
    case APPR_ESTALE:
        db_scalar_int(r->db, &v, 0, "SELECT version FROM approval_requests WHERE id = ?",
                      DBP(DBI(id)));
        return reply_conflict_version(r, v);
    case APPR_ESTATE:
        return reply_problem(r, 409, "conflict", "the request is no longer pending");
    case APPR_EFORBIDDEN:
        return reply_problem(r, 403, "forbidden", "you may not act on this step of the request");
    case APPR_EINVAL:
        return reply_invalid(r, one_error("comment", "invalid", "is not an acceptable comment"));
    case APPR_EPENDING:
        return reply_problem(r, 409, "duplicate", "the document already awaits approval");
    case APPR_ECALLBACK:
        return reply_problem(r, 409, "conflict", "the document could not take this decision");
    default:
        return reply_db_error(r, rc);
    }
}

static int h_approvals_get(req *r)
{
    return reply_request(r, req_id(r, 0), 200);
}

/* approve / reject / cancel share one shape: check, one transaction around
 * the engine call (which also runs the module's on_decided), reply with the
 * request as it is now. */
static int change_request(req *r, const char *what)
{
    static const field decide_spec[] = {{"comment", F_STR, F_NULL, APPROVALS_COMMENT_MAX, 0},
                                        {"version", F_INT, F_REQ, 0, 1},
                                        FIELDS_END};
    static const field cancel_spec[] = {{"comment", F_STR, F_NULL, APPROVALS_COMMENT_MAX, 0},
                                        {"version", F_INT, 0, 0, 1},
                                        FIELDS_END};
    bool cancel = strcmp(what, "cancel") == 0, approve = strcmp(what, "approve") == 0;
    int64_t id = req_id(r, 0);
    approval_request q;
    int rc;

    if (id < 0) return reply_not_found(r);
    /* cancel may come without a body; approve and reject need the version */
    if ((!cancel || r->in) && input_check(r, cancel ? cancel_spec : decide_spec) < 0) return 0;
    const char *comment = in_str(r, "comment");
    if (strcmp(what, "reject") == 0 && blank(comment))
        return reply_invalid(r, one_error("comment", "required", "is required to reject"));

    if ((rc = db_begin(r->db)) < 0) return reply_db_error(r, rc);
    if (load_visible(r, id, &q) < 0) {
        db_rollback(r->db);
        return 0;
    }
    approvals_request_free(&q);
    int64_t version = in_int(r, "version", 0);
    rc = cancel ? approvals_cancel(r->db, &r->a, id, &r->me, comment, version)
                : approvals_decide(r->db, &r->a, id, &r->me, approve, comment, version);
    if (rc == 0)
        rc = db_commit(r->db);
    else
        db_rollback(r->db);
    if (rc < 0) return reply_engine_error(r, rc, id);
    return reply_request(r, id, 200);
}

static int h_approvals_approve(req *r)
{
    return change_request(r, "approve");
}

static int h_approvals_reject(req *r)
{
    return change_request(r, "reject");
}

static int h_approvals_cancel(req *r)
{
    return change_request(r, "cancel");
}

static int h_approvals_history(req *r)
{
    approval_request q;
    int64_t id = req_id(r, 0);
    if (load_visible(r, id, &q) < 0) return 0;
    approvals_request_free(&q);
    return audit_reply_history(r, "approval_request", id);
}

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

#define DECIDE_SCHEMA                                                                              \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{"                             \
    "\"comment\":{\"type\":\"string\",\"maxLength\":2000},"                                        \
    "\"version\":{\"type\":\"integer\",\"minimum\":1}}}"
#define STEPS_SCHEMA                                                                               \
    "\"steps\":{\"type\":\"array\",\"minItems\":1,\"maxItems\":10,\"items\":{\"type\":\"object\"," \
    "\"required\":[\"kind\"],\"properties\":{"                                                     \
    "\"kind\":{\"enum\":[\"role\",\"user\",\"manager\"]},"                                         \
    "\"role\":{\"type\":\"string\",\"description\":\"role steps: admin, sales_manager, ...\"},"    \
    "\"user_id\":{\"type\":\"integer\",\"description\":\"user steps: an active user\"},"           \
    "\"min_amount\":{\"type\":\"integer\",\"minimum\":0,"                                          \
    "\"description\":\"the step applies when the amount (minor units) is at least this\"}}}}"

const route approvals_routes[] = {
    {"GET", "/api/v1/approvals", h_approvals_list, PERM_SIGNED_IN, 0,
     "Approval requests: box=inbox (waiting for me), mine (I applied) or all (approvals.read_all);"
     " optional state, doc_type",
     NULL},
    {"GET", "/api/v1/approvals/{id}", h_approvals_get, PERM_SIGNED_IN, 0,
     "One approval request with its steps, actions and whether I may decide", NULL},
    {"POST", "/api/v1/approvals/{id}/approve", h_approvals_approve, PERM_SIGNED_IN, 16384,
     "Approve the current step (current approver or admin)", DECIDE_SCHEMA},
    {"POST", "/api/v1/approvals/{id}/reject", h_approvals_reject, PERM_SIGNED_IN, 16384,
     "Reject the request; a comment is required", DECIDE_SCHEMA},
    {"POST", "/api/v1/approvals/{id}/cancel", h_approvals_cancel, PERM_SIGNED_IN, 16384,
     "Withdraw a pending request (its applicant)",
     "{\"type\":\"object\",\"properties\":{\"comment\":{\"type\":\"string\",\"maxLength\":2000},"
     "\"version\":{\"type\":\"integer\",\"minimum\":1}}}"},
    {"GET", "/api/v1/approvals/{id}/history", h_approvals_history, PERM_SIGNED_IN, 0,
     "History of an approval request", NULL},
    {"GET", "/api/v1/approval-flows", h_flows_list, PERM_SIGNED_IN, 0,
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
     "History of an approval flow", NULL},
    {"GET", "/api/v1/doc-types", h_doc_types, PERM_SIGNED_IN, 0,
     "Document types that go through approvals, with labels and their active flow", NULL},
    ROUTES_END,
};
