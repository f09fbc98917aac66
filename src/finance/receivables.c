/* receivables.c — what customers owe: the receivables per contract (GET
 * /receivables: grand total, invoiced, received, refunded, returned value,
 * due and overdue; group=customer: the same summed per customer) and the
 * overdue ageing (GET /receivables/ageing: the outstanding amounts in
 * buckets 0-30 / 31-60 / 61-90 / 90+ days overdue, per customer and in
 * total), both through the policy module's contract filter (finance.read:
 * salespeople their own, managers their departments, finance all).
 *
 * How an amount is aged: the contract's schedule is its instalments and,
 * for what the plan leaves out, one more part due with the last instalment
 * (a contract without a plan: the whole grand total due on its effective
 * date). Payments (received, and the value of goods returned, which lowers
 * what is owed) are applied to the schedule in due-date order, so what is
 * unpaid of everything due before a day D is U(D) = the schedule due
 * before D less what was covered, between 0 and the amount due; a bucket is
 * the difference of U at its two edges. Set-based SQL, the same on both
 * engines (dates are ISO text compared as text; the edges are computed
 * here): the reports over every open contract sum instalment rows per
 * customer without grouping them per contract (R_STEP below); the page per
 * contract groups the instalments of its few contracts. Amounts are in each
 * contract's currency, so the sums are per currency. */
#include "finance/finance_int.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "products/products.h"
#include <string.h>

/* The per contract page ages its few contracts by grouping their
 * instalments: what is still planned beyond the instalments, and when it
 * is due */
#define REST                                                                                       \
    "CASE WHEN ct.grand_total > COALESCE(SUM(i.amount), 0) THEN ct.grand_total -"                  \
    " COALESCE(SUM(i.amount), 0) ELSE 0 END"
#define REST_DATE "COALESCE(MAX(i.due_date), SUBSTR(ct.effective_at, 1, 10), '9999-12-31')"
/* the schedule due before the bound day (aggregate over i of one ct) */
#define SCHED                                                                                      \
    "COALESCE(SUM(CASE WHEN i.due_date < ? THEN i.amount ELSE 0 END), 0) + CASE WHEN " REST_DATE   \
    " < ? THEN " REST " ELSE 0 END"
/* U of a schedule column s: unpaid of it, between 0 and the amount due */
#define UNPAID(s)                                                                                  \
    "CASE WHEN due <= 0 OR " s " <= covered THEN 0 WHEN " s " - covered > due THEN due ELSE " s    \
    " - covered END"

/* The reports over every contract owing money sum per customer in two
 * passes, neither grouping per contract: pa over the contracts (how many,
 * what is due), pb over one row per instalment (a contract without a plan:
 * one row, i NULL) for what is overdue. With G the grand total, P = received
 * + returned value what was paid and D = G - P > 0 what is due, the unpaid
 * of everything due before a day is U = max(0, min(G, S) - P) for S the
 * schedule due before it (the UNPAID above); along the schedule in due-date
 * order it grows by the steps F(C + a) - F(C) of its parts, F(x) = max(0,
 * min(G, x) - P), from F(0) before anything is due. Each instalment knows
 * C, the plan before it (cum_before), and whether it is the last
 * (033_instalment_schedule.sql): its step is F(C + a) - F(C), the last
 * one's also takes the part the plan leaves out, due with it, up to F(G) =
 * D: D - F(C); a contract without a plan steps D - F(0) on its effective
 * date. F(0) (nonzero only when P < 0) is overdue on any day: pa sums it
 * per contract (base). */
#define R_P "(ct.received + ct.returned_value)"
#define R_D "(ct.grand_total - ct.returned_value - ct.received)"
#define R_F(x)                                                                                     \
    "CASE WHEN " x " >= ct.grand_total THEN " R_D " WHEN " x " > " R_P " THEN " x " - " R_P        \
    " ELSE 0 END"
/* the row's step of U and the day it is due */
#define R_STEP                                                                                     \
    "(CASE WHEN i.contract_id IS NULL OR i.is_last THEN " R_D                                      \
    " - (" R_F("COALESCE(i.cum_before, 0)") ") ELSE (" R_F("i.cum_before + i.amount") ") - (" R_F( \
        "i.cum_before") ") END)"
#define R_DAY "COALESCE(i.due_date, SUBSTR(ct.effective_at, 1, 10), '9999-12-31')"
/* the step summed over the rows whose day satisfies cond */
#define R_SUM(cond) "CAST(SUM(CASE WHEN " cond " THEN " R_STEP " ELSE 0 END) AS BIGINT)"
/* pa's columns */
#define R_PA                                                                                       \
    "WITH pa AS (SELECT ct.customer_id, ct.currency, COUNT(*) AS contracts, CAST(SUM(" R_D         \
    ") AS BIGINT) AS due, CAST(SUM(" R_F("0") ") AS BIGINT) AS base"
