/* customer_pool.c — the customer pool (公海) and the three ways of the
 * article to assign a customer: (1) a salesperson applies and a manager
 * approves (the customer_application document of the approvals engine);
 * (2) managers assign and take back in batches; (3) salespeople claim pool
 * customers, one or a random batch, within the pool rules (settings key
 * pool_rules), and release their own. Every move goes through pool_move() →
 * customer_move() (customer_moves + audit, with the reason). The managers'
 * batches are pool_batch.c, the pool's state per row pool_status.c, the
 * automatic take-back job pool_takeback.c. */
#include "pool/customer_pool.h"
#include "approvals/applications.h"
#include "customers/customers.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "core/settings.h"
#include "base/textsearch.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX  1000 /* customers per random claim, at most */
#define REASON_MAX 500  /* code points */
#define DAY_S      86400

/* Pool rules ------------------------------------------------------------------ */

typedef struct pool_rules {
    int64_t max_owned;      /* 0: no limit */
    int64_t claims_per_day; /* claims in any 24 hours; 0: no limit */
    int64_t batch_max;      /* customers per random claim */
    int64_t cooldown_days;  /* a previous owner waits this long to take it back */
} pool_rules;

static int64_t rule_int(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

static void rules_load(db_conn *c, pool_rules *pr)
{
    json_t *v = settings_get(c, "pool_rules");
    pr->max_owned = rule_int(v, "max_owned");
    pr->claims_per_day = rule_int(v, "claims_per_day");
    pr->batch_max = rule_int(v, "claim_batch_max");
    pr->cooldown_days = rule_int(v, "reclaim_cooldown_days");
    if (pr->batch_max < 1) pr->batch_max = 1;
    json_decref(v);
}

/* A limit that stops a move out of the pool: the problem's detail and its
 * extra members {limit, max, current | until}. */
typedef struct limit_hit {
    const char *detail;
    json_t *extra;
} limit_hit;

/* Whether `user_id` may take `want` more customers out of the pool now:
 * pool_rules.max_owned; for claims also claims_per_day; for one customer
 * (customer_id > 0) also the reclaim cooldown of its previous owner.
 * Returns 0 if allowed, 1 with *hit filled (hit->extra: caller owns), or a
 * negative db code. Strings live in `a`. */
static int limits_check(db_conn *c, arena *a, const pool_rules *pr, int64_t user_id,
                        int64_t customer_id, int64_t want, bool claims, limit_hit *hit)
{
    int64_t n = 0;
    int rc;
    time_t now = time(NULL);
    char ts[TF_TS_LEN];
    hit->detail = NULL;
    hit->extra = NULL;
    if (customer_id > 0 && pr->cooldown_days > 0) {
        db_res r;
        tf_ts(ts, now - (time_t)pr->cooldown_days * DAY_S);
        rc = db_query(c, a, &r,
                      "SELECT released_at FROM customers WHERE id = ? AND previous_owner_id = ?"
                      " AND released_at > ?",
                      DBP(DBI(customer_id), DBI(user_id), DBS(ts)));
        if (rc < 0) return rc;
        time_t rel;
        if (rc > 0 && tf_ts_parse(db_get_text(&r, 0, "released_at"), &rel)) {
            char until[TF_TS_LEN];
            tf_ts(until, rel + (time_t)pr->cooldown_days * DAY_S);
            hit->detail = arena_printf(a,
                                       "you gave this customer back to the pool at %s; its"
                                       " previous owner may take it again from %s"
                                       " (pool_rules.reclaim_cooldown_days = %lld)",
                                       db_get_text(&r, 0, "released_at"), until,
                                       (long long)pr->cooldown_days);
            hit->extra = json_pack("{s:s, s:I, s:s}", "limit", "reclaim_cooldown", "max",
                                   (json_int_t)pr->cooldown_days, "until", until);
            return 1;
        }
    }
    if (pr->max_owned > 0) {
        if ((rc = db_scalar_int(c, &n, 0, "SELECT COUNT(*) FROM customers WHERE owner_id = ?",
                                DBP(DBI(user_id)))) < 0)
            return rc;
        if (n + want > pr->max_owned) {
            int64_t left = pr->max_owned > n ? pr->max_owned - n : 0;
            hit->detail = arena_printf(a,
                                       "you own %lld customers and may own at most %lld"
                                       " (pool_rules.max_owned): %lld more allowed",
                                       (long long)n, (long long)pr->max_owned, (long long)left);
            hit->extra = json_pack("{s:s, s:I, s:I, s:I}", "limit", "max_owned", "max",
                                   (json_int_t)pr->max_owned, "current", (json_int_t)n, "allowed",
                                   (json_int_t)left);
            return 1;
        }
    }
    if (claims && pr->claims_per_day > 0) {
        tf_ts(ts, now - DAY_S);
        if ((rc = db_scalar_int(c, &n, 0,
                                "SELECT COUNT(*) FROM customer_moves WHERE to_owner_id = ? AND"
                                " kind = 'claim' AND at > ?",
                                DBP(DBI(user_id), DBS(ts)))) < 0)
            return rc;
        if (n + want > pr->claims_per_day) {
            int64_t left = pr->claims_per_day > n ? pr->claims_per_day - n : 0;
            hit->detail =
                arena_printf(a,
                             "you claimed %lld customers in the last 24 hours and may"
                             " claim at most %lld a day (pool_rules.claims_per_day):"
                             " %lld more allowed now",
                             (long long)n, (long long)pr->claims_per_day, (long long)left);
            hit->extra = json_pack("{s:s, s:I, s:I, s:I}", "limit", "claims_per_day", "max",
                                   (json_int_t)pr->claims_per_day, "current", (json_int_t)n,
                                   "allowed", (json_int_t)left);
            return 1;
        }
    }
    return 0;
}

/* Serialises the moves of one user (their limits are counted, then used):
 * an UPDATE that changes nothing but takes the user row's lock on
 * PostgreSQL; SQLite's write transaction already runs alone. Lock order
 * everywhere: the user first, then customers. */
static int lock_user(db_conn *c, int64_t user_id)
{
    int rc = db_exec(c, "UPDATE users SET updated_at = updated_at WHERE id = ?", DBP(DBI(user_id)));
    return rc < 0 ? rc : 0;
}

/* Moves --------------------------------------------------------------------- */

/* Moves customer `id` from `from` (0 = the pool) to `to` (0 = the pool) and
 * records the move with its reason. Out of the pool the UPDATE requires the
 * customer still in the pool; otherwise it requires `version`, so a
 * concurrent change makes it miss. A new owner starts a new ownership (not
 * protected, no take-back warning); into the pool the previous owner and the
 * time are kept for the reclaim cooldown. Returns 1 if moved, 0 if the row
 * changed meanwhile, or a negative db code. */
int pool_move(db_conn *c, int64_t id, int64_t version, int64_t from, int64_t to,
                     const char *kind, const char *reason, int64_t actor_id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc;
    if (to && !from)
        rc = db_exec(c,
                     "UPDATE customers SET owner_id = ?, owned_since = ?, protected = FALSE,"
                     " takeback_warned_at = NULL, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND owner_id IS NULL",
                     DBP(DBI(to), DBS(now), DBS(now), DBI(id)));
    else if (to)
        rc = db_exec(c,
                     "UPDATE customers SET owner_id = ?, owned_since = ?, protected = FALSE,"
                     " takeback_warned_at = NULL, version = version + 1, updated_at = ?"
                     " WHERE id = ? AND version = ? AND owner_id = ?",
                     DBP(DBI(to), DBS(now), DBS(now), DBI(id), DBI(version), DBI(from)));
    else
        rc = db_exec(c,
                     "UPDATE customers SET owner_id = NULL, owned_since = NULL, protected = FALSE,"
                     " previous_owner_id = ?, released_at = ?, takeback_warned_at = NULL,"
                     " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
                     " AND owner_id = ?",
                     DBP(DBI(from), DBS(now), DBS(now), DBI(id), DBI(version), DBI(from)));
    if (rc <= 0) return rc;
    rc = customer_move(c, id, from, to, kind, reason, actor_id);
    return rc < 0 ? rc : 1;
}

/* Who holds customer `id` and how they got it: {id, name, kind, at} of its
 * owner and of the last move to them, or NULL (in the pool, missing, error).
 * Caller owns. */
static json_t *holder_json(db_conn *c, arena *a, int64_t id)
{
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT c.owner_id AS id, u.name, m.kind, m.at FROM customers c"
                 " JOIN users u ON u.id = c.owner_id LEFT JOIN customer_moves m ON m.id ="
                 " (SELECT MAX(x.id) FROM customer_moves x WHERE x.customer_id = c.id)"
                 " WHERE c.id = ?",
                 DBP(DBI(id))) <= 0)
        return NULL;
    return db_row_json(&r, 0);
}

