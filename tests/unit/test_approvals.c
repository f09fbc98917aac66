/* test_approvals.c — unit tests of the approvals engine (core/approvals.c) on
 * a real SQLite file: flows, snapshots, manager resolution through the
 * department tree, amount thresholds, decisions, versions, double
 * submission, cancel, and rollback when the module's on_decided refuses.
 * With TF_PG_URL set (a throw-away cluster, see tests/pg.sh) the same tests
 * run on PostgreSQL instead; each test then empties the public schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/approvals.h"
#include "base/log.h"
#include "db/db.h"
#include "testdb.h"

/* Users and departments seeded in every fresh database:
 *   HQ (1, manager boss) ── Sales East (2, manager mgr) ── Team A (3, no manager)
 * Ids are fixed by insertion order. */
enum { U_ADMIN = 1, U_BOSS, U_MGR, U_SP, U_FIN, U_FIN2, U_GONE, U_SP2 };
enum { D_HQ = 1, D_EAST, D_TEAM };

static const principal P_ADMIN = {.id = U_ADMIN,
                                  .login = "admin",
                                  .name = "Admin",
                                  .locale = "en",
                                  .role = ROLE_ADMIN,
                                  .department_id = D_HQ};
static const principal P_BOSS = {.id = U_BOSS,
                                 .login = "boss",
                                 .name = "Boss",
                                 .locale = "en",
                                 .role = ROLE_SALES_MANAGER,
                                 .department_id = D_HQ};
static const principal P_MGR = {.id = U_MGR,
                                .login = "mgr",
                                .name = "Manager",
                                .locale = "en",
                                .role = ROLE_SALES_MANAGER,
                                .department_id = D_EAST};
static const principal P_SP = {.id = U_SP,
                               .login = "sp",
                               .name = "Seller",
                               .locale = "en",
                               .role = ROLE_SALESPERSON,
                               .department_id = D_TEAM};
static const principal P_FIN = {.id = U_FIN,
                                .login = "fin",
                                .name = "Finance",
                                .locale = "en",
                                .role = ROLE_FINANCE,
                                .department_id = D_HQ};
static const principal P_FIN2 = {.id = U_FIN2,
                                 .login = "fin2",
                                 .name = "Finance 2",
                                 .locale = "en",
                                 .role = ROLE_FINANCE,
                                 .department_id = D_HQ};
static const principal P_SP2 = {.id = U_SP2,
                                .login = "sp2",
                                .name = "Seller 2",
                                .locale = "en",
                                .role = ROLE_SALESPERSON,
                                .department_id = D_TEAM};

/* The test module: records every outcome in test_outcomes; when fail_next is
 * set it writes its row and then refuses (saying why), so a rollback must
 * undo the row. */
static bool fail_next;

static int test_on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome,
                           int64_t actor_id, const char **why)
{
    (void)a;
    int rc = db_exec(c, "INSERT INTO test_outcomes (doc_id, outcome, actor_id) VALUES (?, ?, ?)",
                     DBP(DBI(doc_id), DBS(outcome), DBI(actor_id)));
    if (rc < 0) return rc;
    if (fail_next) {
        fail_next = false;
        *why = "the test document refuses";
        return -99;
    }
    return 0;
}

static const approval_doc_type TEST_DOC = {"test_doc", "Test document", "测试单据", test_on_decided,
                                           NULL};

