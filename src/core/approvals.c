/* approvals.c — the approvals engine (see approvals.h): the document type
 * registry, the request state table, submission with its step snapshot, and
 * the decide / cancel transitions with their actions, audit rows and the
 * on_decided callback. The HTTP side lives in src/approvals/approvals_api.c. */
#include "core/approvals.h"
#include "core/audit.h"
#include "base/log.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Registry --------------------------------------------------------------- */

/* Known from the start so their requests can be decided before a module
 * registers callbacks; a module's approvals_register replaces its entry. */
static const approval_doc_type builtin_types[] = {
    {"customer_application", "Customer application", "客户申请", NULL, NULL},
    {"project_application", "Project application", "项目申请", NULL, NULL},
    {"quotation", "Quotation", "报价单", NULL, NULL},
    {"contract", "Contract", "合同", NULL, NULL},
    {"return", "Return", "退货", NULL, NULL},
};

/* Written only at start-up (before the server's threads exist), read after. */
static const approval_doc_type *doc_types[APPROVALS_MAX_TYPES] = {
    &builtin_types[0], &builtin_types[1], &builtin_types[2], &builtin_types[3], &builtin_types[4],
};
static int doc_type_count = 5;

void approvals_register(const approval_doc_type *t)
{
    if (!t || !t->doc_type || !*t->doc_type) {
        tf_log("error", "approvals_register: a document type needs a name");
        abort();
    }
    for (int i = 0; i < doc_type_count; i++) {
        if (strcmp(doc_types[i]->doc_type, t->doc_type) == 0) {
            doc_types[i] = t;
            return;
        }
    }
    if (doc_type_count >= APPROVALS_MAX_TYPES) {
        tf_log("error", "approvals_register: more than %d document types (%s)", APPROVALS_MAX_TYPES,
               t->doc_type);
        abort();
    }
    doc_types[doc_type_count++] = t;
}

const approval_doc_type *approvals_doc_type(const char *doc_type)
{
    if (!doc_type) return NULL;
    for (int i = 0; i < doc_type_count; i++)
        if (strcmp(doc_types[i]->doc_type, doc_type) == 0) return doc_types[i];
    return NULL;
}

int approvals_doc_type_count(void)
{
    return doc_type_count;
}

const approval_doc_type *approvals_doc_type_at(int i)
{
    return i >= 0 && i < doc_type_count ? doc_types[i] : NULL;
}

/* State table -------------------------------------------------------------- */

static const struct {
    const char *from;
    approval_event ev;
    const char *to;
} transitions[] = {
    {"", APPR_EV_SUBMIT, "pending"},
    {"", APPR_EV_AUTO_APPROVE, "approved"},
    {"pending", APPR_EV_APPROVE_STEP, "pending"},
    {"pending", APPR_EV_APPROVE_LAST, "approved"},
    {"pending", APPR_EV_REJECT, "rejected"},
    {"pending", APPR_EV_CANCEL, "cancelled"},
};

const char *approvals_transition(const char *from, approval_event event)
{
    if (!from) from = "";
    for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]); i++)
        if (transitions[i].ev == event && strcmp(transitions[i].from, from) == 0)
            return transitions[i].to;
    return NULL;
}

/* Helpers ------------------------------------------------------------------ */

/* The engine writes several rows that must stand or fall together with the
 * caller's change; outside a transaction that cannot be promised. */
static int need_tx(db_conn *c, const char *fn)
{
    if (c->tx_where) return 0;
    tf_log("error", "%s called outside a transaction", fn);
    snprintf(c->err, sizeof(c->err), "%s needs an open transaction", fn);
    return DB_ERR;
}

/* on_decided's result as an engine code: DB_E* pass through (the handler maps
 * busy to 503), anything else negative becomes APPR_ECALLBACK. */
static int run_on_decided(const approval_doc_type *t, db_conn *c, arena *a, int64_t doc_id,
                          const char *outcome, int64_t actor_id, const char **why)
{
    if (!t || !t->on_decided) return 0;
    const char *said = NULL;
    int rc = t->on_decided(c, a, doc_id, outcome, actor_id, &said);
    if (rc >= 0) return 0;
    if (rc >= DB_ECONN) return rc;
    tf_log("info", "approvals: on_decided of %s refused doc=%lld outcome=%s rc=%d why=%s",
           t->doc_type, (long long)doc_id, outcome, rc, said ? said : "-");
    if (why) *why = said;
    return APPR_ECALLBACK;
}

