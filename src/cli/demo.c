/* demo.c — the demo company: Huayang Wire, a maker of glass-fibre and film
 * covered flat copper and aluminium wire. Departments, a dozen users across
 * the roles, approval flows. Modules add their own demo records through
 * their own demo functions as they land. */
#include "cli/demo.h"
#include "core/audit.h"
#include "core/auth.h"
#include "base/util.h"
#include <sodium.h>
#include <string.h>

typedef struct {
    const char *login, *name, *role;
    int dept; /* index into depts[] */
} demo_user;

static const char *const depts[][2] = {
    /* name, parent name */
    {"华阳电工 Huayang Wire", NULL},
    {"销售部 Sales", "华阳电工 Huayang Wire"},
    {"华东销售组 East China Sales", "销售部 Sales"},
    {"华北销售组 North China Sales", "销售部 Sales"},
    {"财务部 Finance", "华阳电工 Huayang Wire"},
    {"仓储部 Warehouse", "华阳电工 Huayang Wire"},
    {"售后服务部 After-sales", "华阳电工 Huayang Wire"},
};
enum { NDEPTS = sizeof(depts) / sizeof(depts[0]) };

static const demo_user users[] = {
    {"admin", "系统管理员 Admin", "admin", 0},
    {"wang", "王建国 Wang Jianguo", "sales_manager", 1},
    {"li", "李明 Li Ming", "sales_manager", 2},
    {"huang", "黄涛 Huang Tao", "sales_manager", 3},
    {"zhang", "张伟 Zhang Wei", "salesperson", 2},
    {"chen", "陈静 Chen Jing", "salesperson", 2},
    {"liu", "刘洋 Liu Yang", "salesperson", 3},
    {"zhao", "赵磊 Zhao Lei", "salesperson", 3},
    {"sun", "孙丽 Sun Li", "finance", 4},
    {"zhou", "周强 Zhou Qiang", "warehouse", 5},
    {"wu", "吴芳 Wu Fang", "aftersales", 6},
    {"zheng", "郑欣 Zheng Xin", "aftersales", 6},
};
enum { NUSERS = sizeof(users) / sizeof(users[0]) };
/* department index → manager login */
static const char *const managers[NDEPTS] = {"admin", "wang", "li", "huang", "sun", "zhou", "wu"};

/* flows: doc type, name, steps (kind, role-or-login, min amount in fen) */
static const struct {
    const char *doc_type, *name;
    struct {
        const char *kind, *who;
        long long min_amount;
    } steps[3];
} flows[] = {
    {"customer_application", "客户申请 Customer application", {{"manager", NULL, 0}}},
    {"project_application", "项目申请 Project application", {{"manager", NULL, 0}}},
    {"quotation", "大额优惠报价 Quotation with a large discount",
     {{"manager", NULL, 0}, {"user", "wang", 50000000}}},
    {"contract", "合同审批 Contract", {{"manager", NULL, 0}, {"user", "wang", 100000000},
                                      {"role", "finance", 0}}},
    {"return", "退货审批 Return", {{"manager", NULL, 0}, {"role", "warehouse", 0}}},
};

static int64_t id_of(db_conn *c, const char *sql, const char *key)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, sql, DBP(DBS(key)));
    return id;
}

