/* policy.h — the one place that answers "may this user do X (to record Y)".
 * Handlers never decide permissions themselves: the route table names the
 * permission a route needs (checked by the dispatcher through policy_allows),
 * and record-level checks and list filters come from the functions below. */
#ifndef TF_POLICY_H
#define TF_POLICY_H
#include <stdbool.h>
#include <stdint.h>
#include "../db/db.h"

typedef enum {
    ROLE_ADMIN,
    ROLE_SALES_MANAGER,
    ROLE_SALESPERSON,
    ROLE_FINANCE,
    ROLE_WAREHOUSE,
    ROLE_AFTERSALES,
    ROLE_COUNT
} tf_role;

/* Data scope: which owners' records a user sees. */
typedef enum { SCOPE_OWN, SCOPE_DEPT, SCOPE_ALL } tf_scope;

typedef struct principal {
    int64_t id;
    const char *login, *name, *locale;
    tf_role role;
    int64_t department_id; /* 0 when none */
} principal;

const char *role_name(tf_role r);
bool role_parse(const char *s, tf_role *out);

/* Route-level permission, e.g. "users.manage". A NULL or "" permission means
 * "any signed-in user". Unknown permissions are denied. */
bool policy_allows(const principal *u, const char *perm);
/* JSON array of every permission the user holds (for GET /me). */
json_t *policy_permissions_json(const principal *u);
/* The data scope of the user's role for records owned by salespeople. */
tf_scope policy_scope(const principal *u);

/* True if `owner_id` is the user, or (dept scope) in the user's department
 * subtree, or (all scope) anyone. Needs the database for the department tree. */
bool policy_sees_owner(db_conn *c, const principal *u, int64_t owner_id);
/* True if `manager` manages `user`: manager's role is sales_manager or admin
 * and user's department lies in the subtree of a department managed by
 * manager (or manager's own department for sales managers). */
bool policy_is_manager_of(db_conn *c, int64_t manager_id, int64_t user_id);
/* The applicant's manager for approval steps of kind "manager": the manager of
 * the applicant's department, else of the nearest ancestor that has one.
 * 0 if nobody. */
int64_t policy_manager_for(db_conn *c, int64_t user_id);

/* Customers -------------------------------------------------------------------
 * Who sees a customer: its owner; everyone for pool customers (owner NULL);
 * the people it is shared with (until the share ends); the managers of the
 * owner's department and of every department above it; and, unless the
 * customer is protected, everyone whose data scope covers the owner. */
typedef enum { ACCESS_NONE, ACCESS_READ, ACCESS_WRITE, ACCESS_MANAGE } tf_access;
struct sqlq;
/* Appends " AND (<visible to u>)" for customers aliased `c`. now: tf_ts. */
void policy_customer_filter(const principal *u, struct sqlq *q, const char *now);
/* The user's access to one customer: MANAGE (assign, take back, protect,
 * share, edit), WRITE (edit, follow up), READ, or NONE (also when there is
 * no such customer: callers answer 404 either way). */
tf_access policy_customer_access(db_conn *c, const principal *u, int64_t customer_id);

/* SQL text of a subquery listing the department ids in the subtree of the
 * department bound as its single `?` parameter (both engines accept it). */
extern const char POLICY_DEPT_SUBTREE_SQL[];

#endif