static bool blank(const char *s)
{
    if (!s) return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static json_t *nullable_int(int64_t v)
{
    return v > 0 ? json_integer(v) : json_null();
}

static json_t *nullable_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* Who decides one step of a request by `applicant_id`. Role steps stay role
 * steps. User and manager steps name a user; when that user is the applicant
 * (nobody approves their own request), inactive, or missing (no manager up
 * the department tree), the step goes to the administrators instead. */
static int resolve_step(db_conn *c, int64_t applicant_id, const char *kind, int64_t named_user,
                        int64_t *user_id, bool *escalated)
{
    *user_id = 0;
    *escalated = false;
    if (strcmp(kind, "role") == 0) return 0;
    int64_t uid = strcmp(kind, "manager") == 0 ? policy_manager_for(c, applicant_id) : named_user;
    int64_t usable = 0;
    if (uid > 0 && uid != applicant_id) {
        int rc = db_scalar_int(c, &usable, 0, "SELECT COUNT(*) FROM users WHERE id = ? AND active",
                               DBP(DBI(uid)));
        if (rc < 0) return rc;
    }
    if (usable > 0)
        *user_id = uid;
    else
        *escalated = true;
    return 0;
}

/* The applicable steps of flow `flow_id` for `amount`, resolved, as the
 * snapshot array stored in steps_json (renumbered 1..n). */
static int build_snapshot(db_conn *c, arena *a, int64_t flow_id, int64_t amount,
                          int64_t applicant_id, json_t *steps)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT kind, role, COALESCE(user_id, 0) AS user_id, min_amount "
                      "FROM approval_steps WHERE flow_id = ? ORDER BY seq",
                      DBP(DBI(flow_id)));
    if (rc < 0) return rc;
    for (int i = 0; i < r.nrows; i++) {
        int64_t min_amount = db_get_int(&r, i, "min_amount");
        if (amount < min_amount) continue;
        const char *kind = db_get_text(&r, i, "kind");
        const char *role = db_get_text(&r, i, "role");
        int64_t uid = 0, named = db_get_int(&r, i, "user_id");
        bool esc = false;
        if (!kind) return DB_ERR;
        if ((rc = resolve_step(c, applicant_id, kind, named, &uid, &esc)) < 0) return rc;
        if (esc)
            role = role_name(ROLE_ADMIN);
        else if (strcmp(kind, "role") != 0)
            role = NULL;
        json_array_append_new(steps,
                              json_pack("{s:I, s:s, s:o, s:o, s:I, s:b}", "seq",
                                        (json_int_t)json_array_size(steps) + 1, "kind", kind,
                                        "role", nullable_str(role), "user_id", nullable_int(uid),
                                        "min_amount", (json_int_t)min_amount, "escalated", esc));
    }
    return 0;
}

/* Approver of snapshot step `seq` (1-based): role or user id. */
static void step_approver(json_t *steps, int64_t seq, const char **role, int64_t *user_id)
{
    json_t *s = seq >= 1 ? json_array_get(steps, (size_t)(seq - 1)) : NULL;
    *role = json_string_value(json_object_get(s, "role"));
    json_t *u = json_object_get(s, "user_id");
    *user_id = json_is_integer(u) ? (int64_t)json_integer_value(u) : 0;
    if (*user_id > 0) *role = NULL;
}

/* The part of a request a decision changes, for audit before/after. */
static json_t *state_json(const char *state, int64_t step, const char *role, int64_t user_id,
                          int64_t version)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:I}", "state", state, "current_step",
                     nullable_int(step), "approver_role", nullable_str(role), "current_user_id",
                     nullable_int(user_id), "version", (json_int_t)version);
}

/* Submission ----------------------------------------------------------------- */

