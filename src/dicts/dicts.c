/* dicts.c — the dictionaries resource (/api/v1/dictionaries) and the custom
 * fields resource (/api/v1/custom-fields), with the checks other resources
 * use for references and custom values. Items are retired, never deleted. */
#include "dicts/dicts.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"
#include <string.h>

static const char *const kinds[] = {"qualification", "region", "industry",
                                    "source", "level", "followup_method", "competitor", NULL};

bool dict_kind_valid(const char *kind)
{
    for (int i = 0; kind && kinds[i]; i++)
        if (strcmp(kinds[i], kind) == 0) return true;
    return false;
}

bool dict_ref_ok(db_conn *c, const char *kind, int64_t id, bool allow_retired)
{
    int64_t n = 0;
    db_scalar_int(c, &n, 0,
                  "SELECT COUNT(*) FROM dict_items WHERE id = ? AND kind = ? AND"
                  " (retired = FALSE OR ? = 1)",
                  DBP(DBI(id), DBS(kind), DBI(allow_retired)));
    return n > 0;
}

#define DICT_COLS "SELECT id, kind, name, name_en, parent_id, sort, retired, version FROM dict_items"

static json_t *dict_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, DICT_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_dicts_list(req *r)
{
    const char *kind = req_query(r, "kind");
    if (kind && !dict_kind_valid(kind))
        return reply_problem(r, 400, "bad_request", "kind must be one of qualification, region,"
                                                    " industry, source, level, followup_method");
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      DICT_COLS " WHERE (CAST(? AS TEXT) IS NULL OR kind = ?)"
                                " ORDER BY kind, sort, id LIMIT 5000",
                      DBP(DBS(kind), DBS(kind)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static int h_dicts_create(req *r)
{
    static const field spec[] = {{"kind", F_STR, F_REQ, 40, 1},   {"name", F_STR, F_REQ, 100, 1},
                                 {"name_en", F_STR, F_NULL, 100, 0}, {"parent_id", F_INT, F_NULL, 0, 1},
                                 {"sort", F_INT, 0, 100000, 0},     FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    const char *kind = in_str(r, "kind");
    json_t *errs = json_array();
    if (!dict_kind_valid(kind))
        json_array_append_new(errs, field_error("kind", "invalid", "is not a dictionary kind"));
    json_t *parent = json_object_get(r->in, "parent_id");
    if (json_is_integer(parent) && !dict_ref_ok(r->db, kind ? kind : "", json_integer_value(parent), false))
        json_array_append_new(errs, field_error("parent_id", "not_found", "no such item of this kind"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    db_res res;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO dict_items(kind, name, name_en, parent_id, sort) VALUES"
                      " (?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBS(kind), DBS(in_str(r, "name")), DBS(in_str(r, "name_en")),
                          json_is_integer(parent) ? DBI(json_integer_value(parent)) : DBNULL,
                          DBI(in_int(r, "sort", 0))));
    return audit_finish_create(r, rc, &res, "dict_item", dict_json);
}

static int h_dicts_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1}, {"name", F_STR, 0, 100, 1},
                                 {"name_en", F_STR, F_NULL, 100, 0}, {"sort", F_INT, 0, 100000, 0},
                                 {"retired", F_BOOL, 0, 0, 0},   FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = dict_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db,
                 "UPDATE dict_items SET name = COALESCE(?, name),"
                 " name_en = CASE WHEN ? = 1 THEN ? ELSE name_en END, sort = COALESCE(?, sort),"
                 " retired = COALESCE(?, retired), version = version + 1"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "name")), DBI(in_has(r, "name_en")), DBS(in_str(r, "name_en")),
                     in_has(r, "sort") ? DBI(in_int(r, "sort", 0)) : DBNULL,
                     in_has(r, "retired") ? DBB(in_bool(r, "retired", false)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "dict_item", id, before, dict_json);
}

/* Custom fields ----------------------------------------------------------- */

static const char *const field_types[] = {"text",   "number", "date", "select",
                                          "multiselect", "phone", "email", NULL};

static bool in_options(json_t *options, const char *s)
{
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o) if (json_is_string(o) && strcmp(json_string_value(o), s) == 0)
        return true;
    return false;
}