#define R_PB   " pb AS (SELECT ct.customer_id, ct.currency, "
#define R_FROM " FROM contracts ct LEFT JOIN contract_instalments i ON i.contract_id = ct.id WHERE"
/* the predicate of the contracts_owing index (031_finance.sql), word for
 * word */
/* the contracts that took effect, listed per contract */
#define LISTED "('effective', 'fulfilling', 'completed', 'terminated')"
#define OWING                                                                                      \
    " ct.state IN ('effective', 'fulfilling') AND ct.grand_total - ct.returned_value -"            \
    " ct.received > 0"

/* "YYYY-MM-DD" days before day (UTC dates), in a. */
static const char *days_before(arena *a, const char *day, int days)
{
    time_t t;
    if (!tf_ts_parse(day, &t)) return day;
    char out[TF_TS_LEN];
    tf_ts(out, t - (time_t)days * 86400);
    out[10] = 0;
    return arena_strdup(a, out);
}

/* customer_id and owner_id filters; -1 after replying 400. */
static int id_filters(req *r, sqlq *q)
{
    static const char *const ids[] = {"customer_id", "owner_id"};
    static const char *const conds[] = {" AND ct.customer_id = ?", " AND ct.owner_id = ?"};
    for (int i = 0; i < 2; i++) {
        const char *s = req_query(r, ids[i]);
        int64_t v = 0;
        if (!s || !*s) continue;
        if (!tf_parse_i64(s, &v) || v < 1) {
            reply_problem(r, 400, "bad_request", "%s must be an id", ids[i]);
            return -1;
        }
        sqlq_add(q, conds[i], DBP(DBI(v)));
    }
    return 0;
}

/* The filters of the reports over the contracts owing money (the request's
 * ids and the user's scope; everybody's contracts add no condition). */
static int owing_filters(req *r, sqlq *q)
{
    if (id_filters(r, q) < 0) return -1;
    if (policy_scope(&r->me) != SCOPE_ALL) policy_contract_filter(&r->me, q);
    return 0;
}