int approvals_submit(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, const char *title,
                     int64_t amount, int64_t applicant_id, int64_t *request_id, bool *approved_now)
{
    json_t *steps = json_array(), *after = NULL;
    char *steps_txt = NULL;
    int64_t flow_id = 0, pending = 0, cur_step = 0, cur_user = 0;
    const char *cur_role = NULL, *state;
    char now_buf[TF_TS_LEN];
    const char *now = now_buf; /* DBS() wants a pointer, not an array */
    db_res r;
    int rc;

    *request_id = 0;
    *approved_now = false;
    if ((rc = need_tx(c, "approvals_submit")) < 0) goto done;
    const approval_doc_type *t = approvals_doc_type(doc_type);
    if (!t) {
        rc = APPR_EDOCTYPE;
        goto done;
    }
    if (doc_id <= 0 || applicant_id <= 0 || !title) {
        rc = APPR_EINVAL;
        goto done;
    }
    /* The unique index approval_requests_one_pending is the real guard; this
     * check only gives the common case a clean error before any write. */
    rc = db_scalar_int(c, &pending, 0,
                       "SELECT COUNT(*) FROM approval_requests "
                       "WHERE doc_type = ? AND doc_id = ? AND state = 'pending'",
                       DBP(DBS(doc_type), DBI(doc_id)));
    if (rc < 0) goto done;
    if (pending > 0) {
        rc = APPR_EPENDING;
        goto done;
    }
    rc = db_query(c, a, &r,
                  "SELECT id FROM approval_flows WHERE doc_type = ? AND active "
                  "ORDER BY id DESC LIMIT 1",
                  DBP(DBS(doc_type)));
    if (rc < 0) goto done;
    if (r.nrows > 0) flow_id = db_get_int(&r, 0, "id");
    if (flow_id > 0 && (rc = build_snapshot(c, a, flow_id, amount, applicant_id, steps)) < 0)
        goto done;

    bool auto_ok = json_array_size(steps) == 0;
    state = approvals_transition("", auto_ok ? APPR_EV_AUTO_APPROVE : APPR_EV_SUBMIT);
    if (!state) {
        rc = APPR_ESTATE;
        goto done;
    }
    if (!auto_ok) {
        cur_step = 1;
        step_approver(steps, 1, &cur_role, &cur_user);
    }
    steps_txt = json_dumps(steps, JSON_COMPACT);
    if (!steps_txt) {
        rc = DB_ERR;
        goto done;
    }
    tf_now(now_buf);
    rc = db_query(c, a, &r,
                  "INSERT INTO approval_requests (doc_type, doc_id, flow_id, title, amount, "
                  "applicant_id, state, current_step, approver_role, current_user_id, steps_json, "
                  "version, created_at, decided_at, has_amount) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) RETURNING id",
                  DBP(DBS(doc_type), DBI(doc_id), flow_id > 0 ? DBI(flow_id) : DBNULL, DBS(title),
                      DBI(amount), DBI(applicant_id), DBS(state),
                      cur_step > 0 ? DBI(cur_step) : DBNULL, DBS(cur_role),
                      cur_user > 0 ? DBI(cur_user) : DBNULL, DBS(steps_txt), DBS(now),
                      auto_ok ? DBS(now) : DBNULL, DBB(amount > 0)));
    if (rc == DB_EUNIQUE) rc = APPR_EPENDING; /* a concurrent submission won */
    if (rc < 0) goto done;
    if (r.nrows != 1) {
        rc = DB_ERR;
        goto done;
    }
    *request_id = db_get_int(&r, 0, "id");

    after = state_json(state, cur_step, cur_role, cur_user, 1);
    json_object_set_new(after, "doc_type", json_string(doc_type));
    json_object_set_new(after, "doc_id", json_integer(doc_id));
    json_object_set_new(after, "title", json_string(title));
    json_object_set_new(after, "amount", json_integer(amount));
    json_object_set_new(after, "applicant_id", json_integer(applicant_id));
    json_object_set_new(after, "flow_id", nullable_int(flow_id));
    json_object_set(after, "steps", steps);
    if ((rc = audit_record(c, applicant_id, "approval_request", *request_id, "submit", NULL,
                           after)) < 0)
        goto done;

    if (auto_ok) {
        if ((rc = run_on_decided(t, c, a, doc_id, state, 0, NULL)) < 0) goto done;
        *approved_now = true;
    }
    rc = 0;
done:
    json_decref(steps);
    json_decref(after);
    free(steps_txt);
    return rc;
}

/* Reading ---------------------------------------------------------------------- */

