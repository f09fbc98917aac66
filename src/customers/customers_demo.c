/* customers_demo.c — the demo company's customer data: dictionaries for a
 * wire maker's market, follow-up templates, and customers in every state
 * (owned, in the pool, protected, shared, signed). */
#include "customers/customers.h"
#include "base/util.h"
#include <string.h>

extern int customers_demo(db_conn *c, arena *a);

static int64_t dict(db_conn *c, arena *a, const char *kind, const char *name, const char *en,
                    int64_t parent, int sort)
{
    db_res r;
    /* regions are there already (migration 021): the demo uses them */
    if (strcmp(kind, "region") == 0 &&
        db_query(c, a, &r,
                 "SELECT MIN(id) AS id FROM dict_items WHERE kind = 'region' AND name = ? AND"
                 " COALESCE(parent_id, 0) = ?",
                 DBP(DBS(name), DBI(parent))) > 0 &&
        db_get_int(&r, 0, "id") > 0)
        return db_get_int(&r, 0, "id");
    if (db_query(c, a, &r,
                 "INSERT INTO dict_items(kind, name, name_en, parent_id, sort) VALUES (?, ?, ?, ?, ?)"
                 " RETURNING id",
                 DBP(DBS(kind), DBS(name), DBS(en), parent ? DBI(parent) : DBNULL, DBI(sort))) <= 0)
        return 0;
    return db_get_int(&r, 0, "id");
}

static int64_t user_id(db_conn *c, const char *login)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(login)));
    return id;
}

