/* dashboard_team.c — the home page's parts for a sales manager and an
 * administrator (GET /api/v1/dashboard, dashboard.c): approvals waiting for
 * the user, the team's funnel and weighted pipeline (the trigger-kept
 * project_stage_totals / project_pipeline_totals of the owners whose
 * pipeline the user sees, policy_project_owner_filter), follow-ups per
 * salesperson this week (the users policy_user_filter gives the user), the
 * ranking of the month's wins, and the administrator's company-wide counts
 * and recent activity. The week's follow-ups and the month's wins are index
 * ranges (migration 022); a manager's team is kept per process while
 * org_version stays the same (migration 028). */
#include "dashboard/dashboard.h"
#include "core/approvals.h"
#include "db/sqlq.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many salespeople the week's follow-ups and the ranking name. */
enum { TEAM_LIST = 12, RANKING = 10 };

/* approvals: {count, items: the first DASH_LIST} of the pending requests
 * whose current step waits for the user (the approvals inbox: by user or
 * by role, never the user's own unless an administrator). */
int dash_approvals(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)k;
    (void)t;
#define INBOX " FROM approval_requests r WHERE" APPROVALS_INBOX_COND
    db_val p[5];
    approvals_inbox_params(&r->me, p);
    p[4] = DBI(DASH_LIST);
    int64_t n = 0;
    int rc = db_scalar_int(r->db, &n, 0, "SELECT COUNT(*)" INBOX, 4, p);
    if (rc < 0) return rc;
    db_res res;
    rc = db_query(r->db, &r->a, &res,
                  "SELECT r.id, r.doc_type, r.title, r.amount, r.created_at, u.name AS"
                  " applicant_name FROM (SELECT r.id" INBOX " ORDER BY r.id DESC LIMIT ?) x"
                  " JOIN approval_requests r ON r.id = x.id JOIN users u ON u.id = r.applicant_id"
                  " ORDER BY r.id DESC",
                  5, p);
#undef INBOX
    if (rc < 0) return rc;
    json_object_set_new(out, "approvals",
                        json_pack("{s:I, s:o}", "count", (json_int_t)n, "items",
                                  db_rows_json(&res)));
    return 0;
}

/* funnel: the team's open projects of the default template by stage
 * (dash_stages); team_pipeline: {count, amount, weighted_amount, owners}
 * of every template's open projects of the owners whose pipeline the user
 * sees. */
int dash_funnel(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)k;
    json_t *f;
    int rc = dash_stages(r, t, true, &f);
    if (rc < 0) return rc;
    json_object_set_new(out, "funnel", f);
    if (policy_scope(&r->me) != SCOPE_ALL) {
        /* the pipeline's few hundred rows, each owner tested against the
         * cached list (an EXISTS per row cost 2 M instructions) */
        int64_t *owners;
        int nowners;
        db_res res;
        if ((rc = dash_owner_ids(r, &owners, &nowners)) < 0 ||
            (rc = db_query(r->db, &r->a, &res,
                           "SELECT t.owner_id, t.open_count, t.amount, t.weighted FROM"
                           " project_pipeline_totals t WHERE t.open_count > 0 ORDER BY t.owner_id",
                           DBP0)) < 0)
            return rc;
        int64_t count = 0, amount = 0, weighted = 0, nown = 0, last = 0;
        for (int j = 0; j < res.nrows; j++) {
            const db_val *row = &res.cells[(size_t)j * (size_t)res.ncols];
            if (!dash_has_id(owners, nowners, row[0].i)) continue;
            count += row[1].i;
            amount += row[2].i;
            weighted += row[3].i;
            if (nown == 0 || row[0].i != last) nown++;
            last = row[0].i;
        }
        json_object_set_new(out, "team_pipeline",
                            json_pack("{s:I, s:I, s:I, s:I}", "count", (json_int_t)count,
                                      "amount", (json_int_t)amount, "weighted_amount",
                                      (json_int_t)weighted, "owners", (json_int_t)nown));
        return 0;
    }
    sqlq q;
    sqlq_init(&q, &r->a,
              "SELECT CAST(COALESCE(SUM(t.open_count), 0) AS BIGINT) AS count,"
              " CAST(COALESCE(SUM(t.amount), 0) AS BIGINT) AS amount,"
              " CAST(COALESCE(SUM(t.weighted), 0) AS BIGINT) AS weighted_amount,"
              " CAST(COUNT(DISTINCT t.owner_id) AS BIGINT) AS owners"
              " FROM project_pipeline_totals t WHERE t.open_count > 0");
    policy_project_owner_filter(&r->me, &q, "t.owner_id");
    db_res res;
    if ((rc = sqlq_run(r->db, &q, &res)) < 0) return rc;
    json_object_set_new(out, "team_pipeline", db_row_json(&res, 0));
    return 0;
}

