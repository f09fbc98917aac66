/* followup_edit.c — correcting and deleting a follow-up (PATCH and DELETE
 * /api/v1/followups/{id}): only its author, and only within FOLLOWUP_EDIT_S
 * of writing it; later the record stands (409 edit_window_closed). The
 * customer's history (and the project's, for a project follow-up) keeps
 * both versions: the edit's audit row holds before and after, the
 * deletion's the follow-up as it was. Customer and project follow-ups are
 * rows of one table, so one pair of routes serves both. */
#include "customers/customers.h"
#include "customers/followups.h"
#include "dicts/dicts.h"
#include "core/audit.h"
#include "base/util.h"
#include <string.h>

/* The follow-up's owner records, read before a change. */
typedef struct fu_row {
    int64_t customer_id, project_id, user_id, version;
    const char *created_at;
} fu_row;

/* Loads follow-up `id` and checks that the user may change it: sees its
 * customer (or project), wrote it, and the day is not over. 0 with *out
 * filled, or -1 after replying (404, 403, 409). */
static int fu_need(req *r, int64_t id, fu_row *out)
{
    db_res res;
    int rc = id > 0 ? db_query(r->db, &r->a, &res,
                               "SELECT customer_id, project_id, user_id, version, created_at"
                               " FROM followups WHERE id = ?",
                               DBP(DBI(id)))
                    : 0;
    if (rc < 0) return reply_db_error(r, rc), -1;
    if (rc == 0) return reply_not_found(r), -1;
    const db_val *cv = db_cell(&res, 0, "customer_id"), *pv = db_cell(&res, 0, "project_id");
    out->customer_id = cv->t == DBV_NULL ? 0 : cv->i;
    out->project_id = pv->t == DBV_NULL ? 0 : pv->i;
    out->user_id = db_get_int(&res, 0, "user_id");
    out->version = db_get_int(&res, 0, "version");
    out->created_at = db_get_text(&res, 0, "created_at");
    tf_access acc = out->customer_id ? policy_customer_access(r->db, &r->me, out->customer_id)
                                     : policy_project_access(r->db, &r->me, out->project_id);
    if (acc == ACCESS_NONE) return reply_not_found(r), -1;
    if (out->user_id != r->me.id)
        return reply_problem(r, 403, "forbidden",
                             "only the author of a follow-up may correct or delete it"),
               -1;
    time_t t;
    char until[TF_TS_LEN];
    if (!tf_ts_parse(out->created_at, &t)) return reply_db_error(r, DB_ERR), -1;
    tf_ts(until, t + FOLLOWUP_EDIT_S);
    if (time(NULL) > t + FOLLOWUP_EDIT_S)
        return reply_problem_with(r, 409, "conflict",
                                  arena_printf(&r->a,
                                               "a follow-up can be corrected or deleted within a"
                                               " day of writing it; this one was written at %s"
                                               " (until %s)",
                                               out->created_at, until),
                                  json_pack("{s:s, s:s}", "reason", "edit_window_closed",
                                            "editable_until", until)),
               -1;
    return 0;
}

/* One audit row on the customer and one on the project (each if set). */
static int fu_audit(req *r, const fu_row *f, const char *action, json_t *before, json_t *after)
{
    int rc = 0;
    if (f->customer_id)
        rc = audit_record(r->db, r->me.id, "customer", f->customer_id, action, before, after);
    if (rc >= 0 && f->project_id)
        rc = audit_record(r->db, r->me.id, "project", f->project_id, action, before, after);
    return rc;
}

/* PATCH /followups/{id} {version, content?, method_id?, next_step?,
 * contact_id?} — the author corrects a follow-up within a day. */