static int setup(void **state)
{
    fx *f = fx_open("approvals");
    if (!f) return -1;
    static const char *const seed[] = {
        "CREATE TABLE test_outcomes (doc_id BIGINT, outcome TEXT, actor_id BIGINT)",
        "INSERT INTO departments (name, parent_id, created_at) VALUES ('HQ', NULL, 'now')",
        "INSERT INTO departments (name, parent_id, created_at) VALUES ('Sales East', 1, 'now')",
        "INSERT INTO departments (name, parent_id, created_at) VALUES ('Team A', 2, 'now')",
        "INSERT INTO users (login, name, password_hash, role, department_id, active, created_at,"
        " updated_at) VALUES"
        " ('admin', 'Admin', 'x', 'admin', 1, TRUE, 'now', 'now'),"
        " ('boss', 'Boss', 'x', 'sales_manager', 1, TRUE, 'now', 'now'),"
        " ('mgr', 'Manager', 'x', 'sales_manager', 2, TRUE, 'now', 'now'),"
        " ('sp', 'Seller', 'x', 'salesperson', 3, TRUE, 'now', 'now'),"
        " ('fin', 'Finance', 'x', 'finance', 1, TRUE, 'now', 'now'),"
        " ('fin2', 'Finance 2', 'x', 'finance', 1, TRUE, 'now', 'now'),"
        " ('gone', 'Gone', 'x', 'finance', 1, FALSE, 'now', 'now'),"
        " ('sp2', 'Seller 2', 'x', 'salesperson', 3, TRUE, 'now', 'now')",
        "UPDATE departments SET manager_id = 2 WHERE id = 1",
        "UPDATE departments SET manager_id = 3 WHERE id = 2",
    };
    for (size_t i = 0; i < sizeof(seed) / sizeof(seed[0]); i++)
        exec_ok(f, seed[i], DBP0);
    fail_next = false;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* Helpers ------------------------------------------------------------------ */

typedef struct step_def {
    const char *kind, *role;
    int64_t user_id, min_amount;
} step_def;

static int64_t add_flow(fx *f, const char *doc_type, bool active, int n, const step_def *steps)
{
    db_res r;
    int rc = db_query(f->c, &f->a, &r,
                      "INSERT INTO approval_flows (doc_type, name, active, created_at, updated_at)"
                      " VALUES (?, 'flow', ?, 'now', 'now') RETURNING id",
                      DBP(DBS(doc_type), DBB(active)));
    assert_int_equal(rc, 1);
    int64_t id = db_get_int(&r, 0, "id");
    for (int i = 0; i < n; i++)
        exec_ok(f,
                "INSERT INTO approval_steps (flow_id, seq, kind, role, user_id, min_amount)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                DBP(DBI(id), DBI(i + 1), DBS(steps[i].kind), DBS(steps[i].role),
                    steps[i].user_id ? DBI(steps[i].user_id) : DBNULL, DBI(steps[i].min_amount)));
    return id;
}

/* Submits in its own transaction, committed on success, rolled back if not. */
static int submit(fx *f, int64_t doc_id, int64_t amount, int64_t applicant, int64_t *rid, bool *now)
{
    int64_t rid_l = 0;
    bool now_l = false;
    assert_int_equal(db_begin(f->c), 0);
    int rc =
        approvals_submit(f->c, &f->a, "test_doc", doc_id, "Doc", amount, applicant, &rid_l, &now_l);
    if (rc == 0)
        assert_int_equal(db_commit(f->c), 0);
    else
        db_rollback(f->c);
    if (rid) *rid = rid_l;
    if (now) *now = now_l;
    return rc;
}

static int decide(fx *f, int64_t rid, const principal *who, bool approve, const char *comment,
                  int64_t version)
{
    assert_int_equal(db_begin(f->c), 0);
    int rc = approvals_decide(f->c, &f->a, rid, who, approve, comment, version);
    if (rc == 0)
        assert_int_equal(db_commit(f->c), 0);
    else
        db_rollback(f->c);
    return rc;
}

static int cancel(fx *f, int64_t rid, const principal *who, int64_t version)
{
    assert_int_equal(db_begin(f->c), 0);
    int rc = approvals_cancel(f->c, &f->a, rid, who, "withdrawn", version);
    if (rc == 0)
        assert_int_equal(db_commit(f->c), 0);
    else
        db_rollback(f->c);
    return rc;
}

static approval_request load(fx *f, int64_t rid)
{
    approval_request q;
    assert_int_equal(approvals_load(f->c, &f->a, rid, &q), 0);
    return q;
}

static int64_t count(fx *f, const char *sql, int64_t arg)
{
    int64_t n = -1;
    assert_int_equal(db_scalar_int(f->c, &n, -1, sql, DBP(DBI(arg))), 0);
    return n;
}

static int64_t outcomes(fx *f, int64_t doc_id)
{
    return count(f, "SELECT COUNT(*) FROM test_outcomes WHERE doc_id = ?", doc_id);
}

static const char *outcome_of(fx *f, int64_t doc_id)
{
    db_res r;
    int rc =
        db_query(f->c, &f->a, &r, "SELECT outcome, actor_id FROM test_outcomes WHERE doc_id = ?",
                 DBP(DBI(doc_id)));
    assert_true(rc >= 0);
    return r.nrows == 1 ? db_get_text(&r, 0, "outcome") : NULL;
}

static int64_t audits(fx *f, int64_t rid)
{
    return count(f,
                 "SELECT COUNT(*) FROM audit_log WHERE entity = 'approval_request'"
                 " AND entity_id = ?",
                 rid);
}

