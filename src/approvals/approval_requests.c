/* approval_requests.c — the HTTP side of approval requests: the boxes
 * (inbox, mine, below for directors, all) with their pending counts, one
 * request with what its approver needs to decide (reason, the record it is
 * about, the named people who may decide each step, amount only where the
 * document has one, the decisions so far), approve / reject / cancel (a
 * request someone else decided first answers 409 naming who and when), and
 * its history. The rules live in core/approvals.c; flows in approvals_api.c. */
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

#define REQ_LIST_COLS                                                                              \
    "SELECT r.id, r.doc_type, r.doc_id, r.title, r.amount, r.has_amount, r.applicant_id,"          \
    " u.name AS applicant_name, r.state, r.current_step, r.current_user_id,"                       \
    " COALESCE(cu.name, r.approver_role) AS step_label, r.reason, r.subject_type,"                 \
    " r.subject_id, r.subject_name, r.created_at, r.decided_at, r.version"                         \
    " FROM approval_requests r JOIN users u ON u.id = r.applicant_id"                              \
    " LEFT JOIN users cu ON cu.id = r.current_user_id"

/* Filters every box shares: optional state and doc_type, then the cursor. */
#define REQ_LIST_TAIL                                                                              \
    " AND r.state = COALESCE(?, r.state) AND r.doc_type = COALESCE(?, r.doc_type)"                 \
    " AND (? = 0 OR r.id < ?) ORDER BY r.id DESC LIMIT ?"

/* Pending requests whose current step waits for me, by user or by role; never
 * my own (an applicant does not approve their request) unless I am an admin. */
#define INBOX_COND " WHERE" APPROVALS_INBOX_COND
/* Pending requests waiting at a manager below me (directors, read-only). */
#define BELOW_COND                                                                                 \
    " WHERE r.state = 'pending' AND r.current_user_id <> ? AND r.current_user_id IN ("

static const char SQL_INBOX[] = REQ_LIST_COLS INBOX_COND REQ_LIST_TAIL;
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