int approvals_load(db_conn *c, arena *a, int64_t id, approval_request *out)
{
    db_res r;
    memset(out, 0, sizeof(*out));
    int rc =
        db_query(c, a, &r,
                 "SELECT id, doc_type, doc_id, COALESCE(flow_id, 0) AS flow_id, title, amount, "
                 "applicant_id, state, COALESCE(current_step, 0) AS current_step, "
                 "approver_role, COALESCE(current_user_id, 0) AS current_user_id, steps_json, "
                 "version, created_at, decided_at, reason, subject_type,"
                 " COALESCE(subject_id, 0) AS subject_id, subject_name, has_amount"
                 " FROM approval_requests WHERE id = ?",
                 DBP(DBI(id)));
    if (rc < 0) return rc;
    if (r.nrows == 0) return APPR_ENOTFOUND;
    out->id = db_get_int(&r, 0, "id");
    out->doc_type = db_get_text(&r, 0, "doc_type");
    out->doc_id = db_get_int(&r, 0, "doc_id");
    out->flow_id = db_get_int(&r, 0, "flow_id");
    out->title = db_get_text(&r, 0, "title");
    out->amount = db_get_int(&r, 0, "amount");
    out->applicant_id = db_get_int(&r, 0, "applicant_id");
    out->state = db_get_text(&r, 0, "state");
    out->current_step = db_get_int(&r, 0, "current_step");
    out->approver_role = db_get_text(&r, 0, "approver_role");
    out->current_user_id = db_get_int(&r, 0, "current_user_id");
    out->steps_json = db_get_text(&r, 0, "steps_json");
    out->version = db_get_int(&r, 0, "version");
    out->created_at = db_get_text(&r, 0, "created_at");
    out->decided_at = db_get_text(&r, 0, "decided_at");
    out->reason = db_get_text(&r, 0, "reason");
    out->subject_type = db_get_text(&r, 0, "subject_type");
    out->subject_id = db_get_int(&r, 0, "subject_id");
    out->subject_name = db_get_text(&r, 0, "subject_name");
    out->has_amount = db_get_int(&r, 0, "has_amount") != 0;
    if (!out->state) out->state = "";
    if (!out->title) out->title = "";
    out->steps = out->steps_json ? json_loads(out->steps_json, 0, NULL) : NULL;
    if (!json_is_array(out->steps)) {
        tf_log("error", "approval request %lld has an unreadable steps_json", (long long)id);
        json_decref(out->steps);
        out->steps = json_array();
    }
    return 0;
}

void approvals_request_free(approval_request *q)
{
    if (!q) return;
    json_decref(q->steps);
    q->steps = NULL;
}

bool approvals_may_decide(const approval_request *q, const principal *u)
{
    if (strcmp(q->state, "pending") != 0 || q->current_step <= 0) return false;
    if (u->role == ROLE_ADMIN) return true;
    if (u->id == q->applicant_id) return false;
    if (q->current_user_id > 0) return q->current_user_id == u->id;
    return q->approver_role && strcmp(q->approver_role, role_name(u->role)) == 0;
}

void approvals_inbox_params(const principal *u, db_val out[4])
{
    out[0] = DBI(u->id);
    out[1] = DBS(role_name(u->role));
    out[2] = DBI(u->id);
    out[3] = DBB(u->role == ROLE_ADMIN); /* as approvals_may_decide */
}

bool approvals_may_view(db_conn *c, const approval_request *q, const principal *u)
{
    if (u->id == q->applicant_id || u->role == ROLE_ADMIN) return true;
    if (policy_allows(u, "approvals.read_all")) return true;
    size_t i;
    json_t *s;
    const char *my_role = role_name(u->role);
    json_array_foreach(q->steps, i, s)
    {
        json_t *uid = json_object_get(s, "user_id");
        const char *role = json_string_value(json_object_get(s, "role"));
        if (json_is_integer(uid) && json_integer_value(uid) == u->id) return true;
        if (!json_is_integer(uid) && role && strcmp(role, my_role) == 0) return true;
    }
    json_array_foreach(q->steps, i, s)
    {
        json_t *uid = json_object_get(s, "user_id");
        if (json_is_integer(uid) && approvals_is_below(c, u, (int64_t)json_integer_value(uid)))
            return true;
    }
    const approval_doc_type *t = approvals_doc_type(q->doc_type);
    return t && t->can_view && t->can_view(c, u, q->doc_id);
}

/* The managers of the departments strictly below those the bound user
 * manages (callers leave that user out: approvals_is_below, box=below). */
const char APPROVALS_BELOW_SQL[] =
    "SELECT bd.manager_id FROM departments bd WHERE bd.manager_id IS NOT NULL"
    " AND bd.id IN (WITH RECURSIVE below(id) AS ("
    " SELECT d.id FROM departments d JOIN departments m ON d.parent_id = m.id"
    " WHERE m.manager_id = ?"
    " UNION ALL SELECT d.id FROM departments d JOIN below ON d.parent_id = below.id)"
    " SELECT id FROM below)";

