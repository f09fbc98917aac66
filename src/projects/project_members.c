/* project_members.c — the people who follow a project besides its owner,
 * each with one role (technical support, pre-sales, ...): list, add, change
 * the role, remove or leave. Any active user may be added (support sits in
 * other departments); the owner is never a member. Members see the project
 * through policy_projects.c. */
#include "projects/projects.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include "http/record.h"

#define MEMBER_SELECT                                                                              \
    "SELECT m.user_id, u.name, u.role AS user_role, m.role, m.added_by, m.added_at"                \
    " FROM project_members m JOIN users u ON u.id = m.user_id WHERE m.project_id = ?"

json_t *project_members_json(db_conn *c, arena *a, int64_t id)
{
    db_res res;
    if (db_query(c, a, &res, MEMBER_SELECT " ORDER BY m.added_at, m.user_id", DBP(DBI(id))) < 0)
        return json_array();
    return db_rows_json(&res);
}

static int h_members_list(req *r)
{
    int64_t id = project_need(r, ACCESS_READ, NULL);
    if (id < 0) return 0;
    return reply_json(
        r, 200,
        json_pack("{s:o, s:n}", "items", project_members_json(r->db, &r->a, id), "next_cursor"));
}

/* The member row of (project, user) as JSON, or NULL. */
static json_t *member_json(db_conn *c, arena *a, int64_t id, int64_t user_id)
{
    db_res res;
    if (db_query(c, a, &res, MEMBER_SELECT " AND m.user_id = ?", DBP(DBI(id), DBI(user_id))) <= 0)
        return NULL;
    return db_row_json(&res, 0);
}

/* POST /projects/{id}/members {"user_id", "role"} — anyone active may
 * follow a project (technical support sits in other departments). */
static int h_members_add(req *r)
{
    static const field spec[] = {
        {"user_id", F_INT, F_REQ, 0, 1}, {"role", F_STR, F_REQ, 40, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int64_t uid = in_int(r, "user_id", 0), ok = 0, owner = 0;
    db_scalar_int(r->db, &ok, 0, "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE",
                  DBP(DBI(uid)));
    db_scalar_int(r->db, &owner, 0, "SELECT owner_id FROM projects WHERE id = ?", DBP(DBI(id)));
    json_t *errs = json_array();
    if (!ok)
        json_array_append_new(errs, field_error("user_id", "not_found", "no such active user"));
    else if (owner == uid)
        json_array_append_new(errs, field_error("user_id", "invalid", "is the project's owner"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    rc = db_exec(r->db,
                 "INSERT INTO project_members(project_id, user_id, role, added_by, added_at)"
                 " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_id, user_id) DO NOTHING",
                 DBP(DBI(id), DBI(uid), DBS(in_str(r, "role")), DBI(r->me.id), DBS(now)));
    if (rc == 0) {
        db_rollback(r->db);
        return reply_problem(r, 409, "duplicate", "the user already follows this project");
    }
    json_t *m = rc > 0 ? member_json(r->db, &r->a, id, uid) : NULL;
    if (rc > 0) rc = audit_record(r->db, r->me.id, "project", id, "member_add", NULL, m);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(m);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, m);
}

/* PATCH /projects/{id}/members/{user_id} {"role"} */
static int h_members_update(req *r)
{
    static const field spec[] = {{"role", F_STR, F_REQ, 40, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL), uid = req_id(r, 1);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = uid > 0 ? member_json(r->db, &r->a, id, uid) : NULL, *after = NULL;
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    rc = db_exec(r->db, "UPDATE project_members SET role = ? WHERE project_id = ? AND user_id = ?",
                 DBP(DBS(in_str(r, "role")), DBI(id), DBI(uid)));
    if (rc >= 0) {
        after = member_json(r->db, &r->a, id, uid);
        rc = audit_record(r->db, r->me.id, "project", id, "member_role", before, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 200, after);
}

/* DELETE /projects/{id}/members/{user_id} — managers of the project, or the
 * member leaving. */
static int h_members_remove(req *r)
{
    tf_access acc;
    int64_t id = project_need(r, ACCESS_READ, &acc), uid = req_id(r, 1);
    if (id < 0) return 0;
    if (acc < ACCESS_MANAGE && uid != r->me.id) return reply_forbidden(r);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *before = uid > 0 ? member_json(r->db, &r->a, id, uid) : NULL;
    return audit_finish_delete(r, before, "project", id, "member_remove",
                               "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
                               DBP(DBI(id), DBI(uid)));
}

const route project_members_routes[] = {
    {"GET", "/api/v1/projects/{id}/members", h_members_list, PERM_SIGNED_IN, 0,
     "The people following a project besides its owner, with their roles", NULL},
    {"POST", "/api/v1/projects/{id}/members", h_members_add, PERM_SIGNED_IN, 4096,
     "Add a member with a role (technical support, pre-sales, ...)",
     "{\"type\":\"object\",\"required\":[\"user_id\",\"role\"],\"properties\":{\"user_id\":{"
     "\"type\":\"integer\"},\"role\":{\"type\":\"string\",\"maxLength\":40}}}"},
    {"PATCH", "/api/v1/projects/{id}/members/{user_id}", h_members_update, PERM_SIGNED_IN, 4096,
     "Change a member's role",
     "{\"type\":\"object\",\"required\":[\"role\"],\"properties\":{\"role\":{\"type\":"
     "\"string\",\"maxLength\":40}}}"},
    {"DELETE", "/api/v1/projects/{id}/members/{user_id}", h_members_remove, PERM_SIGNED_IN, 0,
     "Remove a member (or leave a project)", NULL},
    ROUTES_END,
};
