/* project_followups.c — a project's follow-ups and the timeline it shares
 * with its customer's.
 *
 * Project follow-ups are rows of the followups table with project_id set
 * and the stage they were made at: one table, so the customer's follow-up
 * list and the project's timeline read the same rows. A project without a
 * customer has follow-ups too (followups.customer_id is nullable since 004);
 * when the project is linked to a customer later, its follow-ups follow. */
#include "projects/projects.h"
#include "dicts/dicts.h"
#include "customers/followups.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"

#define FOLLOWUP_LIST                                                                              \
    "SELECT f.id, f.customer_id, f.project_id, pp.name AS project_name, f.user_id,"                \
    " u.name AS user_name, f.method_id, d.name AS method_name, d.name_en AS method_name_en,"       \
    " f.content, f.stage, f.effect, f.next_step, f.next_contact_at, f.template_id, f.created_at"
#define FOLLOWUP_FROM                                                                              \
    " FROM followups f LEFT JOIN users u ON u.id = f.user_id"                                      \
    " LEFT JOIN dict_items d ON d.id = f.method_id LEFT JOIN projects pp ON pp.id = f.project_id"
#define FOLLOWUP_COLS FOLLOWUP_LIST FOLLOWUP_FROM

/* GET /projects/{id}/followups — the project's own, newest first. */
static int h_followups_list(req *r)
{
    int limit;
    int64_t cursor, id = project_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      FOLLOWUP_COLS " WHERE f.project_id = ? AND (? = 0 OR f.id < ?)"
                                    " ORDER BY f.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

/* POST /projects/{id}/followups {"method_id"?, "content", "effect"?,
 * "next_step"?, "next_contact_at"?, "template_id"?} — owner, managers and
 * members. A follow-up template fills method, content, next step and next
 * contact where the body leaves them out, as on a customer. Records the
 * stage the project is at; stamps the project's and its customer's last
 * follow-up; a next contact becomes a reminder for the author. */
static int h_followups_create(req *r)
{
    static const field spec[] = {
        {"method_id", F_INT, F_NULL, 0, 1},        {"content", F_STR, 0, 5000, 1},
        {"effect", F_STR, F_NULL, 500, 0},         {"next_step", F_STR, F_NULL, 500, 0},
        {"next_contact_at", F_STR, F_NULL, 40, 1}, {"template_id", F_INT, F_NULL, 0, 1},
        FIELDS_END};
    int64_t id = project_need(r, ACCESS_WRITE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int64_t method = in_int(r, "method_id", 0), tpl = in_int(r, "template_id", 0);
    const char *when = in_str(r, "next_contact_at"), *next = in_str(r, "next_step");
    const char *effect = in_str(r, "effect"), *content = in_str(r, "content");
    bool method_from_template = false;
    char due[TF_TS_LEN] = "";
    time_t t, now_t = time(NULL);
    if (tpl) {
        db_res tr;
        if (db_query(r->db, &r->a, &tr,
                     "SELECT method_id, content, next_step, next_contact_days FROM"
                     " followup_templates WHERE id = ? AND retired = FALSE",
                     DBP(DBI(tpl))) <= 0) {
            json_array_append_new(
                errs, field_error("template_id", "not_found", "no such active template"));
        } else {
            if (!in_has(r, "method_id") && db_cell(&tr, 0, "method_id")->t != DBV_NULL) {
                method = db_get_int(&tr, 0, "method_id");
                method_from_template = true;
            }
            if (!in_has(r, "content")) content = db_get_text(&tr, 0, "content");
            if (!in_has(r, "next_step")) next = db_get_text(&tr, 0, "next_step");
            if (!in_has(r, "next_contact_at") && db_cell(&tr, 0, "next_contact_days")->t != DBV_NULL)
                tf_ts(due, now_t + (time_t)db_get_int(&tr, 0, "next_contact_days") * 86400);
        }
    }
    if (!content || !*content)
        json_array_append_new(
            errs, field_error("content", "required", "is required (or send a template_id)"));
    if (method && !dict_ref_ok(r->db, "followup_method", method, method_from_template))
        json_array_append_new(
            errs, field_error("method_id", "not_found", "is not an active follow-up method"));
    bool date_only;
    if (when && !when_parse(when, &t, &date_only))
        json_array_append_new(errs, field_error("next_contact_at", "invalid", WHEN_FORMAT_MSG));
    else if (when && t < now_t - 86400)
        json_array_append_new(errs,
                              field_error("next_contact_at", "in_past", "may not lie in the past"));
    else if (when)
        tf_ts(due, t);
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res p, ins;
    json_t *after = NULL;
    int64_t fid = 0, reminder = 0, cust = 0;
    rc = db_query(r->db, &r->a, &p, "SELECT name, customer_id, stage FROM projects WHERE id = ?",
                  DBP(DBI(id)));
    if (rc == 0) rc = DB_ERR;
    if (rc > 0) {
        cust = db_cell(&p, 0, "customer_id")->t == DBV_NULL ? 0 : db_get_int(&p, 0, "customer_id");
        rc = db_query(r->db, &r->a, &ins,
                      "INSERT INTO followups(customer_id, project_id, user_id, method_id, content,"
                      " stage, effect, next_step, next_contact_at, template_id, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      DBP(cust ? DBI(cust) : DBNULL, DBI(id), DBI(r->me.id),
                          method ? DBI(method) : DBNULL, DBS(content),
                          DBS(db_get_text(&p, 0, "stage")), DBS(effect && *effect ? effect : NULL),
                          DBS(next && *next ? next : NULL), DBS(due[0] ? due : NULL),
                          tpl ? DBI(tpl) : DBNULL, DBS(now)));
    }
    if (rc > 0) {
        fid = db_get_int(&ins, 0, "id");
        rc = db_exec(r->db, "UPDATE projects SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(id)));
    }
    if (rc >= 0 && cust)
        rc = db_exec(r->db, "UPDATE customers SET last_followup_at = ? WHERE id = ?",
                     DBP(DBS(now), DBI(cust)));
    if (rc >= 0 && due[0]) {
        const char *name = db_get_text(&p, 0, "name");
        const char *title = next && *next ? arena_printf(&r->a, "%s: %s", name, next) : name;
        rc = reminder_insert(r->db, &r->a, r->me.id, cust, "contact", tf_utf8_prefix(&r->a, title, 200),
                             next, due, &reminder);
    }
    if (rc >= 0) {
        db_res f;
        rc = db_query(r->db, &r->a, &f, FOLLOWUP_COLS " WHERE f.id = ?", DBP(DBI(fid)));
        if (rc > 0) after = db_row_json(&f, 0);
        if (rc >= 0) rc = audit_record(r->db, r->me.id, "project", id, "followup_add", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    json_object_set_new(after, "reminder_id", reminder ? json_integer(reminder) : json_null());
    return reply_json(r, 201, after);
}

/* GET /projects/{id}/timeline — the project's follow-ups and, for users who
 * may read its customer's records, the customer's own, newest first; each
 * says its source ("project" or "customer"). "customer_included" tells the
 * UI whether the customer's follow-ups were left out. */
static int h_timeline(req *r)
{
    int limit;
    int64_t cursor, id = project_need(r, ACCESS_READ, NULL), cust = 0;
    if (id < 0) return 0;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_scalar_int(r->db, &cust, 0, "SELECT customer_id FROM projects WHERE id = ?", DBP(DBI(id)));
    bool with_customer = policy_project_customer_records(r->db, &r->me, cust);
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      FOLLOWUP_LIST ", CASE WHEN f.project_id = ? THEN 'project' ELSE"
                                    " 'customer' END AS source" FOLLOWUP_FROM
                                    " WHERE (f.project_id = ? OR (? = 1 AND f.customer_id = ?))"
                                    " AND (? = 0 OR f.id < ?) ORDER BY f.id DESC LIMIT ?",
                      DBP(DBI(id), DBI(id), DBI(with_customer), DBI(cust), DBI(cursor), DBI(cursor),
                          DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    json_t *items = db_rows_json(&res);
    json_t *next = json_null();
    if (json_array_size(items) > (size_t)limit) {
        json_array_remove(items, json_array_size(items) - 1);
        json_t *last = json_array_get(items, json_array_size(items) - 1);
        json_decref(next);
        next = json_string(arena_printf(
            &r->a, "%lld", (long long)json_integer_value(json_object_get(last, "id"))));
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:b}", "items", items, "next_cursor", next,
                                "customer_included", with_customer));
}

const route project_followups_routes[] = {
    {"GET", "/api/v1/projects/{id}/followups", h_followups_list, PERM_SIGNED_IN, 0,
     QUERY("page")
     "The project's follow-ups, newest first", NULL},
    {"POST", "/api/v1/projects/{id}/followups", h_followups_create, PERM_SIGNED_IN, 32768,
     "Follow up a project (owner, managers, members): records its stage",
     "{\"type\":\"object\",\"properties\":{\"template_id\":{\"type\":[\"integer\",\"null\"],"
     "\"description\":\"fills what the body leaves out\"},\"method_id\":{\"type\":["
     "\"integer\",\"null\"]},\"content\":{\"type\":\"string\",\"maxLength\":5000},\"effect\":{"
     "\"type\":[\"string\",\"null\"]},\"next_step\":{\"type\":[\"string\",\"null\"]},"
     "\"next_contact_at\":{\"type\":[\"string\",\"null\"]}}}"},
    {"GET", "/api/v1/projects/{id}/timeline", h_timeline, PERM_SIGNED_IN, 0,
     QUERY("page")
     "The project's follow-ups with its customer's (when you may read them), newest first", NULL},
    ROUTES_END,
};