bool approvals_is_below(db_conn *c, const principal *u, int64_t user_id)
{
    if (user_id <= 0 || user_id == u->id) return false;
    int64_t n = 0;
    char sql[sizeof(APPROVALS_BELOW_SQL) + 64];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM (%s) x WHERE x.manager_id = ?",
             APPROVALS_BELOW_SQL);
    db_scalar_int(c, &n, 0, sql, DBP(DBI(u->id), DBI(user_id)));
    return n > 0;
}

json_t *approvals_deciders(db_conn *c, arena *a, const approval_request *q, int64_t seq)
{
    json_t *s = seq >= 1 ? json_array_get(q->steps, (size_t)(seq - 1)) : NULL;
    json_t *uid = json_object_get(s, "user_id");
    const char *role = json_string_value(json_object_get(s, "role"));
    db_res r;
    int rc;
    if (json_is_integer(uid))
        rc = db_query(c, a, &r, "SELECT id, name FROM users WHERE id = ?",
                      DBP(DBI((int64_t)json_integer_value(uid))));
    else if (role)
        rc = db_query(c, a, &r,
                      "SELECT id, name FROM users WHERE role = ? AND active = TRUE AND id <> ?"
                      " ORDER BY id LIMIT 20",
                      DBP(DBS(role), DBI(q->applicant_id)));
    else
        return json_array();
    if (rc < 0) return NULL;
    return db_rows_json(&r);
}

int approvals_last_action(db_conn *c, arena *a, int64_t request_id, approval_action *out)
{
    db_res r;
    memset(out, 0, sizeof(*out));
    int rc = db_query(c, a, &r,
                      "SELECT x.actor_id, u.name AS actor_name, x.decision, x.at, x.step_seq,"
                      " x.comment FROM approval_actions x JOIN users u ON u.id = x.actor_id"
                      " WHERE x.request_id = ? ORDER BY x.id DESC LIMIT 1",
                      DBP(DBI(request_id)));
    if (rc <= 0) return rc;
    out->actor_id = db_get_int(&r, 0, "actor_id");
    out->actor_name = db_get_text(&r, 0, "actor_name");
    out->decision = db_get_text(&r, 0, "decision");
    out->at = db_get_text(&r, 0, "at");
    out->step_seq = db_get_int(&r, 0, "step_seq");
    out->comment = db_get_text(&r, 0, "comment");
    return 1;
}

int approvals_set_context(db_conn *c, int64_t request_id, const char *reason,
                          const char *subject_type, int64_t subject_id, const char *subject_name,
                          bool has_amount)
{
    int rc = db_exec(c,
                     "UPDATE approval_requests SET reason = ?, subject_type = ?, subject_id = ?,"
                     " subject_name = ?, has_amount = ? WHERE id = ?",
                     DBP(DBS(reason), DBS(subject_type), subject_id > 0 ? DBI(subject_id) : DBNULL,
                         DBS(subject_name), DBB(has_amount), DBI(request_id)));
    return rc < 0 ? rc : 0;
}

/* Decisions ---------------------------------------------------------------------- */

typedef enum { ACT_APPROVE, ACT_REJECT, ACT_CANCEL } act_kind;

/* One change of a pending request by `actor`: the state table, the actor's
 * right, the version (checked again by the UPDATE so a concurrent change
 * loses cleanly), the action row, the audit row and, when the request
 * finishes, on_decided. */
