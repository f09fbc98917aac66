/* gross_profit.c — gross profit on what was delivered:
 * GET /contracts/{id}/gross-profit (per product of the lines in force:
 * revenue = the net excl. tax of the goods delivered less the net of the
 * goods returned; cost = the cost of the goods delivered at delivery time
 * less the cost of those returned; profit and margin, and the totals; the
 * lines' net beside, for what is still to deliver) and GET
 * /reports/gross-profit?from=&to=&group=owner|department|month (the
 * contracts signed in the period that are effective, being fulfilled or
 * completed, summed per salesperson, the salesperson's department or month
 * of signing, through the policy module's contract filter). The delivered
 * net is computed once, at delivery time (deliveries.c), and kept in
 * contract_goods beside the returned net and the costs, and their sums on
 * the contract (migration 037): both replies sum stored integers. Revenue
 * is in the contract's currency and turned into yuan at the contract's rate
 * (costs are in yuan); the report is one set-based statement over the
 * contracts, grouped also by rate so that every conversion and rounding
 * happens once, in core/money. */
#include "goods/goods.h"
#include "core/money.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include "http/record.h"
#include "products/products.h"
#include <string.h>

#define RATE_ONE 1000000LL

/* Profit and margin (basis points of the revenue; null without revenue). */
static void put_profit(json_t *o, int64_t revenue_cny, int64_t cost)
{
    int64_t profit = revenue_cny - cost, bp = 0;
    json_object_set_new(o, "profit", json_integer(profit));
    json_object_set_new(o, "margin_bp",
                        revenue_cny > 0 && money_ratio(profit, 10000, revenue_cny, &bp) == 0
                            ? json_integer(bp)
                            : json_null());
}

/* GET /contracts/{id}/gross-profit */
static int h_contract(req *r)
{
    int64_t cid = record_need(r, ACCESS_READ, policy_contract_access, NULL);
    if (cid < 0) return 0;
    db_res h, res;
    int rc = db_query(r->db, &r->a, &h,
                      "SELECT id, number, currency, rate_micro, net, returned_value FROM"
                      " contracts WHERE id = ?",
                      DBP(DBI(cid)));
    if (rc <= 0) return rc < 0 ? reply_db_error(r, rc) : reply_not_found(r);
    int64_t rate = db_get_int(&h, 0, "rate_micro");
    rc = db_query(r->db, &r->a, &res,
                  "SELECT w.product_id, p.code AS product_code, p.name AS product_name, p.unit,"
                  " w.qty_milli, w.net, COALESCE(g.delivered_milli, 0) AS delivered_milli,"
                  " COALESCE(g.delivered_net, 0) AS delivered_net,"
                  " COALESCE(g.returned_milli, 0) AS returned_milli, COALESCE(g.returned_net,"
                  " 0) AS returned_net, COALESCE(g.delivered_cost, 0) AS delivered_cost,"
                  " COALESCE(g.returned_cost, 0) AS returned_cost FROM (SELECT l.product_id,"
                  " CAST(SUM(l.qty_milli) AS BIGINT) AS qty_milli, CAST(SUM(l.net) AS BIGINT)"
                  " AS net, MIN(l.seq) AS seq FROM contracts ct JOIN doc_lines l ON l.doc_type"
                  " = 'contract' AND l.doc_id = ct.id AND l.revision = ct.revision WHERE ct.id"
                  " = ? GROUP BY l.product_id) w JOIN products p ON p.id = w.product_id LEFT"
                  " JOIN contract_goods g ON g.contract_id = ? AND g.product_id = w.product_id"
                  " ORDER BY w.seq",
                  DBP(DBI(cid), DBI(cid)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *lines = json_array();
    int64_t t_net = 0, t_dnet = 0, t_rnet = 0, t_rev = 0, t_rev_cny = 0, t_cost = 0, t_dcost = 0,
            t_rcost = 0;
    for (int i = 0; i < res.nrows; i++) {
        json_t *o = db_row_json(&res, i);
        int64_t net = db_get_int(&res, i, "net"), dnet = db_get_int(&res, i, "delivered_net"),
                rnet = db_get_int(&res, i, "returned_net"),
                dcost = db_get_int(&res, i, "delivered_cost"),
                rcost = db_get_int(&res, i, "returned_cost"), rev_cny = 0;
        int64_t rev = dnet - rnet, cost = dcost - rcost;
        if (money_ratio(rev, rate, RATE_ONE, &rev_cny) < 0) rev_cny = 0;
        json_object_set_new(o, "revenue", json_integer(rev));
        json_object_set_new(o, "revenue_cny", json_integer(rev_cny));
        json_object_set_new(o, "cost", json_integer(cost));
        put_profit(o, rev_cny, cost);
        json_array_append_new(lines, o);
        t_net += net;
        t_dnet += dnet;
        t_rnet += rnet;
        t_rev += rev;
        t_rev_cny += rev_cny;
        t_cost += cost;
        t_dcost += dcost;
        t_rcost += rcost;
    }
    json_t *tot = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "net", (json_int_t)t_net,
                            "delivered_net", (json_int_t)t_dnet, "returned_net", (json_int_t)t_rnet,
                            "revenue", (json_int_t)t_rev, "revenue_cny", (json_int_t)t_rev_cny,
                            "delivered_cost", (json_int_t)t_dcost, "returned_cost",
                            (json_int_t)t_rcost, "cost", (json_int_t)t_cost);
    put_profit(tot, t_rev_cny, t_cost);
    return reply_json(r, 200,
                      json_pack("{s:I, s:s, s:s, s:I, s:o, s:o}", "contract_id", (json_int_t)cid,
                                "number", db_get_text(&h, 0, "number"), "currency",
                                db_get_text(&h, 0, "currency"), "rate_micro", (json_int_t)rate,
                                "lines", lines, "totals", tot));
}

typedef struct gp_row {
    const char *key;
    int64_t contracts, net_cny, dnet_cny, rnet_cny, cost;
} gp_row;

static gp_row *find_row(arena *a, gp_row **rows, int *n, int *cap, const char *key)
{
    for (int i = 0; i < *n; i++)
        if (strcmp((*rows)[i].key, key) == 0) return &(*rows)[i];
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 32;
        gp_row *nr = arena_alloc(a, (size_t)nc * sizeof *nr);
        if (*n) memcpy(nr, *rows, (size_t)*n * sizeof *nr);
        *rows = nr;
        *cap = nc;
    }
    gp_row *g = &(*rows)[(*n)++];
    memset(g, 0, sizeof *g);
    g->key = arena_strdup(a, key);
    return g;
}