static int64_t actions(fx *f, int64_t rid)
{
    return count(f, "SELECT COUNT(*) FROM approval_actions WHERE request_id = ?", rid);
}

/* Tests ---------------------------------------------------------------------- */

static void test_single_step_role_approve(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    int64_t flow = add_flow(f, "test_doc", true, 1, steps), rid;
    bool now;
    assert_int_equal(submit(f, 10, 5000, U_SP, &rid, &now), 0);
    assert_false(now);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "pending");
    assert_int_equal(q.flow_id, flow);
    assert_int_equal(q.current_step, 1);
    assert_string_equal(q.approver_role, "finance");
    assert_int_equal(q.current_user_id, 0);
    assert_int_equal(q.version, 1);
    assert_int_equal(q.amount, 5000);
    assert_int_equal(json_array_size(q.steps), 1);
    assert_true(approvals_may_decide(&q, &P_FIN));
    assert_true(approvals_may_decide(&q, &P_FIN2));
    assert_false(approvals_may_decide(&q, &P_SP));
    assert_true(approvals_may_view(f->c, &q, &P_FIN));
    assert_true(approvals_may_view(f->c, &q, &P_SP));
    assert_false(approvals_may_view(f->c, &q, &P_SP2));
    approvals_request_free(&q);
    assert_int_equal(outcomes(f, 10), 0);

    assert_int_equal(decide(f, rid, &P_FIN, true, "ok", 1), 0);
    q = load(f, rid);
    assert_string_equal(q.state, "approved");
    assert_int_equal(q.version, 2);
    assert_int_equal(q.current_step, 0);
    assert_non_null(q.decided_at);
    assert_false(approvals_may_decide(&q, &P_FIN));
    approvals_request_free(&q);
    assert_string_equal(outcome_of(f, 10), "approved");
    assert_int_equal(count(f, "SELECT actor_id FROM test_outcomes WHERE doc_id = ?", 10), U_FIN);
    assert_int_equal(actions(f, rid), 1);
    assert_int_equal(audits(f, rid), 2);
}

static void test_two_steps_manager_from_tree(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"manager", NULL, 0, 0}, {"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 2, steps);
    int64_t rid, rid2, rid3;
    /* Team A has no manager: the next one up (Sales East: mgr) approves. */
    assert_int_equal(submit(f, 20, 100, U_SP, &rid, NULL), 0);
    approval_request q = load(f, rid);
    assert_int_equal(json_array_size(q.steps), 2);
    assert_int_equal(q.current_user_id, U_MGR);
    assert_null(q.approver_role);
    assert_false(approvals_may_decide(&q, &P_BOSS)); /* a manager, but not this one */
    approvals_request_free(&q);

    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 1), APPR_EFORBIDDEN); /* not yet */
    assert_int_equal(decide(f, rid, &P_MGR, true, NULL, 1), 0);
    q = load(f, rid);
    assert_string_equal(q.state, "pending");
    assert_int_equal(q.current_step, 2);
    assert_string_equal(q.approver_role, "finance");
    assert_int_equal(q.current_user_id, 0);
    assert_int_equal(q.version, 2);
    approvals_request_free(&q);
    assert_int_equal(outcomes(f, 20), 0);
    assert_int_equal(decide(f, rid, &P_MGR, true, NULL, 2), APPR_EFORBIDDEN); /* step moved on */
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 2), 0);
    q = load(f, rid);
    assert_string_equal(q.state, "approved");
    approvals_request_free(&q);
    assert_string_equal(outcome_of(f, 20), "approved");
    assert_int_equal(actions(f, rid), 2);

    /* The manager's own request goes to his manager (HQ: boss), not to him. */
    assert_int_equal(submit(f, 21, 100, U_MGR, &rid2, NULL), 0);
    q = load(f, rid2);
    assert_int_equal(q.current_user_id, U_BOSS);
    approvals_request_free(&q);

    /* Nobody above boss: the step goes to the administrators. */
    assert_int_equal(submit(f, 22, 100, U_BOSS, &rid3, NULL), 0);
    q = load(f, rid3);
    assert_int_equal(q.current_user_id, 0);
    assert_string_equal(q.approver_role, "admin");
    assert_true(json_is_true(json_object_get(json_array_get(q.steps, 0), "escalated")));
    assert_true(approvals_may_decide(&q, &P_ADMIN));
    assert_false(approvals_may_decide(&q, &P_BOSS));
    approvals_request_free(&q);
}