static int reply_limit(req *r, limit_hit *hit)
{
    return reply_problem_with(r, 409, "conflict", hit->detail, hit->extra);
}

/* The reply when customer `id` is not (or no longer) in the pool: 409 naming
 * its holder as `winner` — to a user who cannot see the customer only when
 * its last move took it out of the pool (they may have seen it there a moment
 * ago); otherwise 404, so ids cannot be probed for owners. */
static int reply_not_in_pool(req *r, int64_t id)
{
    json_t *h = holder_json(r->db, &r->a, id);
    if (!h) return reply_not_found(r);
    int64_t holder = json_integer_value(json_object_get(h, "id"));
    if (holder == r->me.id) {
        json_decref(h);
        return reply_problem_with(r, 409, "conflict", "this customer is already yours",
                                  json_pack("{s:s}", "reason", "already_yours"));
    }
    int64_t from_pool = 0;
    db_scalar_int(r->db, &from_pool, 0,
                  "SELECT COUNT(*) FROM customer_moves WHERE id = (SELECT MAX(id) FROM"
                  " customer_moves WHERE customer_id = ?) AND from_owner_id IS NULL AND"
                  " kind IN ('claim', 'apply', 'assign')",
                  DBP(DBI(id)));
    if (!from_pool && policy_customer_access(r->db, &r->me, id) == ACCESS_NONE) {
        json_decref(h);
        return reply_not_found(r);
    }
    const char *name = json_string_value(json_object_get(h, "name"));
    const char *kind = json_string_value(json_object_get(h, "kind"));
    const char *detail =
        from_pool ? arena_printf(&r->a, "%s took this customer out of the pool first (%s at %s)",
                                 name ? name : "?", kind ? kind : "?",
                                 json_string_value(json_object_get(h, "at")))
                  : arena_printf(&r->a, "this customer is not in the pool: %s owns it",
                                 name ? name : "?");
    return reply_problem_with(r, 409, "conflict", detail,
                              json_pack("{s:s, s:o}", "reason", "not_in_pool", "winner", h));
}