/* Checks one value against its field type; message or NULL. */
static const char *check_value(const char *type, json_t *options, json_t *v)
{
    if (strcmp(type, "number") == 0) {
        if (json_is_integer(v)) return NULL;
        int64_t n;
        if (json_is_string(v) && tf_parse_i64(json_string_value(v), &n)) return NULL;
        return "must be a whole number";
    }
    if (strcmp(type, "multiselect") == 0) {
        if (!json_is_array(v) || json_array_size(v) > 50) return "must be a list of options";
        size_t i;
        json_t *o;
        json_array_foreach(v, i, o) if (!json_is_string(o) || !in_options(options, json_string_value(o)))
            return "holds a value that is not an option";
        return NULL;
    }
    if (!json_is_string(v)) return "must be text";
    const char *s = json_string_value(v);
    if (tf_utf8_len(s) > 500) return "must be at most 500 characters";
    if (strcmp(type, "date") == 0) {
        time_t t;
        if (strlen(s) != 10 || !tf_ts_parse(s, &t)) return "must be a date YYYY-MM-DD";
    } else if (strcmp(type, "select") == 0) {
        if (!in_options(options, s)) return "is not one of the options";
    } else if (strcmp(type, "email") == 0) {
        const char *at = strchr(s, '@');
        if (!at || at == s || !strchr(at, '.')) return "must be an e-mail address";
    } else if (strcmp(type, "phone") == 0) {
        for (const char *p = s; *p; p++)
            if (!strchr("0123456789+-() ", *p)) return "must be a phone number";
    }
    return NULL;
}

void custom_validate(db_conn *c, arena *a, const char *entity, json_t *custom, bool creating,
                     json_t *errs)
{
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT key, type, options_json, required FROM custom_fields"
                 " WHERE entity = ? AND retired = FALSE",
                 DBP(DBS(entity))) < 0)
        return;
    const char *k;
    json_t *v;
    json_object_foreach(custom, k, v)
    {
        int row = -1;
        for (int i = 0; i < res.nrows; i++)
            if (strcmp(db_get_text(&res, i, "key"), k) == 0) row = i;
        char *name = arena_printf(a, "custom.%.60s", k);
        if (row < 0) {
            json_array_append_new(errs, field_error(name, "unknown_field", "is not a custom field"));
            continue;
        }
        if (json_is_null(v)) continue;
        json_t *opts = json_loads(db_get_text(&res, row, "options_json"), 0, NULL);
        const char *msg = check_value(db_get_text(&res, row, "type"), opts, v);
        json_decref(opts);
        if (msg) json_array_append_new(errs, field_error(name, "invalid", msg));
    }
    for (int i = 0; creating && i < res.nrows; i++) {
        const char *key = db_get_text(&res, i, "key");
        json_t *v2 = json_object_get(custom, key);
        if (db_get_int(&res, i, "required") && (!v2 || json_is_null(v2) ||
                                                 (json_is_string(v2) && !*json_string_value(v2))))
            json_array_append_new(errs, field_error(arena_printf(a, "custom.%s", key), "required",
                                                    "is required"));
    }
}

void custom_add_search(db_conn *c, arena *a, const char *entity, json_t *custom, ts_doc *doc)
{
    if (!json_object_size(custom)) return;
    db_res res;
    if (db_query(c, a, &res,
                 "SELECT key FROM custom_fields WHERE entity = ? AND searchable = TRUE"
                 " AND retired = FALSE",
                 DBP(DBS(entity))) <= 0)
        return;
    for (int i = 0; i < res.nrows; i++) {
        json_t *v = json_object_get(custom, db_get_text(&res, i, "key"));
        if (json_is_string(v)) ts_doc_add(doc, json_string_value(v));
    }
}

#define CF_COLS                                                                                    \
    "SELECT id, entity, key, label, label_en, type, options_json, required, searchable, sort,"    \
    " retired, version FROM custom_fields"

static json_t *cf_json(req *r, int64_t id)
{
    db_res res;
    if (db_query(r->db, &r->a, &res, CF_COLS " WHERE id = ?", DBP(DBI(id))) <= 0) return NULL;
    return db_row_json(&res, 0);
}