static json_t *nullable_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The list's rows with amount null where the document has none. */
static int reply_requests(req *r, db_res *res, int limit)
{
    json_t *items = db_rows_json(res);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        if (!json_is_true(json_object_get(o, "has_amount")))
            json_object_set_new(o, "amount", json_null());
    }
    return reply_page(r, items, limit, "id");
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
        db_val p[9];
        approvals_inbox_params(&r->me, p);
        p[4] = DBS(state);
        p[5] = DBS(doc_type);
        p[6] = DBI(cursor);
        p[7] = DBI(cursor);
        p[8] = DBI(limit + 1);
        rc = db_query(r->db, &r->a, &res, SQL_INBOX, 9, p);
    } else if (strcmp(box, "mine") == 0) {
        rc = db_query(r->db, &r->a, &res, SQL_MINE,
                      DBP(DBI(r->me.id), DBS(state), DBS(doc_type), DBI(cursor), DBI(cursor),
                          DBI(limit + 1)));
    } else if (strcmp(box, "below") == 0) {
        const char *sql = arena_printf(&r->a, "%s%s%s)%s", REQ_LIST_COLS, BELOW_COND,
                                       APPROVALS_BELOW_SQL, REQ_LIST_TAIL);
        rc = db_query(r->db, &r->a, &res, sql,
                      DBP(DBI(r->me.id), DBI(r->me.id), DBS(state), DBS(doc_type), DBI(cursor),
                          DBI(cursor), DBI(limit + 1)));
    } else if (strcmp(box, "all") == 0) {
        if (!policy_allows(&r->me, "approvals.read_all")) return reply_forbidden(r);
        rc = db_query(r->db, &r->a, &res, SQL_ALL,
                      DBP(DBS(state), DBS(doc_type), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    } else {
        return reply_problem(r, 400, "bad_request", "box must be inbox, mine, below or all");
    }
    if (rc < 0) return reply_db_error(r, rc);
    return reply_requests(r, &res, limit);
}

/* GET /approval-boxes — the boxes this user has, each with its pending
 * count: inbox and mine always, below for a director (someone manages a
 * department under one of theirs), all with approvals.read_all. */
static int h_approval_boxes(req *r)
{
    int64_t inbox = 0, mine = 0, below = 0, managers = 0, all = 0;
    db_val in[4];
    approvals_inbox_params(&r->me, in);
    int rc = db_scalar_int(r->db, &inbox, 0, "SELECT COUNT(*) FROM approval_requests r" INBOX_COND,
                           4, in);
    if (rc >= 0)
        rc = db_scalar_int(r->db, &mine, 0,
                           "SELECT COUNT(*) FROM approval_requests WHERE applicant_id = ?"
                           " AND state = 'pending'",
                           DBP(DBI(r->me.id)));
    if (rc >= 0)
        rc = db_scalar_int(r->db, &managers, 0,
                           arena_printf(&r->a, "SELECT COUNT(*) FROM (%s) x WHERE x.manager_id <> ?",
                                        APPROVALS_BELOW_SQL),
                           DBP(DBI(r->me.id), DBI(r->me.id)));
    if (rc >= 0 && managers > 0)
        rc = db_scalar_int(r->db, &below, 0,
                           arena_printf(&r->a, "SELECT COUNT(*) FROM approval_requests r%s%s)",
                                        BELOW_COND, APPROVALS_BELOW_SQL),
                           DBP(DBI(r->me.id), DBI(r->me.id)));
    bool read_all = policy_allows(&r->me, "approvals.read_all");
    if (rc >= 0 && read_all)
        rc = db_scalar_int(r->db, &all, 0,
                           "SELECT COUNT(*) FROM approval_requests WHERE state = 'pending'", DBP0);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array();
    json_array_append_new(items, json_pack("{s:s, s:I}", "box", "inbox", "pending", inbox));
    json_array_append_new(items, json_pack("{s:s, s:I}", "box", "mine", "pending", mine));
    if (managers > 0)
        json_array_append_new(items, json_pack("{s:s, s:I}", "box", "below", "pending", below));
    if (read_all)
        json_array_append_new(items, json_pack("{s:s, s:I}", "box", "all", "pending", all));
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", items, "next_cursor"));
}

static const char *user_name(req *r, int64_t id)
{
    db_res res;
    if (id <= 0) return NULL;
    if (db_query(r->db, &r->a, &res, "SELECT name FROM users WHERE id = ?", DBP(DBI(id))) <= 0)
        return NULL;
    return db_get_text(&res, 0, "name");
}

/* The full JSON of a request as `me` sees it: steps with names, labels and
 * the people who may decide them, the decisions so far, the reason and the
 * subject, and whether `me` may decide or cancel now. NULL on a db error. */
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
        json_t *deciders = approvals_deciders(r->db, &r->a, q, seq);
        if (!deciders) {
            json_decref(steps);
            return NULL;
        }
        if (seq == q->current_step) step_label = label;
        json_array_append_new(
            steps, json_pack("{s:I, s:O?, s:o, s:O?, s:o, s:O?, s:b, s:s, s:o}", "seq", seq,
                             "kind", json_object_get(s, "kind"), "role", nullable_str(role),
                             "user_id", uid, "user_name", nullable_str(name), "min_amount",
                             json_object_get(s, "min_amount"), "escalated",
                             json_is_true(json_object_get(s, "escalated")), "label", label,
                             "deciders", deciders));
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
    o = json_pack("{s:I, s:s, s:I, s:s, s:o, s:b, s:I, s:o, s:s, s:o, s:o, s:s, s:o, s:I}", "id",
                  (json_int_t)q->id, "doc_type", q->doc_type, "doc_id", (json_int_t)q->doc_id,
                  "title", q->title, "amount",
                  q->has_amount ? json_integer(q->amount) : json_null(), "has_amount",
                  q->has_amount, "applicant_id", (json_int_t)q->applicant_id, "applicant_name",
                  nullable_str(user_name(r, q->applicant_id)), "state", q->state, "current_step",
                  q->current_step > 0 ? json_integer(q->current_step) : json_null(), "step_label",
                  nullable_str(step_label), "created_at", q->created_at ? q->created_at : "",
                  "decided_at", nullable_str(q->decided_at), "version", (json_int_t)q->version);
    json_object_set_new(o, "doc_type_label_en", nullable_str(t ? t->label_en : NULL));
    json_object_set_new(o, "doc_type_label_zh", nullable_str(t ? t->label_zh : NULL));
    json_object_set_new(o, "flow_id", q->flow_id > 0 ? json_integer(q->flow_id) : json_null());
    json_object_set_new(o, "reason", nullable_str(q->reason));
    json_object_set_new(o, "subject",
                        q->subject_type && q->subject_id > 0
                            ? json_pack("{s:s, s:I, s:o}", "type", q->subject_type, "id",
                                        (json_int_t)q->subject_id, "name",
                                        nullable_str(q->subject_name))
                            : json_null());
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

/* 409 for a request someone else decided first (or moved on a step): who,
 * what and when, as the pool's claim race names its winner. stale: the
 * engine found another version than the caller's. */
static int reply_decided_first(req *r, int64_t id, bool stale)
{
    approval_action last;
    int64_t v = 0;
    const char *state = NULL;
    db_res res;
    if (db_query(r->db, &r->a, &res, "SELECT state, version FROM approval_requests WHERE id = ?",
                 DBP(DBI(id))) > 0) {
        state = db_get_text(&res, 0, "state");
        v = db_get_int(&res, 0, "version");
    }
    int found = approvals_last_action(r->db, &r->a, id, &last);
    /* a version that lost to a decision finishing the request is "already
     * decided" too (two approvals of one step at once) */
    if (state && strcmp(state, "pending") != 0) stale = false;
    if (found <= 0 && stale) return reply_conflict_version(r, v);
    if (found <= 0)
        return reply_problem(r, 409, "conflict", "the request is no longer pending");
    static const char *const verbs[][2] = {
        {"approve", "approved"}, {"reject", "rejected"}, {"cancel", "withdrawn"}};
    const char *verb = last.decision;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        if (!strcmp(last.decision, verbs[i][0])) verb = verbs[i][1];
    const char *detail =
        stale ? arena_printf(&r->a, "%s %s this step first (at %s); the request has moved on",
                             last.actor_name ? last.actor_name : "?", verb, last.at)
              : arena_printf(&r->a, "already %s by %s at %s", verb,
                             last.actor_name ? last.actor_name : "?", last.at);
    return reply_problem_with(
        r, 409, stale ? "version_conflict" : "conflict", detail,
        json_pack("{s:s, s:o, s:I, s:{s:I, s:s}, s:s, s:s}", "reason",
                  stale ? "moved_on" : "already_decided", "state", nullable_str(state),
                  "current_version", (json_int_t)v, "decided_by", "id",
                  (json_int_t)last.actor_id, "name", last.actor_name ? last.actor_name : "?",
                  "decision", last.decision, "decided_at", last.at));
}

/* An engine error code as an HTTP reply; why: the document's reason for
 * refusing the decision (APPR_ECALLBACK), or NULL. */
static int reply_engine_error(req *r, int rc, int64_t id, const char *why)
{
    switch (rc) {
    case APPR_ENOTFOUND:
        return reply_not_found(r);
    case APPR_ESTALE:
        return reply_decided_first(r, id, true);
    case APPR_ESTATE:
        return reply_decided_first(r, id, false);
    case APPR_EFORBIDDEN:
        return reply_problem(r, 403, "forbidden", "you may not act on this step of the request");
    case APPR_EINVAL:
        return reply_invalid(r, one_error("comment", "invalid", "is not an acceptable comment"));
    case APPR_EPENDING:
        return reply_problem(r, 409, "duplicate", "the document already awaits approval");
    case APPR_ECALLBACK:
        return reply_problem_with(r, 409, "conflict",
                                  why && *why ? why : "the document could not take this decision",
                                  json_pack("{s:s}", "reason", "document_refused"));
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
    const char *why = NULL;
    rc = cancel ? approvals_cancel(r->db, &r->a, id, &r->me, comment, version)
                : approvals_decide_why(r->db, &r->a, id, &r->me, approve, comment, version, &why);
    if (rc == 0)
        rc = db_commit(r->db);
    else
        db_rollback(r->db);
    if (rc < 0) return reply_engine_error(r, rc, id, why);
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

#define DECIDE_SCHEMA                                                                              \
    "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{"                             \
    "\"comment\":{\"type\":\"string\",\"maxLength\":2000},"                                        \
    "\"version\":{\"type\":\"integer\",\"minimum\":1,"                                             \
    "\"description\":\"the version of the request as read; 409 when it moved on\"}}}"

const route approval_requests_routes[] = {
    {"GET", "/api/v1/approvals", h_approvals_list, PERM_SIGNED_IN, 0,
     QUERY("page box=inbox|mine|below|all state=pending|approved|rejected|cancelled doc_type")
     "Approval requests: box=inbox (waiting for me), mine (I applied), below (waiting at the"
     " managers below me, read-only) or all (approvals.read_all); optional state, doc_type",
     NULL},
    {"GET", "/api/v1/approval-boxes", h_approval_boxes, PERM_SIGNED_IN, 0,
     "The approval boxes I have, each with its number of pending requests", NULL},
    {"GET", "/api/v1/approvals/{id}", h_approvals_get, PERM_SIGNED_IN, 0,
     "One approval request with its reason, subject, steps (with who may decide each), actions"
     " and whether I may decide",
     NULL},
    {"POST", "/api/v1/approvals/{id}/approve", h_approvals_approve, PERM_SIGNED_IN, 16384,
     "Approve the current step (current approver or admin); 409 with decided_by / decided_at"
     " when someone decided first",
     DECIDE_SCHEMA},
    {"POST", "/api/v1/approvals/{id}/reject", h_approvals_reject, PERM_SIGNED_IN, 16384,
     "Reject the request; a comment is required", DECIDE_SCHEMA},
    {"POST", "/api/v1/approvals/{id}/cancel", h_approvals_cancel, PERM_SIGNED_IN, 16384,
     "Withdraw a pending request (its applicant)",
     "{\"type\":\"object\",\"properties\":{\"comment\":{\"type\":\"string\",\"maxLength\":2000},"
     "\"version\":{\"type\":\"integer\",\"minimum\":1}}}"},
    {"GET", "/api/v1/approvals/{id}/history", h_approvals_history, PERM_SIGNED_IN, 0,
     QUERY("page")
     "History of an approval request", NULL},
    ROUTES_END,
};
