/* jobs_list.c — every background job, in the order they run each round. A
 * module with a job adds its definition here. */
#include "jobs.h"

const job_def *const tf_jobs[] = {
    NULL,
};