static int h_cf_list(req *r)
{
    const char *entity = req_query(r, "entity");
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      CF_COLS " WHERE (CAST(? AS TEXT) IS NULL OR entity = ?) ORDER BY entity, sort, id"
                              " LIMIT 1000",
                      DBP(DBS(entity), DBS(entity)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_json(r, 200, json_pack("{s:o, s:n}", "items", db_rows_json(&res), "next_cursor"));
}

static void cf_check(req *r, json_t *errs)
{
    const char *type = in_str(r, "type"), *entity = in_str(r, "entity"), *key = in_str(r, "key");
    if (type) {
        bool ok = false;
        for (int i = 0; field_types[i]; i++) ok |= strcmp(field_types[i], type) == 0;
        if (!ok) json_array_append_new(errs, field_error("type", "invalid",
                                                         "must be text, number, date, select,"
                                                         " multiselect, phone or email"));
    }
    if (entity && strcmp(entity, "customer") && strcmp(entity, "project"))
        json_array_append_new(errs, field_error("entity", "invalid", "must be customer or project"));
    if (key) {
        bool ok = *key >= 'a' && *key <= 'z';
        for (const char *p = key; *p; p++)
            ok &= (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok) json_array_append_new(errs, field_error("key", "invalid",
                                                         "use lower-case letters, digits and _"));
    }
    json_t *opts = json_object_get(r->in, "options");
    size_t i;
    json_t *o;
    json_array_foreach(opts, i, o) if (!json_is_string(o) || tf_utf8_len(json_string_value(o)) > 100)
    {
        json_array_append_new(errs, field_error("options", "invalid", "must be short texts"));
        break;
    }
}

static int h_cf_create(req *r)
{
    static const field spec[] = {
        {"entity", F_STR, F_REQ, 20, 1},   {"key", F_STR, F_REQ, 40, 1},
        {"label", F_STR, F_REQ, 100, 1},   {"label_en", F_STR, F_NULL, 100, 0},
        {"type", F_STR, F_REQ, 20, 1},     {"options", F_ARR, 0, 200, 0},
        {"required", F_BOOL, 0, 0, 0},     {"searchable", F_BOOL, 0, 0, 0},
        {"sort", F_INT, 0, 100000, 0},     FIELDS_END};
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    cf_check(r, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    json_t *opts = json_object_get(r->in, "options");
    char *osa = "[]";
    if (opts) {
        char *os = json_dumps(opts, JSON_COMPACT);
        osa = arena_strdup(&r->a, os);
        free(os);
    }
    db_res res;
    json_t *after = NULL;
    int rc = db_begin(r->db);
    if (rc == 0)
        rc = db_query(r->db, &r->a, &res,
                      "INSERT INTO custom_fields(entity, key, label, label_en, type, options_json,"
                      " required, searchable, sort) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(DBS(in_str(r, "entity")), DBS(in_str(r, "key")), DBS(in_str(r, "label")),
                          DBS(in_str(r, "label_en")), DBS(in_str(r, "type")), DBS(osa),
                          DBB(in_bool(r, "required", false)), DBB(in_bool(r, "searchable", false)),
                          DBI(in_int(r, "sort", 0))));
    if (rc > 0) {
        int64_t id = db_get_int(&res, 0, "id");
        after = cf_json(r, id);
        rc = audit_record(r->db, r->me.id, "custom_field", id, "create", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        if (rc == DB_EUNIQUE)
            return reply_invalid(r, json_pack("[o]", field_error("key", "taken", "is already used")));
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, after);
}

static int h_cf_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1}, {"label", F_STR, 0, 100, 1},
                                 {"label_en", F_STR, F_NULL, 100, 0}, {"options", F_ARR, 0, 200, 0},
                                 {"required", F_BOOL, 0, 0, 0},  {"searchable", F_BOOL, 0, 0, 0},
                                 {"sort", F_INT, 0, 100000, 0},  {"retired", F_BOOL, 0, 0, 0},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    cf_check(r, errs);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char *osa = NULL;
    if (in_has(r, "options")) {
        char *os = json_dumps(json_object_get(r->in, "options"), JSON_COMPACT);
        osa = arena_strdup(&r->a, os);
        free(os);
    }
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = cf_json(r, id);
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db,
                 "UPDATE custom_fields SET label = COALESCE(?, label),"
                 " label_en = CASE WHEN ? = 1 THEN ? ELSE label_en END,"
                 " options_json = COALESCE(?, options_json), required = COALESCE(?, required),"
                 " searchable = COALESCE(?, searchable), sort = COALESCE(?, sort),"
                 " retired = COALESCE(?, retired), version = version + 1"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "label")), DBI(in_has(r, "label_en")), DBS(in_str(r, "label_en")),
                     DBS(osa), in_has(r, "required") ? DBB(in_bool(r, "required", false)) : DBNULL,
                     in_has(r, "searchable") ? DBB(in_bool(r, "searchable", false)) : DBNULL,
                     in_has(r, "sort") ? DBI(in_int(r, "sort", 0)) : DBNULL,
                     in_has(r, "retired") ? DBB(in_bool(r, "retired", false)) : DBNULL, DBI(id),
                     DBI(in_int(r, "version", 0))));
    return audit_finish_update(r, rc, "custom_field", id, before, cf_json);
}

