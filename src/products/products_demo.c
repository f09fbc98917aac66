/* products_demo.c — the demo catalogue: Huayang Wire's flat winding wires
 * (film-wrapped polyimide and polyester, glass-fibre covered and enamelled,
 * copper and aluminium, in several thickness × width sizes) sold by the kg on
 * 30 / 50 / 150 kg wooden spools; three warehouses with opening stock
 * recorded by the warehouse keeper; the three customer tiers of the article
 * (new, old, excellent customers) with a few rules, and some demo customers
 * given a tier. */
#include "products/products.h"
#include "base/util.h"
#include <stdio.h>
#include <string.h>

extern int products_demo(db_conn *c, arena *a);

static const char *const categories[][2] = {
    /* name, parent */
    {"绕组线 Winding wire", NULL},
    {"薄膜绕包扁线 Film-wrapped flat wire", "绕组线 Winding wire"},
    {"玻璃丝包扁线 Glass-fibre covered flat wire", "绕组线 Winding wire"},
    {"漆包扁线 Enamelled flat wire", "绕组线 Winding wire"},
};

static const struct {
    const char *category, *conductor, *insulation, *name;
    int64_t price, cost; /* fen per kg */
} families[] = {
    {"薄膜绕包扁线 Film-wrapped flat wire", "copper", "polyimide_film",
     "聚酰亚胺薄膜绕包铜扁线 Polyimide film covered flat copper wire", 9200, 7900},
    {"薄膜绕包扁线 Film-wrapped flat wire", "aluminium", "polyimide_film",
     "聚酰亚胺薄膜绕包铝扁线 Polyimide film covered flat aluminium wire", 4300, 3500},
    {"薄膜绕包扁线 Film-wrapped flat wire", "copper", "polyester_film",
     "聚酯薄膜绕包铜扁线 Polyester film covered flat copper wire", 8600, 7400},
    {"薄膜绕包扁线 Film-wrapped flat wire", "aluminium", "polyester_film",
     "聚酯薄膜绕包铝扁线 Polyester film covered flat aluminium wire", 3900, 3200},
    {"玻璃丝包扁线 Glass-fibre covered flat wire", "copper", "glass_fibre",
     "玻璃丝包铜扁线 Glass-fibre covered flat copper wire", 8800, 7600},
    {"玻璃丝包扁线 Glass-fibre covered flat wire", "aluminium", "glass_fibre",
     "玻璃丝包铝扁线 Glass-fibre covered flat aluminium wire", 4100, 3400},
    {"漆包扁线 Enamelled flat wire", "copper", "enamel",
     "漆包铜扁线 Enamelled flat copper wire", 8400, 7200},
};
/* thickness × width in micrometres */
static const int64_t sizes[][2] = {{2000, 8000}, {2500, 10000}, {3150, 12500}};

static const char PACKAGES[] =
    "[{\"name\":\"30 kg spool\",\"size_milli\":30000},{\"name\":\"50 kg spool\",\"size_milli\":"
    "50000},{\"name\":\"150 kg spool\",\"size_milli\":150000}]";

static int64_t id_by(db_conn *c, const char *sql, const char *key)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, sql, DBP(DBS(key)));
    return id;
}

