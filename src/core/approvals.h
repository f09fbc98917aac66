/* approvals.h — the generic approvals engine. Modules (customer applications,
 * project applications, quotations, contracts, returns) register a document
 * type with callbacks, submit a document for approval inside their own
 * transaction, and learn the outcome through on_decided; a document's state
 * moves only through that callback. Flows (ordered steps by role, by named
 * user or by the applicant's manager, optionally only from an amount up) are
 * edited by administrators through approvals_api.c.
 *
 * Every function that changes something runs inside the caller's transaction
 * (it refuses to run outside one) and never commits or rolls back itself: on
 * any error the caller rolls back, which undoes the engine's rows, the audit
 * rows and whatever on_decided wrote. */
#ifndef TF_APPROVALS_H
#define TF_APPROVALS_H
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "db/db.h"
#include "base/arena.h"
#include "core/policy.h"

/* Error codes, distinct from the DB_E* codes (-1 .. -5) that are passed
 * through unchanged. */
enum {
    APPR_ENOTFOUND = -20,  /* no such request */
    APPR_EPENDING = -21,   /* the document already has a pending request */
    APPR_ESTALE = -22,     /* expected_version is not the current version */
    APPR_ESTATE = -23,     /* the state table forbids the change (e.g. not pending) */
    APPR_EFORBIDDEN = -24, /* the actor may not decide / cancel this request */
    APPR_EINVAL = -25,     /* bad argument (e.g. reject without a comment) */
    APPR_EDOCTYPE = -26,   /* document type not registered */
    APPR_ECALLBACK = -27,  /* on_decided refused (returned a code other than DB_E*) */
};

#define APPROVALS_MAX_TYPES   16
#define APPROVALS_MAX_STEPS   10
#define APPROVALS_COMMENT_MAX 2000 /* code points */

typedef struct approval_doc_type {
    const char *doc_type; /* "quotation" */
    const char *label_en, *label_zh;
    /* Called inside the deciding transaction when a request finishes. outcome
     * is "approved", "rejected" or "cancelled" (the applicant withdrew it, so
     * the document can go back to draft). actor_id is the deciding user, or 0
     * when approvals_submit approved at once (no step applied). Return < 0 to
     * abort the whole change (the caller rolls back); a refusal may say why
     * in *why (never NULL; starts NULL): one English sentence for the person
     * deciding, in `a` or static, put in their language by the reply layer
     * (core/i18n), which approvals_decide_why hands back. NULL: nothing to
     * do. */
    int (*on_decided)(db_conn *c, arena *a, int64_t doc_id, const char *outcome, int64_t actor_id,
                      const char **why);
    /* Extra readers of a request besides its applicant, its approvers, admins
     * and holders of approvals.read_all (e.g. the document's owner's manager).
     * NULL: nobody else. */
    bool (*can_view)(db_conn *c, const principal *u, int64_t doc_id);
} approval_doc_type;

/* Registers (or, for a doc_type already known, replaces) a document type.
 * Called at start-up before the server serves; the five built-in types
 * (customer_application, project_application, quotation, contract, return)
 * are known without registration, with no callbacks, so their requests can be
 * decided before their module exists. `t` must outlive the process (static).
 * More than APPROVALS_MAX_TYPES types is a programming error: aborts. */
void approvals_register(const approval_doc_type *t);
/* The registered type named doc_type, or NULL. */
const approval_doc_type *approvals_doc_type(const char *doc_type);
/* Number of registered types and the i-th one (registration order). */
int approvals_doc_type_count(void);
const approval_doc_type *approvals_doc_type_at(int i);

/* Submits document (doc_type, doc_id) for approval by applicant_id. Takes the
 * active flow of the doc type, keeps the steps whose min_amount <= amount,
 * resolves "manager" steps through policy_manager_for() now, and stores that
 * snapshot with the request (with no amount shown when amount is 0, until
 * approvals_set_context says otherwise). A step whose approver would be the applicant
 * (or an inactive user, or nobody) is escalated to the admin role. No flow or
 * no step applies → the request is stored as approved, on_decided runs with
 * outcome "approved" and actor 0, and *approved_now is true.
 * Errors: APPR_EDOCTYPE, APPR_EPENDING (a pending request exists, also when a
 * concurrent submission won the race), APPR_EINVAL, DB_E*, or what
 * on_decided returned. */
int approvals_submit(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, const char *title,
                     int64_t amount, int64_t applicant_id, int64_t *request_id, bool *approved_now);

/* Approves or rejects the current step of a request. Only the current step's
 * approver (its user, or for role steps a user of that role, never the
 * applicant) or an admin may act. Approve moves to the next step or finishes
 * the request; reject (comment required) finishes it at once; on finish
 * on_decided runs. expected_version <= 0 skips the version check (modules);
 * the HTTP API always passes one. A request no longer pending answers
 * APPR_ESTATE before its version is compared (so the caller can say who
 * decided it first). Writes an approval_actions row and an audit
 * row. Errors: APPR_ENOTFOUND, APPR_ESTALE, APPR_ESTATE, APPR_EFORBIDDEN,
 * APPR_EINVAL, DB_E*, APPR_ECALLBACK or the DB_E* on_decided returned. */