/* followups_week: {total, users, items: [{user_id, name, count}]} — the
 * follow-ups made since Monday by each active salesperson and sales
 * manager the user sees (policy_user_filter: the user, the people below
 * the departments the user manages, the user's department tree), most
 * first; items names the first TEAM_LIST, zeros included. The team's ids
 * (in id order) come from team_ids; the week's follow-ups are one range of
 * followups_created (migration 022), each counted here against the team
 * (grouped in SQL, the sort cost three times the range; grouped by the
 * column, SQLite walked the whole followups_user index: 6 s at five
 * million follow-ups). */
typedef struct week_row {
    int64_t id, n;
} week_row;

static int week_cmp(const void *x, const void *y)
{
    const week_row *a = x, *b = y;
    if (a->n != b->n) return a->n > b->n ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

/* A manager's team (a thousand users for the head of sales: 10 M
 * instructions to select) is kept per process while org_version (migration
 * 028: moved by triggers whenever a user or a department changes what a
 * team is made of) stays the same. The version is read before the team, so
 * a change committed between the two only makes the next request read the
 * team again. Several servers each keep their own; the version comes from
 * the database. */
enum { TEAM_CACHE = 16 };
static struct team_entry {
    int64_t user_id, version;
    int kind; /* 0: team_ids, 1: dash_owner_ids */
    int64_t *ids;
    int n;
    unsigned long used;
} team_cache[TEAM_CACHE];
static unsigned long team_clock;
static pthread_mutex_t team_lock = PTHREAD_MUTEX_INITIALIZER;

static int id_cmp(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;
    return (*a > *b) - (*a < *b);
}

/* The ids of kind (0: the active salespeople and sales managers u sees,
 * policy_user_filter; 1: the owners whose pipeline u sees,
 * policy_project_owner_filter), in id order, from the cache or read. */
static int cached_ids(req *r, int kind, int64_t **ids, int *n)
{
    int64_t version = 0;
    int rc = db_scalar_int(r->db, &version, 0, "SELECT v FROM org_version WHERE id = 1", DBP0);
    if (rc < 0) return rc;
    pthread_mutex_lock(&team_lock);
    for (int i = 0; i < TEAM_CACHE; i++) {
        struct team_entry *e = &team_cache[i];
        if (e->ids && e->user_id == r->me.id && e->kind == kind && e->version == version) {
            *n = e->n;
            *ids = arena_alloc(&r->a, sizeof(int64_t) * (size_t)(e->n + 1));
            memcpy(*ids, e->ids, sizeof(int64_t) * (size_t)e->n);
            e->used = ++team_clock;
            pthread_mutex_unlock(&team_lock);
            return 0;
        }
    }
    pthread_mutex_unlock(&team_lock);
    sqlq q;
    if (kind == 0) {
        sqlq_init(&q, &r->a,
                  "SELECT u.id AS user_id FROM users u WHERE u.active = TRUE"
                  " AND u.role IN ('salesperson', 'sales_manager')");
        policy_user_filter(&r->me, &q, "u.id");
    } else {
        sqlq_init(&q, &r->a, "SELECT u.id AS user_id FROM users u WHERE 1 = 1");
        policy_project_owner_filter(&r->me, &q, "u.id");
    }
    db_res team;
    if ((rc = sqlq_run(r->db, &q, &team)) < 0) return rc;
    *n = team.nrows;
    *ids = arena_alloc(&r->a, sizeof(int64_t) * (size_t)(team.nrows + 1));
    for (int i = 0; i < team.nrows; i++) (*ids)[i] = db_get_int(&team, i, "user_id");
    qsort(*ids, (size_t)*n, sizeof(int64_t), id_cmp);
    int64_t *copy = malloc(sizeof(int64_t) * (size_t)(*n + 1));
    if (!copy) return 0;
    memcpy(copy, *ids, sizeof(int64_t) * (size_t)*n);
    pthread_mutex_lock(&team_lock);
    struct team_entry *slot = &team_cache[0];
    for (int i = 0; i < TEAM_CACHE; i++) { /* this user's older entry, a free one, the oldest */
        struct team_entry *e = &team_cache[i];
        if (e->ids && e->user_id == r->me.id && e->kind == kind) {
            slot = e;
            break;
        }
        if (!e->ids || (slot->ids && e->used < slot->used)) slot = e;
    }
    free(slot->ids);
    *slot = (struct team_entry){r->me.id, version, kind, copy, *n, ++team_clock};
    pthread_mutex_unlock(&team_lock);
    return 0;
}

static int team_ids(req *r, int64_t **ids, int *n)
{
    return cached_ids(r, 0, ids, n);
}

int dash_owner_ids(req *r, int64_t **ids, int *n)
{
    return cached_ids(r, 1, ids, n);
}

bool dash_has_id(const int64_t *ids, int n, int64_t id)
{
    for (int lo = 0, hi = n - 1; lo <= hi;) {
        int mid = lo + (hi - lo) / 2;
        if (ids[mid] == id) return true;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return false;
}

int dash_followups_week(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    int64_t *ids;
    int nteam;
    int rc = team_ids(r, &ids, &nteam);
    if (rc < 0) return rc;
    db_res week;
    rc = db_query(r->db, &r->a, &week,
                  "SELECT f.user_id FROM followups f WHERE f.created_at >= ?",
                  DBP(DBS(k->week_start)));
    if (rc < 0) return rc;
    week_row *w = arena_alloc(&r->a, sizeof(*w) * (size_t)(nteam + 1));
    for (int i = 0; i < nteam; i++) w[i] = (week_row){ids[i], 0};
    int64_t total = 0;
    for (int j = 0; j < week.nrows; j++) {
        const db_val *v = &week.cells[(size_t)j * (size_t)week.ncols];
        if (v->t != DBV_INT) continue;
        for (int lo = 0, hi = nteam - 1; lo <= hi;) { /* the team is in id order */
            int mid = lo + (hi - lo) / 2;
            if (w[mid].id == v->i) {
                w[mid].n++;
                total++;
                break;
            }
            if (w[mid].id < v->i)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
    }
    qsort(w, (size_t)nteam, sizeof(*w), week_cmp);
    /* names for the rows shown only (a head of sales sees a thousand people) */
    int shown = nteam < TEAM_LIST ? nteam : TEAM_LIST;
    db_res names = {0};
    if (shown) {
        sqlq nq;
        sqlq_init(&nq, &r->a, "SELECT id, name FROM users WHERE id IN (?");
        nq.p[nq.n++] = DBI(w[0].id);
        for (int i = 1; i < shown; i++) sqlq_add(&nq, ", ?", 1, (db_val[]){DBI(w[i].id)});
        sqlq_add(&nq, ")", 0, NULL);
        if ((rc = sqlq_run(r->db, &nq, &names)) < 0) return rc;
    }
    json_t *items = json_array();
    for (int i = 0; i < shown; i++) {
        const char *name = NULL;
        for (int j = 0; j < names.nrows; j++)
            if (db_get_int(&names, j, "id") == w[i].id) name = db_get_text(&names, j, "name");
        json_array_append_new(items, json_pack("{s:I, s:s?, s:I}", "user_id", (json_int_t)w[i].id,
                                               "name", name, "count", (json_int_t)w[i].n));
    }
    json_object_set_new(out, "followups_week",
                        json_pack("{s:I, s:i, s:o}", "total", (json_int_t)total, "users",
                                  nteam, "items", items));
    return 0;
}

/* ranking: {items: [{user_id, name, won_count, won_amount}]} — the owners
 * whose pipeline the user sees, by the amount they won this month (the
 * first RANKING). */
int dash_ranking(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    sqlq q;
    sqlq_init(&q, &r->a,
              "SELECT p.owner_id AS user_id, u.name, CAST(COUNT(*) AS BIGINT) AS won_count,"
              " CAST(SUM(p.amount) AS BIGINT) AS won_amount FROM projects p"
              " JOIN users u ON u.id = p.owner_id WHERE p.status = 'won' AND p.closed_at >= ?");
    q.p[q.n++] = DBS(k->month_start);
    policy_project_owner_filter(&r->me, &q, "p.owner_id");
    sqlq_add(&q, " GROUP BY p.owner_id, u.name ORDER BY 4 DESC, p.owner_id LIMIT ?", 1,
             (db_val[]){DBI(RANKING)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return rc;
    json_object_set_new(out, "ranking", json_pack("{s:o}", "items", db_rows_json(&res)));
    return 0;
}

/* The customers' two counts (all, in the pool) read a million rows' index
 * entries (7 ms; counted in scalar subqueries, 17 ms): they are kept per
 * process while the customers' fingerprint stays the same — the largest
 * customer id (a new customer), the largest move id (every change of
 * owner records a customer_moves row) and the latest updated_at — and at
 * most a minute. Several servers each keep their own; the fingerprint
 * comes from the database, so none answers from before a change it did
 * not see. */
enum { COUNTS_MAX_AGE = 60 };
static struct {
    bool have;
    char key[96];
    time_t at;
    int64_t customers, pool;
} counts_cache;
static pthread_mutex_t counts_lock = PTHREAD_MUTEX_INITIALIZER;

static int customer_counts(req *r, int64_t *customers, int64_t *pool)
{
    db_res f;
    int rc = db_query(r->db, &r->a, &f,
                      "SELECT (SELECT MAX(id) FROM customers) AS c, (SELECT MAX(id) FROM"
                      " customer_moves) AS m, (SELECT MAX(updated_at) FROM customers) AS u",
                      DBP0);
    if (rc < 0) return rc;
    const char *u = db_get_text(&f, 0, "u");
    char key[96];
    snprintf(key, sizeof(key), "%lld/%lld/%.40s", (long long)db_get_int(&f, 0, "c"),
             (long long)db_get_int(&f, 0, "m"), u ? u : "");
    time_t now = time(NULL);
    pthread_mutex_lock(&counts_lock);
    bool hit = counts_cache.have && strcmp(counts_cache.key, key) == 0 &&
               now - counts_cache.at < COUNTS_MAX_AGE && now >= counts_cache.at;
    if (hit) {
        *customers = counts_cache.customers;
        *pool = counts_cache.pool;
    }
    pthread_mutex_unlock(&counts_lock);
    if (hit) return 0;
    /* each its own statement: SQLite counts a whole table from its b-tree
     * only in a top-level COUNT(*) */
    if ((rc = db_scalar_int(r->db, customers, 0, "SELECT COUNT(*) FROM customers", DBP0)) < 0 ||
        (rc = db_scalar_int(r->db, pool, 0,
                            "SELECT COUNT(*) FROM customers WHERE owner_id IS NULL", DBP0)) < 0)
        return rc;
    pthread_mutex_lock(&counts_lock);
    counts_cache.have = true;
    snprintf(counts_cache.key, sizeof(counts_cache.key), "%s", key);
    counts_cache.at = now;
    counts_cache.customers = *customers;
    counts_cache.pool = *pool;
    pthread_mutex_unlock(&counts_lock);
    return 0;
}

/* counts: the administrator's company-wide figures (an administrator's data
 * scope is everything): active users, customers and those in the pool,
 * open projects with their amount and weighted amount (project_stage_totals,
 * unassigned ones included), this month's wins, pending approvals and the
 * week's follow-ups. */
int dash_counts(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)t;
    db_res res;
    int64_t customers = 0, pool = 0;
    int rc = customer_counts(r, &customers, &pool);
    if (rc < 0) return rc;
    rc = db_query(
        r->db, &r->a, &res,
        "SELECT (SELECT COUNT(*) FROM users WHERE active = TRUE) AS users,"
        " x.open_projects, x.open_amount, x.weighted_amount,"
        " (SELECT COUNT(*) FROM projects WHERE status = 'won' AND closed_at >= ?)"
        "  AS won_month_count,"
        " (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM projects WHERE status = 'won'"
        "  AND closed_at >= ?) AS won_month_amount,"
        " (SELECT COUNT(*) FROM approval_requests WHERE state = 'pending') AS pending_approvals,"
        " (SELECT COUNT(*) FROM followups WHERE created_at >= ?) AS followups_week"
        " FROM (SELECT CAST(COALESCE(SUM(open_count), 0) AS BIGINT) AS open_projects,"
        " CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS open_amount,"
        " CAST(COALESCE(SUM(weighted), 0) AS BIGINT) AS weighted_amount"
        " FROM project_stage_totals) x",
        DBP(DBS(k->month_start), DBS(k->month_start), DBS(k->week_start)));
    if (rc < 0) return rc;
    json_t *c = db_row_json(&res, 0);
    json_object_set_new(c, "customers", json_integer(customers));
    json_object_set_new(c, "pool_customers", json_integer(pool));
    json_object_set_new(out, "counts", c);
    return 0;
}

/* activity: {items: the last DASH_LIST changes of the history (audit_log):
 * [{id, at, user_id, user_name, entity, entity_id, entity_name, action}]}
 * — an administrator reads every record's history (audit.read). */
int dash_activity(req *r, const dash_clock *k, const dash_template *t, json_t *out)
{
    (void)k;
    (void)t;
    db_res res;
    int rc = db_query(
        r->db, &r->a, &res,
        "SELECT a.id, a.at, a.user_id, u.name AS user_name, a.entity, a.entity_id,"
        " CASE a.entity WHEN 'customer' THEN (SELECT c.name FROM customers c WHERE c.id ="
        " a.entity_id) WHEN 'project' THEN (SELECT p.name FROM projects p WHERE p.id ="
        " a.entity_id) WHEN 'user' THEN (SELECT x.name FROM users x WHERE x.id = a.entity_id)"
        " WHEN 'approval_request' THEN (SELECT q.title FROM approval_requests q WHERE q.id ="
        " a.entity_id) WHEN 'quotation' THEN (SELECT qo.number FROM quotations qo WHERE qo.id ="
        " a.entity_id) WHEN 'product' THEN (SELECT pr.code || ' ' || pr.name FROM products pr"
        " WHERE pr.id = a.entity_id)"
        " END AS entity_name, a.action FROM (SELECT id FROM audit_log ORDER BY id DESC LIMIT ?) l"
        " JOIN audit_log a ON a.id = l.id LEFT JOIN users u ON u.id = a.user_id"
        " ORDER BY a.id DESC",
        DBP(DBI(DASH_LIST)));
    if (rc < 0) return rc;
    json_object_set_new(out, "activity", json_pack("{s:o}", "items", db_rows_json(&res)));
    return 0;
}
