/* dashboard.c — the home page of each role in one request,
 * GET /api/v1/dashboard: which parts a role gets (the table `roles`), the
 * user's calendar (tz), and a salesperson's parts: reminders due today and
 * overdue, own customers due for a follow-up (the latest follow-up's next
 * contact date), own customers the automatic take-back will move to the
 * pool soon with the days left (the pool_rules setting, counted as
 * pool/pool_takeback.c counts), the own pipeline by stage and recent wins.
 * A salesperson's parts read only the user's own records (owner_id = me);
 * the team's and the company's are in dashboard_team.c. Sized for the
 * benchmark's million customers and 200,000 projects (bench/README.md):
 * every part is an index range of one user, the trigger-kept totals, or
 * a few rows. */
#include "dashboard/dashboard.h"
#include "core/settings.h"
#include "db/sqlq.h"
#include "pool/customer_pool.h"
#include <stdlib.h>
#include <string.h>

#define DAY_S 86400

/* The calendar --------------------------------------------------------------- */

static void clock_init(dash_clock *k, time_t now, int tz_minutes)
{
    memset(k, 0, sizeof(*k));
    k->now = now;
    k->tz_minutes = tz_minutes;
    time_t off = (time_t)tz_minutes * 60, local = now + off;
    time_t day = local - ((local % DAY_S) + DAY_S) % DAY_S; /* local midnight, as if UTC */
    tf_ts(k->now_ts, now);
    tf_ts(k->day_start, day - off);
    tf_ts(k->day_end, day + DAY_S - off);
    /* 1970-01-01 was a Thursday: day number + 3 counts from a Monday */
    int64_t dn = (int64_t)(day / DAY_S), since_monday = ((dn + 3) % 7 + 7) % 7;
    tf_ts(k->week_start, day - (time_t)since_monday * DAY_S - off);
    char local_day[TF_TS_LEN];
    tf_ts(local_day, day);
    memcpy(k->today, local_day, 10); /* its date part, YYYY-MM-DD */
    k->today[10] = 0;
    struct tm tm;
    gmtime_r(&day, &tm);
    tm.tm_mday = 1;
    tf_ts(k->month_start, timegm(&tm) - off);
}

/* The default template and its current version (none: have is false). */
static void template_load(req *r, dash_template *t)
{
    int64_t vid = 0;
    memset(t, 0, sizeof(*t));
    if (process_current(r->db, 0, &t->id, &vid) == 0 &&
        process_version_load(r->db, &r->a, vid, &t->v) == 0)
        t->have = true;
}

/* Pipeline by stage (shared with the manager's funnel) --------------------------- */

