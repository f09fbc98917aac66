/* projects_demo.c — the demo company's projects: competitors, a second
 * version of the standard-order template (projects on version 1 keep it),
 * a large-tender template, and wire orders at every stage of both, won and
 * lost ones, an unassigned project with a pending application, one not yet
 * linked to a customer, members in their roles, ticked checklists and
 * follow-ups. Quantities are in kg (thousandths stored) on 30 / 50 / 150 kg
 * spools. */
#include "projects/projects.h"
#include "core/approvals.h"
#include "base/util.h"
#include <string.h>

extern int projects_demo(db_conn *c, arena *a);

static int64_t user_id(db_conn *c, const char *login)
{
    int64_t id = 0;
    if (login) db_scalar_int(c, &id, 0, "SELECT id FROM users WHERE login = ?", DBP(DBS(login)));
    return id;
}

static int64_t customer_id(db_conn *c, const char *name)
{
    int64_t id = 0;
    if (name) db_scalar_int(c, &id, 0, "SELECT id FROM customers WHERE name = ?", DBP(DBS(name)));
    return id;
}

static int64_t dict_id(db_conn *c, const char *kind, const char *name_en)
{
    int64_t id = 0;
    db_scalar_int(c, &id, 0, "SELECT id FROM dict_items WHERE kind = ? AND name_en = ?",
                  DBP(DBS(kind), DBS(name_en)));
    return id;
}

static const char STANDARD_V2[] =
    "[{\"key\":\"initial\",\"name\":\"初步接洽 Initial contact\",\"probability\":10,\"items\":["
    "{\"key\":\"customer_linked\",\"label\":\"关联客户 Customer linked\",\"kind\":\"field\","
    "\"field\":\"customer_id\",\"required\":true},{\"key\":\"needs_confirmed\",\"label\":"
    "\"确认用线需求（规格、年用量）Needs confirmed (spec, yearly volume)\",\"kind\":\"task\","
    "\"required\":true}]},"
    "{\"key\":\"qualified\",\"name\":\"需求分析 Needs analysis\",\"probability\":30,\"items\":["
    "{\"key\":\"amount_estimated\",\"label\":\"预计金额 Expected amount\",\"kind\":\"field\","
    "\"field\":\"amount\",\"required\":true},{\"key\":\"close_date_set\",\"label\":"
    "\"预计成交日期 Expected close date\",\"kind\":\"field\",\"field\":\"expected_close_date\","
    "\"required\":true},{\"key\":\"products_listed\",\"label\":\"意向产品 Products of interest\","
    "\"kind\":\"field\",\"field\":\"products\",\"required\":true},{\"key\":\"sample_tested\","
    "\"label\":\"样品试绕通过 Sample winding test passed\",\"kind\":\"task\",\"required\":true}]},"
    "{\"key\":\"proposal\",\"name\":\"方案报价 Proposal\",\"probability\":60,\"items\":["
    "{\"key\":\"quotation_sent\",\"label\":\"报价已发送 Quotation sent\",\"kind\":\"task\","
    "\"required\":true},{\"key\":\"competitors_known\",\"label\":\"竞争对手 Competitors known\","
    "\"kind\":\"field\",\"field\":\"competitor_ids\",\"required\":false}]},"
    "{\"key\":\"negotiation\",\"name\":\"商务谈判 Negotiation\",\"probability\":80,\"items\":["
    "{\"key\":\"terms_agreed\",\"label\":\"价格与交期谈妥 Price and delivery agreed\",\"kind\":"
    "\"task\",\"required\":true},{\"key\":\"contract_drafted\",\"label\":\"合同草稿 Contract "
    "draft\","
    "\"kind\":\"task\",\"required\":true}]}]";