static int load(db_conn *c, arena *a, const char *password)
{
    char now[TF_TS_LEN], hash[crypto_pwhash_STRBYTES];
    tf_now(now);
    int rc = 0;
    for (int i = 0; i < NDEPTS && rc >= 0; i++) {
        int64_t parent = depts[i][1] ? id_of(c, "SELECT id FROM departments WHERE name = ?", depts[i][1]) : 0;
        rc = db_exec(c, "INSERT INTO departments(name, parent_id, created_at) VALUES (?, ?, ?)",
                     DBP(DBS(depts[i][0]), parent ? DBI(parent) : DBNULL, DBS(now)));
    }
    /* one hash for all demo users: they share the demo password, and argon2id
     * is deliberately slow */
    if (rc >= 0 && auth_hash_password(hash, sizeof(hash), password) != 0) rc = -1;
    for (int i = 0; i < NUSERS && rc >= 0; i++) {
        int64_t dep = id_of(c, "SELECT id FROM departments WHERE name = ?", depts[users[i].dept][0]);
        db_res res;
        rc = db_query(c, a, &res,
                      "INSERT INTO users(login, name, password_hash, role, department_id, locale,"
                      " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBS(users[i].login), DBS(users[i].name), DBS(hash), DBS(users[i].role),
                          DBI(dep), DBS(i % 2 ? "zh-CN" : "en"), DBS(now), DBS(now)));
        if (rc > 0) {
            json_t *after = json_pack("{s:s, s:s, s:s}", "login", users[i].login, "name",
                                      users[i].name, "role", users[i].role);
            rc = audit_record(c, 0, "user", db_get_int(&res, 0, "id"), "create", NULL, after);
            json_decref(after);
        }
    }
    for (int i = 0; i < NDEPTS && rc >= 0; i++) {
        int64_t m = id_of(c, "SELECT id FROM users WHERE login = ?", managers[i]);
        rc = db_exec(c, "UPDATE departments SET manager_id = ? WHERE name = ?",
                     DBP(DBI(m), DBS(depts[i][0])));
    }
    for (size_t f = 0; f < sizeof(flows) / sizeof(flows[0]) && rc >= 0; f++) {
        db_res res;
        rc = db_query(c, a, &res,
                      "INSERT INTO approval_flows(doc_type, name, active, created_at, updated_at)"
                      " VALUES (?, ?, TRUE, ?, ?) RETURNING id",
                      DBP(DBS(flows[f].doc_type), DBS(flows[f].name), DBS(now), DBS(now)));
        int64_t fid = rc > 0 ? db_get_int(&res, 0, "id") : 0;
        for (int s = 0; s < 3 && rc >= 0 && flows[f].steps[s].kind; s++) {
            const char *kind = flows[f].steps[s].kind, *who = flows[f].steps[s].who;
            int64_t uid = strcmp(kind, "user") == 0 ? id_of(c, "SELECT id FROM users WHERE login = ?", who) : 0;
            rc = db_exec(c,
                         "INSERT INTO approval_steps(flow_id, seq, kind, role, user_id, min_amount)"
                         " VALUES (?, ?, ?, ?, ?, ?)",
                         DBP(DBI(fid), DBI(s + 1), DBS(kind),
                             DBS(strcmp(kind, "role") == 0 ? who : NULL), uid ? DBI(uid) : DBNULL,
                             DBI(flows[f].steps[s].min_amount)));
        }
    }
    for (int i = 0; rc >= 0 && tf_demo_steps[i]; i++) rc = tf_demo_steps[i](c, a);
    if (rc >= 0)
        rc = db_exec(c, "INSERT INTO settings(key, value) VALUES ('demo_loaded', ?)", DBP(DBS(now)));
    return rc < 0 ? rc : 0;
}

int demo_load(db *d, const char *password, FILE *out)
{
    char err[256];
    db_conn *c = db_acquire(d, err, sizeof(err));
    if (!c) {
        fprintf(stderr, "tradeflow: %s\n", err);
        return -1;
    }
    int64_t loaded = 0, nusers = 0;
    db_scalar_int(c, &loaded, 0, "SELECT COUNT(*) FROM settings WHERE key = 'demo_loaded'", DBP0);
    db_scalar_int(c, &nusers, 0, "SELECT COUNT(*) FROM users", DBP0);
    int rc = 0;
    if (!loaded && nusers > 0) {
        fprintf(stderr, "tradeflow: this database already has users; the demo company goes only "
                        "into a new database\n");
        db_release(c);
        return -1;
    }
    if (!loaded) {
        arena a;
        arena_init(&a);
        rc = db_begin(c);
        if (rc == 0) rc = load(c, &a, password);
        if (rc == 0) rc = db_commit(c);
        if (rc != 0) {
            fprintf(stderr, "tradeflow: loading the demo company failed: %s\n", db_errmsg(c));
            db_rollback(c);
        }
        arena_free(&a);
    }
    db_release(c);
    if (rc != 0) return -1;
    if (loaded)
        fprintf(out, "Demo company already loaded. Logins (with the password given then):\n");
    else
        fprintf(out, "Demo company loaded. Logins (password \"%s\" for all):\n", password);
    for (int i = 0; i < NUSERS; i++)
        fprintf(out, "  %-7s %-14s %s\n", users[i].login, users[i].role, users[i].name);
    return 0;
}
