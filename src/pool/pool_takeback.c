/* pool_takeback.c — the automatic take-back job (pool_takeback): owned
 * customers without a follow-up for pool_rules.takeback_no_followup_days
 * (per level: takeback_no_followup_days_by_level) or without a deal for
 * takeback_no_deal_days (per level: takeback_no_deal_days_by_level) go back
 * to the pool as `auto_takeback`, with the reason; signed customers are
 * exempt when exempt_signed; takeback_warn_days before, the owner gets one
 * warning (a reminders row of kind task, and takeback_warned_at). Days 0 turn
 * a rule off. Protected customers are never taken back (the protection
 * says so to the owner).
 *
 * Activity clocks: a follow-up counts from the later of last_followup_at and
 * owned_since (a new owner gets the full period, not the previous owner's
 * silence); a deal likewise from last_deal_at / owned_since; created_at when
 * both are missing. Idempotent: each customer is handled in its own
 * transaction by UPDATEs that miss when the row changed, so a second run (or
 * a second server, which the job lease normally prevents) does nothing twice. */
#include "pool/customer_pool.h"
#include "customers/customers.h"
#include "core/audit.h"
#include "base/log.h"
#include "core/settings.h"
#include "base/util.h"
#include "db/sqlq.h"
#include <stdlib.h>
#include <string.h>

#define DAY_S   86400
#define CHUNK   200   /* customers read per query */
#define RUN_MAX 20000 /* customers handled per run; the next run goes on */

#define ACT_F POOL_ACT_F
#define ACT_D POOL_ACT_D

/* The thresholds of one group of customers: one level with its own days, or
 * every other customer (level NULL) with the default days. */
typedef struct tb_group {
    const char *level; /* level id as text, NULL for the default group */
    int64_t fdays, ddays, warn;
} tb_group;

static int64_t days_of(json_t *rules, const char *key, const char *map, const char *level)
{
    json_t *v = level ? json_object_get(json_object_get(rules, map), level) : NULL;
    if (!json_is_integer(v)) v = json_object_get(rules, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

int pool_takeback_when(json_t *rules, int64_t level_id, bool is_signed, const char *act_f,
                       const char *act_d, time_t *when, const char **rule)
{
    char lk[24];
    *tf_put_i64(lk, level_id) = '\0';
    const char *level = level_id ? lk : NULL;
    int64_t fdays = days_of(rules, "takeback_no_followup_days", "takeback_no_followup_days_by_level",
                            level);
    int64_t ddays =
        days_of(rules, "takeback_no_deal_days", "takeback_no_deal_days_by_level", level);
    *when = 0;
    *rule = NULL;
    if (is_signed && json_is_true(json_object_get(rules, "exempt_signed"))) return 0;
    time_t t;
    if (fdays > 0 && tf_ts_parse(act_f, &t)) {
        *when = t + (time_t)fdays * DAY_S;
        *rule = "no_followup";
    }
    if (ddays > 0 && tf_ts_parse(act_d, &t) && (!*rule || t + (time_t)ddays * DAY_S < *when)) {
        *when = t + (time_t)ddays * DAY_S;
        *rule = "no_deal";
    }
    return *rule != NULL;
}

/* True if the level has days of its own in either map. */
static bool level_overridden(json_t *rules, int64_t level_id, arena *a)
{
    if (!level_id) return false;
    const char *k = arena_printf(a, "%lld", (long long)level_id);
    return json_object_get(json_object_get(rules, "takeback_no_followup_days_by_level"), k) ||
           json_object_get(json_object_get(rules, "takeback_no_deal_days_by_level"), k);
}

static const char *date_of(arena *a, const char *ts)
{
    return ts ? arena_strndup(a, ts, 10) : "?";
}

/* Takes one customer back (own transaction). 1 if moved, 0 if it changed. */
static int take_back(db_conn *c, int64_t id, int64_t owner, int64_t version, const char *reason)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(c);
    if (rc < 0) return rc;
    rc = db_exec(c,
                 "UPDATE customers SET owner_id = NULL, owned_since = NULL, protected = FALSE,"
                 " previous_owner_id = ?, released_at = ?, takeback_warned_at = NULL,"
                 " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
                 " AND owner_id = ?",
                 DBP(DBI(owner), DBS(now), DBS(now), DBI(id), DBI(version), DBI(owner)));
    if (rc > 0) rc = customer_move(c, id, owner, 0, "auto_takeback", reason, 0);
    if (rc >= 0) {
        int rc2 = db_commit(c);
        if (rc2 < 0) rc = rc2;
    }
    if (rc < 0) {
        db_rollback(c);
        return rc;
    }
    return rc > 0 ? 1 : 0;
}

/* Warns the owner once (own transaction): takeback_warned_at moves from the
 * value read (`seen`, NULL or a stale warning) to now, and only the run that
 * moves it writes the reminder. 1 if warned, 0 if someone else did. */
static int warn_owner(db_conn *c, arena *a, int64_t id, int64_t owner, const char *name,
                      const char *seen, const char *when, const char *why)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(c);
    if (rc < 0) return rc;
    rc = db_exec(c,
                 "UPDATE customers SET takeback_warned_at = ? WHERE id = ? AND owner_id = ? AND"
                 " COALESCE(takeback_warned_at, '') = ?",
                 DBP(DBS(now), DBI(id), DBI(owner), DBS(seen ? seen : "")));
    if (rc > 0) {
        const char *title = arena_printf(a, "客户将于 %s 收回公海 %s goes back to the pool on %s",
                                         date_of(a, when), name, date_of(a, when));
        const char *notes =
            arena_printf(a, "%s. 跟进客户即可保留 A follow-up keeps the customer.", why);
        rc = db_exec(c,
                     "INSERT INTO reminders(user_id, customer_id, kind, title, notes, due_at,"
                     " created_at) VALUES (?, ?, 'task', ?, ?, ?, ?)",
                     DBP(DBI(owner), DBI(id), DBS(title), DBS(notes), DBS(now), DBS(now)));
        if (rc >= 0) {
            json_t *before = json_pack("{s:s?}", "takeback_warned_at", seen);
            json_t *after = json_pack("{s:s, s:s, s:s}", "takeback_warned_at", now, "takeback_at",
                                      when, "reason", why);
            rc = audit_record(c, 0, "customer", id, "takeback_warning", before, after);
            json_decref(before);
            json_decref(after);
            if (rc >= 0) rc = 1;
        }
    }
    if (rc >= 0) {
        int rc2 = db_commit(c);
        if (rc2 < 0) rc = rc2;
    }
    if (rc < 0) {
        db_rollback(c);
        return rc;
    }
    return rc;
}

