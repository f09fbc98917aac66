/* import_map.c — the columns of an import: the resources that can be
 * imported (customers' column table is here; other modules declare theirs
 * with import_resource_add), which fields a column can fill (the targets),
 * and the mapping offered for a new file: the
 * user's remembered choice for each header (import_mappings), else a known
 * name of the field in English or Chinese (the export's own headers among
 * them, so an exported file imports back), else a custom field's label. */
#include "imports/import_jobs.h"
#include "base/textsearch.h"
#include <string.h>

static const import_target customer_targets[] = {
    {"name", TG_TEXT, "name", 200, NULL},
    {"phone", TG_TEXT, "phone", 40, NULL},
    {"telephone", TG_TEXT, "telephone", 40, NULL},
    {"address", TG_TEXT, "address", 300, NULL},
    {"wechat", TG_TEXT, "wechat", 64, NULL},
    {"email", TG_TEXT, "email", 200, NULL},
    {"notes", TG_TEXT, "notes", 5000, NULL},
    {"number", TG_NUMBER, "number", 60, NULL},
    {"level", TG_DICT, "level_id", 0, "level"},
    {"industry", TG_DICT, "industry_id", 0, "industry"},
    {"region", TG_DICT, "region_id", 0, "region"},
    {"source", TG_DICT, "source_id", 0, "source"},
    {"qualification", TG_DICT, "qualification_id", 0, "qualification"},
    {"followup_method", TG_DICT, "followup_method_id", 0, "followup_method"},
    {"protected", TG_BOOL, "protected", 0, NULL},
    {"signed", TG_BOOL, "signed", 0, NULL},
    {"contact_name", TG_CONTACT, "name", 100, NULL},
    {"contact_title", TG_CONTACT, "title", 100, NULL},
    {"contact_mobile", TG_CONTACT, "mobile", 40, NULL},
    {"contact_email", TG_CONTACT, "email", 200, NULL},
};

/* Names a header is known by (compared after ts_normalize: case, spaces and
 * punctuation do not matter). */
static const import_known customer_known[] = {
    {"name", "name|customer|customer name|company|company name|客户名称|客户|名称|公司名称|公司|"
             "单位名称|企业名称"},
    {"phone", "phone|mobile|mobile phone|cell phone|手机|手机号|手机号码|移动电话|联系电话"},
    {"telephone", "telephone|tel|landline|office phone|电话|座机|固定电话|办公电话"},
    {"address", "address|地址|详细地址|公司地址|通讯地址"},
    {"wechat", "wechat|weixin|wechat id|微信|微信号"},
    {"email", "email|e-mail|mail|email address|邮箱|电子邮箱|邮件|电子邮件"},
    {"notes", "notes|note|remark|remarks|comment|备注|说明"},
    {"number", "number|customer number|customer no|no|编号|客户编号"},
    {"level", "level|value level|customer level|级别|价值级别|客户级别|等级"},
    {"industry", "industry|行业|所属行业"},
    {"region", "region|area|province|city|地区|区域|所在地区|省份|省市|城市|所在城市"},
    {"source", "source|customer source|来源|客户来源"},
    {"qualification", "qualification|资质|纳税人资质"},
    {"followup_method", "follow-up method|followup method|跟进方式"},
    {"protected", "protected|保护|受保护"},
    {"signed", "signed|签约|已签约"},
    {"contact_name", "contact|contact name|contact person|联系人|联系人姓名|姓名"},
    {"contact_title", "title|job title|position|contact title|职务|职位|联系人职务"},
    {"contact_mobile", "contact mobile|contact phone|联系人手机|联系人电话|联系人手机号"},
    {"contact_email", "contact email|联系人邮箱|联系人邮件"},
};

static const char *const customer_required[] = {NULL}; /* by mode: import_api.c */

const import_resource import_customers = {
    .entity = "customer",
    .perm = "customers.import",
    .targets = customer_targets,
    .ntargets = sizeof(customer_targets) / sizeof(customer_targets[0]),
    .known = customer_known,
    .nknown = sizeof(customer_known) / sizeof(customer_known[0]),
    .custom_entity = "customer",
    .required = customer_required,
};

/* The resources: set at start-up, read-only while the server serves. */
enum { RESOURCES_MAX = 8 };
static const import_resource *resources[RESOURCES_MAX] = {&import_customers};
static int nresources = 1;

void import_resource_add(const import_resource *res)
{
    if (nresources < RESOURCES_MAX && !import_resource_find(res->entity))
        resources[nresources++] = res;
}

const import_resource *import_resource_find(const char *entity)
{
    for (int i = 0; entity && i < nresources; i++)
        if (strcmp(resources[i]->entity, entity) == 0) return resources[i];
    return NULL;
}

