/* customer_pool.h — the customer pool (公海) and the three ways of assignment:
 * applications decided by the approvals engine, batch assignment and take-back
 * by managers, claims by salespeople; plus the automatic take-back job. */
#ifndef TF_CUSTOMER_POOL_H
#define TF_CUSTOMER_POOL_H
#include "core/jobs.h"
#include "db/db.h"
#include <jansson.h>
#include <stdbool.h>
#include <time.h>

/* Registers the customer_application document type (its on_decided moves the
 * customer to the applicant) with the approvals engine. Call once at
 * start-up, before the server serves. */
void customer_pool_register(void);

/* The automatic take-back job (jobs_list.c). */
extern const job_def pool_takeback_job;

/* The pool's demo records (demo_steps.c): history of released and taken-back
 * customers and a pending application. */
int pool_demo(db_conn *c, arena *a);

/* Inside the pool module ----------------------------------------------------- */

/* The pool state of one customer, read inside the caller's transaction. */
typedef struct pool_row {
    bool found, in_pool;
    int64_t owner_id, version;
    const char *name;
} pool_row;
/* Reads customer id's pool state into *out (found false if there is none);
 * strings in a. 0 or a DB_E* code. */
int pool_row_load(db_conn *c, arena *a, int64_t id, pool_row *out);
/* Moves customer `id` from `from` to `to` (0 = the pool) with the move's
 * kind and reason (customer_pool.c). 1 if moved, 0 if the row changed
 * meanwhile, or a negative db code. */
int pool_move(db_conn *c, int64_t id, int64_t version, int64_t from, int64_t to, const char *kind,
              const char *reason, int64_t actor_id);

/* The take-back job's clocks, over customers aliased c: the later of the
 * last follow-up (deal) and the start of the ownership, else created_at. */
#define POOL_LATER(x, y)                                                                           \
    "COALESCE(CASE WHEN " x " > " y " THEN " x " ELSE " y " END, " x ", " y ", c.created_at)"
#define POOL_ACT_F POOL_LATER("c.last_followup_at", "c.owned_since")
#define POOL_ACT_D POOL_LATER("c.last_deal_at", "c.owned_since")

/* When the take-back job would take an owned customer back (pool_takeback.c,
 * the same rules and clocks the job uses): rules is pool_rules; level_id 0
 * for none; act_f / act_d the follow-up and deal clocks' starts (NULL:
 * created_at is used by the caller). 1 with *when and *rule ("no_followup"
 * or "no_deal") set, 0 when no rule applies (off, or signed and exempt). */
int pool_takeback_when(json_t *rules, int64_t level_id, bool is_signed, const char *act_f,
                       const char *act_d, time_t *when, const char **rule);
#endif