static void test_min_amount_threshold(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "sales_manager", 0, 0},
                                     {"role", "finance", 0, 100000}};
    add_flow(f, "test_doc", true, 2, steps);
    int64_t small, edge;
    assert_int_equal(submit(f, 30, 99999, U_SP, &small, NULL), 0);
    approval_request q = load(f, small);
    assert_int_equal(json_array_size(q.steps), 1);
    approvals_request_free(&q);
    assert_int_equal(decide(f, small, &P_MGR, true, NULL, 1), 0);
    assert_string_equal(outcome_of(f, 30), "approved");

    /* the step applies from min_amount up, inclusive */
    assert_int_equal(submit(f, 31, 100000, U_SP, &edge, NULL), 0);
    q = load(f, edge);
    assert_int_equal(json_array_size(q.steps), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(q.steps, 1), "min_amount")),
                     100000);
    approvals_request_free(&q);
    assert_int_equal(decide(f, edge, &P_MGR, true, NULL, 1), 0);
    assert_int_equal(outcomes(f, 31), 0);
    assert_int_equal(decide(f, edge, &P_FIN, true, NULL, 2), 0);
    assert_string_equal(outcome_of(f, 31), "approved");
}

static void test_reject_with_comment(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}, {"role", "admin", 0, 0}};
    add_flow(f, "test_doc", true, 2, steps);
    int64_t rid;
    assert_int_equal(submit(f, 40, 100, U_SP, &rid, NULL), 0);
    assert_int_equal(decide(f, rid, &P_FIN, false, NULL, 1), APPR_EINVAL);
    assert_int_equal(decide(f, rid, &P_FIN, false, "  \n", 1), APPR_EINVAL);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "pending");
    assert_int_equal(q.version, 1);
    approvals_request_free(&q);

    /* rejecting at the first of two steps finishes the request at once */
    assert_int_equal(decide(f, rid, &P_FIN, false, "price too low", 1), 0);
    q = load(f, rid);
    assert_string_equal(q.state, "rejected");
    assert_int_equal(q.current_step, 0);
    assert_int_equal(q.version, 2);
    approvals_request_free(&q);
    assert_string_equal(outcome_of(f, 40), "rejected");
    db_res r;
    assert_int_equal(db_query(f->c, &f->a, &r,
                              "SELECT decision, comment, actor_id, step_seq FROM approval_actions"
                              " WHERE request_id = ?",
                              DBP(DBI(rid))),
                     1);
    assert_string_equal(db_get_text(&r, 0, "decision"), "reject");
    assert_string_equal(db_get_text(&r, 0, "comment"), "price too low");
    assert_int_equal(db_get_int(&r, 0, "actor_id"), U_FIN);
    assert_int_equal(db_get_int(&r, 0, "step_seq"), 1);
    /* finished: nothing moves it any more, even with the right version */
    assert_int_equal(decide(f, rid, &P_ADMIN, true, NULL, 2), APPR_ESTATE);
    assert_int_equal(cancel(f, rid, &P_SP, 2), APPR_ESTATE);
    assert_int_equal(outcomes(f, 40), 1);
}

static void test_wrong_approver_refused(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"user", NULL, U_FIN, 0}};
    add_flow(f, "test_doc", true, 1, steps);
    int64_t rid, rid2;
    assert_int_equal(submit(f, 50, 100, U_SP, &rid, NULL), 0);
    assert_int_equal(decide(f, rid, &P_FIN2, true, NULL, 1), APPR_EFORBIDDEN); /* same role */
    assert_int_equal(decide(f, rid, &P_SP, true, NULL, 1), APPR_EFORBIDDEN);   /* applicant */
    assert_int_equal(decide(f, rid, &P_MGR, false, "no", 1), APPR_EFORBIDDEN);
    assert_int_equal(cancel(f, rid, &P_FIN, 1), APPR_EFORBIDDEN); /* only the applicant */
    assert_int_equal(actions(f, rid), 0);
    assert_int_equal(audits(f, rid), 1);
    approval_request q = load(f, rid);
    assert_int_equal(q.version, 1);
    assert_false(approvals_may_view(f->c, &q, &P_FIN2));
    assert_true(approvals_may_view(f->c, &q, &P_ADMIN));
    approvals_request_free(&q);
    /* admins may always decide */
    assert_int_equal(decide(f, rid, &P_ADMIN, true, NULL, 1), 0);
    assert_string_equal(outcome_of(f, 50), "approved");

    /* A role step never lets the applicant approve their own request. */
    static const step_def fin_steps[] = {{"role", "finance", 0, 0}};
    exec_ok(f, "UPDATE approval_flows SET active = FALSE", DBP0);
    add_flow(f, "test_doc", true, 1, fin_steps);
    assert_int_equal(submit(f, 51, 100, U_FIN, &rid2, NULL), 0);
    assert_int_equal(decide(f, rid2, &P_FIN, true, NULL, 1), APPR_EFORBIDDEN);
    assert_int_equal(decide(f, rid2, &P_FIN2, true, NULL, 1), 0);

    /* A named user who left (inactive) cannot block a request: admins get it. */
    static const step_def gone_steps[] = {{"user", NULL, U_GONE, 0}};
    exec_ok(f, "UPDATE approval_flows SET active = FALSE", DBP0);
    add_flow(f, "test_doc", true, 1, gone_steps);
    int64_t rid3;
    assert_int_equal(submit(f, 52, 100, U_SP, &rid3, NULL), 0);
    q = load(f, rid3);
    assert_string_equal(q.approver_role, "admin");
    assert_int_equal(q.current_user_id, 0);
    approvals_request_free(&q);
}