static const char *const KEYS[] = {"owner", "department", "month"};
static const char *const KEY_SQL[] = {
    "SELECT CAST(ct.owner_id AS TEXT) AS k, ct.rate_micro AS rate,",
    "SELECT CAST(COALESCE(ou.department_id, 0) AS TEXT) AS k, ct.rate_micro AS rate,",
    "SELECT SUBSTR(ct.sign_date, 1, 7) AS k, ct.rate_micro AS rate,",
};

/* The sums over the contracts of the period the user sees. */
static int run_sum(req *r, int g, const char *what, const char *from, const char *to, db_res *out)
{
    sqlq q;
    sqlq_init(&q, &r->a, KEY_SQL[g]);
    sqlq_add(&q, what, DBP0);
    sqlq_add(&q, " FROM contracts ct", DBP0);
    if (g == 1) sqlq_add(&q, " LEFT JOIN users ou ON ou.id = ct.owner_id", DBP0);
    sqlq_add(&q,
             " WHERE ct.sign_date >= ? AND ct.sign_date <= ? AND ct.state IN ('effective',"
             " 'fulfilling', 'completed')",
             DBP(DBS(from), DBS(to)));
    policy_contract_filter(&r->me, &q);
    sqlq_add(&q, " GROUP BY 1, 2", DBP0);
    return sqlq_run(r->db, &q, out);
}