int pool_row_load(db_conn *c, arena *a, int64_t id, pool_row *out)
{
    db_res r;
    memset(out, 0, sizeof(*out));
    int rc = db_query(c, a, &r, "SELECT owner_id, version, name FROM customers WHERE id = ?",
                      DBP(DBI(id)));
    if (rc <= 0) return rc;
    out->found = true;
    out->in_pool = db_cell(&r, 0, "owner_id")->t == DBV_NULL;
    out->owner_id = out->in_pool ? 0 : db_get_int(&r, 0, "owner_id");
    out->version = db_get_int(&r, 0, "version");
    out->name = db_get_text(&r, 0, "name");
    return 0;
}

/* Applications ------------------------------------------------------------------ */

#define APP_SELECT                                                                                 \
    "SELECT a.id, a.customer_id, c.number AS customer_number, c.name AS customer_name,"            \
    " a.applicant_id, u.name AS applicant_name, a.reason, a.state, a.request_id,"                  \
    " a.outcome_note, a.created_at, a.decided_at FROM customer_applications a"                     \
    " JOIN customers c ON c.id = a.customer_id JOIN users u ON u.id = a.applicant_id"

static const app_kind customer_apps = {
    APP_SELECT, "customer_id", " AND a.customer_id = ?", policy_allows, "customers.assign",
    "customer_application",
    "INSERT INTO customer_applications(customer_id, applicant_id, reason, state, created_at)"
    " VALUES (?, ?, ?, 'pending', ?) RETURNING id",
    "UPDATE customer_applications SET request_id = ? WHERE id = ?",
    "UPDATE customer_applications SET state = ?, outcome_note = ?, decided_at = ?"
    " WHERE id = ? AND state = 'pending'",
    "SELECT applicant_id FROM customer_applications WHERE id = ?"};

