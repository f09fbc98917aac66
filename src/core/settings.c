/* settings.c — the declared settings, their defaults and validators, and
 * reading / writing them (see settings.h). */
#include "core/settings.h"
#include "core/i18n.h"
#include "core/numbering.h"
#include "base/util.h"
#include <stdlib.h>
#include <string.h>

static json_t *err(const char *field, const char *code, const char *msg)
{
    return json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", msg);
}

static void check_dup_mode(json_t *v, const char *field, json_t *errs)
{
    const char *s = json_string_value(v);
    if (v && (!s || (strcmp(s, "off") && strcmp(s, "warn") && strcmp(s, "forbid"))))
        json_array_append_new(errs, err(field, "invalid", "must be off, warn or forbid"));
}

static void v_entry_policy(json_t *v, json_t *errs)
{
    static const char *const requirable[] = {"phone", "telephone", "address", "wechat", "email",
                                             "qualification_id", "region_id", "industry_id",
                                             "source_id", "level_id", "followup_method_id", NULL};
    json_t *req = json_object_get(v, "required"), *it;
    size_t i;
    if (req && !json_is_array(req))
        json_array_append_new(errs, err("required", "wrong_type", "must be an array"));
    json_array_foreach(req, i, it)
    {
        bool ok = false;
        for (int k = 0; requirable[k] && json_is_string(it); k++)
            ok |= strcmp(requirable[k], json_string_value(it)) == 0;
        if (!ok) json_array_append_new(errs, err("required", "invalid", "names a field that cannot be required"));
    }
    json_t *d = json_object_get(v, "duplicates");
    if (d && !json_is_object(d))
        json_array_append_new(errs, err("duplicates", "wrong_type", "must be an object"));
    check_dup_mode(json_object_get(d, "name"), "duplicates.name", errs);
    check_dup_mode(json_object_get(d, "phone"), "duplicates.phone", errs);
    check_dup_mode(json_object_get(d, "wechat"), "duplicates.wechat", errs);
}

static void check_int(json_t *o, const char *key, json_int_t min, json_int_t max, json_t *errs)
{
    json_t *v = json_object_get(o, key);
    if (v && (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max))
        json_array_append_new(errs, err(key, "out_of_range", "must be an integer in range"));
}

static void v_pool_rules(json_t *v, json_t *errs)
{
    check_int(v, "max_owned", 0, 1000000, errs);
    check_int(v, "claims_per_day", 0, 10000, errs);
    check_int(v, "claim_batch_max", 1, 1000, errs);
    check_int(v, "reclaim_cooldown_days", 0, 3650, errs);
    check_int(v, "takeback_warn_days", 0, 365, errs);
    check_int(v, "takeback_no_followup_days", 0, 3650, errs);
    check_int(v, "takeback_no_deal_days", 0, 3650, errs);
    json_t *e = json_object_get(v, "exempt_signed");
    if (e && !json_is_boolean(e))
        json_array_append_new(errs, err("exempt_signed", "wrong_type", "must be true or false"));
    const char *k;
    json_t *per;
    const char *maps[] = {"takeback_no_followup_days_by_level", "takeback_no_deal_days_by_level"};
    for (int m = 0; m < 2; m++) {
        json_t *o = json_object_get(v, maps[m]);
        if (o && !json_is_object(o)) {
            json_array_append_new(errs, err(maps[m], "wrong_type", "must map level ids to days"));
            continue;
        }
        json_object_foreach(o, k, per) if (!json_is_integer(per) || json_integer_value(per) < 0)
            json_array_append_new(errs, err(maps[m], "out_of_range", "days must be >= 0"));
    }
}

static void v_pattern(json_t *v, json_t *errs)
{
    if (!numbering_valid(json_string_value(json_object_get(v, "pattern"))))
        json_array_append_new(errs, err("pattern", "invalid",
                                        "use text with {yyyy} {yy} {mm} {dd} and one {seq:N}"));
}

static void v_wechat(json_t *v, json_t *errs)
{
    const char *mode = json_string_value(json_object_get(v, "auto_customer"));
    if (json_object_get(v, "auto_customer") &&
        (!mode || (strcmp(mode, "off") && strcmp(mode, "pool") && strcmp(mode, "owner"))))
        json_array_append_new(errs, err("auto_customer", "invalid", "must be off, pool or owner"));
    json_t *t = json_object_get(v, "token");
    if (t && (!json_is_string(t) || strlen(json_string_value(t)) > 64))
        json_array_append_new(errs, err("token", "invalid", "must be a string of at most 64 characters"));
    check_int(v, "owner_id", 1, INT64_MAX, errs);
}

/* project_entry_policy: fields a new project must have, and what a
 * duplicate name does (off, warn, forbid). */
static void v_project_entry_policy(json_t *v, json_t *errs)
{
    static const char *const requirable[] = {"customer_id", "amount", "expected_close_date",
                                             "products", "source_id", "competitor_ids", "notes",
                                             NULL};
    json_t *req = json_object_get(v, "required"), *it;
    size_t i;
    if (req && !json_is_array(req))
        json_array_append_new(errs, err("required", "wrong_type", "must be an array"));
    json_array_foreach(req, i, it)
    {
        bool ok = false;
        for (int k = 0; requirable[k] && json_is_string(it); k++)
            ok |= strcmp(requirable[k], json_string_value(it)) == 0;
        if (!ok)
            json_array_append_new(errs, err("required", "invalid",
                                            "names a field that cannot be required"));
    }
    json_t *d = json_object_get(v, "duplicates");
    if (d && !json_is_object(d))
        json_array_append_new(errs, err("duplicates", "wrong_type", "must be an object"));
    check_dup_mode(json_object_get(d, "name"), "duplicates.name", errs);
}

