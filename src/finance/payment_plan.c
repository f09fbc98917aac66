/* payment_plan.c — a contract's payment plan (GET / PUT
 * /contracts/{id}/payment-plan): instalments with due dates whose sum never
 * exceeds the contract's grand total, each with a reminder (a task) for the
 * contract's owner on its due date; a PUT replaces the plan and its
 * reminders. The contract's owner (contract write access) or finance
 * (finance.write) sets it. The GET shows what is paid of each instalment,
 * the payments applied in due-date order. */
#include "finance/finance_int.h"
#include "core/audit.h"
#include "core/money.h"
#include "core/policy_quotations.h"
#include "base/util.h"
#include "customers/followups.h"
#include "http/http.h"
#include "http/record.h"
#include "products/products.h"
#include <stdlib.h>
#include <string.h>

/* The plan as the API shows it (caller owns): each instalment with its
 * paid and unpaid parts and whether it is overdue today. */
static json_t *plan_json(db_conn *c, arena *a, int64_t id)
{
    fin_contract ct;
    if (fin_contract_load(c, a, id, &ct) != 0) return NULL;
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT id, seq, due_date, amount, note, reminder_id FROM contract_instalments"
                 " WHERE contract_id = ? ORDER BY due_date, seq",
                 DBP(DBI(id))) < 0)
        return NULL;
    const char *today = products_today(c, a);
    json_t *items = db_rows_json(&r), *o;
    int64_t covered = ct.received + ct.returned_value, planned = 0, overdue = 0;
    size_t i;
    json_array_foreach(items, i, o)
    {
        int64_t amt = json_integer_value(json_object_get(o, "amount"));
        int64_t paid = covered <= 0 ? 0 : covered >= amt ? amt : covered;
        covered -= paid;
        planned += amt;
        const char *due = json_string_value(json_object_get(o, "due_date"));
        const char *st = paid == amt                       ? "paid"
                         : today && strcmp(due, today) < 0 ? "overdue"
                         : paid > 0                        ? "partly_paid"
                                                           : "open";
        if (paid < amt && today && strcmp(due, today) < 0) overdue += amt - paid;
        json_object_set_new(o, "paid", json_integer(paid));
        json_object_set_new(o, "unpaid", json_integer(amt - paid));
        json_object_set_new(o, "state", json_string(st));
    }
    return json_pack("{s:I, s:s, s:I, s:s, s:I, s:I, s:I, s:I, s:o}", "contract_id", (json_int_t)id,
                     "number", ct.number, "version", (json_int_t)ct.version, "currency",
                     ct.currency, "grand_total", (json_int_t)ct.grand_total, "planned",
                     (json_int_t)planned, "unplanned", (json_int_t)(ct.grand_total - planned),
                     "overdue", (json_int_t)overdue, "instalments", items);
}

static int h_get(req *r)
{
    int64_t id = fin_contract_need(r);
    if (id < 0) return 0;
    json_t *o = plan_json(r->db, &r->a, id);
    if (!o) return reply_not_found(r);
    return reply_json(r, 200, o);
}

static int by_due(const void *x, const void *y)
{
    const fin_plan_item *a = x, *b = y;
    int c = strcmp(a->due, b->due);
    return c ? c : a->idx - b->idx;
}

static const field item_spec[] = {{"due_date", F_STR, F_REQ, 10, 10},
                                  {"amount", F_INT, F_REQ, FIN_MONEY_MAX, 1},
                                  {"note", F_STR, F_NULL, 500, 0},
                                  FIELDS_END};

