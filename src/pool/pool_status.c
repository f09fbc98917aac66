/* pool_status.c — what a screen shows beside a page of customers about the
 * pool (GET /api/v1/customers/pool-status?ids=...): for a pool customer its
 * previous owner, when and why it came back (taken back automatically,
 * released by its owner, taken back by a manager, imported or entered into
 * the pool) and the one action the asking user has on it (claim, apply,
 * applied, or none and why); for an owned customer when the take-back job
 * would take it back and the days left. Ids the user may not see are left
 * out. The list itself stays GET /customers (its fast search paths); this
 * adds a few indexed lookups per row of a page. */
#include "pool/customer_pool.h"
#include "core/settings.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <string.h>

#define STATUS_IDS_MAX 100
#define DAY_S          86400

static json_t *json_string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int64_t rule_of(json_t *rules, const char *key)
{
    json_t *v = json_object_get(rules, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
}

/* The asking user's standing against the pool rules, counted once. */
typedef struct claim_room {
    bool may_claim;        /* the customers.claim permission */
    bool owned_full;       /* max_owned reached: neither claim nor apply */
    bool day_full;         /* claims_per_day reached: apply instead */
    int64_t cooldown_days; /* reclaim cooldown of a previous owner */
} claim_room;

static int room_load(req *r, json_t *rules, claim_room *cr)
{
    memset(cr, 0, sizeof(*cr));
    cr->may_claim = policy_allows(&r->me, "customers.claim");
    if (!cr->may_claim) return 0;
    int64_t max_owned = rule_of(rules, "max_owned"), per_day = rule_of(rules, "claims_per_day");
    cr->cooldown_days = rule_of(rules, "reclaim_cooldown_days");
    int64_t n = 0;
    int rc;
    if (max_owned) {
        if ((rc = db_scalar_int(r->db, &n, 0, "SELECT COUNT(*) FROM customers WHERE owner_id = ?",
                                DBP(DBI(r->me.id)))) < 0)
            return rc;
        cr->owned_full = n >= max_owned;
    }
    if (per_day) {
        char cut[TF_TS_LEN];
        tf_ts(cut, time(NULL) - DAY_S);
        if ((rc = db_scalar_int(r->db, &n, 0,
                                "SELECT COUNT(*) FROM customer_moves WHERE to_owner_id = ? AND"
                                " kind = 'claim' AND at > ?",
                                DBP(DBI(r->me.id), DBS(cut)))) < 0)
            return rc;
        cr->day_full = n >= per_day;
    }
    return 0;
}

/* How a customer came to the pool: the kind of its last move into it, with
 * a creation told apart by how it was entered. */
static const char *came_back_how(const char *kind, const char *entry_method)
{
    if (!kind) return NULL;
    if (strcmp(kind, "create") != 0) return kind; /* auto_takeback, release, takeback */
    return entry_method && strcmp(entry_method, "import") == 0   ? "import"
           : entry_method && strcmp(entry_method, "wechat") == 0 ? "wechat"
                                                                 : "entered";
}

/* Sets action (and action_reason, until, application_id) on a pool row. */
static int pool_action(req *r, const claim_room *cr, const db_res *res, json_t *o)
{
    if (!cr->may_claim) {
        json_object_set_new(o, "action", json_string("none"));
        json_object_set_new(o, "action_reason", json_string("no_permission"));
        return 0;
    }
    int64_t id = db_get_int(res, 0, "id"), pending = 0;
    int rc = db_scalar_int(r->db, &pending, 0,
                           "SELECT MAX(id) FROM customer_applications WHERE customer_id = ? AND"
                           " applicant_id = ? AND state = 'pending'",
                           DBP(DBI(id), DBI(r->me.id)));
    if (rc < 0) return rc;
    if (pending) {
        json_object_set_new(o, "action", json_string("applied"));
        json_object_set_new(o, "application_id", json_integer(pending));
        return 0;
    }
    const db_val *prev = db_cell(res, 0, "previous_owner_id");
    const char *released = db_get_text(res, 0, "released_at");
    time_t rel;
    if (cr->cooldown_days && prev->t != DBV_NULL && prev->i == r->me.id && released &&
        tf_ts_parse(released, &rel) && rel + (time_t)cr->cooldown_days * DAY_S > time(NULL)) {
        char until[TF_TS_LEN];
        tf_ts(until, rel + (time_t)cr->cooldown_days * DAY_S);
        json_object_set_new(o, "action", json_string("none"));
        json_object_set_new(o, "action_reason", json_string("reclaim_cooldown"));
        json_object_set_new(o, "action_until", json_string(until));
        return 0;
    }
    if (cr->owned_full) {
        json_object_set_new(o, "action", json_string("none"));
        json_object_set_new(o, "action_reason", json_string("max_owned"));
        return 0;
    }
    /* the day's claims are used up: a manager may still grant it */
    json_object_set_new(o, "action", json_string(cr->day_full ? "apply" : "claim"));
    if (cr->day_full) json_object_set_new(o, "action_reason", json_string("claims_per_day"));
    return 0;
}

/* Sets takeback_at, takeback_days_left and takeback_rule on an owned row
 * (nulls when no rule applies, or when it is protected: the job leaves
 * protected customers alone). */
static void takeback_fields(json_t *rules, const db_res *res, json_t *o)
{
    const db_val *lv = db_cell(res, 0, "level_id");
    time_t when;
    const char *rule;
    if (db_cell(res, 0, "protected")->i != 0 ||
        !pool_takeback_when(rules, lv->t == DBV_NULL ? 0 : lv->i,
                            db_cell(res, 0, "signed")->i != 0,
                            db_get_text(res, 0, "act_f"), db_get_text(res, 0, "act_d"), &when,
                            &rule)) {
        json_object_set_new(o, "takeback_at", json_null());
        json_object_set_new(o, "takeback_days_left", json_null());
        json_object_set_new(o, "takeback_rule", json_null());
        return;
    }
    char at[TF_TS_LEN];
    tf_ts(at, when);
    time_t left = when - time(NULL);
    /* whole days still to go, rounded up: 0 once it is due */
    int64_t days = left <= 0 ? 0 : (int64_t)((left + DAY_S - 1) / DAY_S);
    json_object_set_new(o, "takeback_at", json_string(at));
    json_object_set_new(o, "takeback_days_left", json_integer(days));
    json_object_set_new(o, "takeback_rule", json_string(rule));
}

/* GET /customers/pool-status?ids=1,2,3 */
static int h_pool_status(req *r)
{
    const char *s = req_query(r, "ids");
    int64_t ids[STATUS_IDS_MAX];
    int n = 0;
    for (const char *p = s ? s : ""; *p;) {
        size_t len = strcspn(p, ",");
        int64_t v;
        if (len == 0 || len > 19 || !tf_parse_i64(arena_strndup(&r->a, p, len), &v) || v < 1)
            return reply_problem(r, 400, "bad_request",
                                 "ids must be customer ids separated by commas");
        if (n == STATUS_IDS_MAX)
            return reply_problem(r, 400, "bad_request", "at most %d ids", STATUS_IDS_MAX);
        ids[n++] = v;
        p += len + (p[len] == ',');
    }
    if (n == 0) return reply_problem(r, 400, "bad_request", "send ids=1,2,3");
    json_t *rules = settings_get(r->db, "pool_rules"), *items = json_array();
    claim_room cr;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = rules ? room_load(r, rules, &cr) : DB_ERR;
    for (int i = 0; i < n && rc >= 0; i++) {
        sqlq q;
        db_res res;
        sqlq_init(&q, &r->a,
                  "SELECT c.id, c.owner_id, c.level_id, c.signed, c.protected, c.entry_method,"
                  " c.previous_owner_id, pu.name AS previous_owner_name, c.released_at,"
                  " m.kind AS move_kind, m.reason AS move_reason, m.at AS move_at,"
                  " au.name AS move_actor_name, " POOL_ACT_F " AS act_f, " POOL_ACT_D " AS act_d"
                  " FROM customers c LEFT JOIN users pu ON pu.id = c.previous_owner_id"
                  " LEFT JOIN customer_moves m ON c.owner_id IS NULL AND m.id = (SELECT MAX(x.id)"
                  " FROM customer_moves x WHERE x.customer_id = c.id AND x.to_owner_id IS NULL)"
                  " LEFT JOIN users au ON au.id = m.actor_id WHERE c.id = ?");
        q.p[q.n++] = DBI(ids[i]);
        policy_customer_filter(r->db, &r->me, &q, now);
        if ((rc = sqlq_run(r->db, &q, &res)) <= 0) continue;
        json_t *o = json_pack("{s:I}", "id", (json_int_t)ids[i]);
        bool in_pool = db_cell(&res, 0, "owner_id")->t == DBV_NULL;
        json_object_set_new(o, "in_pool", json_boolean(in_pool));
        if (in_pool) {
            const char *how = came_back_how(db_get_text(&res, 0, "move_kind"),
                                            db_get_text(&res, 0, "entry_method"));
            const db_val *prev = db_cell(&res, 0, "previous_owner_id");
            bool had_owner = how && strcmp(how, "import") && strcmp(how, "entered") &&
                             strcmp(how, "wechat") && prev->t != DBV_NULL;
            json_object_set_new(o, "previous_owner_id",
                                had_owner ? json_integer(prev->i) : json_null());
            json_object_set_new(o, "previous_owner_name",
                                had_owner
                                    ? json_string(db_get_text(&res, 0, "previous_owner_name"))
                                    : json_null());
            json_object_set_new(o, "returned_how", how ? json_string(how) : json_null());
            json_object_set_new(o, "returned_at", json_string_or_null(
                                                      db_get_text(&res, 0, "move_at")));
            json_object_set_new(o, "returned_reason",
                                json_string_or_null(db_get_text(&res, 0, "move_reason")));
            json_object_set_new(o, "returned_by_name",
                                json_string_or_null(db_get_text(&res, 0, "move_actor_name")));
            rc = pool_action(r, &cr, &res, o);
        } else {
            takeback_fields(rules, &res, o);
        }
        json_array_append_new(items, o);
    }
    json_decref(rules);
    if (rc < 0) {
        json_decref(items);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

const route pool_status_routes[] = {
    {"GET", "/api/v1/customers/pool-status", h_pool_status, PERM_SIGNED_IN, 0,
     QUERY("ids")
     "For a page of customers (ids=1,2,3, at most 100; those you cannot see are left out): of a"
     " pool customer its previous owner, when and how it came back (returned_how: auto_takeback,"
     " release, takeback, import, entered, wechat) with the reason, and your action (claim,"
     " apply, applied or none with action_reason); of an owned one the automatic take-back's"
     " date, days left and rule",
     NULL},
    ROUTES_END,
};