const import_target *import_target_find(const import_resource *res, const char *name)
{
    for (int i = 0; name && i < res->ntargets; i++)
        if (strcmp(res->targets[i].name, name) == 0) return &res->targets[i];
    return NULL;
}

bool import_target_valid(const import_resource *res, db_conn *c, arena *a, const char *target,
                         const char **custom_type)
{
    if (custom_type) *custom_type = NULL;
    if (import_target_find(res, target)) return true;
    if (!res->custom_entity || strncmp(target, "custom.", 7) != 0 || !target[7]) return false;
    db_res r;
    if (db_query(c, a, &r,
                 "SELECT type FROM custom_fields WHERE entity = ? AND key = ?"
                 " AND retired = FALSE",
                 DBP(DBS(res->custom_entity), DBS(target + 7))) <= 0)
        return false;
    if (custom_type) *custom_type = db_get_text(&r, 0, "type");
    return true;
}

/* The target a header is known by, or NULL. */
static const char *known_target(const import_resource *res, arena *a, const char *norm,
                                const db_res *cf)
{
    for (int i = 0; i < res->nknown; i++) {
        const import_known *known = res->known;
        const char *p = known[i].names;
        while (*p) {
            const char *e = strchr(p, '|');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (strcmp(ts_normalize(a, arena_strndup(a, p, n)), norm) == 0) return known[i].target;
            p += n + (e ? 1 : 0);
        }
    }
    for (int i = 0; cf && i < cf->nrows; i++) {
        static const char *const cols[] = {"label", "label_en", "key"};
        for (int k = 0; k < 3; k++) {
            const char *l = db_get_text(cf, i, cols[k]);
            if (l && *l && strcmp(ts_normalize(a, l), norm) == 0)
                return arena_printf(a, "custom.%s", db_get_text(cf, i, "key"));
        }
    }
    return NULL;
}

json_t *import_suggest(const import_resource *res, db_conn *c, arena *a, int64_t user_id,
                       json_t *columns, bool *remembered)
{
    db_res m, cf;
    json_t *memory = NULL;
    if (db_query(c, a, &m,
                 "SELECT mapping_json FROM import_mappings WHERE user_id = ? AND entity = ?",
                 DBP(DBI(user_id), DBS(res->entity))) > 0)
        memory = json_loads(db_get_text(&m, 0, "mapping_json"), 0, NULL);
    if (!res->custom_entity ||
        db_query(c, a, &cf,
                 "SELECT key, label, label_en FROM custom_fields WHERE entity = ?"
                 " AND retired = FALSE ORDER BY sort, id",
                 DBP(DBS(res->custom_entity))) < 0)
        cf.nrows = 0;
    json_t *out = json_object(), *used = json_object();
    size_t i;
    json_t *col;
    *remembered = json_array_size(columns) > 0;
    json_array_foreach(columns, i, col)
    {
        const char *h = json_string_value(col);
        json_t *mem = json_object_get(json_object_get(memory, "columns"), h);
        const char *t = NULL;
        if (mem &&
            (json_is_null(mem) ||
             (json_is_string(mem) &&
              import_target_valid(res, c, a, json_string_value(mem), NULL)))) {
            t = json_string_value(mem);
        } else {
            *remembered = false;
            t = known_target(res, a, ts_normalize(a, h), &cf);
        }
        if (t && json_object_get(used, t)) t = NULL; /* one column per field */
        if (t) json_object_set_new(used, t, json_true());
        json_object_set_new(out, h, t ? json_string(t) : json_null());
    }
    json_decref(used);
    json_decref(memory);
    return out;
}

void import_choices_check(req *r, const import_resource *res, json_t *map, json_t *errs)
{
    json_t *choices = json_object_get(r->in, "choices"), *v;
    const char *h;
    json_object_foreach(choices, h, v)
    {
        const char *fname = arena_printf(&r->a, "choices.%s", h);
        const char *c = json_string_value(v);
        const import_target *t =
            import_target_find(res, json_string_value(json_object_get(map, h)));
        if (!c || (strcmp(c, "refuse") && strcmp(c, "empty") && strcmp(c, "add")))
            json_array_append_new(errs,
                                  field_error(fname, "invalid", "must be refuse, empty or add"));
        else if (!t || t->kind != TG_DICT)
            json_array_append_new(errs, field_error(fname, "invalid",
                                                    "only a column mapped to a dictionary field"
                                                    " takes a choice"));
        else if (strcmp(c, "add") == 0 && !policy_allows(&r->me, "dicts.manage"))
            json_array_append_new(errs, field_error(fname, "forbidden",
                                                    "adding to a dictionary needs the right to"
                                                    " manage dictionaries"));
    }
}