static void test_stale_version_refused(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}, {"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 2, steps);
    int64_t rid;
    assert_int_equal(submit(f, 60, 100, U_SP, &rid, NULL), 0);
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 2), APPR_ESTALE);
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 1), 0);
    /* fin2 read version 1 too: a second approval of the same step must lose */
    assert_int_equal(decide(f, rid, &P_FIN2, true, NULL, 1), APPR_ESTALE);
    assert_int_equal(cancel(f, rid, &P_SP, 1), APPR_ESTALE);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "pending");
    assert_int_equal(q.current_step, 2);
    assert_int_equal(q.version, 2);
    approvals_request_free(&q);
    assert_int_equal(actions(f, rid), 1);
    assert_int_equal(decide(f, rid, &P_FIN2, true, NULL, 2), 0);
    assert_string_equal(outcome_of(f, 60), "approved");
}

static void test_double_submission_refused(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 1, steps);
    int64_t rid, rid2 = 0;
    assert_int_equal(submit(f, 70, 100, U_SP, &rid, NULL), 0);
    assert_int_equal(submit(f, 70, 100, U_SP2, &rid2, NULL), APPR_EPENDING);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM approval_requests WHERE doc_id = ?", 70), 1);
    /* another document of the same type is fine */
    assert_int_equal(submit(f, 71, 100, U_SP, &rid2, NULL), 0);

    /* The partial unique index is what makes the loser of a race fail: a
     * second pending row for the same document cannot exist. */
    assert_int_equal(db_begin(f->c), 0);
    int rc = db_exec(f->c,
                     "INSERT INTO approval_requests (doc_type, doc_id, title, applicant_id, state,"
                     " steps_json, created_at) VALUES ('test_doc', 70, 'x', 4, 'pending', '[]',"
                     " 'now')",
                     DBP0);
    db_rollback(f->c);
    assert_int_equal(rc, DB_EUNIQUE);

    /* once decided, the document may be submitted again */
    assert_int_equal(decide(f, rid, &P_FIN, false, "redo", 1), 0);
    assert_int_equal(submit(f, 70, 100, U_SP, &rid2, NULL), 0);
    assert_int_not_equal(rid2, rid);
}

/* A second connection racing the test's own: it starts while the first
 * transaction is still open and must lose cleanly once that one commits. */
typedef struct racer {
    fx *f;
    int64_t doc_id, request_id;
    bool decide;
    int rc;
} racer;

static void *race(void *arg)
{
    racer *x = arg;
    char err[256];
    arena a;
    arena_init(&a);
    db_conn *c = db_acquire(x->f->d, err, sizeof(err));
    x->rc = 1;
    if (c && db_begin(c) == 0) {
        int64_t rid;
        bool now;
        x->rc = x->decide
                    ? approvals_decide(c, &a, x->request_id, &P_FIN2, true, NULL, 1)
                    : approvals_submit(c, &a, "test_doc", x->doc_id, "Doc", 100, U_SP2, &rid, &now);
        if (x->rc == 0)
            db_commit(c);
        else
            db_rollback(c);
    }
    db_release(c);
    arena_free(&a);
    return NULL;
}