int customers_demo(db_conn *c, arena *a)
{
    static const char *const quals[][2] = {{"一般纳税人", "General taxpayer"},
                                           {"小规模纳税人", "Small-scale taxpayer"},
                                           {"个体工商户", "Sole trader"}};
    static const char *const industries[][2] = {
        {"电机制造", "Motor manufacturing"}, {"变压器制造", "Transformer manufacturing"},
        {"电力设备", "Power equipment"},     {"风电", "Wind power"},
        {"轨道交通", "Rail transit"},         {"贸易商", "Trader"}};
    static const char *const sources[][2] = {{"展会", "Trade fair"},      {"网站", "Website"},
                                             {"老客户介绍", "Referral"}, {"电话开发", "Cold call"},
                                             {"微信公众号", "WeChat"},   {"招标", "Tender"}};
    static const char *const levels[][2] = {{"新客户", "New customer"},
                                            {"老客户", "Old customer"},
                                            {"优质客户", "Excellent customer"}};
    static const char *const methods[][2] = {{"电话", "Phone"}, {"上门拜访", "Visit"},
                                             {"微信", "WeChat"}, {"邮件", "E-mail"},
                                             {"视频会议", "Video call"}};
    int64_t qid[3], iid[6], sid[6], lid[3], mid[5], reg[8];
    for (int i = 0; i < 3; i++) qid[i] = dict(c, a, "qualification", quals[i][0], quals[i][1], 0, i);
    for (int i = 0; i < 6; i++) iid[i] = dict(c, a, "industry", industries[i][0], industries[i][1], 0, i);
    for (int i = 0; i < 6; i++) sid[i] = dict(c, a, "source", sources[i][0], sources[i][1], 0, i);
    for (int i = 0; i < 3; i++) lid[i] = dict(c, a, "level", levels[i][0], levels[i][1], 0, i);
    for (int i = 0; i < 5; i++) mid[i] = dict(c, a, "followup_method", methods[i][0], methods[i][1], 0, i);
    reg[0] = dict(c, a, "region", "河南省", "Henan", 0, 0);
    reg[1] = dict(c, a, "region", "郑州市", "Zhengzhou", reg[0], 0);
    reg[2] = dict(c, a, "region", "洛阳市", "Luoyang", reg[0], 1);
    reg[3] = dict(c, a, "region", "江苏省", "Jiangsu", 0, 1);
    reg[4] = dict(c, a, "region", "苏州市", "Suzhou", reg[3], 0);
    reg[5] = dict(c, a, "region", "上海市", "Shanghai", 0, 2);
    reg[6] = dict(c, a, "region", "广东省", "Guangdong", 0, 3);
    reg[7] = dict(c, a, "region", "深圳市", "Shenzhen", reg[6], 0);
    for (int i = 0; i < 3; i++)
        if (!qid[i] || !lid[i]) return DB_ERR;

    static const struct {
        const char *name, *content, *next;
        int method, days;
    } tpls[] = {
        {"首次电话沟通 First call", "介绍公司及薄膜绕包线产品，了解客户电机/变压器绕组用线需求。",
         "寄送样品与产品目录", 0, 3},
        {"样品跟进 Sample follow-up", "确认样品（聚酰亚胺薄膜绕包扁铜线）到货及试绕情况，收集技术反馈。",
         "安排技术交流", 0, 7},
        {"上门拜访 On-site visit", "拜访采购与技术负责人，了解年用量、规格（厚×宽）与交期要求。",
         "提交报价", 1, 5},
        {"报价跟进 Quotation follow-up", "跟进报价反馈，说明 30/50/150 kg 木盘包装与批量价格。",
         "商务谈判", 2, 3},
    };
    for (size_t i = 0; i < sizeof(tpls) / sizeof(tpls[0]); i++)
        if (db_exec(c,
                    "INSERT INTO followup_templates(name, method_id, content, next_step,"
                    " next_contact_days) VALUES (?, ?, ?, ?, ?)",
                    DBP(DBS(tpls[i].name), DBI(mid[tpls[i].method]), DBS(tpls[i].content),
                        DBS(tpls[i].next), DBI(tpls[i].days))) < 0)
            return DB_ERR;

    /* owner: login or NULL for the pool; flags: p protected, s signed */
    static const struct {
        const char *name, *phone, *address, *wechat, *owner, *flags;
        int industry, source, level, region;
    } cs[] = {
        {"郑州宇通电机有限公司", "13803710001", "郑州市经开区第八大街 18 号", "yutong_motor", "zhang", "s", 0, 2, 2, 1},
        {"洛阳中州变压器厂", "13903790002", "洛阳市涧西区建设路 66 号", NULL, "zhang", "", 1, 0, 1, 2},
        {"苏州华能风电设备有限公司", "13812340003", "苏州市工业园区星湖街 328 号", "hn_wind", "chen", "p", 3, 5, 2, 4},
        {"上海申联电力设备有限公司", "13912340004", "上海市闵行区江川路 1200 号", NULL, "chen", "s", 2, 1, 1, 5},
        {"深圳鹏程轨道交通装备有限公司", "13712340005", "深圳市坪山区青兰一路 9 号", "pc_rail", "liu", "", 4, 0, 0, 7},
        {"河南平高电气股份有限公司", "13603750006", "平顶山市南环东路 22 号", NULL, "liu", "s", 1, 5, 2, 0},
        {"江苏恒力电机科技有限公司", "13851230007", "常州市武进区人民东路 88 号", "hengli_em", "zhao", "", 0, 3, 0, 3},
        {"郑州金阳电气贸易有限公司", "13783710008", "郑州市金水区花园路 45 号", NULL, "zhao", "p", 5, 2, 1, 1},
        {"洛阳轴研电机有限公司", "13503790009", "洛阳市高新区丰华路 3 号", NULL, NULL, "", 0, 3, 0, 2},
        {"上海电驱动科技有限公司", "13601230010", "上海市嘉定区安亭镇园国路 1 号", "sh_edrive", NULL, "", 0, 1, 0, 5},
        {"广州南方变压器有限公司", "13802200011", "广州市番禺区石基镇 5 号", NULL, NULL, "", 1, 0, 1, 6},
        {"苏州汇川风能有限公司", "13962120012", "苏州市吴中区越溪街道 16 号", NULL, NULL, "", 3, 4, 0, 4},
        {"南阳防爆电机集团", "13937700013", "南阳市仲景北路 1 号", "ny_fangbao", "wang", "s", 0, 2, 2, 0},
        {"许昌特变电工有限公司", "13703740014", "许昌市魏都区许由路 9 号", NULL, "li", "", 1, 5, 1, 0},
        {"新乡华瑞电机有限公司", "13837300015", "新乡市红旗区新一街 12 号", NULL, "huang", "", 0, 3, 0, 0},
        {"无锡东方电缆贸易行", "13906180016", "无锡市梁溪区中山路 200 号", NULL, NULL, "", 5, 1, 0, 3},
    };
    int64_t zhang = user_id(c, "zhang"), chen = user_id(c, "chen"), liu = user_id(c, "liu");
    for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        json_t *f = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b}", "name",
                              cs[i].name, "phone", cs[i].phone, "address", cs[i].address,
                              "industry_id", (json_int_t)iid[cs[i].industry], "source_id",
                              (json_int_t)sid[cs[i].source], "level_id", (json_int_t)lid[cs[i].level],
                              "region_id", (json_int_t)reg[cs[i].region], "qualification_id",
                              (json_int_t)qid[i % 3], "followup_method_id", (json_int_t)mid[i % 5],
                              "protected", strchr(cs[i].flags, 'p') != NULL, "signed",
                              strchr(cs[i].flags, 's') != NULL);
        if (cs[i].wechat) json_object_set_new(f, "wechat", json_string(cs[i].wechat));
        int64_t owner = cs[i].owner ? user_id(c, cs[i].owner) : 0, id = 0;
        customer_input in = {.fields = f, .owner_id = owner, .entry_method = "manual"};
        int rc = customer_insert(c, a, &in, owner ? owner : user_id(c, "wang"), &id);
        json_decref(f);
        if (rc < 0) return rc;
        /* a contact for each customer, so contact phones are searchable too */
        char now[TF_TS_LEN];
        tf_now(now);
        static const char *const people[] = {"王采购", "李工", "赵经理", "孙主任"};
        db_exec(c,
                "INSERT INTO contacts(customer_id, name, title, mobile, is_primary, created_at)"
                " VALUES (?, ?, ?, ?, TRUE, ?)",
                DBP(DBI(id), DBS(people[i % 4]), DBS(i % 2 ? "技术部" : "采购部"),
                    DBS(arena_printf(a, "1591234%04zu", i)), DBS(now)));
        if ((rc = customer_reindex(c, a, id)) < 0) return rc;
        if (i == 1) /* zhang shares 洛阳中州 with chen, read-only */
            db_exec(c,
                    "INSERT INTO customer_shares(customer_id, user_id, mode, created_by, created_at)"
                    " VALUES (?, ?, 'read', ?, ?)",
                    DBP(DBI(id), DBI(chen), DBI(zhang), DBS(now)));
        if (i == 4) /* liu shares 深圳鹏程 with zhang, read-write */
            db_exec(c,
                    "INSERT INTO customer_shares(customer_id, user_id, mode, created_by, created_at)"
                    " VALUES (?, ?, 'write', ?, ?)",
                    DBP(DBI(id), DBI(zhang), DBI(liu), DBS(now)));
    }
    return 0;
}
