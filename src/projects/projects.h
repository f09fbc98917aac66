/* projects.h — what the project files share: projects.c (the resource:
 * entry, detail, update, history), project_list.c (the list),
 * project_members.c (members and
 * their roles), project_assign.c (assignment and applications),
 * project_followups.c (follow-ups and timeline), project_process.c
 * (checklist, stage gates, won / lost), process_templates.c (templates and
 * their versions), project_pipeline.c (the board and the weighted
 * pipeline) and projects_demo.c. Also what other modules may use:
 * projects_register() at start-up and project_customer_ok(). */
#ifndef TF_PROJECTS_H
#define TF_PROJECTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "core/policy.h"
#include "db/db.h"

#define PROJECT_AMOUNT_MAX 1000000000000LL /* fen: ten billion yuan per project */
#define PROJECT_REASON_MAX 500             /* code points */

/* Registers the project_application document type with the approvals
 * engine (an approved application makes the project the applicant's if it
 * is still unassigned). Call once at start-up, before serving. */
void projects_register(void);

/* True if project_id exists and belongs to customer_id — for modules that
 * let a record name a project (a customer follow-up's project_id). */
bool project_customer_ok(db_conn *c, int64_t project_id, int64_t customer_id);

/* The project as the API shows it (caller owns), or NULL: every column,
 * the customer's id / number / name, owner, template and dictionary names.
 * No policy check: callers have asked policy_project_access. */
json_t *project_json(db_conn *c, arena *a, int64_t id);
/* round(amount × probability / 100), half up. */
int64_t project_weighted(int64_t amount, int64_t probability);

/* A new project, checked by the caller (the API, the demo). */
typedef struct project_input {
    json_t *fields;   /* name, customer_id, amount, ... (borrowed) */
    int64_t owner_id; /* 0: unassigned */
    int64_t template_id, version_id;
    const char *stage; /* a stage key of the version */
    int64_t probability;
} project_input;
/* Inserts it with its audit row inside the caller's transaction; *id out. */
int project_insert(db_conn *c, arena *a, const project_input *in, int64_t actor_id, int64_t *id);

/* Shared by the handlers of the project files --------------------------- */
/* What a list row and a board card carry. */
#define PROJECT_LIST_COLS                                                                          \
    "SELECT p.id, p.name, p.customer_id, cu.number AS customer_number, cu.name AS customer_name,"  \
    " p.owner_id, ou.name AS owner_name, p.template_id, p.template_version_id, p.stage,"           \
    " p.status, p.amount, p.probability, p.weighted AS weighted_amount, p.expected_close_date,"    \
    " p.stage_entered_at, p.last_followup_at, p.version, p.updated_at FROM projects p"             \
    " LEFT JOIN customers cu ON cu.id = p.customer_id LEFT JOIN users ou ON ou.id = p.owner_id"

/* A calendar date YYYY-MM-DD between 2000 and 2999 that exists. */
bool project_date_ok(const char *s);
struct req;
/* Resolves the {id} of the path and the user's access to that project;
 * replies 404 (no such project, or not visible) or 403 (visible, less than
 * `need`) and returns -1. */
int64_t project_need(struct req *r, tf_access need, tf_access *acc);
/* The members of a project besides its owner, oldest first: user_id, name,
 * user_role, role, added_by, added_at (caller owns; empty on a database
 * error). In project_members.c. */
json_t *project_members_json(db_conn *c, arena *a, int64_t id);
/* The detail reply of a project: project_json plus the user's access, its
 * members and its process (checklist and gate). */
int project_reply_detail(struct req *r, int status, int64_t id, tf_access acc);
/* Adds "stage_name" to each project of a page (template versions cached). */
void project_stage_names(db_conn *c, arena *a, json_t *items);

/* Process versions ------------------------------------------------------- */
/* The longest stage or checklist item key. */
#define PROCESS_KEY_MAX 40

typedef struct proc_item {
    const char *key, *label, *kind, *field; /* kind: task | field; field: for kind field */
    bool required;
} proc_item;
typedef struct proc_stage {
    const char *key, *name;
    int64_t probability;
    int nitems;
    proc_item *items;
} proc_stage;
typedef struct proc_version {
    int64_t id, template_id, number;
    const char *template_name;
    int nstages;
    proc_stage *stages;
} proc_version;

/* Loads a template version (strings in a). 0, DB_ERR if missing or corrupt,
 * or a DB_E* code. */
int process_version_load(db_conn *c, arena *a, int64_t version_id, proc_version *out);
/* The index of stage `key` in v, or -1. */
int process_stage_index(const proc_version *v, const char *key);
/* The template a new project runs on: template_id, or the default one when
 * 0; *version_id is its current version. 0, DB_ERR when there is no such
 * active template, or a DB_E* code. */
int process_current(db_conn *c, int64_t template_id, int64_t *tid, int64_t *version_id);
/* Required items not done in stages [from, to) of v for the project (its
 * JSON, for field items; the checklist table for tasks): an array of
 * {stage, stage_name, key, label, kind, field?} (caller owns), NULL on a
 * database error. */
json_t *process_missing(db_conn *c, arena *a, const proc_version *v, json_t *project, int from,
                        int to);
/* The process of a project for its detail (caller owns): template, version
 * number, every stage with its items and their state, the current stage's
 * index and what still blocks the next stage. */
json_t *process_detail_json(db_conn *c, arena *a, const proc_version *v, json_t *project);
/* Field names a field item may name (NULL-terminated); also "custom.KEY". */
extern const char *const project_gate_fields[];
/* project_products.c: checks a project's products (an array, or NULL) and
 * fills each catalogue line's code, name, spec, unit and list price from
 * the catalogue; a product the project did not have before (current) must
 * be active. Appends field errors ("products[N].FIELD") to errs. */
void project_products_check(db_conn *c, arena *a, json_t *products, json_t *current,
                            json_t *errs);
#endif