int dash_stages(req *r, const dash_template *t, bool team, json_t **out)
{
    *out = json_null();
    if (!t->have) return 0;
    db_res res;
    int rc;
    if (team && policy_scope(&r->me) != SCOPE_ALL) {
        /* the template's rows (owners x stages, a thousand at the
         * benchmark's sizes), each owner tested against the cached list of
         * owners u sees and summed per stage here: an EXISTS per row in SQL
         * cost 4-5 M instructions */
        int64_t *owners;
        int nowners;
        db_res all;
        if ((rc = dash_owner_ids(r, &owners, &nowners)) < 0 ||
            (rc = db_query(r->db, &r->a, &all,
                           "SELECT t.owner_id, t.stage, t.open_count, t.amount, t.weighted FROM"
                           " project_stage_totals t WHERE t.template_id = ? ORDER BY t.stage",
                           DBP(DBI(t->id)))) < 0)
            return rc;
        /* into the shape of the grouped query below: one row per stage */
        res = all;
        res.nrows = 0;
        res.cells = arena_alloc(&r->a, sizeof(db_val) * (size_t)(all.nrows + 1) * 5);
        db_val *g = NULL;
        for (int j = 0; j < all.nrows; j++) {
            const db_val *row = &all.cells[(size_t)j * (size_t)all.ncols];
            if (row[0].i == 0 || !dash_has_id(owners, nowners, row[0].i)) continue;
            if (!g || strcmp(g[1].s, row[1].s) != 0) {
                g = &res.cells[(size_t)res.nrows++ * 5];
                g[0] = row[0];
                g[1] = row[1];
                g[2] = DBI(0);
                g[3] = DBI(0);
                g[4] = DBI(0);
            }
            g[2].i += row[2].i;
            g[3].i += row[3].i;
            g[4].i += row[4].i;
        }
        res.cols = arena_alloc(&r->a, sizeof(char *) * 5);
        res.cols[0] = "owner_id";
        res.cols[1] = "stage";
        res.cols[2] = "count";
        res.cols[3] = "amount";
        res.cols[4] = "weighted_amount";
        res.ncols = 5;
    } else {
        sqlq q;
        sqlq_init(&q, &r->a,
                  "SELECT t.stage, CAST(SUM(t.open_count) AS BIGINT) AS count,"
                  " CAST(SUM(t.amount) AS BIGINT) AS amount, CAST(SUM(t.weighted) AS BIGINT) AS"
                  " weighted_amount FROM project_stage_totals t WHERE t.template_id = ?");
        q.p[q.n++] = DBI(t->id);
        if (team) /* owner 0 holds unassigned projects: no owner's pipeline */
            sqlq_add(&q, " AND t.owner_id <> 0", 0, NULL);
        if (!team)
            sqlq_add(&q, " AND t.owner_id = ?", 1, (db_val[]){DBI(r->me.id)});
        else
            policy_project_owner_filter(&r->me, &q, "t.owner_id");
        sqlq_add(&q, " GROUP BY t.stage", 0, NULL);
        if ((rc = sqlq_run(r->db, &q, &res)) < 0) return rc;
    }
    json_t *stages = json_array();
    int64_t count = 0, amount = 0, weighted = 0;
    for (int i = 0; i < t->v.nstages; i++) {
        int64_t n = 0, a = 0, w = 0;
        for (int j = 0; j < res.nrows; j++)
            if (strcmp(db_get_text(&res, j, "stage"), t->v.stages[i].key) == 0) {
                n = db_get_int(&res, j, "count");
                a = db_get_int(&res, j, "amount");
                w = db_get_int(&res, j, "weighted_amount");
            }
        json_array_append_new(
            stages, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "key", t->v.stages[i].key, "name",
                              t->v.stages[i].name, "probability",
                              (json_int_t)t->v.stages[i].probability, "count", (json_int_t)n,
                              "amount", (json_int_t)a, "weighted_amount", (json_int_t)w));
    }
    /* the totals hold every open project, also those still at a stage only
     * an older version of the template has */
    for (int j = 0; j < res.nrows; j++) {
        count += db_get_int(&res, j, "count");
        amount += db_get_int(&res, j, "amount");
        weighted += db_get_int(&res, j, "weighted_amount");
    }
    json_decref(*out);
    *out = json_pack("{s:I, s:s, s:o, s:{s:I, s:I, s:I}}", "template_id", (json_int_t)t->id,
                     "template_name", t->v.template_name ? t->v.template_name : "", "stages",
                     stages, "totals", "count", (json_int_t)count, "amount", (json_int_t)amount,
                     "weighted_amount", (json_int_t)weighted);
    return 0;
}

/* A salesperson's parts -------------------------------------------------------- */

/* reminders: {overdue, today, items: the first DASH_LIST not done and due
 * before tomorrow, oldest first} — the user's own. */
static int part_reminders(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    db_res cnt, res;
    int rc = db_query(r->db, &r->a, &cnt,
                      "SELECT CAST(COALESCE(SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0) AS"
                      " BIGINT) AS overdue, CAST(COUNT(*) AS BIGINT) AS due FROM reminders"
                      " WHERE user_id = ? AND done = FALSE AND due_at < ?",
                      DBP(DBS(k->day_start), DBI(r->me.id), DBS(k->day_end)));
    if (rc < 0) return rc;
    rc = db_query(r->db, &r->a, &res,
                  "SELECT r.id, r.kind, r.title, r.due_at, r.customer_id, c.name AS customer_name"
                  " FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id"
                  " WHERE r.user_id = ? AND r.done = FALSE AND r.due_at < ?"
                  " ORDER BY r.due_at, r.id LIMIT ?",
                  DBP(DBI(r->me.id), DBS(k->day_end), DBI(DASH_LIST)));
    if (rc < 0) return rc;
    int64_t overdue = db_get_int(&cnt, 0, "overdue"), due = db_get_int(&cnt, 0, "due");
    json_object_set_new(out, "reminders",
                        json_pack("{s:I, s:I, s:o}", "overdue", (json_int_t)overdue, "today",
                                  (json_int_t)(due - overdue), "items", db_rows_json(&res)));
    return 0;
}

typedef struct soon {
    int row;
    int64_t days_left;
    const char *at, *rule; /* when it goes back; "no_followup" or "no_deal" */
} soon;