/* GET /reports/gross-profit?from=&to=&group= */
static int h_report(req *r)
{
    const char *from = req_query(r, "from"), *to = req_query(r, "to"),
               *group = req_query(r, "group");
    json_t *errs = json_array();
    if (!from || !*from) from = arena_printf(&r->a, "%.4s-01-01", products_today(r->db, &r->a));
    if (!to || !*to) to = products_today(r->db, &r->a);
    if (!group || !*group) group = "owner";
    int g = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(group, KEYS[i]) == 0) g = i;
    if (!products_date_ok(from))
        json_array_append_new(errs, field_error("from", "invalid", "must be a date YYYY-MM-DD"));
    if (!products_date_ok(to))
        json_array_append_new(errs, field_error("to", "invalid", "must be a date YYYY-MM-DD"));
    if (g < 0)
        json_array_append_new(
            errs, field_error("group", "invalid", "must be owner, department or month"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    db_res res;
    int rc = run_sum(r, g,
                     " COUNT(*) AS n, CAST(SUM(ct.net) AS BIGINT) AS net,"
                     " CAST(SUM(ct.delivered_net) AS BIGINT) AS dnet, CAST(SUM(ct.returned_net)"
                     " AS BIGINT) AS rnet, CAST(SUM(ct.delivered_cost - ct.returned_cost) AS"
                     " BIGINT) AS cost",
                     from, to, &res);
    if (rc < 0) return reply_db_error(r, rc);
    gp_row *rows = NULL;
    int n = 0, cap = 0;
    for (int i = 0; i < res.nrows; i++) {
        gp_row *x = find_row(&r->a, &rows, &n, &cap, db_get_text(&res, i, "k"));
        int64_t v = 0, rate = db_get_int(&res, i, "rate");
        money_ratio(db_get_int(&res, i, "net"), rate, RATE_ONE, &v);
        x->net_cny += v;
        x->contracts += db_get_int(&res, i, "n");
        v = 0;
        money_ratio(db_get_int(&res, i, "dnet"), rate, RATE_ONE, &v);
        x->dnet_cny += v;
        v = 0;
        money_ratio(db_get_int(&res, i, "rnet"), rate, RATE_ONE, &v);
        x->rnet_cny += v;
        x->cost += db_get_int(&res, i, "cost");
    }
    json_t *items = json_array();
    gp_row t = {.key = ""};
    for (int i = 0; i < n; i++) {
        gp_row *x = &rows[i];
        json_t *o =
            json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "key", x->key, "contracts",
                      (json_int_t)x->contracts, "net", (json_int_t)x->net_cny, "delivered_net",
                      (json_int_t)x->dnet_cny, "returned_net", (json_int_t)x->rnet_cny, "revenue",
                      (json_int_t)(x->dnet_cny - x->rnet_cny), "cost", (json_int_t)x->cost);
        put_profit(o, x->dnet_cny - x->rnet_cny, x->cost);
        int64_t id = 0;
        db_res nm;
        const char *name = x->key;
        if (g != 2 && tf_parse_i64(x->key, &id) &&
            db_query(r->db, &r->a, &nm,
                     g == 0 ? "SELECT name FROM users WHERE id = ?"
                            : "SELECT name FROM departments WHERE id = ?",
                     DBP(DBI(id))) > 0)
            name = db_get_text(&nm, 0, "name");
        else if (g == 1 && id == 0)
            name = "";
        json_object_set_new(o, "id", g == 2 ? json_null() : json_integer(id));
        json_object_set_new(o, "name", json_string(name));
        json_array_append_new(items, o);
        t.contracts += x->contracts;
        t.net_cny += x->net_cny;
        t.dnet_cny += x->dnet_cny;
        t.rnet_cny += x->rnet_cny;
        t.cost += x->cost;
    }
    json_t *tot = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "contracts", (json_int_t)t.contracts,
                            "net", (json_int_t)t.net_cny, "delivered_net", (json_int_t)t.dnet_cny,
                            "returned_net", (json_int_t)t.rnet_cny, "revenue",
                            (json_int_t)(t.dnet_cny - t.rnet_cny), "cost", (json_int_t)t.cost);
    put_profit(tot, t.dnet_cny - t.rnet_cny, t.cost);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "from", from, "to", to, "group",
                                KEYS[g], "currency", "CNY", "items", items, "totals", tot));
}

const route gross_profit_routes[] = {
    {"GET", "/api/v1/contracts/{id}/gross-profit", h_contract, "finance.read", 0,
     "A contract's gross profit per product and in total: the net (excl. tax) of the goods"
     " delivered less returned, less their cost (at delivery time) less the returned cost",
     NULL},
    {"GET", "/api/v1/reports/gross-profit", h_report, "finance.read", 0,
     QUERY("from=date to=date group=owner|department|month")
         REPLIES("422") "Gross profit on the goods delivered (less returned) of the contracts "
                        "signed in a period,"
                        " per salesperson, department or month",
     NULL},
    ROUTES_END,
};
