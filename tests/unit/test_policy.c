/* test_policy.c — unit tests of core/policy.c on the demo company (loaded
 * once into a SQLite file with demo_load): route permissions per role, data
 * scopes, who manages whom along the department tree, and each user's access
 * to the demo customers — own, shared read / write, another's protected one,
 * the pool, and another department's unprotected one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/demo.h"
#include "core/policy.h"
#include "db/db.h"

typedef struct fx {
    char dir[64];
    db *d;
    db_conn *c;
    arena a;
} fx;

static fx F;

static int group_setup(void **state)
{
    char err[256], url[128];
    snprintf(F.dir, sizeof(F.dir), "/tmp/tf_policy_XXXXXX");
    if (!mkdtemp(F.dir)) return -1;
    snprintf(url, sizeof(url), "sqlite:%s/t.db", F.dir);
    F.d = db_open(url, 2, err, sizeof(err));
    if (!F.d || db_migrate(F.d, err, sizeof(err)) < 0) {
        fprintf(stderr, "open/migrate: %s\n", err);
        return -1;
    }
    FILE *devnull = fopen("/dev/null", "w");
    int rc = demo_load(F.d, "demo123", devnull);
    if (devnull) fclose(devnull);
    if (rc != 0) return -1;
    F.c = db_acquire(F.d, err, sizeof(err));
    if (!F.c) return -1;
    arena_init(&F.a);
    *state = &F;
    return 0;
}

static int group_teardown(void **state)
{
    char path[128];
    arena_free(&F.a);
    db_release(F.c);
    db_close(F.d);
    static const char *const files[] = {"t.db", "t.db-wal", "t.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", F.dir, files[i]);
        unlink(path);
    }
    rmdir(F.dir);
    return 0;
}

/* The demo user `login` as a signed-in principal. */
static principal who(const char *login)
{
    db_res r;
    if (db_query(F.c, &F.a, &r, "SELECT id, login, name, role, department_id FROM users"
                                " WHERE login = ?",
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

static int64_t uid(const char *login)
{
    return who(login).id;
}

/* The demo customer named `name`, checked to be owned by `owner` (NULL: the
 * pool) with the given protection, so a change in the demo data shows here
 * instead of as a puzzling access result. */
static int64_t cust(const char *name, const char *owner, bool prot)
{
    db_res r;
    if (db_query(F.c, &F.a, &r,
                 "SELECT c.id, u.login, c.protected FROM customers c"
                 " LEFT JOIN users u ON u.id = c.owner_id WHERE c.name = ?",
                 DBP(DBS(name))) != 1)
        fail_msg("no demo customer %s", name);
    const char *o = db_get_text(&r, 0, "login");
    if (owner) assert_string_equal(o, owner);
    else assert_null(o);
    assert_int_equal(db_get_int(&r, 0, "protected") != 0, prot);
    return db_get_int(&r, 0, "id");
}

static void test_allows(void **state)
{
    (void)state;
    principal admin = who("admin"), wang = who("wang"), zhang = who("zhang"), sun = who("sun"),
              zhou = who("zhou"), wu = who("wu");
    assert_true(policy_allows(&admin, "users.manage"));
    assert_false(policy_allows(&wang, "users.manage"));
    assert_false(policy_allows(&zhang, "users.manage"));
    assert_false(policy_allows(&sun, "users.manage"));
    assert_true(policy_allows(&wang, "users.read"));
    assert_false(policy_allows(&zhang, "users.read"));
    /* assigning customers: managers (and admin) only */
    assert_true(policy_allows(&admin, "customers.assign"));
    assert_true(policy_allows(&wang, "customers.assign"));
    assert_false(policy_allows(&zhang, "customers.assign"));
    assert_false(policy_allows(&sun, "customers.assign"));
    assert_false(policy_allows(&wu, "customers.assign"));
    /* claiming from the pool: the sales roles */
    assert_true(policy_allows(&zhang, "customers.claim"));
    assert_true(policy_allows(&wang, "customers.claim"));
    assert_false(policy_allows(&sun, "customers.claim"));
    assert_true(policy_allows(&zhang, "customers.create"));
    assert_false(policy_allows(&zhou, "customers.create"));
    assert_true(policy_allows(&zhou, "customers.export"));
    assert_true(policy_allows(&admin, "settings.manage"));
    assert_false(policy_allows(&wang, "settings.manage"));
    assert_false(policy_allows(&wang, "dicts.manage"));
    /* unknown permissions are denied to everyone, admin included */
    assert_false(policy_allows(&admin, "customers.nuke"));
    assert_false(policy_allows(&admin, "users"));
    /* "" / NULL: any signed-in user; nobody signed in: nothing */
    assert_true(policy_allows(&zhou, ""));
    assert_true(policy_allows(&zhou, NULL));
    principal anon = {0};
    assert_false(policy_allows(&anon, ""));
    assert_false(policy_allows(NULL, "customers.export"));
    json_t *perms = policy_permissions_json(&zhang);
    bool has_claim = false, has_manage = false;
    for (size_t i = 0; i < json_array_size(perms); i++) {
        const char *p = json_string_value(json_array_get(perms, i));
        has_claim |= strcmp(p, "customers.claim") == 0;
        has_manage |= strcmp(p, "users.manage") == 0;
    }
    json_decref(perms);
    assert_true(has_claim);
    assert_false(has_manage);
}

static void test_scope(void **state)
{
    (void)state;
    static const struct {
        const char *login;
        tf_scope s;
    } cases[] = {{"admin", SCOPE_ALL}, {"wang", SCOPE_DEPT}, {"li", SCOPE_DEPT},
                 {"zhang", SCOPE_OWN}, {"liu", SCOPE_OWN},   {"sun", SCOPE_ALL},
                 {"zhou", SCOPE_ALL},  {"wu", SCOPE_ALL}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        principal p = who(cases[i].login);
        assert_int_equal(policy_scope(&p), cases[i].s);
    }
    tf_role r;
    assert_false(role_parse("root", &r));
    assert_true(role_parse("aftersales", &r));
    assert_string_equal(role_name(r), "aftersales");
    /* seeing owners: own scope only oneself; dept scope the subtree */
    principal zhang = who("zhang"), li = who("li"), wang = who("wang"), sun = who("sun");
    assert_true(policy_sees_owner(F.c, &zhang, zhang.id));
    assert_false(policy_sees_owner(F.c, &zhang, uid("chen")));
    assert_true(policy_sees_owner(F.c, &li, uid("chen")));
    assert_false(policy_sees_owner(F.c, &li, uid("liu")));   /* North is not under East */
    assert_true(policy_sees_owner(F.c, &wang, uid("liu")));  /* both teams are under Sales */
    assert_false(policy_sees_owner(F.c, &wang, uid("sun"))); /* Finance is not */
    assert_true(policy_sees_owner(F.c, &sun, uid("liu")));
}

static void test_managers(void **state)
{
    (void)state;
    int64_t admin = uid("admin"), wang = uid("wang"), li = uid("li"), huang = uid("huang"),
            zhang = uid("zhang"), chen = uid("chen"), liu = uid("liu"), sun = uid("sun");
    assert_int_equal(policy_manager_for(F.c, zhang), li);
    assert_int_equal(policy_manager_for(F.c, chen), li);
    assert_int_equal(policy_manager_for(F.c, li), wang); /* not himself: the next one up */
    assert_int_equal(policy_manager_for(F.c, wang), admin);
    assert_int_equal(policy_manager_for(F.c, liu), huang);
    assert_int_equal(policy_manager_for(F.c, huang), wang);
    assert_int_equal(policy_manager_for(F.c, sun), admin);
    assert_int_equal(policy_manager_for(F.c, admin), 0); /* the top has nobody */
    assert_int_equal(policy_manager_for(F.c, 999999), 0);
    assert_true(policy_is_manager_of(F.c, li, zhang));
    assert_true(policy_is_manager_of(F.c, wang, zhang)); /* further up the tree */
    assert_true(policy_is_manager_of(F.c, admin, zhang));
    assert_true(policy_is_manager_of(F.c, wang, li));
    assert_false(policy_is_manager_of(F.c, huang, zhang)); /* a sibling team */
    assert_false(policy_is_manager_of(F.c, li, liu));
    assert_false(policy_is_manager_of(F.c, zhang, li)); /* not upwards */
    assert_false(policy_is_manager_of(F.c, li, wang));
    assert_false(policy_is_manager_of(F.c, li, li)); /* nobody manages himself */
    assert_false(policy_is_manager_of(F.c, chen, zhang));
    assert_false(policy_is_manager_of(F.c, sun, zhang)); /* Finance's head is not Sales' */
}

static void test_customer_access(void **state)
{
    (void)state;
    principal admin = who("admin"), wang = who("wang"), li = who("li"), huang = who("huang"),
              zhang = who("zhang"), chen = who("chen"), liu = who("liu"), zhao = who("zhao"),
              sun = who("sun"), wu = who("wu");
    int64_t yutong = cust("郑州宇通电机有限公司", "zhang", false);
    int64_t zhongzhou = cust("洛阳中州变压器厂", "zhang", false);     /* shared read with chen */
    int64_t huaneng = cust("苏州华能风电设备有限公司", "chen", true);  /* protected */
    int64_t shenlian = cust("上海申联电力设备有限公司", "chen", false);
    int64_t pengcheng = cust("深圳鹏程轨道交通装备有限公司", "liu", false); /* shared write */
    int64_t hengli = cust("江苏恒力电机科技有限公司", "zhao", false);  /* North, unprotected */
    int64_t jinyang = cust("郑州金阳电气贸易有限公司", "zhao", true);  /* North, protected */
    int64_t zhouyan = cust("洛阳轴研电机有限公司", NULL, false);       /* the pool */
    struct {
        const principal *u;
        int64_t cid;
        tf_access want;
        const char *what;
    } cases[] = {
        {&zhang, yutong, ACCESS_MANAGE, "own"},
        {&chen, yutong, ACCESS_NONE, "colleague's, not shared"},
        {&chen, zhongzhou, ACCESS_READ, "shared read"},
        {&zhang, pengcheng, ACCESS_WRITE, "shared write"},
        {&zhao, pengcheng, ACCESS_NONE, "team mate's, own scope"},
        {&liu, pengcheng, ACCESS_MANAGE, "own, shared out"},
        {&zhang, huaneng, ACCESS_NONE, "another's protected"},
        {&sun, huaneng, ACCESS_NONE, "protected: scope all is not enough"},
        {&wu, jinyang, ACCESS_NONE, "protected: scope all is not enough"},
        {&li, huaneng, ACCESS_MANAGE, "protected, but li manages chen"},
        {&wang, huaneng, ACCESS_MANAGE, "protected, wang manages above"},
        {&admin, huaneng, ACCESS_MANAGE, "admin manages the top department"},
        {&huang, huaneng, ACCESS_NONE, "another team's manager"},
        {&huang, jinyang, ACCESS_MANAGE, "own team's protected"},
        {&li, jinyang, ACCESS_NONE, "another team's protected"},
        {&zhang, zhouyan, ACCESS_READ, "pool: salesperson reads"},
        {&zhao, zhouyan, ACCESS_READ, "pool: salesperson reads"},
        {&li, zhouyan, ACCESS_MANAGE, "pool: manager manages"},
        {&admin, zhouyan, ACCESS_MANAGE, "pool: admin manages"},
        {&sun, zhouyan, ACCESS_READ, "pool: finance reads"},
        {&zhang, hengli, ACCESS_NONE, "other dept, unprotected, own scope"},
        {&zhang, shenlian, ACCESS_NONE, "same dept, unprotected, own scope"},
        {&li, hengli, ACCESS_NONE, "other team, dept scope"},
        {&huang, hengli, ACCESS_MANAGE, "own team"},
        {&wang, hengli, ACCESS_MANAGE, "dept scope above both teams"},
        {&sun, hengli, ACCESS_READ, "unprotected, scope all"},
        {&wu, hengli, ACCESS_READ, "unprotected, scope all"},
        {&admin, hengli, ACCESS_MANAGE, "admin"},
        {&zhang, 999999, ACCESS_NONE, "no such customer"},
        {&admin, 999999, ACCESS_NONE, "no such customer"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tf_access got = policy_customer_access(F.c, cases[i].u, cases[i].cid);
        if (got != cases[i].want)
            fail_msg("%s on customer %lld (%s): got %d, want %d", cases[i].u->login,
                     (long long)cases[i].cid, cases[i].what, (int)got, (int)cases[i].want);
    }
    /* a share that has ended gives nothing */
    assert_int_equal(db_exec(F.c, "UPDATE customer_shares SET until = '2000-01-01T00:00:00Z'"
                                  " WHERE customer_id = ?",
                             DBP(DBI(zhongzhou))),
                     1);
    assert_int_equal(policy_customer_access(F.c, &chen, zhongzhou), ACCESS_NONE);
    assert_int_equal(db_exec(F.c, "UPDATE customer_shares SET until = NULL WHERE customer_id = ?",
                             DBP(DBI(zhongzhou))),
                     1);
    assert_int_equal(policy_customer_access(F.c, &chen, zhongzhou), ACCESS_READ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allows),
        cmocka_unit_test(test_scope),
        cmocka_unit_test(test_managers),
        cmocka_unit_test(test_customer_access),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
