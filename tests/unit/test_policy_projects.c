/* test_policy_projects.c — unit tests of core/policy_projects.c on the demo
 * company: the project permissions of each role, and that the two answers
 * the policy gives about a project always agree — the SQL filter every list
 * and board uses (policy_project_filter) selects exactly the projects whose
 * one-record answer (policy_project_access) is at least READ, for every demo
 * user and every project, also after members are added, a project is left
 * unassigned and one is moved to another owner. Who may override a gate
 * follows from the access. On SQLite, or on PostgreSQL with TF_PG_URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/demo.h"
#include "core/policy.h"
#include "db/sqlq.h"
#include "testdb.h"

static int setup(void **state)
{
    fx *f = fx_open("policy_projects");
    if (!f) return -1;
    FILE *devnull = fopen("/dev/null", "w");
    int rc = demo_load(f->d, "demo123", devnull);
    if (devnull) fclose(devnull);
    if (rc != 0) {
        fx_close(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_close(*state);
    return 0;
}

/* The demo user `login` as a signed-in principal. */
static principal who(fx *f, const char *login)
{
    db_res r;
    if (db_query(f->c, &f->a, &r,
                 "SELECT id, login, name, role, department_id FROM users WHERE login = ?",
                 DBP(DBS(login))) != 1)
        fail_msg("no demo user %s", login);
    principal p = {.id = db_get_int(&r, 0, "id"),
                   .login = db_get_text(&r, 0, "login"),
                   .name = db_get_text(&r, 0, "name"),
                   .locale = "en",
                   .department_id = db_get_int(&r, 0, "department_id")};
    assert_true(role_parse(db_get_text(&r, 0, "role"), &p.role));
    return p;
}

/* Every project id, and which of them the list filter shows u (seen[i]). */
static int visible(fx *f, const principal *u, int64_t *ids, bool *seen, int max)
{
    db_res all, vis;
    int n = db_query(f->c, &f->a, &all, "SELECT id FROM projects ORDER BY id", DBP0);
    assert_true(n > 0 && n <= max);
    sqlq q;
    sqlq_init(&q, &f->a, "SELECT p.id FROM projects p WHERE 1 = 1");
    policy_project_filter(u, &q);
    sqlq_add(&q, " ORDER BY p.id", 0, NULL);
    int m = sqlq_run(f->c, &q, &vis);
    assert_true(m >= 0);
    for (int i = 0, j = 0; i < n; i++) {
        ids[i] = db_get_int(&all, i, "id");
        seen[i] = j < m && db_get_int(&vis, j, "id") == ids[i];
        if (seen[i]) j++;
    }
    return n;
}

static const char *const LOGINS[] = {"admin", "wang", "li",  "huang", "zhang", "chen",
                                     "liu",   "zhao", "sun", "zhou",  "wu",    "zheng"};

/* For every demo user and project: the list shows it exactly when the
 * one-record access is READ or more. Returns how many (user, project)
 * pairs are visible, so a caller can tell the data was not trivial. */
static int check_agreement(fx *f)
{
    enum { MAX = 4096 };
    static int64_t ids[MAX];
    static bool seen[MAX];
    int pairs = 0;
    for (size_t k = 0; k < sizeof(LOGINS) / sizeof(LOGINS[0]); k++) {
        principal u = who(f, LOGINS[k]);
        int n = visible(f, &u, ids, seen, MAX);
        for (int i = 0; i < n; i++) {
            tf_access acc = policy_project_access(f->c, &u, ids[i]);
            if ((acc >= ACCESS_READ) != seen[i])
                fail_msg("%s, project %lld: list %s it, access is %d", LOGINS[k], (long long)ids[i],
                         seen[i] ? "shows" : "hides", (int)acc);
            pairs += seen[i];
        }
    }
    return pairs;
}

static void test_permissions_by_role(void **state)
{
    fx *f = *state;
    principal admin = who(f, "admin"), wang = who(f, "wang"), zhang = who(f, "zhang"),
              sun = who(f, "sun"), zhou = who(f, "zhou"), wu = who(f, "wu");
    assert_true(policy_project_allows(&zhang, "projects.create"));
    assert_true(policy_project_allows(&wang, "projects.create"));
    assert_true(policy_project_allows(&admin, "projects.create"));
    assert_false(policy_project_allows(&sun, "projects.create"));
    assert_false(policy_project_allows(&zhou, "projects.create"));
    assert_false(policy_project_allows(&wu, "projects.create"));
    assert_true(policy_project_allows(&wang, "projects.assign"));
    assert_false(policy_project_allows(&zhang, "projects.assign"));
    assert_true(policy_project_allows(&zhang, "projects.apply"));
    assert_false(policy_project_allows(&admin, "projects.apply"));
    assert_true(policy_project_allows(&wang, "projects.templates"));
    assert_false(policy_project_allows(&zhang, "projects.templates"));
    assert_false(policy_project_allows(&admin, "projects.nuke"));
    assert_false(policy_project_allows(&admin, NULL));
    principal anon = {0};
    assert_false(policy_project_allows(&anon, "projects.create"));
}

static void test_list_and_access_agree(void **state)
{
    fx *f = *state;
    int pairs = check_agreement(f);
    assert_true(pairs > 0);
}

/* A salesperson sees their own projects and the unassigned ones, not a
 * colleague's; made a member of the colleague's project, they see it with
 * WRITE access, and the list agrees; the colleague's manager may override
 * its gates, the salesperson may not. */
static void test_members_unassigned_and_moves(void **state)
{
    fx *f = *state;
    principal zhang = who(f, "zhang"), chen = who(f, "chen"), admin = who(f, "admin"),
              sun = who(f, "sun");
    db_res r;
    assert_int_equal(db_query(f->c, &f->a, &r,
                              "SELECT id FROM projects WHERE owner_id = ? ORDER BY id LIMIT 1",
                              DBP(DBI(chen.id))),
                     1);
    int64_t pid = db_get_int(&r, 0, "id");
    if (policy_project_access(f->c, &zhang, pid) == ACCESS_NONE) {
        exec_ok(f,
                "INSERT INTO project_members (project_id, user_id, role, added_at)"
                " VALUES (?, ?, 'support', '2026-01-01T00:00:00Z')",
                2, (db_val[]){DBI(pid), DBI(zhang.id)});
        assert_int_equal(policy_project_access(f->c, &zhang, pid), ACCESS_WRITE);
        assert_false(policy_project_may_override(f->c, &zhang, pid));
    }
    assert_true(policy_project_may_override(f->c, &admin, pid));
    /* an unassigned project: every sales role sees it; finance reads every
     * project (data scope all) and may change none */
    exec_ok(f, "UPDATE projects SET owner_id = NULL WHERE id = ?", 1, (db_val[]){DBI(pid)});
    assert_true(policy_project_access(f->c, &chen, pid) >= ACCESS_READ);
    assert_int_equal(policy_project_access(f->c, &sun, pid), ACCESS_READ);
    /* moved to zhang */
    exec_ok(f, "UPDATE projects SET owner_id = ? WHERE id = ?", 2,
            (db_val[]){DBI(zhang.id), DBI(pid)});
    assert_int_equal(policy_project_access(f->c, &zhang, pid), ACCESS_MANAGE);
    assert_false(policy_project_may_override(f->c, &zhang, pid));
    check_agreement(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_permissions_by_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_and_access_agree, setup, teardown),
        cmocka_unit_test_setup_teardown(test_members_unassigned_and_moves, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