static void test_concurrent_losers_get_clear_errors(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 1, steps);
    int64_t rid;
    bool now;
    pthread_t th;

    /* two submissions of one document */
    racer x = {f, 120, 0, false, 1};
    assert_int_equal(db_begin(f->c), 0);
    assert_int_equal(approvals_submit(f->c, &f->a, "test_doc", 120, "Doc", 100, U_SP, &rid, &now),
                     0);
    assert_int_equal(pthread_create(&th, NULL, race, &x), 0);
    usleep(300 * 1000); /* let the racer reach its lock wait */
    assert_int_equal(db_commit(f->c), 0);
    pthread_join(th, NULL);
    assert_int_equal(x.rc, APPR_EPENDING);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM approval_requests WHERE doc_id = ?", 120), 1);

    /* two approvals of the same step, both holding version 1 */
    racer y = {f, 120, rid, true, 1};
    assert_int_equal(db_begin(f->c), 0);
    assert_int_equal(approvals_decide(f->c, &f->a, rid, &P_FIN, true, NULL, 1), 0);
    assert_int_equal(pthread_create(&th, NULL, race, &y), 0);
    usleep(300 * 1000);
    assert_int_equal(db_commit(f->c), 0);
    pthread_join(th, NULL);
    /* the loser learns the request is decided (not merely "stale"), on
     * either engine: SQLite's loser reads after the winner's commit, the
     * PostgreSQL one finds its UPDATE's row changed under it */
    assert_int_equal(y.rc, APPR_ESTATE);
    assert_int_equal(actions(f, rid), 1);
    assert_int_equal(outcomes(f, 120), 1);
}

static void test_no_flow_approved_at_once(void **state)
{
    fx *f = *state;
    int64_t rid;
    bool now = false;
    assert_int_equal(submit(f, 80, 100, U_SP, &rid, &now), 0);
    assert_true(now);
    assert_true(rid > 0);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "approved");
    assert_int_equal(q.current_step, 0);
    assert_int_equal(q.flow_id, 0);
    assert_non_null(q.decided_at);
    approvals_request_free(&q);
    assert_string_equal(outcome_of(f, 80), "approved");
    assert_int_equal(count(f, "SELECT actor_id FROM test_outcomes WHERE doc_id = ?", 80), 0);

    /* an inactive flow does not count */
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    add_flow(f, "test_doc", false, 1, steps);
    assert_int_equal(submit(f, 81, 100, U_SP, &rid, &now), 0);
    assert_true(now);
    /* an active flow whose every step is above the amount: approved at once */
    static const step_def big[] = {{"role", "finance", 0, 1000000}};
    add_flow(f, "test_doc", true, 1, big);
    assert_int_equal(submit(f, 82, 999999, U_SP, &rid, &now), 0);
    assert_true(now);
    assert_string_equal(outcome_of(f, 82), "approved");
    assert_int_equal(submit(f, 83, 1000000, U_SP, &rid, &now), 0);
    assert_false(now);
    assert_int_equal(outcomes(f, 83), 0);
}

static void test_snapshot_survives_flow_edit(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    int64_t flow = add_flow(f, "test_doc", true, 1, steps), rid, rid2;
    assert_int_equal(submit(f, 90, 100, U_SP, &rid, NULL), 0);
    /* the administrator replaces the steps with two others */
    exec_ok(f, "DELETE FROM approval_steps WHERE flow_id = ?", DBP(DBI(flow)));
    exec_ok(f,
            "INSERT INTO approval_steps (flow_id, seq, kind, role, user_id, min_amount)"
            " VALUES (?, 1, 'user', NULL, ?, 0), (?, 2, 'role', 'warehouse', NULL, 0)",
            DBP(DBI(flow), DBI(U_BOSS), DBI(flow)));
    approval_request q = load(f, rid);
    assert_int_equal(json_array_size(q.steps), 1);
    assert_string_equal(q.approver_role, "finance");
    approvals_request_free(&q);
    assert_int_equal(decide(f, rid, &P_BOSS, true, NULL, 1), APPR_EFORBIDDEN);
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 1), 0);
    assert_string_equal(outcome_of(f, 90), "approved");
    /* new submissions follow the edited flow */
    assert_int_equal(submit(f, 91, 100, U_SP, &rid2, NULL), 0);
    q = load(f, rid2);
    assert_int_equal(json_array_size(q.steps), 2);
    assert_int_equal(q.current_user_id, U_BOSS);
    approvals_request_free(&q);
}