static const char TENDER_V1[] =
    "[{\"key\":\"registration\",\"name\":\"报名 Registration\",\"probability\":10,\"items\":["
    "{\"key\":\"tender_docs\",\"label\":\"购买招标文件 Tender documents bought\",\"kind\":"
    "\"task\",\"required\":true},{\"key\":\"customer_linked\",\"label\":\"招标方 Tendering"
    " customer\",\"kind\":\"field\",\"field\":\"customer_id\",\"required\":true}]},"
    "{\"key\":\"tech_bid\",\"name\":\"技术标 Technical bid\",\"probability\":25,\"items\":["
    "{\"key\":\"tech_clarified\",\"label\":\"技术澄清 Technical clarification\",\"kind\":\"task\","
    "\"required\":true},{\"key\":\"type_test\",\"label\":\"型式试验报告 Type test report\","
    "\"kind\":\"task\",\"required\":true}]},"
    "{\"key\":\"bidding\",\"name\":\"投标 Bidding\",\"probability\":45,\"items\":["
    "{\"key\":\"bid_bond\",\"label\":\"投标保证金 Bid bond paid\",\"kind\":\"task\","
    "\"required\":true},{\"key\":\"bid_amount\",\"label\":\"投标金额 Bid amount\",\"kind\":"
    "\"field\",\"field\":\"amount\",\"required\":true},{\"key\":\"bid_submitted\",\"label\":"
    "\"标书递交 Bid submitted\",\"kind\":\"task\",\"required\":true}]},"
    "{\"key\":\"evaluation\",\"name\":\"评标 Evaluation\",\"probability\":65,\"items\":["
    "{\"key\":\"shortlisted\",\"label\":\"入围 "
    "Shortlisted\",\"kind\":\"task\",\"required\":true}]},"
    "{\"key\":\"award\",\"name\":\"中标公示 Award notice\",\"probability\":90,\"items\":["
    "{\"key\":\"award_notice\",\"label\":\"中标通知书 Award notice received\",\"kind\":\"task\","
    "\"required\":true}]}]";