/* Reads the instalments of the body, sorted by due date; errors to errs. */
static fin_plan_item *read_plan(req *r, int *n, int64_t *sum, json_t *errs)
{
    json_t *arr = json_object_get(r->in, "instalments");
    *n = (int)json_array_size(arr);
    *sum = 0;
    fin_plan_item *v = arena_alloc(&r->a, (size_t)(*n ? *n : 1) * sizeof *v);
    for (int i = 0; i < *n; i++) {
        json_t *o = json_array_get(arr, (size_t)i);
        char prefix[48];
        snprintf(prefix, sizeof prefix, "instalments[%d].", i);
        if (!json_is_object(o)) {
            json_array_append_new(errs, field_error(arena_printf(&r->a, "instalments[%d]", i),
                                                    "invalid_type", "must be an object"));
            continue;
        }
        size_t before = json_array_size(errs);
        input_check_obj(o, item_spec, prefix, errs);
        if (json_array_size(errs) > before) continue;
        v[i].idx = i;
        v[i].due = json_string_value(json_object_get(o, "due_date"));
        v[i].note = json_string_value(json_object_get(o, "note"));
        if (!v[i].note) v[i].note = "";
        v[i].amount = json_integer_value(json_object_get(o, "amount"));
        if (!products_date_ok(v[i].due) || strcmp(v[i].due, "2000-01-01") < 0)
            json_array_append_new(errs, field_error(arena_printf(&r->a, "%sdue_date", prefix),
                                                    "invalid", "must be a date 2026-12-31"));
        *sum += v[i].amount; /* each at most FIN_MONEY_MAX, at most FIN_PLAN_MAX of them */
    }
    if (!json_array_size(errs)) qsort(v, (size_t)*n, sizeof *v, by_due);
    return v;
}

/* Drops the plan's instalments and their reminders (not yet done). */
static int drop_plan(db_conn *c, arena *a, int64_t id, int64_t actor)
{
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT reminder_id FROM contract_instalments WHERE contract_id = ? AND"
                      " reminder_id IS NOT NULL",
                      DBP(DBI(id)));
    if (rc < 0) return rc;
    rc = db_exec(c, "DELETE FROM contract_instalments WHERE contract_id = ?", DBP(DBI(id)));
    for (int i = 0; rc >= 0 && i < r.nrows; i++) {
        int64_t rid = db_get_int(&r, i, "reminder_id");
        rc = db_exec(c, "DELETE FROM reminders WHERE id = ?", DBP(DBI(rid)));
        if (rc > 0) rc = audit_record(c, actor, "reminder", rid, "delete", NULL, NULL);
    }
    return rc < 0 ? rc : 0;
}

/* Whether instalment j (seq j + 1) comes before i in due-date order, ties
 * by seq: the order of cum_before and is_last (033_instalment_schedule.sql). */
static bool plan_before(const fin_plan_item *v, int j, int i)
{
    int d = strcmp(v[j].due, v[i].due);
    return d < 0 || (d == 0 && j < i);
}

int fin_plan_write(db_conn *c, arena *a, const fin_contract *ct, const fin_plan_item *v, int n,
                   int64_t actor)
{
    int rc = drop_plan(c, a, ct->id, actor);
    for (int i = 0; rc >= 0 && i < n; i++) {
        /* where it stands in the plan: what comes before it, and whether
         * it is the last (at most FIN_PLAN_MAX instalments) */
        int64_t before = 0;
        bool last = true;
        for (int j = 0; j < n; j++) {
            if (j == i) continue;
            if (plan_before(v, j, i))
                before += v[j].amount;
            else
                last = false;
        }
        char amt[48];
        if (money_format(amt, sizeof amt, v[i].amount) < 0) amt[0] = 0;
        const char *title = arena_printf(a, "回款 Payment due: %s %d/%d %s %s", ct->number, i + 1,
                                         n, ct->currency, amt);
        /* 09:00 in China on the due date */
        const char *due_at = arena_printf(a, "%sT01:00:00Z", v[i].due);
        int64_t rid = 0;
        rc = reminder_insert(c, a, ct->owner_id, ct->customer_id, "task", title, v[i].note, due_at,
                             &rid);
        if (rc >= 0)
            rc = db_exec(c,
                         "INSERT INTO contract_instalments(contract_id, seq, due_date, amount,"
                         " note, reminder_id, cum_before, is_last) VALUES (?, ?, ?, ?, ?, ?, ?,"
                         " ?)",
                         DBP(DBI(ct->id), DBI(i + 1), DBS(v[i].due), DBI(v[i].amount),
                             DBS(v[i].note), DBI(rid), DBI(before), DBB(last)));
    }
    return rc < 0 ? rc : 0;
}