static int act(db_conn *c, arena *a, int64_t request_id, const principal *actor, act_kind kind,
               const char *comment, int64_t expected_version, const char **why)
{
    static const char *const decision_names[] = {"approve", "reject", "cancel"};
    approval_request q;
    json_t *before = NULL, *after = NULL;
    int64_t next_step = 0, next_user = 0;
    const char *next_role = NULL, *to;
    char now_buf[TF_TS_LEN];
    const char *now = now_buf; /* DBS() wants a pointer, not an array */
    int rc;

    memset(&q, 0, sizeof(q));
    if ((rc = need_tx(c, kind == ACT_CANCEL ? "approvals_cancel" : "approvals_decide")) < 0)
        goto done;
    if (!comment) comment = "";
    if (!tf_utf8_valid(comment, strlen(comment)) || tf_utf8_len(comment) > APPROVALS_COMMENT_MAX ||
        (kind == ACT_REJECT && blank(comment))) {
        rc = APPR_EINVAL;
        goto done;
    }
    if ((rc = approvals_load(c, a, request_id, &q)) < 0) goto done;
    /* a request decided meanwhile is "already decided", whatever version the
     * caller read: the caller then says by whom */
    if (strcmp(q.state, "pending") != 0) {
        rc = APPR_ESTATE;
        goto done;
    }
    if (expected_version > 0 && q.version != expected_version) {
        rc = APPR_ESTALE;
        goto done;
    }

    approval_event ev;
    if (kind == ACT_CANCEL)
        ev = APPR_EV_CANCEL;
    else if (kind == ACT_REJECT)
        ev = APPR_EV_REJECT;
    else if (q.current_step < (int64_t)json_array_size(q.steps))
        ev = APPR_EV_APPROVE_STEP;
    else
        ev = APPR_EV_APPROVE_LAST;
    if (!(to = approvals_transition(q.state, ev))) {
        rc = APPR_ESTATE;
        goto done;
    }
    bool allowed =
        kind == ACT_CANCEL ? actor->id == q.applicant_id : approvals_may_decide(&q, actor);
    if (!allowed) {
        rc = APPR_EFORBIDDEN;
        goto done;
    }
    if (ev == APPR_EV_APPROVE_STEP) {
        next_step = q.current_step + 1;
        step_approver(q.steps, next_step, &next_role, &next_user);
    }
    bool finished = strcmp(to, "pending") != 0;

    tf_now(now_buf);
    rc = db_exec(c,
                 "UPDATE approval_requests SET state = ?, current_step = ?, approver_role = ?, "
                 "current_user_id = ?, decided_at = ?, version = version + 1 "
                 "WHERE id = ? AND version = ? AND state = ?",
                 DBP(DBS(to), next_step > 0 ? DBI(next_step) : DBNULL, DBS(next_role),
                     next_user > 0 ? DBI(next_user) : DBNULL, finished ? DBS(now) : DBNULL,
                     DBI(q.id), DBI(q.version), DBS(q.state)));
    if (rc < 0) goto done;
    if (rc == 0) { /* changed by someone else since we read it: decided, or moved on */
        int64_t still = 0;
        rc = db_scalar_int(c, &still, 0,
                           "SELECT COUNT(*) FROM approval_requests WHERE id = ? AND state = ?",
                           DBP(DBI(q.id), DBS("pending")));
        if (rc >= 0) rc = still ? APPR_ESTALE : APPR_ESTATE;
        goto done;
    }
    rc = db_exec(c,
                 "INSERT INTO approval_actions (request_id, step_seq, actor_id, decision, comment, "
                 "at) VALUES (?, ?, ?, ?, ?, ?)",
                 DBP(DBI(q.id), DBI(q.current_step), DBI(actor->id), DBS(decision_names[kind]),
                     DBS(comment), DBS(now)));
    if (rc < 0) goto done;

    before = state_json(q.state, q.current_step, q.approver_role, q.current_user_id, q.version);
    after = state_json(to, next_step, next_role, next_user, q.version + 1);
    json_object_set_new(after, "comment", json_string(comment));
    rc = audit_record(c, actor->id, "approval_request", q.id, decision_names[kind], before, after);
    if (rc < 0) goto done;

    if (finished &&
        (rc = run_on_decided(approvals_doc_type(q.doc_type), c, a, q.doc_id, to, actor->id,
                             why)) < 0)
        goto done;
    rc = 0;
done:
    json_decref(before);
    json_decref(after);
    approvals_request_free(&q);
    return rc;
}

int approvals_decide(db_conn *c, arena *a, int64_t request_id, const principal *actor, bool approve,
                     const char *comment, int64_t expected_version)
{
    return act(c, a, request_id, actor, approve ? ACT_APPROVE : ACT_REJECT, comment,
               expected_version, NULL);
}

int approvals_decide_why(db_conn *c, arena *a, int64_t request_id, const principal *actor,
                         bool approve, const char *comment, int64_t expected_version,
                         const char **why)
{
    if (why) *why = NULL;
    return act(c, a, request_id, actor, approve ? ACT_APPROVE : ACT_REJECT, comment,
               expected_version, why);
}

int approvals_cancel(db_conn *c, arena *a, int64_t request_id, const principal *actor,
                     const char *comment, int64_t expected_version)
{
    return act(c, a, request_id, actor, ACT_CANCEL, comment, expected_version, NULL);
}