/* Writes a version and makes it current; *vid out. */
static int add_version(db_conn *c, arena *a, int64_t tid, int64_t number, const char *stages,
                       int64_t actor, int64_t *vid)
{
    char now[TF_TS_LEN];
    tf_now(now);
    db_res r;
    int rc = db_query(c, a, &r,
                      "INSERT INTO process_template_versions(template_id, number, stages_json,"
                      " created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBI(tid), DBI(number), DBS(stages), DBI(actor), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *vid = db_get_int(&r, 0, "id");
    rc = db_exec(c,
                 "UPDATE process_templates SET current_version_id = ?, version = version + 1"
                 " WHERE id = ?",
                 DBP(DBI(*vid), DBI(tid)));
    return rc < 0 ? rc : 0;
}

typedef struct demo_project {
    const char *name, *customer, *owner;
    int tpl;           /* 0 standard v2, 1 standard v1, 2 tender */
    const char *stage; /* a stage key, or won / lost */
    long long amount;  /* fen */
    const char *close_date;
    const char *product, *spec;
    long long kg;
    int spool; /* kg per spool */
    const char *member, *member_role;
    int competitor; /* index into competitors, -1 none */
    const char *note;
} demo_project;

static const demo_project projects[] = {
    {"宇通电机 2027 年度聚酰亚胺薄膜绕包扁铜线采购", "郑州宇通电机有限公司", "zhang", 0,
     "negotiation", 386000000, "2026-12-20", "聚酰亚胺薄膜绕包扁铜线",
     "2.00×6.30 mm 双层 0.05 薄膜", 48000, 150, "wu", "技术支持 Technical support", 0,
     "年度框架，分 12 批交货，150 kg 木盘；竞争对手报价低 3%。"},
    {"洛阳中州变压器 S13 油浸变压器用纸包扁铜线", "洛阳中州变压器厂", "zhang", 0, "proposal",
     126500000, "2027-01-15", "纸包扁铜线", "3.15×10.00 mm 电缆纸 0.45", 18000, 150, "chen",
     "售前 Pre-sales", 1, NULL},
    {"苏州华能风电 3MW 发电机用玻璃丝包扁铜线", "苏州华能风电设备有限公司", "chen", 0, "qualified",
     89000000, "2027-03-31", "双玻璃丝包扁铜线", "2.24×8.00 mm 聚酯浸漆", 12000, 50, NULL, NULL, -1,
     NULL},
    {"上海申联 35kV 干式变压器用薄膜绕包铝扁线", "上海申联电力设备有限公司", "chen", 0, "won",
     57600000, "2026-11-30", "聚酯薄膜绕包铝扁线", "4.00×12.50 mm", 16000, 150, NULL, NULL, -1,
     "首批 3 吨已排产。"},
    {"深圳鹏程 地铁牵引电机用聚酰亚胺薄膜烧结线", "深圳鹏程轨道交通装备有限公司", "liu", 0,
     "initial", 0, NULL, "聚酰亚胺薄膜烧结扁铜线", "1.80×5.00 mm F46 烧结", 6000, 30, "zhang",
     "技术支持 Technical support", -1, NULL},
    {"江苏恒力 伺服电机漆包扁线试制", "江苏恒力电机科技有限公司", "zhao", 0, "lost", 18000000,
     "2026-10-31", "漆包扁铜线", "1.40×3.55 mm QZY-2", 3000, 30, NULL, NULL, 2, NULL},
    {"上海电驱动 发卡扁线 2027 年度", "上海电驱动科技有限公司", "zhang", 1, "proposal", 215000000,
     "2027-02-28", "发卡扁线（PEEK 绝缘）", "2.50×4.00 mm", 30000, 50, NULL, NULL, 3,
     "按模板第 1 版推进（模板更新前立项）。"},
    {"河南平高 GIS 配套电磁线年度框架招标", "河南平高电气股份有限公司", "liu", 2, "bidding",
     310000000, "2027-04-30", "换位导线", "自粘性 27 根组合", 40000, 150, "huang",
     "投标负责人 Bid lead", 0, NULL},
    {"南阳防爆 高压电机电磁线 2027 招标", "南阳防爆电机集团", "zhao", 2, "tech_bid", 168000000,
     "2027-05-31", "云母带绕包扁铜线", "2.80×9.00 mm 少胶云母", 20000, 150, NULL, NULL, -1, NULL},
    {"许昌特变电工 换位导线配套采购", "许昌特变电工有限公司", "zhang", 2, "registration", 96000000,
     "2027-06-30", "换位导线", "网包 31 根组合", 12000, 150, NULL, NULL, -1, NULL},
    {"新乡华瑞 电机维修用扁线集中采购", "新乡华瑞电机有限公司", "liu", 2, "award", 42000000,
     "2026-12-31", "双玻璃丝包扁铜线", "多规格", 8000, 50, NULL, NULL, -1, NULL},
    {"无锡东方 贸易备货扁线", "无锡东方电缆贸易行", "zhao", 2, "evaluation", 36000000, "2027-01-31",
     "漆包扁铜线", "多规格", 10000, 30, NULL, NULL, 1, NULL},
    {"洛阳轴研 精密电机扁线替代进口", "洛阳轴研电机有限公司", NULL, 0, "initial", 24000000,
     "2027-03-31", "聚酰亚胺薄膜绕包扁铜线", "1.25×4.50 mm", 2400, 30, NULL, NULL, -1,
     "公海客户的新商机，待分配。"},
    {"新能源汽车驱动电机扁线项目（待确认客户）", NULL, "chen", 0, "initial", 0, NULL, "发卡扁线",
     "待定", 0, 50, NULL, NULL, -1, "展会线索，客户尚未建档。"},
};

static const char *const competitors[][2] = {
    {"江苏华宇电磁线", "Huayu Magnet Wire"},
    {"天津津达漆包线", "Jinda Enamelled Wire"},
    {"宁波金鑫铜业", "Jinxin Copper"},
    {"浙江东裕线缆", "Dongyu Cable"},
};

/* Ticks every task of stages [0, upto) and writes two follow-ups. */
static int demo_progress(db_conn *c, int64_t pid, const proc_version *v, int upto, int64_t owner,
                         int64_t cust, int64_t method, const char *now)
{
    int rc = 0;
    for (int s = 0; s < upto && s < v->nstages && rc >= 0; s++)
        for (int k = 0; k < v->stages[s].nitems && rc >= 0; k++)
            if (strcmp(v->stages[s].items[k].kind, "task") == 0)
                rc = db_exec(c,
                             "INSERT INTO project_checklist(project_id, item_key, done, done_by,"
                             " done_at) VALUES (?, ?, TRUE, ?, ?)",
                             DBP(DBI(pid), DBS(v->stages[s].items[k].key), DBI(owner), DBS(now)));
    static const char *const notes[][2] = {
        {"电话沟通年度用量与规格，客户关注交期与 150 kg 木盘包装。", "客户有意向，要求寄样"},
        {"上门拜访技术部，样品试绕匝间耐压通过。", "技术认可，进入商务阶段"},
    };
    for (int i = 0; i < 2 && rc >= 0 && (i == 0 || upto > 0); i++) {
        const char *stage = v->stages[i < upto ? i : 0].key;
        rc = db_exec(c,
                     "INSERT INTO followups(customer_id, project_id, user_id, method_id, content,"
                     " stage, effect, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     DBP(cust ? DBI(cust) : DBNULL, DBI(pid), DBI(owner),
                         method ? DBI(method) : DBNULL, DBS(notes[i][0]), DBS(stage),
                         DBS(notes[i][1]), DBS(now)));
    }
    if (rc >= 0)
        rc = db_exec(c, "UPDATE projects SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(pid)));
    return rc < 0 ? rc : 0;
}

int projects_demo(db_conn *c, arena *a)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = 0;
    int64_t comp[4], admin = user_id(c, "admin");
    for (int i = 0; i < 4 && rc >= 0; i++) {
        db_res r;
        rc =
            db_query(c, a, &r,
                     "INSERT INTO dict_items(kind, name, name_en, sort) VALUES ('competitor', ?, ?,"
                     " ?) RETURNING id",
                     DBP(DBS(competitors[i][0]), DBS(competitors[i][1]), DBI(i)));
        comp[i] = rc > 0 ? db_get_int(&r, 0, "id") : 0;
    }
    if (rc < 0) return rc;
    /* the standard order (seeded by the migration, version 1) gets version 2 */
    int64_t std_id = 0, std_v1 = 0, std_v2 = 0, tender_id = 0, tender_v1 = 0;
    if ((rc = process_current(c, 0, &std_id, &std_v1)) != 0) return rc;
    if ((rc = add_version(c, a, std_id, 2, STANDARD_V2, admin, &std_v2)) < 0) return rc;
    db_res tr;
    rc = db_query(c, a, &tr,
                  "INSERT INTO process_templates(name, description, created_by, created_at,"
                  " updated_at) VALUES ('大型招标 Large tender', '电网、主机厂年度招标"
                  " Yearly tenders of grid companies and OEMs', ?, ?, ?) RETURNING id",
                  DBP(DBI(admin), DBS(now), DBS(now)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    tender_id = db_get_int(&tr, 0, "id");
    if ((rc = add_version(c, a, tender_id, 1, TENDER_V1, admin, &tender_v1)) < 0) return rc;
    proc_version vers[3];
    const int64_t tids[3] = {std_id, std_id, tender_id}, vids[3] = {std_v2, std_v1, tender_v1};
    for (int i = 0; i < 3; i++)
        if ((rc = process_version_load(c, a, vids[i], &vers[i])) != 0) return rc;
    int64_t fair = dict_id(c, "source", "Trade fair"), tender_src = dict_id(c, "source", "Tender");
    int64_t visit = dict_id(c, "followup_method", "Visit");
    for (size_t i = 0; i < sizeof(projects) / sizeof(projects[0]); i++) {
        const demo_project *d = &projects[i];
        const proc_version *v = &vers[d->tpl];
        bool won = strcmp(d->stage, "won") == 0, lost = strcmp(d->stage, "lost") == 0;
        int si = won || lost ? v->nstages - 1 : process_stage_index(v, d->stage);
        if (si < 0) return DB_ERR;
        int64_t owner = user_id(c, d->owner), cust = customer_id(c, d->customer);
        json_t *f = json_pack("{s:s, s:I, s:I}", "name", d->name, "amount", (json_int_t)d->amount,
                              "source_id", (json_int_t)(d->tpl == 2 ? tender_src : fair));
        if (cust) json_object_set_new(f, "customer_id", json_integer(cust));
        if (d->close_date)
            json_object_set_new(f, "expected_close_date", json_string(d->close_date));
        if (d->note) json_object_set_new(f, "notes", json_string(d->note));
        json_t *prod =
            json_pack("{s:s, s:s, s:s, s:s}", "name", d->product, "spec", d->spec, "unit", "kg",
                      "package", arena_printf(a, "%d kg 木盘 spool", d->spool));
        if (d->kg) json_object_set_new(prod, "quantity_milli", json_integer(d->kg * 1000));
        json_object_set_new(f, "products", json_pack("[o]", prod));
        if (d->competitor >= 0 && !lost)
            json_object_set_new(f, "competitor_ids",
                                json_pack("[I]", (json_int_t)comp[d->competitor]));
        project_input in = {.fields = f,
                            .owner_id = owner,
                            .template_id = tids[d->tpl],
                            .version_id = vids[d->tpl],
                            .stage = v->stages[si].key,
                            .probability = v->stages[si].probability};
        int64_t pid = 0;
        rc = project_insert(c, a, &in, owner ? owner : user_id(c, "wang"), &pid);
        json_decref(f);
        if (rc < 0) return rc;
        rc = demo_progress(c, pid, v, won ? v->nstages : si, owner ? owner : user_id(c, "wang"),
                           cust, visit, now);
        if (rc >= 0 && (won || lost))
            rc = db_exec(
                c,
                "UPDATE projects SET status = ?, stage = ?, closed_stage = ?, closed_at = ?,"
                " close_reason = ?, lost_to_id = ?, probability = ?, weighted = ? WHERE id = ?",
                DBP(DBS(d->stage), DBS(d->stage), DBS(v->stages[si].key), DBS(now),
                    DBS(won ? "样品及价格均通过，签订年度合同" : "价格高于对手约 6%，客户选择低价"),
                    lost ? DBI(comp[d->competitor]) : DBNULL, DBI(won ? 100 : 0),
                    DBI(won ? d->amount : 0), DBI(pid)));
        if (rc >= 0 && d->member)
            rc =
                db_exec(c,
                        "INSERT INTO project_members(project_id, user_id, role, added_by, added_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        DBP(DBI(pid), DBI(user_id(c, d->member)), DBS(d->member_role), DBI(owner),
                            DBS(now)));
        if (rc >= 0 && !owner) { /* zhao applies for the unassigned project; huang decides */
            int64_t zhao = user_id(c, "zhao"), req_id = 0;
            bool approved_now = false;
            db_res ar;
            rc = db_query(
                c, a, &ar,
                "INSERT INTO project_applications(project_id, applicant_id, reason, state,"
                " created_at) VALUES (?, ?, ?, 'pending', ?) RETURNING id",
                DBP(DBI(pid), DBI(zhao), DBS("该客户在我负责的区域，已有联系。"), DBS(now)));
            if (rc > 0) {
                int64_t app = db_get_int(&ar, 0, "id");
                rc = approvals_submit(c, a, "project_application", app,
                                      arena_printf(a, "申请项目 Project application: %s", d->name),
                                      d->amount, zhao, &req_id, &approved_now);
                if (rc >= 0) /* what the manager sees with it, as from the UI */
                    rc = approvals_set_context(c, req_id, "该客户在我负责的区域，已有联系。", "project",
                                               pid, d->name, d->amount > 0);
                if (rc >= 0)
                    rc = db_exec(c, "UPDATE project_applications SET request_id = ? WHERE id = ?",
                                 DBP(DBI(req_id), DBI(app)));
            }
        }
        if (rc < 0) return rc;
    }
    return 0;
}
