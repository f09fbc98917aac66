/* applications.h — what customer and project applications share: their list
 * (GET /customer-applications, /project-applications) and single reads. Each
 * kind says its SELECT, its subject's query parameter and which permission
 * lets a manager see the applications of the users they cover. */
#ifndef TF_SALES_APPLICATIONS_H
#define TF_SALES_APPLICATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/policy.h"

struct req;

typedef struct app_kind {
    const char *select;        /* SELECT ... FROM x_applications a ... (no WHERE) */
    const char *subject_param; /* "customer_id" */
    const char *subject_cond;  /* " AND a.customer_id = ?" */
    bool (*allows)(const principal *u, const char *perm);
    const char *assign_perm; /* "customers.assign": may see the box "all" */
    const char *doc_type;    /* "customer_application": approvals type and audit entity */
    const char *insert_sql;  /* INSERT (subject, applicant_id, reason, state, created_at)
                              * VALUES (?, ?, ?, 'pending', ?) RETURNING id */
    const char *link_sql;    /* UPDATE ... SET request_id = ? WHERE id = ? */
    const char *decide_sql;  /* UPDATE ... SET state = ?, outcome_note = ?, decided_at = ?
                              * WHERE id = ? AND state = 'pending' */
    const char *applicant_sql; /* SELECT applicant_id FROM ... WHERE id = ? */
} app_kind;

/* What an application's on_decided returns when it refuses: the
 * application is no longer pending, or the outcome is unknown. */
#define APP_EREFUSED (-100)

/* GET ...?box=mine|all&state=&<subject_param>= — mine: my applications; all
 * (managers, admins): those of the users they cover. Keyset-paged by id. */
int applications_list(struct req *r, const app_kind *k);
/* GET .../{id} — the applicant and those who may list it. */
int applications_get(struct req *r, const app_kind *k);
/* The end of an "apply" handler, inside its open transaction once the
 * subject's own checks passed: the pending application row and its audit
 * row, submission to the approvals engine (title and amount for the inbox),
 * commit, 201 with the application — or rollback and the error replied. */
int applications_submit(struct req *r, const app_kind *k, int64_t subject_id, const char *reason,
                        const char *title, int64_t amount);
/* An application as its list shows it (caller owns; NULL if none). */
json_t *applications_json(db_conn *c, arena *a, const app_kind *k, int64_t id);
/* The end of an application's on_decided, inside the deciding transaction:
 * its state and note, while it is still pending (APP_EREFUSED otherwise),
 * and its audit row from `before` to now. */
int applications_decided(db_conn *c, arena *a, const app_kind *k, int64_t doc_id,
                         int64_t actor_id, const char *state, const char *note, json_t *before);
/* The approvals' can_view of an application: besides the applicant, the
 * approvers and admins, the applicant's managers and whoever may assign
 * (k->assign_perm) to the applicant. */
bool applications_can_view(db_conn *c, const principal *u, const app_kind *k, int64_t doc_id);

#endif