int products_demo(db_conn *c, arena *a)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = 0;
    int64_t admin = id_by(c, "SELECT id FROM users WHERE login = ?", "admin");
    int64_t zhou = id_by(c, "SELECT id FROM users WHERE login = ?", "zhou");
    for (size_t i = 0; rc >= 0 && i < sizeof categories / sizeof categories[0]; i++) {
        int64_t parent = categories[i][1] ? id_by(c, "SELECT id FROM product_categories WHERE"
                                                     " name = ?",
                                                  categories[i][1])
                                          : 0;
        rc = db_exec(c,
                     "INSERT INTO product_categories(name, parent_id, sort, created_at)"
                     " VALUES (?, ?, ?, ?)",
                     DBP(DBS(categories[i][0]), parent ? DBI(parent) : DBNULL, DBI(i), DBS(now)));
    }
    static const struct {
        const char *code, *name;
        bool negative;
    } whs[] = {{"ZZ", "郑州总仓 Zhengzhou main warehouse", false},
               {"SH", "上海中转仓 Shanghai transit warehouse", false},
               {"TJ", "天津寄售仓 Tianjin consignment warehouse", true}};
    int64_t wh[3] = {0};
    for (int i = 0; rc >= 0 && i < 3; i++) {
        db_res res;
        rc = db_query(c, a, &res,
                      "INSERT INTO warehouses(code, name, allow_negative, created_at)"
                      " VALUES (?, ?, ?, ?) RETURNING id",
                      DBP(DBS(whs[i].code), DBS(whs[i].name), DBB(whs[i].negative), DBS(now)));
        if (rc > 0) wh[i] = db_get_int(&res, 0, "id");
    }
    int n = 0;
    for (size_t f = 0; rc >= 0 && f < sizeof families / sizeof families[0]; f++)
        for (size_t s = 0; rc >= 0 && s < sizeof sizes / sizeof sizes[0]; s++, n++) {
            char code[96];
            snprintf(code, sizeof code, "%s%s-%lld.%02lldx%lld.%02lld",
                     families[f].conductor[0] == 'c' ? "CU" : "AL",
                     strcmp(families[f].insulation, "polyimide_film") == 0   ? "PI"
                     : strcmp(families[f].insulation, "polyester_film") == 0 ? "PET"
                     : strcmp(families[f].insulation, "glass_fibre") == 0    ? "GF"
                                                                             : "EN",
                     (long long)(sizes[s][0] / 1000), (long long)(sizes[s][0] % 1000 / 10),
                     (long long)(sizes[s][1] / 1000), (long long)(sizes[s][1] % 1000 / 10));
            db_res res;
            rc = db_query(
                c, a, &res,
                "INSERT INTO products(code, name, category_id, conductor, insulation,"
                " thickness_um, width_um, unit, packages_json, list_price, standard_cost,"
                " tax_bp, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                " 'kg', ?, ?, ?, 1300, ?, ?, ?) RETURNING id",
                DBP(DBS(code), DBS(families[f].name),
                    DBI(id_by(c, "SELECT id FROM product_categories WHERE name = ?",
                              families[f].category)),
                    DBS(families[f].conductor), DBS(families[f].insulation), DBI(sizes[s][0]),
                    DBI(sizes[s][1]), DBS(PACKAGES), DBI(families[f].price + 200 * (int64_t)s),
                    DBI(families[f].cost + 150 * (int64_t)s), DBI(admin), DBS(now), DBS(now)));
            if (rc <= 0) break;
            int64_t pid = db_get_int(&res, 0, "id");
            rc = products_reindex(c, a, pid);
            /* opening stock: whole spools, more at the main warehouse */
            for (int w = 0; rc >= 0 && w < 3; w++) {
                int64_t kg = (int64_t)((n * 7 + w * 3) % 11 + 1) * (w == 0 ? 450 : 150);
                if (w == 2 && n % 3) continue;
                int64_t id = stock_move(c, a, pid, wh[w], kg * 1000,
                                        families[f].cost + 150 * (int64_t)s, "opening",
                                        "OB-2026", "期初盘点 Opening count", zhou);
                rc = id > 0 ? 0 : id < 0 ? (int)id : DB_ERR;
            }
        }
    static const char *const tiers[][2] = {{"新客户", "New customers"},
                                           {"老客户", "Old customers"},
                                           {"优质客户", "Excellent customers"}};
    int64_t tier[3] = {0};
    for (int i = 0; rc >= 0 && i < 3; i++) {
        db_res res;
        rc = db_query(c, a, &res,
                      "INSERT INTO customer_tiers(name, name_en, sort, created_at) VALUES (?, ?,"
                      " ?, ?) RETURNING id",
                      DBP(DBS(tiers[i][0]), DBS(tiers[i][1]), DBI(i), DBS(now)));
        if (rc > 0) tier[i] = db_get_int(&res, 0, "id");
    }
    int64_t film = id_by(c, "SELECT id FROM product_categories WHERE name = ?",
                         "薄膜绕包扁线 Film-wrapped flat wire");
    static const struct {
        const char *name;
        int tier; /* -1: everyone */
        bool film;
        int64_t min_kg, bp;
    } rules[] = {
        {"老客户九七折 Old customers 3 % off", 1, false, 0, 300},
        {"优质客户九五折 Excellent customers 5 % off", 2, false, 0, 500},
        {"优质客户薄膜线批量 Excellent customers, film-wrapped from 1 t", 2, true, 1000, 800},
        {"新客户首单 New customers' first order", 0, false, 0, 100},
        {"大批量 Large orders from 5 t", -1, false, 5000, 200},
    };
    for (size_t i = 0; rc >= 0 && i < sizeof rules / sizeof rules[0]; i++)
        rc = db_exec(c,
                     "INSERT INTO price_rules(name, tier_id, category_id, min_qty_milli,"
                     " discount_bp, valid_from, created_by, created_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?, '2026-01-01', ?, ?, ?)",
                     DBP(DBS(rules[i].name), rules[i].tier >= 0 ? DBI(tier[rules[i].tier]) : DBNULL,
                         rules[i].film ? DBI(film) : DBNULL, DBI(rules[i].min_kg * 1000),
                         DBI(rules[i].bp), DBI(admin), DBS(now), DBS(now)));
    /* every fifth owned customer is old, every seventh excellent, every
     * eleventh new */
    if (rc >= 0)
        rc = db_exec(c,
                     "UPDATE customers SET tier_id = CASE WHEN id % 7 = 0 THEN ? WHEN id % 5 = 0"
                     " THEN ? ELSE ? END WHERE owner_id IS NOT NULL AND (id % 5 = 0 OR id % 7 = 0"
                     " OR id % 11 = 0)",
                     DBP(DBI(tier[2]), DBI(tier[1]), DBI(tier[0])));
    return rc < 0 ? rc : 0;
}