/* One group: reads the customers due for take-back or for a warning, in id
 * order, and handles each. Returns items handled or < 0. */
static int run_group(db_conn *c, arena *a, json_t *rules, const tb_group *g, bool exempt,
                     int budget)
{
    time_t now = time(NULL);
    char cut_f[TF_TS_LEN], cut_d[TF_TS_LEN], wcut_f[TF_TS_LEN], wcut_d[TF_TS_LEN];
    tf_ts(cut_f, now - (time_t)g->fdays * DAY_S);
    tf_ts(cut_d, now - (time_t)g->ddays * DAY_S);
    tf_ts(wcut_f, now - (time_t)(g->fdays > g->warn ? g->fdays - g->warn : 0) * DAY_S);
    tf_ts(wcut_d, now - (time_t)(g->ddays > g->warn ? g->ddays - g->warn : 0) * DAY_S);
    bool on_f = g->fdays > 0, on_d = g->ddays > 0, warn = g->warn > 0;
    int64_t level = 0, cursor = 0;
    if (g->level && !tf_parse_i64(g->level, &level)) return 0;
    int handled = 0;
    for (;;) {
        db_res res;
        sqlq q;
        sqlq_init(&q, a,
                  "SELECT c.id, c.owner_id, c.level_id, c.version, c.name, c.takeback_warned_at,"
                  " " ACT_F " AS act_f, " ACT_D " AS act_d FROM customers c"
                  " WHERE c.owner_id IS NOT NULL AND c.protected = FALSE");
        sqlq_add(&q, " AND (? = FALSE OR c.signed = FALSE) AND c.id > ?", 2,
                 (db_val[]){DBB(exempt), DBI(cursor)});
        if (g->level) sqlq_add(&q, " AND c.level_id = ?", 1, (db_val[]){DBI(level)});
        sqlq_add(&q,
                 " AND ((? = 1 AND " ACT_F " <= ?) OR (? = 1 AND " ACT_D " <= ?)"
                 " OR (? = 1 AND " ACT_F " <= ? AND (c.takeback_warned_at IS NULL"
                 "  OR c.takeback_warned_at < " ACT_F "))"
                 " OR (? = 1 AND " ACT_D " <= ? AND (c.takeback_warned_at IS NULL"
                 "  OR c.takeback_warned_at < " ACT_D ")))"
                 " ORDER BY c.id LIMIT ?",
                 9,
                 (db_val[]){DBI(on_f), DBS(cut_f), DBI(on_d), DBS(cut_d), DBI(on_f && warn),
                            DBS(wcut_f), DBI(on_d && warn), DBS(wcut_d), DBI(CHUNK)});
        int rc = sqlq_run(c, &q, &res);
        if (rc < 0) return rc;
        for (int i = 0; i < res.nrows; i++) {
            int64_t id = db_get_int(&res, i, "id"), owner = db_get_int(&res, i, "owner_id");
            const db_val *lv = db_cell(&res, i, "level_id");
            cursor = id;
            if (!g->level && lv->t != DBV_NULL && level_overridden(rules, lv->i, a)) continue;
            const char *af = db_get_text(&res, i, "act_f"), *ad = db_get_text(&res, i, "act_d");
            const char *seen = db_get_text(&res, i, "takeback_warned_at");
            const char *name = db_get_text(&res, i, "name");
            bool due_f = on_f && af && strcmp(af, cut_f) <= 0;
            bool due_d = on_d && ad && strcmp(ad, cut_d) <= 0;
            if (due_f || due_d) {
                const char *why =
                    due_f ? arena_printf(a,
                                         "超过 %lld 天未跟进 No follow-up for %lld days (since %s)",
                                         (long long)g->fdays, (long long)g->fdays, date_of(a, af))
                          : arena_printf(a, "超过 %lld 天未成交 No deal for %lld days (since %s)",
                                         (long long)g->ddays, (long long)g->ddays, date_of(a, ad));
                rc = take_back(c, id, owner, db_get_int(&res, i, "version"), why);
            } else {
                bool warn_f = on_f && warn && af && strcmp(af, wcut_f) <= 0 &&
                              (!seen || strcmp(seen, af) < 0);
                bool warn_d = on_d && warn && ad && strcmp(ad, wcut_d) <= 0 &&
                              (!seen || strcmp(seen, ad) < 0);
                if (!warn_f && !warn_d) continue;
                /* the date it goes back: the earlier of the rules that apply */
                time_t tf = 0, td = 0, when = 0;
                if (on_f && tf_ts_parse(af, &tf)) when = tf + (time_t)g->fdays * DAY_S;
                if (on_d && tf_ts_parse(ad, &td) && (!when || td + (time_t)g->ddays * DAY_S < when))
                    when = td + (time_t)g->ddays * DAY_S;
                char wts[TF_TS_LEN];
                tf_ts(wts, when ? when : now);
                const char *why =
                    warn_f ? arena_printf(a,
                                          "超过 %lld 天未跟进将被收回 No follow-up for %lld days"
                                          " takes it back (last: %s)",
                                          (long long)g->fdays, (long long)g->fdays, date_of(a, af))
                           : arena_printf(a,
                                          "超过 %lld 天未成交将被收回 No deal for %lld days"
                                          " takes it back (since %s)",
                                          (long long)g->ddays, (long long)g->ddays, date_of(a, ad));
                rc = warn_owner(c, a, id, owner, name ? name : "?", seen, wts, why);
            }
            if (rc < 0) return rc;
            handled += rc;
            if (handled >= budget) return handled;
        }
        if (res.nrows < CHUNK) return handled;
    }
}

