/* applications.c — the list and single read of applications, shared by the
 * customer pool (customer_applications) and projects (project_applications):
 * who sees which application is decided here once, through the policy
 * module's user filter; and the common end of submitting one. Each module's
 * own checks before it and the decision callback stay with the module. */
#include "approvals/applications.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <string.h>

static const char *const app_states[] = {"pending", "approved", "rejected", "cancelled", "lost"};

int applications_list(req *r, const app_kind *k)
{
    int limit;
    int64_t cursor, sid = 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    const char *box = req_query(r, "box"), *state = req_query(r, "state");
    const char *subject = req_query(r, k->subject_param);
    if (!box || !*box) box = "mine";
    sqlq q;
    sqlq_init(&q, &r->a, k->select);
    sqlq_add(&q, " WHERE 1 = 1", 0, NULL);
    if (strcmp(box, "mine") == 0) {
        sqlq_add(&q, " AND a.applicant_id = ?", 1, (db_val[]){DBI(r->me.id)});
    } else if (strcmp(box, "all") == 0) {
        if (!k->allows(&r->me, k->assign_perm)) return reply_forbidden(r);
        policy_user_filter(&r->me, &q, "a.applicant_id");
    } else {
        return reply_problem(r, 400, "bad_request", "box must be mine or all");
    }
    if (state && *state) {
        bool ok = false;
        for (size_t i = 0; i < sizeof(app_states) / sizeof(app_states[0]); i++)
            ok |= strcmp(state, app_states[i]) == 0;
        if (!ok)
            return reply_problem(r, 400, "bad_request",
                                 "state must be pending, approved, rejected, cancelled or lost");
        sqlq_add(&q, " AND a.state = ?", 1, (db_val[]){DBS(state)});
    }
    if (subject && *subject) {
        if (!tf_parse_i64(subject, &sid) || sid < 1)
            return reply_problem(r, 400, "bad_request", "%s must be an id", k->subject_param);
        sqlq_add(&q, k->subject_cond, 1, (db_val[]){DBI(sid)});
    }
    sqlq_add(&q, " AND (? = 0 OR a.id < ?) ORDER BY a.id DESC LIMIT ?", 3,
             (db_val[]){DBI(cursor), DBI(cursor), DBI(limit + 1)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

int applications_get(req *r, const app_kind *k)
{
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    sqlq q;
    sqlq_init(&q, &r->a, k->select);
    sqlq_add(&q, " WHERE a.id = ?", 1, (db_val[]){DBI(id)});
    if (k->allows(&r->me, k->assign_perm))
        policy_user_filter(&r->me, &q, "a.applicant_id");
    else
        sqlq_add(&q, " AND a.applicant_id = ?", 1, (db_val[]){DBI(r->me.id)});
    db_res res;
    int rc = sqlq_run(r->db, &q, &res);
    if (rc < 0) return reply_db_error(r, rc);
    if (rc == 0) return reply_not_found(r);
    return reply_json(r, 200, db_row_json(&res, 0));
}

json_t *applications_json(db_conn *c, arena *a, const app_kind *k, int64_t id)
{
    sqlq q;
    sqlq_init(&q, a, k->select);
    sqlq_add(&q, " WHERE a.id = ?", 1, (db_val[]){DBI(id)});
    db_res res;
    if (sqlq_run(c, &q, &res) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static json_t *app_json(req *r, const app_kind *k, int64_t id)
{
    return applications_json(r->db, &r->a, k, id);
}

int applications_decided(db_conn *c, arena *a, const app_kind *k, int64_t doc_id,
                         int64_t actor_id, const char *state, const char *note, json_t *before)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c, k->decide_sql, DBP(DBS(state), DBS(note), DBS(now), DBI(doc_id)));
    if (rc == 0) return APP_EREFUSED;
    if (rc < 0) return rc;
    json_t *after = applications_json(c, a, k, doc_id);
    rc = audit_record(c, actor_id, k->doc_type, doc_id, state, before, after);
    json_decref(after);
    return rc < 0 ? rc : 0;
}

bool applications_can_view(db_conn *c, const principal *u, const app_kind *k, int64_t doc_id)
{
    int64_t applicant = 0;
    db_scalar_int(c, &applicant, 0, k->applicant_sql, DBP(DBI(doc_id)));
    if (!applicant) return false;
    return policy_is_manager_of(c, u->id, applicant) ||
           (k->allows(u, k->assign_perm) && policy_sees_owner(c, u, applicant));
}

int applications_submit(req *r, const app_kind *k, int64_t subject_id, const char *reason,
                        const char *title, int64_t amount)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int64_t app_id = 0, request_id = 0;
    bool approved_now = false;
    db_res ins;
    int rc = db_query(r->db, &r->a, &ins, k->insert_sql,
                      DBP(DBI(subject_id), DBI(r->me.id), DBS(reason), DBS(now)));
    if (rc == 0) rc = DB_ERR;
    if (rc == DB_EUNIQUE) { /* a concurrent application of the same user won */
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "you have already applied");
    }
    if (rc < 0) goto fail;
    app_id = db_get_int(&ins, 0, "id");
    json_t *created = app_json(r, k, app_id);
    rc = audit_record(r->db, r->me.id, k->doc_type, app_id, "create", NULL, created);
    /* the approver sees the reason and a link to the subject: "customer_id"
     * names the subject "customer", whose name the row has as customer_name */
    size_t kind_len = strlen(k->subject_param) - 3;
    const char *kind = arena_printf(&r->a, "%.*s", (int)kind_len, k->subject_param);
    const char *subject_name = arena_strdup(
        &r->a, json_string_value(json_object_get(created, arena_printf(&r->a, "%s_name", kind))));
    json_decref(created);
    if (rc < 0) goto fail;
    rc = approvals_submit(r->db, &r->a, k->doc_type, app_id, title, amount, r->me.id, &request_id,
                          &approved_now);
    if (rc == APPR_EPENDING) {
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "the application already awaits approval");
    }
    if (rc < 0) goto fail;
    /* an application has an amount when its subject has one (a project's) */
    rc = approvals_set_context(r->db, request_id, reason, kind, subject_id, subject_name,
                               amount > 0);
    if (rc < 0) goto fail;
    rc = db_exec(r->db, k->link_sql, DBP(DBI(request_id), DBI(app_id)));
    if (rc < 0 || (rc = db_commit(r->db)) < 0) goto fail;
    return reply_json(r, 201, app_json(r, k, app_id));
fail:
    db_rollback(r->db);
    if (rc <= APPR_ENOTFOUND && rc >= APPR_ECALLBACK)
        return reply_problem(r, 409, "conflict", "the application could not be submitted");
    return reply_db_error(r, rc);
}