static int soon_cmp(const void *x, const void *y)
{
    const soon *a = x, *b = y;
    int c = strcmp(a->at, b->at);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

typedef struct due_row {
    int row;
    const char *at;
} due_row;

static int due_cmp(const void *x, const void *y)
{
    const due_row *a = x, *b = y;
    int c = strcmp(a->at, b->at);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

/* followups_due and takeback, from one read of the user's own customers
 * (the owner index; a salesperson holds at most pool_rules.max_owned):
 * followups_due {count, items: [{id, name, number, next_contact_at}]}, the
 * customers whose latest follow-up asked for the next contact before
 * tomorrow; takeback {enabled, horizon_days, count, items: [{id, name,
 * number, days_left, at, rule}]}, the customers the take-back job moves to
 * the pool within horizon_days (the warning period, at least a week), by
 * the job's own clocks and rules (pool_takeback_when, pool/pool_takeback.c). */
static int part_own_customers(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    db_res res;
    int rc = db_query(
        r->db, &r->a, &res,
        "SELECT c.id, c.name, c.number, c.level_id, c.signed, " POOL_ACT_F " AS act_f, " POOL_ACT_D
        " AS act_d, (SELECT f.next_contact_at FROM followups f WHERE"
        " f.customer_id = c.id ORDER BY f.id DESC LIMIT 1) AS next_contact_at"
        " FROM customers c WHERE c.owner_id = ?",
        DBP(DBI(r->me.id)));
    if (rc < 0) return rc;
    json_t *rules = settings_get(r->db, "pool_rules");
    if (!rules) return DB_ERR;
    json_t *wv = json_object_get(rules, "takeback_warn_days");
    int64_t horizon = json_is_integer(wv) ? (int64_t)json_integer_value(wv) : 0;
    if (horizon < 7) horizon = 7;
    bool enabled = json_integer_value(json_object_get(rules, "takeback_no_followup_days")) > 0 ||
                   json_integer_value(json_object_get(rules, "takeback_no_deal_days")) > 0 ||
                   json_object_size(json_object_get(rules, "takeback_no_followup_days_by_level")) ||
                   json_object_size(json_object_get(rules, "takeback_no_deal_days_by_level"));
    soon *s = arena_alloc(&r->a, sizeof(*s) * (size_t)(res.nrows + 1));
    due_row *d = arena_alloc(&r->a, sizeof(*d) * (size_t)(res.nrows + 1));
    int ns = 0, nd = 0;
    time_t limit = k->now + (time_t)horizon * DAY_S;
    for (int i = 0; i < res.nrows; i++) {
        const char *next = db_get_text(&res, i, "next_contact_at");
        if (next && strcmp(next, k->day_end) < 0) d[nd++] = (due_row){i, next};
        if (!enabled) continue;
        const db_val *level = db_cell(&res, i, "level_id");
        time_t when;
        const char *rule;
        if (!pool_takeback_when(rules, level->t == DBV_INT ? level->i : 0,
                                db_get_int(&res, i, "signed") != 0, db_get_text(&res, i, "act_f"),
                                db_get_text(&res, i, "act_d"), &when, &rule))
            continue;
        if (when > limit) continue;
        char *at = arena_alloc(&r->a, TF_TS_LEN);
        tf_ts(at, when);
        /* whole days left, rounded up: 0 once it is due (the job's next run) */
        int64_t left = when <= k->now ? 0 : (int64_t)((when - k->now + DAY_S - 1) / DAY_S);
        s[ns++] = (soon){i, left, at, rule};
    }
    json_decref(rules);
    qsort(s, (size_t)ns, sizeof(*s), soon_cmp);
    qsort(d, (size_t)nd, sizeof(*d), due_cmp);
    json_t *items = json_array();
    for (int j = 0; j < nd && j < DASH_LIST; j++)
        json_array_append_new(
            items, json_pack("{s:I, s:s?, s:s?, s:s}", "id",
                             (json_int_t)db_get_int(&res, d[j].row, "id"), "name",
                             db_get_text(&res, d[j].row, "name"), "number",
                             db_get_text(&res, d[j].row, "number"), "next_contact_at", d[j].at));
    json_object_set_new(out, "followups_due",
                        json_pack("{s:I, s:o}", "count", (json_int_t)nd, "items", items));
    items = json_array();
    for (int j = 0; j < ns && j < DASH_LIST; j++)
        json_array_append_new(
            items, json_pack("{s:I, s:s?, s:s?, s:I, s:s, s:s}", "id",
                             (json_int_t)db_get_int(&res, s[j].row, "id"), "name",
                             db_get_text(&res, s[j].row, "name"), "number",
                             db_get_text(&res, s[j].row, "number"), "days_left",
                             (json_int_t)s[j].days_left, "at", s[j].at, "rule", s[j].rule));
    json_object_set_new(out, "takeback",
                        json_pack("{s:b, s:I, s:I, s:o}", "enabled", enabled, "horizon_days",
                                  (json_int_t)horizon, "count", (json_int_t)ns, "items", items));
    return 0;
}

/* pipeline: the user's own open projects of the default template by stage. */
static int part_pipeline(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)k;
    json_t *p;
    int rc = dash_stages(r, t, false, &p);
    if (rc < 0) return rc;
    json_object_set_new(out, "pipeline", p);
    return 0;
}

/* wins: the user's projects won this month (count, amount) and the last
 * DASH_LIST won. */
static int part_wins(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    db_res m, res;
    int rc = db_query(r->db, &r->a, &m,
                      "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST(COALESCE(SUM(amount), 0) AS"
                      " BIGINT) AS amount FROM projects WHERE owner_id = ? AND status = 'won'"
                      " AND closed_at >= ?",
                      DBP(DBI(r->me.id), DBS(k->month_start)));
    if (rc < 0) return rc;
    rc = db_query(r->db, &r->a, &res,
                  "SELECT p.id, p.name, p.amount, p.closed_at, p.customer_id,"
                  " c.name AS customer_name FROM projects p LEFT JOIN customers c ON"
                  " c.id = p.customer_id WHERE p.owner_id = ? AND p.status = 'won'"
                  " ORDER BY p.closed_at DESC, p.id DESC LIMIT ?",
                  DBP(DBI(r->me.id), DBI(DASH_LIST)));
    if (rc < 0) return rc;
    json_object_set_new(out, "wins",
                        json_pack("{s:I, s:I, s:o}", "month_count",
                                  (json_int_t)db_get_int(&m, 0, "n"), "month_amount",
                                  (json_int_t)db_get_int(&m, 0, "amount"), "items",
                                  db_rows_json(&res)));
    return 0;
}

/* The parts of each role, in the order the page shows them. */
enum { PARTS_MAX = 8 };
static const struct {
    tf_role role;
    dash_part parts[PARTS_MAX];
} roles[] = {
    {ROLE_SALESPERSON, {part_reminders, part_own_customers, part_pipeline, part_wins}},
    {ROLE_SALES_MANAGER,
     {part_reminders, dash_approvals, dash_funnel, dash_followups_week, dash_ranking}},
    {ROLE_ADMIN, {dash_counts, dash_approvals, dash_activity}},
    {ROLE_FINANCE, {part_reminders, dash_approvals}},
    {ROLE_WAREHOUSE, {part_reminders, dash_approvals}},
    {ROLE_AFTERSALES, {part_reminders, dash_approvals}},
};

/* GET /dashboard?tz=MINUTES — the parts of the user's role in one reply:
 * {role, today, week_start, month_start, <part>: ...}. tz is the user's
 * offset from UTC in minutes east (China: 480; default 0), which decides
 * what "today", "this week" and "this month" are. */
static int h_dashboard(req *r)
{
    const char *tz = req_query(r, "tz");
    int64_t tzm = 0;
    if (tz && (!tf_parse_i64(tz, &tzm) || tzm < -840 || tzm > 840))
        return reply_problem_with(
            r, 400, "bad_request", "tz must be the offset from UTC in minutes, -840 to 840",
            json_pack("{s:[{s:s, s:s, s:s}]}", "errors", "field", "tz", "code", "invalid",
                      "message", "must be minutes east of UTC, from -840 to 840"));
    dash_clock k;
    clock_init(&k, time(NULL), (int)tzm);
    dash_template t;
    template_load(r, &t);
    json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:i}", "role", role_name(r->me.role), "today",
                            k.today, "week_start", k.week_start, "month_start", k.month_start,
                            "tz", (int)tzm);
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        if (roles[i].role != r->me.role) continue;
        for (int j = 0; j < PARTS_MAX && roles[i].parts[j]; j++) {
            int rc = roles[i].parts[j](r, &k, &t, out);
            if (rc < 0) {
                json_decref(out);
                return reply_db_error(r, rc);
            }
        }
    }
    return reply_json(r, 200, out);
}

const route dashboard_routes[] = {
    {"GET", "/api/v1/dashboard", h_dashboard, PERM_SIGNED_IN, 0,
     QUERY("tz=int")
     "The home page of the user's role in one request: a salesperson's reminders, customers"
     " due for a follow-up, customers soon taken back to the pool, pipeline by stage and wins;"
     " a manager's approvals, team funnel and weighted pipeline, follow-ups per salesperson"
     " this week and ranking; an administrator's counts and recent activity. tz: the user's"
     " offset from UTC in minutes (480 for China)",
     NULL},
    ROUTES_END,
};
