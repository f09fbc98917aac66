/* policy.h — the one place that answers "may this user do X (to record Y)".
 * Handlers never decide permissions themselves: the route table names the
 * permission a route needs (checked by the dispatcher through policy_allows),
 * and record-level checks and list filters come from the functions below. */
#ifndef TF_POLICY_H
#define TF_POLICY_H
#include <stdbool.h>
#include <stdint.h>
#include "db/db.h"

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
    const char *lang; /* the language the user chose (users.lang), NULL until they do */
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
/* The id to bind where a query asks for "the departments u manages": u's id
 * when u's role manages (sales manager, administrator), else 0, which no
 * department names: the head of a department of another role (finance,
 * warehouse, after-sales) manages nobody's records. */
int64_t policy_manager_id(const principal *u);
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
/* "none", "read", "write", "manage": the access a record's JSON tells the UI. */
const char *policy_access_name(tf_access a);
struct sqlq;
/* Appends " AND (<visible to u>)" for customers aliased `c`. now: tf_ts.
 * Reads the customers shared with u (c), as of now. */
void policy_customer_filter(db_conn *c, const principal *u, struct sqlq *q, const char *now);
/* What u sees as parts, when it is that simple: every pool customer, those
 * u owns, and at most POLICY_SHARES_LISTED customers shared with u (ids in
 * `shared`). True for a user of own data scope who manages no department
 * and has that few shares; false otherwise (policy_customer_filter is then
 * the only description). A quick search can then be asked of each part by
 * its own index (customers/customer_parts.c) instead of reading every row the
 * filter rejects. */
enum { POLICY_SHARES_LISTED = 24 };
typedef struct customer_parts {
    int64_t owner;
    int nshared;
    int64_t shared[POLICY_SHARES_LISTED];
} customer_parts;
bool policy_customer_parts(db_conn *c, const principal *u, const char *now, customer_parts *out);
/* The user's access to one customer: MANAGE (assign, take back, protect,
 * share, edit), WRITE (edit, follow up), READ, or NONE (also when there is
 * no such customer: callers answer 404 either way). */
tf_access policy_customer_access(db_conn *c, const principal *u, int64_t customer_id);

/* Owners of customers ------------------------------------------------------
 * True if u may hand customers to `user_id` (assign in batches): the user is
 * an active salesperson or sales manager, and u is that user, manages them,
 * or has a data scope that covers them. */
bool policy_may_assign_to(db_conn *c, const principal *u, int64_t user_id);
/* Appends " AND (<col> is u, a user u manages, or one u's data scope
 * covers)" for records that belong to a user (e.g. applications by their
 * applicant). `col` is a constant column name written in the code. */
void policy_user_filter(const principal *u, struct sqlq *q, const char *col);

/* Projects (policy_projects.c) ------------------------------------------------
 * Who sees a project: the users whose data scope covers its owner, the
 * owner's managers, its members, and — while it is unassigned — every
 * salesperson and sales manager (they may apply). Owning its customer is
 * not enough: the project's owner adds whoever should follow it.
 * Access: MANAGE (edit, move, close, members; assign for managers) for the
 * owner, the owner's managers and, with projects.assign, whoever covers the
 * owner; WRITE (follow-ups, checklist) for members; READ for the rest.
 * Whoever sees a project sees its customer's id, number and name, nothing
 * more: the customer's detail and its own follow-ups need customer access. */
/* "projects.create", "projects.assign" (assign, take back, override gates),
 * "projects.apply", "projects.templates" (define process templates). */
bool policy_project_allows(const principal *u, const char *perm);
/* Appends the project permissions u holds to the array out (for GET /me). */
void policy_project_permissions(const principal *u, json_t *out);
tf_access policy_project_access(db_conn *c, const principal *u, int64_t project_id);
/* Visibility as branches (alias p) for the board, which reads each as its
 * own indexed page and merges them: everything (all scope); or own, then
 * either one branch per department of a small team (by the projects' owner
 * department, 011_project_owner_department.sql) or the whole team u covers;
 * unassigned; member of. A list ORs them instead (policy_project_filter).
 * Read once per request and used for every column. */
enum { PROJECT_TEAM_DEPTS_MAX = 8 };
typedef struct project_branches {
    const principal *u;
    int n;
    int kind[PROJECT_TEAM_DEPTS_MAX + 4];
    int64_t dept[PROJECT_TEAM_DEPTS_MAX + 4]; /* for a department branch */
    /* with policy_project_members_load: the projects of one template u is a
     * member of, and their stages */
    int nmembers;
    const int64_t *member_id;
    const char **member_stage;
    bool members_loaded;
} project_branches;
int policy_project_branches(db_conn *c, arena *a, const principal *u, project_branches *out);
/* For a whole board: reads once which projects of template tid u is a
 * member of, so that each column's member branch is a short id list
 * instead of a probe of every membership (skipped for long lists). */
void policy_project_members_load(db_conn *c, arena *a, project_branches *b, int64_t tid);
/* Branch i as " AND ..." (alias p); stage: the column's stage, or NULL. */
void policy_project_branch(const project_branches *b, int i, const char *stage, struct sqlq *q);
void policy_project_filter(const principal *u, struct sqlq *q);
/* Appends " AND <col> IN (owners whose pipeline u sees)" (nothing for all). */
void policy_project_owner_filter(const principal *u, struct sqlq *q, const char *col);
/* Sums kept per owner (owner 0: unassigned projects), e.g.
 * project_stage_totals, split u's visible projects into two disjoint
 * parts: the rows whose owner column `col` passes
 * policy_project_totals_filter (" AND (...)"; nothing for all scope), and
 * the projects (alias p) u sees only as a member, which
 * policy_project_member_rest selects (" AND ..."; none for all scope). */
void policy_project_totals_filter(db_conn *c, const principal *u, struct sqlq *q,
                                  const char *col);
void policy_project_member_rest(const principal *u, struct sqlq *q);
/* May u move project_id past an unfinished gate (recorded with a reason)? */
bool policy_project_may_override(db_conn *c, const principal *u, int64_t project_id);
/* May u read the customer's own records (detail, follow-ups) in a project's
 * timeline? customer_id 0: no customer. */
bool policy_project_customer_records(db_conn *c, const principal *u, int64_t customer_id);

/* Import jobs: the user who uploaded the file sees and drives the job (map,
 * run, delete: change); administrators may look at every job to help, and
 * nobody else learns it exists. */
bool policy_import_job_access(const principal *u, int64_t job_user_id, bool change);

/* Saved views (of a list): the owner reads, changes and deletes a view; a
 * view shared with the department is read (used, never changed) by everyone
 * whose department is the owner's or lies beneath it. */
/* Appends " AND (<u may read the view>)" for saved_views aliased v. */
void policy_view_filter(const principal *u, struct sqlq *q);
/* MANAGE for the owner, READ through department sharing, else NONE. */
tf_access policy_view_access(db_conn *c, const principal *u, int64_t owner_id, bool shared);

/* SQL text of a subquery listing the department ids in the subtree of the
 * department bound as its single `?` parameter (both engines accept it). */
extern const char POLICY_DEPT_SUBTREE_SQL[];
/* The users below the departments `?` manages (one placeholder: the
 * manager's id), as a subquery. */
extern const char POLICY_MANAGED_OWNERS_SQL[];

#endif