static void test_on_decided_error_rolls_back(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    int64_t flow = add_flow(f, "test_doc", true, 1, steps), rid;
    assert_int_equal(submit(f, 100, 100, U_SP, &rid, NULL), 0);
    fail_next = true;
    assert_int_equal(decide(f, rid, &P_FIN, true, "fine", 1), APPR_ECALLBACK);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "pending");
    assert_int_equal(q.version, 1);
    assert_int_equal(q.current_step, 1);
    assert_null(q.decided_at);
    approvals_request_free(&q);
    /* the document's reason comes back to who decides */
    const char *why = "x";
    fail_next = true;
    assert_int_equal(db_begin(f->c), 0);
    assert_int_equal(approvals_decide_why(f->c, &f->a, rid, &P_FIN, true, "fine", 1, &why),
                     APPR_ECALLBACK);
    db_rollback(f->c);
    assert_string_equal(why, "the test document refuses");
    assert_int_equal(actions(f, rid), 0);
    assert_int_equal(audits(f, rid), 1);   /* only the submission */
    assert_int_equal(outcomes(f, 100), 0); /* the module's own write is gone too */
    /* and it can be decided afterwards */
    assert_int_equal(decide(f, rid, &P_FIN, true, "fine", 1), 0);
    assert_string_equal(outcome_of(f, 100), "approved");

    /* The same when approval at submission is refused: no request remains. */
    exec_ok(f, "UPDATE approval_flows SET active = FALSE WHERE id = ?", DBP(DBI(flow)));
    fail_next = true;
    assert_int_equal(submit(f, 101, 100, U_SP, NULL, NULL), APPR_ECALLBACK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM approval_requests WHERE doc_id = ?", 101), 0);
    assert_int_equal(outcomes(f, 101), 0);
}

static void test_cancel_by_applicant(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 1, steps);
    int64_t rid;
    assert_int_equal(submit(f, 110, 100, U_SP, &rid, NULL), 0);
    assert_int_equal(cancel(f, rid, &P_ADMIN, 1), APPR_EFORBIDDEN);
    assert_int_equal(cancel(f, rid, &P_SP, 1), 0);
    approval_request q = load(f, rid);
    assert_string_equal(q.state, "cancelled");
    assert_int_equal(q.version, 2);
    approvals_request_free(&q);
    assert_string_equal(outcome_of(f, 110), "cancelled");
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 2), APPR_ESTATE);
}

/* What an approver sees with a request: the context kept at submission,
 * the named people of each step, the director above a step's manager, and
 * who decided last (for "already decided by X at T"). */
static void test_context_deciders_and_directors(void **state)
{
    fx *f = *state;
    static const step_def steps[] = {{"manager", NULL, 0, 0}, {"role", "finance", 0, 0}};
    add_flow(f, "test_doc", true, 2, steps);
    int64_t rid = 0;
    bool now = true;
    assert_int_equal(db_begin(f->c), 0);
    assert_int_equal(approvals_submit(f->c, &f->a, "test_doc", 70, "Doc", 0, U_SP, &rid, &now), 0);
    assert_int_equal(
        approvals_set_context(f->c, rid, "near my office", "customer", 5, "Acme", false), 0);
    assert_int_equal(db_commit(f->c), 0);

    approval_request q = load(f, rid);
    assert_string_equal(q.reason, "near my office");
    assert_string_equal(q.subject_type, "customer");
    assert_int_equal(q.subject_id, 5);
    assert_string_equal(q.subject_name, "Acme");
    assert_false(q.has_amount);
    /* step 1: the applicant's manager by name (Team A has none: Sales East's) */
    json_t *d = approvals_deciders(f->c, &f->a, &q, 1);
    assert_non_null(d);
    assert_int_equal(json_array_size(d), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "id")), U_MGR);
    assert_string_equal(json_string_value(json_object_get(json_array_get(d, 0), "name")),
                        "Manager");
    json_decref(d);
    /* step 2: the active finance users (not the disabled one) */
    d = approvals_deciders(f->c, &f->a, &q, 2);
    assert_int_equal(json_array_size(d), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 0), "id")), U_FIN);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(d, 1), "id")), U_FIN2);
    json_decref(d);

    /* boss manages HQ, above Sales East whose manager decides step 1 */
    assert_true(approvals_is_below(f->c, &P_BOSS, U_MGR));
    assert_false(approvals_is_below(f->c, &P_BOSS, U_BOSS));
    assert_false(approvals_is_below(f->c, &P_MGR, U_MGR));
    assert_false(approvals_is_below(f->c, &P_MGR, U_BOSS));
    assert_false(approvals_is_below(f->c, &P_SP2, U_MGR));
    assert_true(approvals_may_view(f->c, &q, &P_BOSS));
    assert_false(approvals_may_view(f->c, &q, &P_SP2));
    /* ... read-only: the director may not decide the manager's step */
    assert_false(approvals_may_decide(&q, &P_BOSS));
    assert_int_equal(decide(f, rid, &P_BOSS, true, NULL, 1), APPR_EFORBIDDEN);
    approvals_request_free(&q);

    approval_action last;
    assert_int_equal(approvals_last_action(f->c, &f->a, rid, &last), 0);
    assert_int_equal(decide(f, rid, &P_MGR, true, "ok", 1), 0);
    assert_int_equal(approvals_last_action(f->c, &f->a, rid, &last), 1);
    assert_int_equal(last.actor_id, U_MGR);
    assert_string_equal(last.actor_name, "Manager");
    assert_string_equal(last.decision, "approve");
    assert_non_null(last.at);
    /* a finance user who read version 1: the request moved on a step */
    assert_int_equal(decide(f, rid, &P_FIN, true, NULL, 1), APPR_ESTALE);
    assert_int_equal(decide(f, rid, &P_FIN, false, "no budget", 2), 0);
    /* fin2 read version 2 as well: decided already, whatever the version */
    assert_int_equal(decide(f, rid, &P_FIN2, true, NULL, 2), APPR_ESTATE);
    assert_int_equal(decide(f, rid, &P_FIN2, true, NULL, 3), APPR_ESTATE);
    assert_int_equal(approvals_last_action(f->c, &f->a, rid, &last), 1);
    assert_int_equal(last.actor_id, U_FIN);
    assert_string_equal(last.decision, "reject");
    assert_string_equal(last.comment, "no budget");
}

