/* settings_api.c — reading and changing company settings by key
 * (customer_entry_policy, pool_rules, customer_number, wechat). Everyone
 * signed in may read them (forms need the entry policy); administrators
 * change them. Secrets inside a setting (the WeChat token) are masked. */
#include "core/audit.h"
#include "core/settings.h"
#include "http/http.h"
#include <string.h>

static void mask(const char *key, json_t *v, const principal *u)
{
    if (strcmp(key, "wechat") == 0 && !policy_allows(u, "settings.manage"))
        json_object_set_new(v, "token", json_string(""));
}

static int h_settings_get(req *r)
{
    const char *key = r->params[0];
    json_t *v = settings_get(r->db, key);
    if (!v) return reply_not_found(r);
    mask(key, v, &r->me);
    return reply_json(r, 200, v);
}

static int h_settings_put(req *r)
{
    const char *key = r->params[0];
    const setting_def *d = settings_def(key);
    if (!d) return reply_not_found(r);
    if (!r->in) return reply_problem(r, 400, "bad_request", "a JSON object body is required");
    /* only keys the default has are accepted */
    json_t *dflt = json_loads(d->default_json, 0, NULL), *errs = json_array();
    const char *k;
    json_t *v;
    json_object_foreach(r->in, k, v) if (!json_object_get(dflt, k))
        json_array_append_new(errs, field_error(k, "unknown_field", "is not a known field"));
    json_decref(dflt);
    d->validate(r->in, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int rc = db_begin(r->db);
    json_t *before = rc == 0 ? settings_get(r->db, key) : NULL, *after = NULL;
    json_t *merged = json_deep_copy(before);
    if (rc == 0) {
        json_object_update(merged, r->in);
        rc = settings_put(r->db, key, merged);
    }
    if (rc == 0) {
        after = settings_get(r->db, key);
        rc = audit_record(r->db, r->me.id, "setting", 0, key, before, after);
    }
    if (rc == 0) rc = db_commit(r->db);
    json_decref(before);
    json_decref(merged);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

const route settings_routes[] = {
    {"GET", "/api/v1/settings/{key}", h_settings_get, PERM_SIGNED_IN, 0,
     "A company setting: customer_entry_policy, pool_rules, the number patterns (customer_number,"
     " quotation_number, contract_number, delivery_number, return_number, invoice_number,"
     " receipt_number), wechat", NULL},
    {"PUT", "/api/v1/settings/{key}", h_settings_put, "settings.manage", 16384,
     "Change a company setting (fields given are replaced, others kept)",
     "{\"type\":\"object\"}"},
    ROUTES_END,
};
