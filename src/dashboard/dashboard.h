/* dashboard.h — what the home page's parts share (src/dashboard/): the
 * user's day, week and month as UTC timestamps, and the parts, each a
 * function that adds one member to the reply. dashboard.c answers
 * GET /api/v1/dashboard and holds a salesperson's parts; dashboard_team.c
 * holds a manager's and an administrator's. Every part reads what the user
 * sees through the policy module (core/policy*.c) or only the user's own
 * records. */
#ifndef TF_DASHBOARD_H
#define TF_DASHBOARD_H
#include "base/util.h"
#include "http/http.h"
#include "projects/projects.h"

/* The calendar of the user who asks (tz: minutes east of UTC, from the
 * browser): each bound is a UTC timestamp, comparable as text with the
 * stored ones. */
typedef struct dash_clock {
    time_t now;
    int tz_minutes;
    char now_ts[TF_TS_LEN];
    char today[11];               /* YYYY-MM-DD in the user's zone */
    char day_start[TF_TS_LEN];    /* today 00:00 in the user's zone */
    char day_end[TF_TS_LEN];      /* tomorrow 00:00 */
    char week_start[TF_TS_LEN];   /* this Monday 00:00 */
    char month_start[TF_TS_LEN];  /* the 1st of this month 00:00 */
} dash_clock;

/* How many records a list part names (its count covers all of them). */
enum { DASH_LIST = 8 };

/* The default process template and its current version's stages (have:
 * false when there is none). */
typedef struct dash_template {
    bool have;
    int64_t id;
    proc_version v;
} dash_template;

/* A part adds its member to out; each returns 0 or a DB_E* code. */
typedef int (*dash_part)(req *r, const dash_clock *k, const dash_template *t, json_t *out);

/* The open projects of the default template per stage, in the order of its
 * stages, {template_id, template_name, stages: [{key, name, probability,
 * count, amount, weighted_amount}], totals}: u's own (team false) or those
 * of every owner whose pipeline u sees (policy_project_owner_filter). */
int dash_stages(req *r, const dash_template *t, bool team, json_t **out);

/* dashboard_team.c */
/* The owners whose pipeline u sees (policy_project_owner_filter), in id
 * order, kept per process while org_version stays the same; and whether a
 * sorted list holds an id. */
int dash_owner_ids(req *r, int64_t **ids, int *n);
bool dash_has_id(const int64_t *ids, int n, int64_t id);
int dash_approvals(req *r, const dash_clock *k, const dash_template *t, json_t *out);
int dash_funnel(req *r, const dash_clock *k, const dash_template *t, json_t *out);
int dash_followups_week(req *r, const dash_clock *k, const dash_template *t, json_t *out);
int dash_ranking(req *r, const dash_clock *k, const dash_template *t, json_t *out);
int dash_counts(req *r, const dash_clock *k, const dash_template *t, json_t *out);
int dash_activity(req *r, const dash_clock *k, const dash_template *t, json_t *out);

#endif