/* Decides what an approved application does: the customer becomes the
 * applicant's if it is still in the pool and the pool rules allow; else the
 * application is lost, with a note saying why (who got the customer). Sets
 * *state and *note (in `a`). */
static int app_take(db_conn *c, arena *a, int64_t customer_id, int64_t applicant, int64_t actor_id,
                    const char *reason, const char **state, const char **note)
{
    pool_row row;
    int64_t active = 0;
    int rc;
    *state = "lost";
    *note = NULL;
    if ((rc = lock_user(c, applicant)) < 0) return rc;
    if ((rc = pool_row_load(c, a, customer_id, &row)) < 0) return rc;
    db_scalar_int(c, &active, 0,
                  "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                  " ('salesperson', 'sales_manager')",
                  DBP(DBI(applicant)));
    if (!row.found) {
        *note = "the customer no longer exists";
        return 0;
    }
    if (!active) {
        *note = "the applicant can no longer own customers";
        return 0;
    }
    if (!row.in_pool && row.owner_id == applicant) {
        *state = "approved";
        *note = "the customer was already the applicant's";
        return 0;
    }
    if (row.in_pool) {
        pool_rules pr;
        limit_hit hit;
        rules_load(c, &pr);
        rc = limits_check(c, a, &pr, applicant, customer_id, 1, false, &hit);
        if (rc < 0) return rc;
        if (rc == 1) {
            json_decref(hit.extra);
            *note = hit.detail;
            return 0;
        }
        rc = pool_move(c, customer_id, 0, 0, applicant, "apply", reason,
                       actor_id ? actor_id : applicant);
        if (rc < 0) return rc;
        if (rc == 1) {
            *state = "approved";
            return 0;
        }
    }
    /* owned by someone else (also when a concurrent claim won just now) */
    json_t *h = holder_json(c, a, customer_id);
    const char *name = json_string_value(json_object_get(h, "name"));
    const char *kind = json_string_value(json_object_get(h, "kind"));
    const char *at = json_string_value(json_object_get(h, "at"));
    *note = arena_printf(a, "%s got the customer first (%s at %s)", name ? name : "someone",
                         kind ? kind : "?", at ? at : "?");
    json_decref(h);
    return 0;
}

/* on_decided of customer_application (inside the deciding transaction). */
static int app_on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome,
                          int64_t actor_id, const char **why)
{
    (void)why;
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT customer_id, applicant_id, reason, state FROM customer_applications"
                      " WHERE id = ?",
                      DBP(DBI(doc_id)));
    if (rc <= 0) return rc < 0 ? rc : APP_EREFUSED;
    if (strcmp(db_get_text(&r, 0, "state"), "pending") != 0) return APP_EREFUSED;
    json_t *before = applications_json(c, a, &customer_apps, doc_id);
    const char *state = outcome, *note = NULL;
    if (strcmp(outcome, "approved") == 0)
        rc = app_take(c, a, db_get_int(&r, 0, "customer_id"), db_get_int(&r, 0, "applicant_id"),
                      actor_id, db_get_text(&r, 0, "reason"), &state, &note);
    else if (strcmp(outcome, "rejected") && strcmp(outcome, "cancelled"))
        rc = APP_EREFUSED;
    if (rc >= 0)
        rc = applications_decided(c, a, &customer_apps, doc_id, actor_id, state, note, before);
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static bool app_can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    return applications_can_view(c, u, &customer_apps, doc_id);
}

static const approval_doc_type app_doc_type = {
    "customer_application", "Customer application", "客户申请", app_on_decided, app_can_view,
};

void customer_pool_register(void)
{
    approvals_register(&app_doc_type);
}

/* POST /customers/{id}/apply {"reason"} — asks for a pool customer; the
 * approvals engine decides (at once when no flow step applies). */
