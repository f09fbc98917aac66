/* jobs_list.c — every background job, in the order they run each round. A
 * module with a job adds its definition here. */
#include "core/jobs.h"

extern const job_def reminders_fire_job; /* src/reminders/reminders.c */
extern const job_def pool_takeback_job; /* src/pool/pool_takeback.c */
extern const job_def imports_job; /* src/imports/import_api.c */
extern const job_def search_tidy_job; /* src/customers/search_upkeep.c */
extern const job_def quotations_expire_job; /* src/quotations/quotation_flow.c */

const job_def *const tf_jobs[] = {
    &reminders_fire_job,
    &pool_takeback_job,
    &imports_job,
    &search_tidy_job,
    &quotations_expire_job,
    NULL,
};
