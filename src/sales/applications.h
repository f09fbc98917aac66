/* applications.h — what customer and project applications share: their list
 * (GET /customer-applications, /project-applications) and single reads. Each
 * kind says its SELECT, its subject's query parameter and which permission
 * lets a manager see the applications of the users they cover. */
#ifndef TF_SALES_APPLICATIONS_H
#define TF_SALES_APPLICATIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/policy.h"

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
} app_kind;

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

#endif