const route dicts_routes[] = {
    {"GET", "/api/v1/dictionaries", h_dicts_list, PERM_SIGNED_IN, 0,
     QUERY("kind=qualification|region|industry|source|level|followup_method")
     "Dictionary items (kind: qualification, region, industry, source, level, followup_method)",
     NULL},
    {"POST", "/api/v1/dictionaries", h_dicts_create, "dicts.manage", 4096, "Add a dictionary item",
     "{\"type\":\"object\",\"required\":[\"kind\",\"name\"],\"properties\":{"
     "\"kind\":{\"enum\":[\"qualification\",\"region\",\"industry\",\"source\",\"level\","
     "\"followup_method\"]},\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
     "\"name_en\":{\"type\":[\"string\",\"null\"],\"maxLength\":100},"
     "\"parent_id\":{\"type\":[\"integer\",\"null\"],\"minimum\":1},"
     "\"sort\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100000}}}"},
    {"PATCH", "/api/v1/dictionaries/{id}", h_dicts_update, "dicts.manage", 4096,
     "Rename, reorder or retire a dictionary item",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{"
     "\"version\":{\"type\":\"integer\",\"minimum\":1},"
     "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
     "\"name_en\":{\"type\":[\"string\",\"null\"],\"maxLength\":100},"
     "\"sort\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100000},"
     "\"retired\":{\"type\":\"boolean\"}}}"},
    {"GET", "/api/v1/custom-fields", h_cf_list, PERM_SIGNED_IN, 0,
     QUERY("entity") "Custom field definitions",
     NULL},
    {"POST", "/api/v1/custom-fields", h_cf_create, "dicts.manage", 16384, "Define a custom field",
     "{\"type\":\"object\",\"required\":[\"entity\",\"key\",\"label\",\"type\"],"
     "\"properties\":{\"entity\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":20},"
     "\"key\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":40},"
     "\"label\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
     "\"label_en\":{\"type\":[\"string\",\"null\"],\"maxLength\":100},"
     "\"type\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":20},"
     "\"options\":{\"type\":\"array\",\"maxItems\":200},"
     "\"required\":{\"type\":\"boolean\"},\"searchable\":{\"type\":\"boolean\"},"
     "\"sort\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100000}}}"},
    {"PATCH", "/api/v1/custom-fields/{id}", h_cf_update, "dicts.manage", 16384,
     "Change or retire a custom field",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{"
     "\"version\":{\"type\":\"integer\",\"minimum\":1},"
     "\"label\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":100},"
     "\"label_en\":{\"type\":[\"string\",\"null\"],\"maxLength\":100},"
     "\"options\":{\"type\":\"array\",\"maxItems\":200},"
     "\"required\":{\"type\":\"boolean\"},\"searchable\":{\"type\":\"boolean\"},"
     "\"sort\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":100000},"
     "\"retired\":{\"type\":\"boolean\"}}}"},
    ROUTES_END,
};