static int h_followup_update(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"content", F_STR, 0, 5000, 1},
                                 {"method_id", F_INT, F_NULL, 0, 1},
                                 {"next_step", F_STR, F_NULL, 500, 0},
                                 {"contact_id", F_INT, F_NULL, 0, 1},
                                 FIELDS_END};
    int64_t id = req_id(r, 0);
    fu_row f;
    if (fu_need(r, id, &f) < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    json_t *errs = json_array();
    int64_t method = in_int(r, "method_id", 0), contact = in_int(r, "contact_id", 0);
    if (method && !dict_ref_ok(r->db, "followup_method", method, false))
        json_array_append_new(
            errs, field_error("method_id", "not_found", "is not an active follow-up method"));
    int rc = 0;
    if (contact && !f.customer_id)
        json_array_append_new(errs, field_error("contact_id", "not_found",
                                                "this follow-up's project has no customer"));
    else
        rc = followup_contact_check(r->db, contact, f.customer_id, errs);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    if ((rc = db_begin(r->db)) < 0) return reply_db_error(r, rc);
    json_t *before = followup_json(r->db, &r->a, id), *after = NULL;
    rc = db_exec(r->db,
                 "UPDATE followups SET content = COALESCE(?, content),"
                 " method_id = CASE WHEN ? = 1 THEN ? ELSE method_id END,"
                 " next_step = CASE WHEN ? = 1 THEN ? ELSE next_step END,"
                 " contact_id = CASE WHEN ? = 1 THEN ? ELSE contact_id END,"
                 " edited_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                 DBP(DBS(in_str(r, "content")), DBI(in_has(r, "method_id")),
                     method ? DBI(method) : DBNULL, DBI(in_has(r, "next_step")),
                     DBS(in_str(r, "next_step") && *in_str(r, "next_step") ? in_str(r, "next_step")
                                                                          : NULL),
                     DBI(in_has(r, "contact_id")), contact ? DBI(contact) : DBNULL, DBS(now),
                     DBI(id), DBI(in_int(r, "version", 0))));
    if (rc == 0) {
        db_rollback(r->db);
        json_decref(before);
        return reply_conflict_version(r, f.version);
    }
    if (rc > 0) after = followup_json(r->db, &r->a, id);
    if (rc >= 0) rc = fu_audit(r, &f, "followup_edit", before, after);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

/* DELETE /followups/{id}?version=N — the author deletes a follow-up within
 * a day, with its attachments; the customer's (and project's) last
 * follow-up falls back to the one before when it was this one. */
static int h_followup_delete(req *r)
{
    int64_t id = req_id(r, 0), version;
    fu_row f;
    if (fu_need(r, id, &f) < 0) return 0;
    if (query_version(r, &version) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = followup_json(r->db, &r->a, id);
    db_res att;
    rc = db_query(r->db, &r->a, &att,
                  "SELECT filename FROM attachments WHERE entity = 'followup' AND entity_id = ?"
                  " ORDER BY id",
                  DBP(DBI(id)));
    if (rc >= 0 && before) {
        json_t *names = json_array();
        for (int i = 0; i < att.nrows; i++)
            json_array_append_new(names, json_string(db_get_text(&att, i, "filename")));
        json_object_set_new(before, "attachments", names);
    }
    if (rc >= 0)
        rc = db_exec(r->db, "DELETE FROM followups WHERE id = ? AND version = ?",
                     DBP(DBI(id), DBI(version)));
    if (rc == 0) {
        db_rollback(r->db);
        json_decref(before);
        return reply_conflict_version(r, f.version);
    }
    if (rc > 0)
        rc = db_exec(r->db, "DELETE FROM attachments WHERE entity = 'followup' AND entity_id = ?",
                     DBP(DBI(id)));
    if (rc >= 0 && f.customer_id)
        rc = db_exec(r->db,
                     "UPDATE customers SET last_followup_at = (SELECT MAX(created_at) FROM"
                     " followups WHERE customer_id = ?) WHERE id = ? AND last_followup_at = ?",
                     DBP(DBI(f.customer_id), DBI(f.customer_id), DBS(f.created_at)));
    if (rc >= 0 && f.project_id)
        rc = db_exec(r->db,
                     "UPDATE projects SET last_followup_at = (SELECT MAX(created_at) FROM"
                     " followups WHERE project_id = ?) WHERE id = ? AND last_followup_at = ?",
                     DBP(DBI(f.project_id), DBI(f.project_id), DBS(f.created_at)));
    if (rc >= 0) rc = fu_audit(r, &f, "followup_delete", before, NULL);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

const route followup_edit_routes[] = {
    {"PATCH", "/api/v1/followups/{id}", h_followup_update, PERM_SIGNED_IN, 16384,
     "Correct a follow-up (its author, within a day of writing it; send version); the history"
     " keeps both versions",
     "{\"type\":\"object\",\"required\":[\"version\"],\"properties\":{\"version\":{\"type\":"
     "\"integer\"},\"content\":{\"type\":\"string\",\"maxLength\":5000},\"method_id\":{\"type\":["
     "\"integer\",\"null\"]},\"next_step\":{\"type\":[\"string\",\"null\"]},\"contact_id\":{"
     "\"type\":[\"integer\",\"null\"]}}}"},
    {"DELETE", "/api/v1/followups/{id}", h_followup_delete, PERM_SIGNED_IN, 0,
     QUERY("version!=id")
     "Delete a follow-up (its author, within a day; ?version=N); the history keeps it", NULL},
    ROUTES_END,
};