static int h_pool_apply(req *r)
{
    static const field spec[] = {{"reason", F_STR, F_REQ, REASON_MAX, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    const char *reason = in_str(r, "reason");
    pool_row row;
    pool_rules pr;
    limit_hit hit;
    int64_t pending = 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    if ((rc = pool_row_load(r->db, &r->a, id, &row)) < 0) goto fail;
    if (!row.found || !row.in_pool) {
        db_rollback(r->db);
        return row.found ? reply_not_in_pool(r, id) : reply_not_found(r);
    }
    db_scalar_int(r->db, &pending, 0,
                  "SELECT MAX(id) FROM customer_applications WHERE customer_id = ? AND"
                  " applicant_id = ? AND state = 'pending'",
                  DBP(DBI(id), DBI(r->me.id)));
    if (pending) {
        db_rollback(r->db);
        return reply_problem_with(r, 409, "duplicate",
                                  "you have already applied for this customer; the application"
                                  " awaits approval",
                                  json_pack("{s:I}", "application_id", (json_int_t)pending));
    }
    rules_load(r->db, &pr);
    if ((rc = limits_check(r->db, &r->a, &pr, r->me.id, id, 1, false, &hit)) < 0) goto fail;
    if (rc == 1) {
        db_rollback(r->db);
        return reply_limit(r, &hit);
    }
    return applications_submit(r, &customer_apps, id, reason,
                               arena_printf(&r->a, "申请客户 Customer application: %s", row.name), 0);
fail:
    db_rollback(r->db);
    return reply_db_error(r, rc);
}



/* GET /customer-applications?box=mine|all&state=&customer_id= */
static int h_pool_apps_list(req *r) { return applications_list(r, &customer_apps); }

/* GET /customer-applications/{id} */
static int h_pool_apps_get(req *r) { return applications_get(r, &customer_apps); }

/* Claims and releases -------------------------------------------------------------- */

/* POST /customers/{id}/claim {"reason"?} — takes one pool customer. Of two
 * claims at the same instant exactly one UPDATE finds the customer still in
 * the pool; the other is told who won. */
static int h_pool_claim_one(req *r)
{
    static const field spec[] = {{"reason", F_STR, F_NULL, REASON_MAX, 0}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (r->in && input_check(r, spec) < 0) return 0;
    pool_row row;
    pool_rules pr;
    limit_hit hit;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    if ((rc = lock_user(r->db, r->me.id)) < 0) goto fail;
    if ((rc = pool_row_load(r->db, &r->a, id, &row)) < 0) goto fail;
    if (!row.found || !row.in_pool) {
        db_rollback(r->db);
        return row.found ? reply_not_in_pool(r, id) : reply_not_found(r);
    }
    rules_load(r->db, &pr);
    if ((rc = limits_check(r->db, &r->a, &pr, r->me.id, id, 1, true, &hit)) < 0) goto fail;
    if (rc == 1) {
        db_rollback(r->db);
        return reply_limit(r, &hit);
    }
    rc = pool_move(r->db, id, 0, 0, r->me.id, "claim", in_str(r, "reason"), r->me.id);
    if (rc == 0) { /* a concurrent claim won between our read and our UPDATE */
        db_rollback(r->db);
        return reply_not_in_pool(r, id);
    }
    if (rc < 0 || (rc = db_commit(r->db)) < 0) goto fail;
    return reply_json(r, 200, customer_json(r->db, &r->a, id));
fail:
    db_rollback(r->db);
    return reply_db_error(r, rc);
}

/* POST /customers/claim {"count", "level_id"?, "industry_id"?, "region_id"?,
 * "reason"?} — a random batch from the pool: at most pool_rules.claim_batch_max,
 * all within the limits or none. Fewer when the pool holds fewer. */
static int h_pool_claim_batch(req *r)
{
    static const field spec[] = {
        {"count", F_INT, F_REQ, BATCH_MAX, 1},    {"level_id", F_INT, F_NULL, 0, 1},
        {"industry_id", F_INT, F_NULL, 0, 1},     {"region_id", F_INT, F_NULL, 0, 1},
        {"reason", F_STR, F_NULL, REASON_MAX, 0}, FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    int64_t count = in_int(r, "count", 1);
    pool_rules pr;
    limit_hit hit;
    db_res cand;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    rules_load(r->db, &pr);
    if (count > pr.batch_max) {
        db_rollback(r->db);
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("count", "out_of_range",
                                                arena_printf(&r->a,
                                                             "at most %lld customers per batch"
                                                             " (pool_rules.claim_batch_max)",
                                                             (long long)pr.batch_max)));
        return reply_invalid(r, errs);
    }
    if ((rc = lock_user(r->db, r->me.id)) < 0) goto fail;
    if ((rc = limits_check(r->db, &r->a, &pr, r->me.id, 0, count, true, &hit)) < 0) goto fail;
    if (rc == 1) {
        db_rollback(r->db);
        return reply_limit(r, &hit);
    }
    char cut[TF_TS_LEN];
    tf_ts(cut, time(NULL) - (time_t)pr.cooldown_days * DAY_S);
    sqlq q;
    sqlq_init(&q, &r->a, "SELECT c.id FROM customers c WHERE c.owner_id IS NULL");
    sqlq_add(&q,
             " AND NOT (COALESCE(c.previous_owner_id, 0) = ? AND COALESCE(c.released_at, '') > ?)",
             2, (db_val[]){DBI(r->me.id), DBS(cut)});
    if (in_has(r, "level_id") && !json_is_null(json_object_get(r->in, "level_id")))
        sqlq_add(&q, " AND c.level_id = ?", 1, (db_val[]){DBI(in_int(r, "level_id", 0))});
    if (in_has(r, "industry_id") && !json_is_null(json_object_get(r->in, "industry_id")))
        sqlq_add(&q, " AND c.industry_id = ?", 1, (db_val[]){DBI(in_int(r, "industry_id", 0))});
    if (in_has(r, "region_id") && !json_is_null(json_object_get(r->in, "region_id")))
        sqlq_add(&q,
                 " AND c.region_id IN (WITH RECURSIVE rsub(id) AS (SELECT CAST(? AS BIGINT)"
                 " UNION ALL SELECT d.id FROM dict_items d JOIN rsub ON d.parent_id = rsub.id)"
                 " SELECT id FROM rsub)",
                 1, (db_val[]){DBI(in_int(r, "region_id", 0))});
    /* a few spare candidates for those a concurrent claim takes first */
    sqlq_add(&q, " ORDER BY random() LIMIT ?", 1, (db_val[]){DBI(count + 20)});
    if ((rc = sqlq_run(r->db, &q, &cand)) < 0) goto fail;
    json_t *items = json_array();
    for (int i = 0; i < cand.nrows && (int64_t)json_array_size(items) < count; i++) {
        int64_t cid = db_get_int(&cand, i, "id");
        rc = pool_move(r->db, cid, 0, 0, r->me.id, "claim", in_str(r, "reason"), r->me.id);
        if (rc < 0) break;
        if (rc == 1) json_array_append_new(items, json_integer(cid));
    }
    if (rc >= 0 && json_array_size(items) == 0) {
        db_rollback(r->db);
        json_decref(items);
        return reply_problem_with(r, 409, "conflict",
                                  "no customer in the pool matches (or all are in your reclaim"
                                  " cooldown)",
                                  json_pack("{s:s}", "reason", "pool_empty"));
    }
    if (rc < 0 || (rc = db_commit(r->db)) < 0) {
        json_decref(items);
        goto fail;
    }
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(items, i, v)
    {
        json_t *o = customer_json(r->db, &r->a, json_integer_value(v));
        if (o) json_array_append_new(out, o);
    }
    json_decref(items);
    return reply_json(r, 200,
                      json_pack("{s:I, s:I, s:o}", "requested", (json_int_t)count, "claimed",
                                (json_int_t)json_array_size(out), "items", out));
fail:
    db_rollback(r->db);
    return reply_db_error(r, rc);
}

/* POST /customers/{id}/release {"reason"} — the owner gives a customer back
 * to the pool (a manager's way for others' customers is take-back). */
static int h_pool_release(req *r)
{
    static const field spec[] = {{"reason", F_STR, F_REQ, REASON_MAX, 1}, FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    tf_access acc = policy_customer_access(r->db, &r->me, id);
    if (acc == ACCESS_NONE) return reply_not_found(r);
    pool_row row;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    if ((rc = pool_row_load(r->db, &r->a, id, &row)) < 0) goto fail;
    if (!row.found) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    if (row.in_pool) {
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict", "the customer is already in the pool");
    }
    if (row.owner_id != r->me.id) {
        db_rollback(r->db);
        return reply_problem(r, 403, "forbidden",
                             "only the owner releases a customer; managers take customers back");
    }
    rc = pool_move(r->db, id, row.version, row.owner_id, 0, "release", in_str(r, "reason"),
                   r->me.id);
    if (rc == 0) {
        db_rollback(r->db);
        return reply_problem(r, 409, "conflict", "the customer changed meanwhile; try again");
    }
    if (rc < 0 || (rc = db_commit(r->db)) < 0) goto fail;
    return reply_json(r, 200, customer_json(r->db, &r->a, id));
fail:
    db_rollback(r->db);
    return reply_db_error(r, rc);
}

/* GET /customers/{id}/moves — every move in and out of the pool. */
static int h_pool_moves(req *r)
{
    int64_t id = req_id(r, 0);
    if (id < 0 || policy_customer_access(r->db, &r->me, id) == ACCESS_NONE)
        return reply_not_found(r);
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT m.id, m.kind, m.from_owner_id, fu.name AS from_owner_name,"
                      " m.to_owner_id, tu.name AS to_owner_name, m.reason, m.actor_id,"
                      " au.name AS actor_name, m.at FROM customer_moves m"
                      " LEFT JOIN users fu ON fu.id = m.from_owner_id"
                      " LEFT JOIN users tu ON tu.id = m.to_owner_id"
                      " LEFT JOIN users au ON au.id = m.actor_id"
                      " WHERE m.customer_id = ? AND (? = 0 OR m.id < ?) ORDER BY m.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

#define REASON_SCHEMA(req_)                                                                        \
    "{\"type\":\"object\"," req_                                                                   \
    "\"properties\":{\"reason\":{\"type\":\"string\",\"maxLength\":500}}}"
const route customer_pool_routes[] = {
    {"POST", "/api/v1/customers/claim", h_pool_claim_batch, "customers.claim", 4096,
     "Claim a random batch of pool customers within the pool rules",
     "{\"type\":\"object\",\"required\":[\"count\"],\"properties\":{\"count\":{\"type\":"
     "\"integer\",\"minimum\":1},\"level_id\":{\"type\":\"integer\"},\"industry_id\":{\"type\":"
     "\"integer\"},\"region_id\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"}}}"},
    {"POST", "/api/v1/customers/{id}/claim", h_pool_claim_one, "customers.claim", 4096,
     "Claim one pool customer (409 naming the winner if someone was faster)", REASON_SCHEMA("")},
    {"POST", "/api/v1/customers/{id}/apply", h_pool_apply, "customers.claim", 4096,
     "Apply for a pool customer; a manager approves it in the approvals inbox",
     REASON_SCHEMA("\"required\":[\"reason\"],")},
    {"POST", "/api/v1/customers/{id}/release", h_pool_release, PERM_SIGNED_IN, 4096,
     "Give one of your customers back to the pool", REASON_SCHEMA("\"required\":[\"reason\"],")},
    {"GET", "/api/v1/customers/{id}/moves", h_pool_moves, PERM_SIGNED_IN, 0,
     QUERY("page")
     "The customer's moves in and out of the pool, with reasons", NULL},
    {"GET", "/api/v1/customer-applications", h_pool_apps_list, PERM_SIGNED_IN, 0,
     QUERY("page box=mine|all state=pending|approved|rejected|cancelled|lost customer_id=id")
     "Applications for pool customers: box=mine (default) or all (managers), state, customer_id",
     NULL},
    {"GET", "/api/v1/customer-applications/{id}", h_pool_apps_get, PERM_SIGNED_IN, 0,
     "One application (its applicant and their managers)", NULL},
    ROUTES_END,
};