static int h_put(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"instalments", F_ARR, F_REQ, FIN_PLAN_MAX, 0},
                                 FIELDS_END};
    tf_access acc;
    int64_t id = record_need(r, ACCESS_READ, policy_contract_access, &acc);
    if (id < 0) return 0;
    if (acc < ACCESS_WRITE && !policy_allows(&r->me, "finance.write")) return reply_forbidden(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int n;
    int64_t sum;
    fin_plan_item *v = read_plan(r, &n, &sum, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    int rc = db_begin(r->db);
    fin_contract ct;
    if (rc == 0) rc = fin_contract_load(r->db, &r->a, id, &ct);
    if (rc == 1) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_not_found(r);
    }
    if (rc < 0) goto fail;
    static const char *const open[] = {"draft", "in_approval", "effective", "fulfilling", NULL};
    bool ok = false;
    for (int i = 0; open[i]; i++)
        if (strcmp(open[i], ct.state) == 0) ok = true;
    if (!ok) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_problem(r, 409, "conflict", "a contract that is %s takes no payment plan",
                             ct.state);
    }
    if (ct.version != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(errs);
        return reply_conflict_version(r, ct.version);
    }
    if (sum > ct.grand_total) {
        db_rollback(r->db);
        char a1[48], a2[48];
        money_format(a1, sizeof a1, sum);
        money_format(a2, sizeof a2, ct.grand_total);
        json_array_append_new(
            errs,
            field_error("instalments", "above_total",
                        arena_printf(&r->a, "come to %s, more than the contract's grand total %s",
                                     a1, a2)));
        return reply_invalid(r, errs);
    }
    json_t *before = plan_json(r->db, &r->a, id);
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(r->db,
                 "UPDATE contracts SET version = version + 1, updated_at = ? WHERE id = ? AND"
                 " version = ?",
                 DBP(DBS(now), DBI(id), DBI(ct.version)));
    if (rc == 0) {
        db_rollback(r->db);
        json_decref(before);
        json_decref(errs);
        return reply_conflict_version(r, ct.version);
    }
    if (rc > 0) rc = fin_plan_write(r->db, &r->a, &ct, v, n, r->me.id);
    json_t *after = rc >= 0 ? plan_json(r->db, &r->a, id) : NULL;
    if (rc >= 0) rc = audit_record(r->db, r->me.id, "contract", id, "payment_plan", before, after);
    json_decref(before);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        json_decref(after);
        goto fail;
    }
    json_decref(errs);
    return reply_json(r, 200, after);
fail:
    db_rollback(r->db);
    json_decref(errs);
    return reply_db_error(r, rc);
}

#define PLAN_SCHEMA                                                                                \
    "{\"type\":\"object\",\"required\":[\"version\",\"instalments\"],\"properties\":{\"version\":" \
    "{\"type\":\"integer\",\"description\":\"the contract's version\"},\"instalments\":{\"type\":" \
    "\"array\",\"maxItems\":60,\"items\":{\"type\":\"object\",\"required\":[\"due_date\","         \
    "\"amount\"],\"properties\":{\"due_date\":{\"type\":\"string\",\"format\":\"date\"},"          \
    "\"amount\":{\"type\":\"integer\",\"minimum\":1},\"note\":{\"type\":[\"string\",\"null\"]}}}}" \
    "}}"

const route payment_plan_routes[] = {
    {"GET", "/api/v1/contracts/{id}/payment-plan", h_get, "contracts.read", 0,
     "A contract's payment plan: instalments with due dates and what is paid of each", NULL},
    {"PUT", "/api/v1/contracts/{id}/payment-plan", h_put, "contracts.read", 0,
     REPLIES("409") "Replace a contract's payment plan and its reminders (the contract's owner or"
                    " finance)",
     PLAN_SCHEMA},
    ROUTES_END,
};
