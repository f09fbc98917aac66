/* pool_batch.c — the managers' batches: assign customers (ids, or a filter
 * matching at most BATCH_MAX) to a salesperson, or take them back into the
 * pool, all or none, each move through pool_move() with the reason. */
#include "pool/customer_pool.h"
#include "customers/customers.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

#define BATCH_MAX  1000 /* customers per assign / take-back batch */
#define REASON_MAX 500  /* code points */

static int cmp_id(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The customer ids of a batch body, ascending: "ids" (deduplicated) or
 * "filter" (the customers the user sees that match). Field errors go to
 * errs. The ids live in r->a; returns their count. */
static int batch_ids(req *r, int64_t **out, json_t *errs)
{
    json_t *ids = json_object_get(r->in, "ids"), *f = json_object_get(r->in, "filter");
    *out = NULL;
    if ((ids && !json_is_null(ids)) == (f && !json_is_null(f))) {
        json_array_append_new(errs, field_error("ids", "required", "send either ids or filter"));
        return 0;
    }
    if (ids && !json_is_null(ids)) {
        size_t n = json_array_size(ids), i;
        int k = 0;
        if (n == 0) {
            json_array_append_new(errs, field_error("ids", "required", "may not be empty"));
            return 0;
        }
        int64_t *v = arena_alloc(&r->a, n * sizeof(int64_t));
        json_t *it;
        json_array_foreach(ids, i, it)
        {
            int64_t id = json_is_integer(it) ? (int64_t)json_integer_value(it) : 0;
            if (id < 1) {
                json_array_append_new(errs, field_error(arena_printf(&r->a, "ids[%zu]", i),
                                                        "invalid", "must be a customer id"));
                continue;
            }
            bool dup = false;
            for (int j = 0; j < k && !dup; j++)
                dup = v[j] == id;
            if (!dup) v[k++] = id;
        }
        /* one lock order for every batch: concurrent batches on PostgreSQL
         * wait for each other instead of deadlocking */
        qsort(v, (size_t)k, sizeof(int64_t), cmp_id);
        *out = v;
        return k;
    }
    char now[TF_TS_LEN];
    tf_now(now);
    sqlq q;
    sqlq_init(&q, &r->a, "SELECT c.id FROM customers c WHERE 1 = 1");
    policy_customer_filter(r->db, &r->me, &q, now);
    customer_filter cf;
    if (customer_filter_from_json(r, f, "filter.", &cf, errs) < 0) return 0;
    customer_filter_apply(r, &cf, &q);
    sqlq_add(&q, " ORDER BY c.id LIMIT ?", 1, (db_val[]){DBI(BATCH_MAX + 1)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return rc;
    if (rc > BATCH_MAX) {
        json_array_append_new(
            errs, field_error("filter", "too_many", "matches more than 1000 customers; narrow it"));
        return 0;
    }
    if (rc == 0) {
        json_array_append_new(errs, field_error("filter", "not_found", "matches no customer"));
        return 0;
    }
    int64_t *v = arena_alloc(&r->a, (size_t)rc * sizeof(int64_t));
    for (int i = 0; i < rc; i++)
        v[i] = db_get_int(&res, i, "id");
    *out = v;
    return rc;
}

static json_t *id_error(req *r, int64_t id, const char *code, const char *message)
{
    json_t *e = field_error(arena_printf(&r->a, "ids.%lld", (long long)id), code, message);
    json_object_set_new(e, "id", json_integer(id));
    return e;
}

/* assign and takeback share one shape: check every customer first (manage
 * access; the owner it would leave), then move them all in one transaction
 * or nothing. to == 0 means into the pool. */
static int batch_move(req *r, bool assign)
{
    static const field spec_assign[] = {{"ids", F_ARR, F_NULL, BATCH_MAX, 0},
                                        {"filter", F_OBJ, F_NULL, 0, 0},
                                        {"owner_id", F_INT, F_REQ, 0, 1},
                                        {"reason", F_STR, F_NULL, REASON_MAX, 0},
                                        FIELDS_END};
    static const field spec_takeback[] = {{"ids", F_ARR, F_NULL, BATCH_MAX, 0},
                                          {"filter", F_OBJ, F_NULL, 0, 0},
                                          {"reason", F_STR, F_REQ, REASON_MAX, 1},
                                          FIELDS_END};
    if (input_check(r, assign ? spec_assign : spec_takeback) < 0) return 0;
    int64_t to = assign ? in_int(r, "owner_id", 0) : 0;
    const char *reason = in_str(r, "reason");
    json_t *errs = json_array();
    if (assign && !policy_may_assign_to(r->db, &r->me, to))
        json_array_append_new(errs, field_error("owner_id", "invalid",
                                                "must be an active salesperson or manager you"
                                                " cover"));
    int64_t *ids = NULL;
    int n = batch_ids(r, &ids, errs), rc;
    if (n < 0) {
        json_decref(errs);
        return reply_db_error(r, n);
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    /* The checks read outside the write transaction (SQLite's write lock is
     * held by the moves only); each move then requires the version read
     * here, so a customer changed in between fails the batch with 409. */
    pool_row *rows = arena_alloc(&r->a, (size_t)n * sizeof(pool_row));
    for (int i = 0; i < n; i++) {
        tf_access acc = policy_customer_access(r->db, &r->me, ids[i]);
        if ((rc = pool_row_load(r->db, &r->a, ids[i], &rows[i])) < 0) {
            json_decref(errs);
            return reply_db_error(r, rc);
        }
        if (acc == ACCESS_NONE || !rows[i].found)
            json_array_append_new(errs, id_error(r, ids[i], "not_found", "no such customer"));
        else if (acc < ACCESS_MANAGE)
            json_array_append_new(errs, id_error(r, ids[i], "forbidden",
                                                 assign ? "you may not assign this customer"
                                                        : "you may not take this customer back"));
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    if ((rc = db_begin(r->db)) < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    json_t *moved = json_array(), *unchanged = json_array();
    for (int i = 0; i < n; i++) {
        if (rows[i].owner_id == to) {
            json_array_append_new(unchanged, json_integer(ids[i]));
            continue;
        }
        rc = pool_move(r->db, ids[i], rows[i].version, rows[i].owner_id, to,
                       assign ? "assign" : "takeback", reason, r->me.id);
        if (rc < 0) break;
        if (rc == 0) {
            json_array_append_new(
                errs, id_error(r, ids[i], "conflict", "changed meanwhile; nothing was moved"));
            break;
        }
        json_array_append_new(moved, json_integer(ids[i]));
    }
    if (rc >= 0 && json_array_size(errs) == 0) rc = db_commit(r->db);
    if (rc < 0 || json_array_size(errs)) {
        json_decref(moved);
        json_decref(unchanged);
        if (rc < 0) goto fail;
        db_rollback(r->db);
        return reply_problem_with(r, 409, "conflict",
                                  "a customer of the batch changed meanwhile; nothing was moved,"
                                  " try again",
                                  json_pack("{s:o}", "errors", errs));
    }
    json_decref(errs);
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o}", "moved", moved, "unchanged", unchanged,
                                "owner_id", to ? json_integer(to) : json_null()));
fail:
    db_rollback(r->db);
    json_decref(errs);
    return reply_db_error(r, rc);
}

/* POST /customers/assign {"ids" | "filter", "owner_id", "reason"?} */
static int h_pool_assign(req *r)
{
    return batch_move(r, true);
}

/* POST /customers/takeback {"ids" | "filter", "reason"} */
static int h_pool_takeback(req *r)
{
    return batch_move(r, false);
}

#define BATCH_PROPS                                                                                \
    "\"ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":1000},"             \
    "\"filter\":{\"type\":\"object\",\"description\":\"the filters of GET /customers: q, owner,"   \
    " level_id, industry_id, region_id, source_id, qualification_id, followup_method_id,"          \
    " protected, signed, created_from/_to, updated_from/_to, next_contact_before, cf.KEY[.min|"    \
    ".max|.from|.to]\"},\"reason\":{\"type\":\"string\",\"maxLength\":500}"

const route pool_batch_routes[] = {
    {"POST", "/api/v1/customers/assign", h_pool_assign, "customers.assign", 256 * 1024,
     "Assign customers (ids, or a filter matching at most 1000) to a salesperson, all or none",
     "{\"type\":\"object\",\"required\":[\"owner_id\"],\"properties\":{" BATCH_PROPS
     ",\"owner_id\":{\"type\":\"integer\"}}}"},
    {"POST", "/api/v1/customers/takeback", h_pool_takeback, "customers.assign", 256 * 1024,
     "Take customers (ids or a filter) back into the pool, all or none",
     "{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":{" BATCH_PROPS "}}"},
    ROUTES_END,
};