static int pool_takeback_run(db_conn *c, arena *a)
{
    json_t *rules = settings_get(c, "pool_rules");
    if (!rules) return DB_ERR;
    bool exempt = json_is_true(json_object_get(rules, "exempt_signed"));
    int64_t warn = 0;
    json_t *wv = json_object_get(rules, "takeback_warn_days");
    if (json_is_integer(wv) && json_integer_value(wv) > 0) warn = json_integer_value(wv);
    int total = 0, rc = 0;
    /* the default group, then every level with days of its own (a level may
     * be in both maps: handled once) */
    tb_group g = {NULL, days_of(rules, "takeback_no_followup_days", NULL, NULL),
                  days_of(rules, "takeback_no_deal_days", NULL, NULL), warn};
    if (g.fdays || g.ddays) rc = run_group(c, a, rules, &g, exempt, RUN_MAX);
    if (rc > 0) total += rc;
    static const char *const maps[] = {"takeback_no_followup_days_by_level",
                                       "takeback_no_deal_days_by_level"};
    for (int m = 0; m < 2 && rc >= 0; m++) {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(rules, maps[m]), k, v)
        {
            if (m == 1 && json_object_get(json_object_get(rules, maps[0]), k)) continue;
            tb_group lg = {k, days_of(rules, "takeback_no_followup_days", maps[0], k),
                           days_of(rules, "takeback_no_deal_days", maps[1], k), warn};
            if (!lg.fdays && !lg.ddays) continue;
            if (total >= RUN_MAX) break;
            rc = run_group(c, a, rules, &lg, exempt, RUN_MAX - total);
            if (rc < 0) break;
            total += rc;
        }
    }
    json_decref(rules);
    return rc < 0 ? rc : total;
}

const job_def pool_takeback_job = {"pool_takeback", 300, pool_takeback_run};
