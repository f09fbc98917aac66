/* customer_pool.h — the customer pool (公海) and the three ways of assignment:
 * applications decided by the approvals engine, batch assignment and take-back
 * by managers, claims by salespeople; plus the automatic take-back job. */
#ifndef TF_CUSTOMER_POOL_H
#define TF_CUSTOMER_POOL_H
#include "core/jobs.h"

/* Registers the customer_application document type (its on_decided moves the
 * customer to the applicant) with the approvals engine. Call once at
 * start-up, before the server serves. */
void customer_pool_register(void);

/* The automatic take-back job (jobs_list.c). */
extern const job_def pool_takeback_job;

/* The pool's demo records (demo_steps.c): history of released and taken-back
 * customers and a pending application. */
int pool_demo(db_conn *c, arena *a);
#endif