/* GET /receivables/ageing?as_of=&customer_id=&owner_id=&limit= */
static int h_ageing(req *r)
{
    const char *as_of = req_query(r, "as_of"), *l = req_query(r, "limit");
    if (!as_of || !*as_of)
        as_of = products_today(r->db, &r->a);
    else if (!products_date_ok(as_of) || strcmp(as_of, "2000-01-01") < 0)
        return reply_problem(r, 400, "bad_request", "as_of must be a date 2026-12-31");
    int64_t limit = 100;
    if (l && *l && (!tf_parse_i64(l, &limit) || limit < 1 || limit > PAGE_MAX))
        return reply_problem(r, 400, "bad_request", "limit must be an integer from 1 to %d",
                             PAGE_MAX);
    /* overdue by more than 0, 30, 60, 90 days: due before these days */
    const char *days[4] = {as_of, days_before(&r->a, as_of, 30), days_before(&r->a, as_of, 60),
                           days_before(&r->a, as_of, 90)};
    /* two passes over the contracts owing money, each in the customer
     * order of the contracts_owing index; pb reads the overdue rows alone */
    sqlq q;
    sqlq_init(&q, &r->a, R_PA " FROM contracts ct WHERE" OWING);
    if (owing_filters(r, &q) < 0) return 0;
    sqlq_add(&q, " GROUP BY ct.customer_id, ct.currency)," R_PB, DBP0);
    sqlq_add(&q, R_SUM(R_DAY " >= ?") " AS d0_30, ", DBP(DBS(days[1])));
    sqlq_add(&q, R_SUM(R_DAY " < ? AND " R_DAY " >= ?") " AS d31_60, ",
             DBP(DBS(days[1]), DBS(days[2])));
    sqlq_add(&q, R_SUM(R_DAY " < ? AND " R_DAY " >= ?") " AS d61_90, ",
             DBP(DBS(days[2]), DBS(days[3])));
    sqlq_add(&q, R_SUM(R_DAY " < ?") " AS d90" R_FROM OWING " AND " R_DAY " < ?",
             DBP(DBS(days[3]), DBS(days[0])));
    if (owing_filters(r, &q) < 0) return 0;
    sqlq_add(&q,
             " GROUP BY ct.customer_id, ct.currency),"
             " pc AS (SELECT a.customer_id, a.currency, a.contracts, a.due AS outstanding,"
             " COALESCE(b.d0_30, 0) AS d0_30, COALESCE(b.d31_60, 0) AS d31_60,"
             " COALESCE(b.d61_90, 0) AS d61_90, COALESCE(b.d90, 0) + a.base AS d90_plus FROM pa a"
             " LEFT JOIN pb b ON b.customer_id = a.customer_id AND b.currency = a.currency),"
             " pco AS (SELECT customer_id, currency, contracts, outstanding, outstanding - d0_30 -"
             " d31_60 - d61_90 - d90_plus AS not_due, d0_30, d31_60, d61_90, d90_plus, d0_30 +"
             " d31_60 + d61_90 + d90_plus AS overdue FROM pc)"
             " SELECT * FROM (SELECT 0 AS total_row, p.customer_id, cu.name AS customer_name,"
             " p.currency, p.contracts, p.outstanding, p.not_due, p.d0_30, p.d31_60, p.d61_90,"
             " p.d90_plus, p.overdue FROM pco p JOIN customers cu ON cu.id = p.customer_id"
             " ORDER BY p.overdue DESC, p.outstanding DESC, p.customer_id LIMIT ?) t"
             " UNION ALL SELECT 1, NULL, NULL, currency, CAST(SUM(contracts) AS BIGINT),"
             " CAST(SUM(outstanding) AS BIGINT), CAST(SUM(not_due) AS BIGINT),"
             " CAST(SUM(d0_30) AS BIGINT), CAST(SUM(d31_60) AS BIGINT), CAST(SUM(d61_90) AS"
             " BIGINT), CAST(SUM(d90_plus) AS BIGINT), CAST(SUM(overdue) AS BIGINT) FROM pco"
             " GROUP BY currency",
             DBP(DBI(limit)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = json_array(), *totals = json_array();
    int64_t customers = 0;
    for (int i = 0; i < res.nrows; i++) {
        json_t *o = db_row_json(&res, i);
        bool total = db_get_int(&res, i, "total_row") != 0;
        json_object_del(o, "total_row");
        if (total) {
            json_object_del(o, "customer_id");
            json_object_del(o, "customer_name");
            json_array_append_new(totals, o);
        } else {
            customers++;
            json_array_append_new(items, o);
        }
    }
    return reply_json(r, 200,
                      json_pack("{s:s, s:[s,s,s,s,s], s:o, s:o}", "as_of", as_of, "buckets",
                                "not_due", "d0_30", "d31_60", "d61_90", "d90_plus", "items", items,
                                "totals", totals));
}

/* GET /receivables?customer_id=&owner_id=&group=contract|customer — per
 * contract (newest first, keyset pages; contracts that took effect: open,
 * completed or terminated) or per customer and currency (what the open
 * contracts still owe, most due first, the first `limit`). Overdue: unpaid
 * of what was due before today. */
static int h_list(req *r)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *group = req_query(r, "group");
    bool by_customer = group && strcmp(group, "customer") == 0;
    if (group && *group && !by_customer && strcmp(group, "contract"))
        return reply_problem(r, 400, "bad_request", "group must be contract or customer");
    const char *today = products_today(r->db, &r->a);
    sqlq q;
    if (by_customer) {
        sqlq_init(&q, &r->a,
                  R_PA ", CAST(SUM(ct.grand_total) AS BIGINT) AS grand_total, CAST(SUM(ct.invoiced)"
                       " AS BIGINT) AS invoiced, CAST(SUM(ct.received) AS BIGINT) AS received,"
                       " CAST(SUM(ct.refunded) AS BIGINT) AS refunded, CAST(SUM(ct.returned_value)"
                       " AS BIGINT) AS returned_value FROM contracts ct WHERE" OWING);
        if (owing_filters(r, &q) < 0) return 0;
        sqlq_add(&q, " GROUP BY ct.customer_id, ct.currency)," R_PB, DBP0);
        sqlq_add(&q, R_SUM("1 = 1") " AS overdue" R_FROM OWING " AND " R_DAY " < ?",
                 DBP(DBS(today)));
        if (owing_filters(r, &q) < 0) return 0;
        sqlq_add(&q,
                 " GROUP BY ct.customer_id, ct.currency) SELECT a.customer_id, cu.name AS"
                 " customer_name, a.currency, a.contracts, a.grand_total, a.invoiced, a.received,"
                 " a.refunded, a.returned_value, a.due, COALESCE(b.overdue, 0) + a.base AS overdue"
                 " FROM pa a JOIN customers cu ON cu.id = a.customer_id LEFT JOIN pb b ON"
                 " b.customer_id = a.customer_id AND b.currency = a.currency ORDER BY a.due DESC,"
                 " a.customer_id LIMIT ?",
                 DBP(DBI(limit)));
        db_res res;
        int rc = sqlq_run(r->db, &q, &res);
        if (rc < 0) return reply_db_error(r, rc);
        return reply_json(r, 200,
                          json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
    }
    /* the page of contracts first, then the schedule of those alone */
    sqlq_init(&q, &r->a, "WITH ");
    if (policy_scope(&r->me) == SCOPE_OWN) {
        /* a salesperson's few contracts among many: the candidates of the
         * page are the newest of each way the policy's list filter lets
         * them see a contract (their own, their managed owners', their
         * customers'), each from its index; the filter below still decides
         * (a plan over the filter alone, whose id list the planner cannot
         * size, may read every contract) */
        const char *ways[] = {
            "ct.owner_id = ?",
            /* asked first, once: whether they manage a department at all */
            arena_printf(
                &r->a,
                "EXISTS (SELECT 1 FROM departments WHERE manager_id = ?) AND ct.owner_id IN"
                " (%s)",
                POLICY_MANAGED_OWNERS_SQL),
            "ct.customer_id IN (SELECT id FROM customers WHERE owner_id = ?)"};
        db_val me = DBI(r->me.id), mgr = DBI(policy_manager_id(&r->me));
        sqlq_add(&q, "cand AS (", DBP0);
        for (int k = 0; k < 3; k++) {
            sqlq_add(&q,
                     arena_printf(&r->a,
                                  "%sSELECT id FROM (SELECT ct.id FROM contracts ct WHERE %s AND"
                                  " ct.state IN " LISTED,
                                  k ? " UNION " : "", ways[k]),
                     k == 1 ? 2 : 1, k == 1 ? (db_val[]){mgr, mgr} : (db_val[]){me});
            if (id_filters(r, &q) < 0) return 0;
            if (cursor) sqlq_add(&q, " AND ct.id < ?", DBP(DBI(cursor)));
            sqlq_add(&q, arena_printf(&r->a, " ORDER BY ct.id DESC LIMIT ?) c%d", k),
                     DBP(DBI(limit + 1)));
        }
        sqlq_add(&q, "), ", DBP0);
    }
    sqlq_add(&q, "pg AS (SELECT ct.id FROM contracts ct WHERE ct.state IN " LISTED, DBP0);
    if (policy_scope(&r->me) == SCOPE_OWN)
        sqlq_add(&q, " AND ct.id IN (SELECT id FROM cand)", DBP0);
    if (id_filters(r, &q) < 0) return 0;
    policy_contract_filter(&r->me, &q);
    if (cursor) sqlq_add(&q, " AND ct.id < ?", DBP(DBI(cursor)));
    sqlq_add(&q,
             " ORDER BY ct.id DESC LIMIT ?), pc AS (SELECT ct.id, ct.number, ct.customer_id,"
             " ct.owner_id, ct.state, ct.currency, ct.grand_total, ct.invoiced, ct.received,"
             " ct.refunded, ct.returned_value, ct.grand_total - ct.returned_value - ct.received"
             " AS due, ct.received + ct.returned_value AS covered, ",
             DBP(DBI(limit + 1)));
    sqlq_add(
        &q,
        SCHED
        " AS s0 FROM pg JOIN contracts ct ON ct.id = pg.id LEFT JOIN"
        " contract_instalments i ON i.contract_id = ct.id GROUP BY ct.id, ct.number,"
        " ct.customer_id, ct.owner_id, ct.state, ct.currency, ct.grand_total,"
        " ct.invoiced, ct.received, ct.refunded, ct.returned_value, ct.effective_at)"
        " SELECT pc.id, pc.number, pc.customer_id, cu.name AS customer_name,"
        " pc.owner_id, u.name AS owner_name, pc.state, pc.currency, pc.grand_total,"
        " pc.invoiced, pc.received, pc.refunded, pc.returned_value, pc.due, CAST(" UNPAID(
            "pc.s0") " AS BIGINT) AS overdue FROM pc JOIN customers cu ON cu.id ="
                     " pc.customer_id LEFT JOIN users u ON u.id = pc.owner_id ORDER BY pc.id DESC",
        DBP(DBS(today), DBS(today)));
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

const route receivables_routes[] = {
    {"GET", "/api/v1/receivables", h_list, "finance.read", 0,
     QUERY(
         "page customer_id=id owner_id=id group=contract|customer") "Receivables of the contracts "
                                                                    "you may see: per contract "
                                                                    "(newest first) or what each"
                                                                    " customer still owes",
     NULL},
    {"GET", "/api/v1/receivables/ageing", h_ageing, "finance.read", 0,
     QUERY(
         "as_of=date customer_id=id owner_id=id limit=int") "Overdue ageing: the outstanding "
                                                            "amounts in buckets of 0-30, 31-60, "
                                                            "61-90 and 90+ days"
                                                            " overdue, per customer (most overdue "
                                                            "first) and in total per currency",
     NULL},
    ROUTES_END,
};