int approvals_decide(db_conn *c, arena *a, int64_t request_id, const principal *actor, bool approve,
                     const char *comment, int64_t expected_version);
/* approvals_decide, and when it answers APPR_ECALLBACK, *why is the reason
 * the document's on_decided gave (NULL: it gave none). */
int approvals_decide_why(db_conn *c, arena *a, int64_t request_id, const principal *actor,
                         bool approve, const char *comment, int64_t expected_version,
                         const char **why);

/* What the approver needs to see with request `request_id`, kept with it
 * (inside the submitting transaction, after approvals_submit): the
 * applicant's reason, the record it is about (subject_type "customer" or
 * "project", its id and name; NULL / 0: none) and whether the document has
 * an amount (false: the inbox shows none). DB_E* on failure. */
int approvals_set_context(db_conn *c, int64_t request_id, const char *reason,
                          const char *subject_type, int64_t subject_id, const char *subject_name,
                          bool has_amount);

/* Withdraws a pending request; only its applicant may. on_decided runs with
 * outcome "cancelled". Same errors and version rule as approvals_decide. */
int approvals_cancel(db_conn *c, arena *a, int64_t request_id, const principal *actor,
                     const char *comment, int64_t expected_version);

/* The state table --------------------------------------------------------- */
typedef enum {
    APPR_EV_SUBMIT,       /* (new) → pending */
    APPR_EV_AUTO_APPROVE, /* (new) → approved: no step applied */
    APPR_EV_APPROVE_STEP, /* pending → pending: next step */
    APPR_EV_APPROVE_LAST, /* pending → approved */
    APPR_EV_REJECT,       /* pending → rejected */
    APPR_EV_CANCEL,       /* pending → cancelled */
} approval_event;
/* The state `event` leads to from state `from` ("" for a new request), or
 * NULL if the table forbids it. Every change of a request goes through it. */
const char *approvals_transition(const char *from, approval_event event);

/* Reading ------------------------------------------------------------------ */
typedef struct approval_request {
    int64_t id, doc_id, flow_id, amount, applicant_id, current_step, current_user_id, version;
    const char *doc_type, *title, *state, *approver_role, *steps_json, *created_at, *decided_at;
    /* the context kept by approvals_set_context (NULL / 0 when none) */
    const char *reason, *subject_type, *subject_name;
    int64_t subject_id;
    bool has_amount;
    json_t *steps; /* parsed steps_json, owned by the struct: approvals_request_free */
} approval_request;

/* Loads request `id` (strings in `a`). APPR_ENOTFOUND or DB_E* on failure. */
int approvals_load(db_conn *c, arena *a, int64_t id, approval_request *out);
void approvals_request_free(approval_request *q);
/* The SQL twin of approvals_may_decide for lists and counts: the condition,
 * on approval_requests aliased r, of the requests pending at u (at them, or
 * at their role, and not their own unless they are an administrator).
 * Its four values are approvals_inbox_params(u). */
#define APPROVALS_INBOX_COND                                                                       \
    " r.state = 'pending' AND (r.current_user_id = ?"                                              \
    " OR (r.current_user_id IS NULL AND r.approver_role = ?)) AND (r.applicant_id <> ? OR ?)"
void approvals_inbox_params(const principal *u, db_val out[4]);

/* True if u may decide the current step now (pending, and the rules above). */
bool approvals_may_decide(const approval_request *q, const principal *u);
/* True if u may read the request: applicant, an approver of any of its steps
 * (by user, or by role for role steps), an admin, a holder of
 * approvals.read_all, a director above a step's approver
 * (approvals_is_below), or the doc type's can_view. */
bool approvals_may_view(db_conn *c, const approval_request *q, const principal *u);

/* Directors: a manager whose departments have sub-departments with managers
 * of their own sees (read-only) what waits at those managers.
 * APPROVALS_BELOW_SQL is a subquery of the user ids that manage a
 * department strictly below one the user bound as its single `?` manages
 * (never that user). approvals_is_below: user_id is one of them for u. */
extern const char APPROVALS_BELOW_SQL[];
bool approvals_is_below(db_conn *c, const principal *u, int64_t user_id);

/* The people who may decide step `seq` (1-based) of q, as a JSON array of
 * {id, name}: the named user of a user or manager step; the active users of
 * the role of a role step (at most 20, never the applicant). Administrators
 * may always decide and are listed only for steps given to them. NULL on a
 * database error. */
json_t *approvals_deciders(db_conn *c, arena *a, const approval_request *q, int64_t seq);

/* The last decision taken on a request (for "already decided by X at T"):
 * fills actor_id, actor_name, decision ("approve", "reject", "cancel") and
 * at (in `a`); returns 1, 0 when there is none, or DB_E*. */
typedef struct approval_action {
    int64_t actor_id, step_seq;
    const char *actor_name, *decision, *at, *comment;
} approval_action;
int approvals_last_action(db_conn *c, arena *a, int64_t request_id, approval_action *out);

#endif