/* The company: its time zone (an IANA name), in which files and mails show
 * dates and times (core/i18n.h). */
static void v_company(json_t *v, json_t *errs)
{
    json_t *tz = json_object_get(v, "time_zone");
    if (tz && !i18n_zone_valid(json_string_value(tz)))
        json_array_append_new(errs, err("time_zone", "invalid",
                                        "must be a time zone such as Asia/Shanghai"));
}

/* company_profile: the company's own details printed on its documents
 * (quotations, contracts); the logo is a file of its own (documents). */
static void v_company_profile(json_t *v, json_t *errs)
{
    static const char *const keys[] = {"name", "address", "phone", "bank", "tax_no", NULL};
    for (int i = 0; keys[i]; i++) {
        json_t *s = json_object_get(v, keys[i]);
        if (s && (!json_is_string(s) || tf_utf8_len(json_string_value(s)) > 200))
            json_array_append_new(errs, err(keys[i], "invalid",
                                            "must be text of at most 200 characters"));
    }
}

/* The pattern a kind of record is numbered by: the setting "<sequence>_number",
 * {"pattern": ...}, one shape for every numbered record (settings_number_next). */
#define NUMBER_SETTING(seq, pattern) {seq "_number", "{\"pattern\":\"" pattern "\"}", v_pattern}

static const setting_def defs[] = {
    {"customer_entry_policy",
     "{\"required\":[\"phone\"],\"duplicates\":{\"name\":\"warn\",\"phone\":\"forbid\","
     "\"wechat\":\"forbid\"}}",
     v_entry_policy},
    {"pool_rules",
     "{\"max_owned\":500,\"claims_per_day\":20,\"claim_batch_max\":10,"
     "\"reclaim_cooldown_days\":30,\"takeback_no_followup_days\":30,"
     "\"takeback_no_deal_days\":90,\"takeback_no_followup_days_by_level\":{},"
     "\"takeback_no_deal_days_by_level\":{},\"takeback_warn_days\":3,\"exempt_signed\":true}",
     v_pool_rules},
    NUMBER_SETTING("customer", "KH-{yyyy}{mm}-{seq:5}"),
    NUMBER_SETTING("quotation", "BJ-{yyyy}{mm}-{seq:4}"),
    NUMBER_SETTING("contract", "HT-{yyyy}{mm}-{seq:4}"),
    NUMBER_SETTING("delivery", "FH-{yyyy}{mm}-{seq:5}"),
    NUMBER_SETTING("return", "TH-{yyyy}{mm}-{seq:4}"),
    NUMBER_SETTING("invoice", "FP-{yyyy}{mm}-{seq:5}"),
    NUMBER_SETTING("receipt", "SK-{yyyy}{mm}-{seq:5}"),
    {"project_entry_policy", "{\"required\":[],\"duplicates\":{\"name\":\"warn\"}}",
     v_project_entry_policy},
    {"wechat", "{\"token\":\"\",\"auto_customer\":\"off\",\"owner_id\":null}", v_wechat},
    {"company", "{\"time_zone\":\"" I18N_DEFAULT_ZONE "\"}", v_company},
    {"company_profile",
     "{\"name\":\"\",\"address\":\"\",\"phone\":\"\",\"bank\":\"\",\"tax_no\":\"\"}",
     v_company_profile},
};

const setting_def *settings_def(const char *key)
{
    for (size_t i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
        if (strcmp(defs[i].key, key) == 0) return &defs[i];
    return NULL;
}

json_t *settings_get(db_conn *c, const char *key)
{
    const setting_def *d = settings_def(key);
    if (!d) return NULL;
    json_t *v = json_loads(d->default_json, 0, NULL);
    arena a;
    arena_init(&a);
    db_res r;
    if (db_query(c, &a, &r, "SELECT value FROM settings WHERE key = ?", DBP(DBS(key))) > 0) {
        json_t *stored = json_loads(db_get_text(&r, 0, "value"), 0, NULL);
        if (json_is_object(stored)) json_object_update(v, stored);
        json_decref(stored);
    }
    arena_free(&a);
    return v;
}

int settings_put(db_conn *c, const char *key, json_t *value)
{
    char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = db_exec(c,
                     "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE"
                     " SET value = excluded.value, version = settings.version + 1",
                     DBP(DBS(key), DBS(s)));
    free(s);
    return rc < 0 ? rc : 0;
}

char *settings_number_next(db_conn *c, arena *a, const char *seq, int *rc)
{
    json_t *v = settings_get(c, arena_printf(a, "%s_number", seq));
    const char *p = json_string_value(json_object_get(v, "pattern"));
    char *number = p ? numbering_next(c, a, seq, p, time(NULL), rc) : NULL;
    if (!p) *rc = -1;
    json_decref(v);
    return number;
}