static void test_state_table_and_guards(void **state)
{
    fx *f = *state;
    assert_string_equal(approvals_transition("", APPR_EV_SUBMIT), "pending");
    assert_string_equal(approvals_transition("", APPR_EV_AUTO_APPROVE), "approved");
    assert_string_equal(approvals_transition("pending", APPR_EV_APPROVE_STEP), "pending");
    assert_string_equal(approvals_transition("pending", APPR_EV_APPROVE_LAST), "approved");
    assert_string_equal(approvals_transition("pending", APPR_EV_REJECT), "rejected");
    assert_string_equal(approvals_transition("pending", APPR_EV_CANCEL), "cancelled");
    assert_null(approvals_transition("approved", APPR_EV_REJECT));
    assert_null(approvals_transition("rejected", APPR_EV_APPROVE_LAST));
    assert_null(approvals_transition("cancelled", APPR_EV_CANCEL));
    assert_null(approvals_transition("pending", APPR_EV_SUBMIT));

    /* built-in types are known without a module; unknown ones are refused */
    assert_non_null(approvals_doc_type("quotation"));
    assert_non_null(approvals_doc_type("return"));
    assert_null(approvals_doc_type("nonsense"));
    int64_t rid;
    bool now;
    assert_int_equal(db_begin(f->c), 0);
    assert_int_equal(approvals_submit(f->c, &f->a, "nonsense", 1, "x", 0, U_SP, &rid, &now),
                     APPR_EDOCTYPE);
    /* a built-in type without callbacks is decided all the same */
    assert_int_equal(approvals_submit(f->c, &f->a, "contract", 1, "x", 0, U_SP, &rid, &now), 0);
    assert_true(now);
    assert_int_equal(db_commit(f->c), 0);
    /* the engine refuses to write outside a transaction */
    assert_true(approvals_submit(f->c, &f->a, "contract", 2, "x", 0, U_SP, &rid, &now) < 0);
    assert_true(approvals_decide(f->c, &f->a, rid, &P_ADMIN, true, NULL, 0) < 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM approval_requests WHERE doc_id = ?", 2), 0);
    assert_int_equal(decide(f, 99999, &P_ADMIN, true, NULL, 1), APPR_ENOTFOUND);
}

int main(void)
{
    tf_log_quiet = 1;
    approvals_register(&TEST_DOC);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_single_step_role_approve, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_steps_manager_from_tree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_min_amount_threshold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reject_with_comment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_approver_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_version_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_double_submission_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_losers_get_clear_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_flow_approved_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_survives_flow_edit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_on_decided_error_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel_by_applicant, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_table_and_guards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_context_deciders_and_directors, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
