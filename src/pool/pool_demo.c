/* pool_demo.c — the pool's part of the demo company: pool customers with a
 * past (one released by its owner long ago, one taken back automatically
 * ten days ago, so its previous owner is still in the reclaim cooldown) and
 * an application waiting in a manager's approvals inbox. Owned customers are
 * left as they are, so the take-back job finds nothing due in a fresh demo. */
#include "pool/customer_pool.h"
#include "customers/customers.h"
#include "core/approvals.h"
#include "base/util.h"
#include <stdlib.h>

static int64_t id_by(db_conn *c, const char *sql, const char *key)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, sql, DBP(DBS(key)));
    return id;
}

/* A past move of a pool customer, written as history at `days_ago`. */
static int past_move(db_conn *c, int64_t customer, int64_t from, int64_t to, const char *kind,
                     const char *reason, int64_t actor, int days_ago)
{
    char at[TF_TS_LEN];
    tf_ts(at, time(NULL) - (time_t)days_ago * 86400);
    int rc = db_exec(c,
                     "INSERT INTO customer_moves(customer_id, from_owner_id, to_owner_id, kind,"
                     " reason, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     DBP(DBI(customer), from ? DBI(from) : DBNULL, to ? DBI(to) : DBNULL, DBS(kind),
                         DBS(reason), actor ? DBI(actor) : DBNULL, DBS(at)));
    if (rc < 0) return rc;
    json_t *before = json_pack("{s:o}", "owner_id", from ? json_integer(from) : json_null());
    json_t *after =
        json_pack("{s:o, s:s}", "owner_id", to ? json_integer(to) : json_null(), "reason", reason);
    char *bs = json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS);
    char *as = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
    rc = db_exec(
        c,
        "INSERT INTO audit_log(at, user_id, entity, entity_id, action, before_json,"
        " after_json) VALUES (?, ?, 'customer', ?, ?, ?, ?)",
        DBP(DBS(at), actor ? DBI(actor) : DBNULL, DBI(customer), DBS(kind), DBS(bs), DBS(as)));
    free(bs);
    free(as);
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

/* Dates the customer's creation `days_ago`, so its history reads in order. */
static int backdate_creation(db_conn *c, int64_t customer, int days_ago)
{
    char at[TF_TS_LEN];
    tf_ts(at, time(NULL) - (time_t)days_ago * 86400);
    int rc =
        db_exec(c, "UPDATE customers SET created_at = ? WHERE id = ?", DBP(DBS(at), DBI(customer)));
    if (rc >= 0)
        rc = db_exec(c,
                     "UPDATE audit_log SET at = ? WHERE entity = 'customer' AND entity_id = ? AND"
                     " action = 'create'",
                     DBP(DBS(at), DBI(customer)));
    if (rc >= 0)
        rc =
            db_exec(c, "UPDATE customer_moves SET at = ? WHERE customer_id = ? AND kind = 'create'",
                    DBP(DBS(at), DBI(customer)));
    return rc < 0 ? rc : 0;
}

static int set_released(db_conn *c, int64_t customer, int64_t prev, int days_ago)
{
    char at[TF_TS_LEN];
    tf_ts(at, time(NULL) - (time_t)days_ago * 86400);
    int rc = db_exec(c, "UPDATE customers SET previous_owner_id = ?, released_at = ? WHERE id = ?",
                     DBP(DBI(prev), DBS(at), DBI(customer)));
    return rc < 0 ? rc : 0;
}

int pool_demo(db_conn *c, arena *a)
{
    const char *user_sql = "SELECT id FROM users WHERE login = ?";
    const char *cust_sql = "SELECT id FROM customers WHERE name = ? AND owner_id IS NULL";
    int64_t zhang = id_by(c, user_sql, "zhang"), chen = id_by(c, user_sql, "chen");
    int64_t li = id_by(c, user_sql, "li");
    int64_t luoyang = id_by(c, cust_sql, "洛阳轴研电机有限公司");
    int64_t edrive = id_by(c, cust_sql, "上海电驱动科技有限公司");
    int64_t guangzhou = id_by(c, cust_sql, "广州南方变压器有限公司");
    if (!zhang || !chen || !li || !luoyang || !edrive || !guangzhou) return DB_ERR;
    int rc;

    /* claimed by zhang, released when the customer had no plans this year */
    if ((rc = backdate_creation(c, luoyang, 120)) < 0 ||
        (rc = past_move(c, luoyang, 0, zhang, "claim", "电话开发 Cold call lead", zhang, 100)) <
            0 ||
        (rc = past_move(c, luoyang, zhang, 0, "release",
                        "客户今年无采购计划 No purchase plan this year", zhang, 40)) < 0 ||
        (rc = set_released(c, luoyang, zhang, 40)) < 0)
        return rc;
    /* assigned to chen by her manager, taken back by the job after a silent month */
    if ((rc = backdate_creation(c, edrive, 90)) < 0 ||
        (rc = past_move(c, edrive, 0, chen, "assign", "华东区域客户 East China account", li, 80)) <
            0 ||
        (rc = past_move(c, edrive, chen, 0, "auto_takeback",
                        "超过 30 天未跟进 No follow-up for 30 days", 0, 10)) < 0 ||
        (rc = set_released(c, edrive, chen, 10)) < 0)
        return rc;

    /* zhang applies for 广州南方变压器: it waits in li's approvals inbox */
    char now[TF_TS_LEN];
    tf_now(now);
    db_res r;
    rc = db_query(
        c, a, &r,
        "INSERT INTO customer_applications(customer_id, applicant_id, reason, state,"
        " created_at) VALUES (?, ?, ?, 'pending', ?) RETURNING id",
        DBP(DBI(guangzhou), DBI(zhang),
            DBS("客户今年扩建变压器产线，需求明确 Expanding its transformer line this year"),
            DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    int64_t app = db_get_int(&r, 0, "id"), request = 0;
    bool approved_now = false;
    rc = approvals_submit(c, a, "customer_application", app,
                          "申请客户 Customer application: 广州南方变压器有限公司", 0, zhang,
                          &request, &approved_now);
    if (rc < 0) return rc;
    /* what the manager sees with it, as an application made in the UI has */
    rc = approvals_set_context(c, request,
                               "客户今年扩建变压器产线，需求明确 Expanding its transformer line this year",
                               "customer", guangzhou, "广州南方变压器有限公司", false);
    if (rc < 0) return rc;
    rc = db_exec(c, "UPDATE customer_applications SET request_id = ? WHERE id = ?",
                 DBP(DBI(request), DBI(app)));
    return rc < 0 ? rc : 0;
}
