/* quotation_rates.c — the currency rate table an administrator keeps
 * (/api/v1/currency-rates): yuan per unit of each foreign currency a
 * quotation may be written in (USD, EUR), in millionths. A quotation fixes
 * the rate it was written at (quotation_build.c), so a later change here
 * moves no quotation. */
#include "quotations/quotations.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include <string.h>

static json_t *rates_json(db_conn *c, arena *a)
{
    db_res r;
    json_t *items = json_array();
    static const char *const cur[] = {"USD", "EUR"};
    for (int i = 0; i < 2; i++) {
        json_t *o = json_pack("{s:s, s:n, s:n, s:n, s:n}", "currency", cur[i], "rate_micro",
                              "version", "updated_at", "updated_by_name");
        if (db_query(c, a, &r,
                     "SELECT cr.rate_micro, cr.version, cr.updated_at, u.name AS updated_by_name"
                     " FROM currency_rates cr LEFT JOIN users u ON u.id = cr.updated_by WHERE"
                     " cr.currency = ?",
                     DBP(DBS(cur[i]))) > 0) {
            json_t *row = db_row_json(&r, 0);
            json_object_update(o, row);
            json_decref(row);
        }
        json_array_append_new(items, o);
    }
    return json_pack("{s:o, s:n}", "items", items, "next_cursor");
}

static int h_rates_get(req *r)
{
    return reply_json(r, 200, rates_json(r->db, &r->a));
}

/* PUT /currency-rates/{currency} {"rate_micro"} */
static int h_rate_put(req *r)
{
    static const field spec[] = {{"rate_micro", F_INT, F_REQ, QUOTE_RATE_MAX, 1}, FIELDS_END};
    const char *cur = r->nparams > 0 ? r->params[0] : "";
    if (strcmp(cur, "USD") && strcmp(cur, "EUR"))
        return reply_invalid(r, json_pack("[o]", field_error("currency", "invalid",
                                                             "must be USD or EUR")));
    if (input_check(r, spec) < 0) return 0;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = rates_json(r->db, &r->a);
    rc = db_exec(r->db,
                 "INSERT INTO currency_rates(currency, rate_micro, updated_by, updated_at)"
                 " VALUES (?, ?, ?, ?) ON CONFLICT(currency) DO UPDATE SET rate_micro ="
                 " excluded.rate_micro, updated_by = excluded.updated_by, updated_at ="
                 " excluded.updated_at, version = currency_rates.version + 1",
                 DBP(DBS(cur), DBI(in_int(r, "rate_micro", 0)), DBI(r->me.id), DBS(now)));
    json_t *after = rates_json(r->db, &r->a);
    if (rc >= 0)
        rc = audit_record(r->db, r->me.id, "currency_rates", 0, "update",
                          json_object_get(before, "items"), json_object_get(after, "items"));
    json_decref(before);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

const route quotation_rates_routes[] = {
    {"GET", "/api/v1/currency-rates", h_rates_get, "quotations.read", 0,
     "The exchange rates quotations in USD and EUR are written at (yuan per unit, in"
     " millionths)",
     NULL},
    {"PUT", "/api/v1/currency-rates/{currency}", h_rate_put, "pricing.manage", 0,
     "Set the rate of a currency (yuan per unit, in millionths: 7.1234 is 7123400)",
     "{\"type\":\"object\",\"required\":[\"rate_micro\"],\"properties\":{\"rate_micro\":{"
     "\"type\":\"integer\",\"minimum\":1}}}"},
    ROUTES_END,
};
