/* project_assign.c — who owns a project: assign and take back in batches
 * (all or none), and applications for unassigned projects (document
 * project_application of the approvals engine; an approved application
 * makes the project the applicant's if it is still unassigned). */
#include "projects/projects.h"
#include "approvals/applications.h"
#include "core/approvals.h"
#include "core/audit.h"
#include "base/util.h"
#include "http/http.h"
#include <string.h>

#define BATCH_MAX 1000

/* Moves project id (at `version`, owned by `from`) to `to` (0: unassigned)
 * with its audit row. 1 if moved, 0 if it changed meanwhile, or < 0. */
/* A new owner stops being a member of the project (one role each). */
static int owner_not_member(db_conn *c, int64_t id, int64_t owner)
{
    int rc = db_exec(c, "DELETE FROM project_members WHERE project_id = ? AND user_id = ?",
                     DBP(DBI(id), DBI(owner)));
    return rc < 0 ? rc : 0;
}

static int project_move(db_conn *c, int64_t id, int64_t version, int64_t from, int64_t to,
                        const char *kind, const char *reason, int64_t actor_id)
{
    char now[TF_TS_LEN];
    tf_now(now);
    int rc =
        db_exec(c,
                "UPDATE projects SET owner_id = ?, owned_since = ?, version = version + 1,"
                " updated_at = ? WHERE id = ? AND version = ?",
                DBP(to ? DBI(to) : DBNULL, DBS(to ? now : NULL), DBS(now), DBI(id), DBI(version)));
    if (rc <= 0) return rc;
    if (to && (rc = owner_not_member(c, id, to)) < 0) return rc;
    json_t *before = json_pack("{s:o}", "owner_id", from ? json_integer(from) : json_null());
    json_t *after = json_pack("{s:o, s:s}", "owner_id", to ? json_integer(to) : json_null(),
                              "reason", reason ? reason : "");
    rc = audit_record(c, actor_id, "project", id, kind, before, after);
    json_decref(before);
    json_decref(after);
    return rc < 0 ? rc : 1;
}

/* assign and takeback: every project checked first (manage access), then
 * all moved in one transaction or none. */
static int batch_move(req *r, bool assign)
{
    static const field spec_assign[] = {{"ids", F_ARR, F_REQ, BATCH_MAX, 0},
                                        {"owner_id", F_INT, F_REQ, 0, 1},
                                        {"reason", F_STR, F_NULL, PROJECT_REASON_MAX, 0},
                                        FIELDS_END};
    static const field spec_takeback[] = {{"ids", F_ARR, F_REQ, BATCH_MAX, 0},
                                          {"reason", F_STR, F_REQ, PROJECT_REASON_MAX, 1},
                                          FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.assign")) return reply_forbidden(r);
    if (input_check(r, assign ? spec_assign : spec_takeback) < 0) return 0;
    int64_t to = assign ? in_int(r, "owner_id", 0) : 0;
    json_t *errs = json_array(), *ids = json_object_get(r->in, "ids"), *it;
    if (assign && !policy_may_assign_to(r->db, &r->me, to))
        json_array_append_new(errs, field_error("owner_id", "invalid",
                                                "must be an active salesperson or manager you"
                                                " cover"));
    size_t n = json_array_size(ids), i, k = 0;
    if (n == 0) json_array_append_new(errs, field_error("ids", "required", "may not be empty"));
    int64_t *v = arena_alloc(&r->a, (n ? n : 1) * sizeof(int64_t));
    json_array_foreach(ids, i, it)
    {
        int64_t x = json_is_integer(it) ? (int64_t)json_integer_value(it) : 0;
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = v[j] == x;
        if (x < 1)
            json_array_append_new(errs, field_error(arena_printf(&r->a, "ids[%zu]", i), "invalid",
                                                    "must be a project id"));
        else if (!dup)
            v[k++] = x;
    }
    if (json_array_size(errs)) return reply_invalid(r, errs);
    int64_t *owner = arena_alloc(&r->a, (k ? k : 1) * sizeof(int64_t));
    int64_t *ver = arena_alloc(&r->a, (k ? k : 1) * sizeof(int64_t));
    int rc = db_begin(r->db);
    if (rc < 0) {
        json_decref(errs);
        return reply_db_error(r, rc);
    }
    for (i = 0; i < k; i++) {
        tf_access acc = policy_project_access(r->db, &r->me, v[i]);
        db_res res;
        rc = db_query(r->db, &r->a, &res, "SELECT owner_id, version FROM projects WHERE id = ?",
                      DBP(DBI(v[i])));
        if (rc < 0) goto fail;
        json_t *e = NULL;
        if (rc == 0 || acc == ACCESS_NONE)
            e = field_error("ids", "not_found", "no such project");
        else if (acc < ACCESS_MANAGE)
            e = field_error("ids", "forbidden",
                            assign ? "you may not assign this project"
                                   : "you may not take this project back");
        if (e) {
            json_object_set_new(e, "id", json_integer(v[i]));
            json_array_append_new(errs, e);
            continue;
        }
        owner[i] =
            db_cell(&res, 0, "owner_id")->t == DBV_NULL ? 0 : db_get_int(&res, 0, "owner_id");
        ver[i] = db_get_int(&res, 0, "version");
    }
    if (json_array_size(errs)) {
        db_rollback(r->db);
        return reply_invalid(r, errs);
    }
    json_t *moved = json_array(), *unchanged = json_array();
    rc = 0;
    for (i = 0; i < k; i++) {
        if (owner[i] == to) {
            json_array_append_new(unchanged, json_integer(v[i]));
            continue;
        }
        int m = project_move(r->db, v[i], ver[i], owner[i], to, assign ? "assign" : "takeback",
                             in_str(r, "reason"), r->me.id);
        if (m < 0) {
            rc = m;
            break;
        }
        if (m == 0) { /* a concurrent change got there first */
            json_t *e = field_error("ids", "conflict", "changed meanwhile; nothing was moved");
            json_object_set_new(e, "id", json_integer(v[i]));
            json_array_append_new(errs, e);
            break;
        }
        json_array_append_new(moved, json_integer(v[i]));
    }
    if (rc == 0 && !json_array_size(errs)) rc = db_commit(r->db);
    if (rc < 0 || json_array_size(errs)) {
        json_decref(moved);
        json_decref(unchanged);
        if (rc < 0) goto fail;
        db_rollback(r->db);
        return reply_problem_with(r, 409, "conflict",
                                  "a project of the batch changed meanwhile; nothing was moved",
                                  json_pack("{s:o}", "errors", errs));
    }
    json_decref(errs);
    return reply_json(r, 200,
                      json_pack("{s:o, s:o, s:o}", "moved", moved, "unchanged", unchanged,
                                "owner_id", to ? json_integer(to) : json_null()));
fail:
    db_rollback(r->db);
    json_decref(errs);
    return reply_db_error(r, rc);
}

/* POST /projects/assign {"ids", "owner_id", "reason"?} */
static int h_projects_assign(req *r)
{
    return batch_move(r, true);
}

/* POST /projects/takeback {"ids", "reason"} — back to unassigned. */
static int h_projects_takeback(req *r)
{
    return batch_move(r, false);
}

/* Applications ------------------------------------------------------------------- */

#define APP_SELECT                                                                                 \
    "SELECT a.id, a.project_id, p.name AS project_name, a.applicant_id, u.name AS applicant_name," \
    " a.reason, a.state, a.request_id, a.outcome_note, a.created_at, a.decided_at"                 \
    " FROM project_applications a JOIN projects p ON p.id = a.project_id"                          \
    " JOIN users u ON u.id = a.applicant_id"

static const app_kind project_apps = {
    APP_SELECT, "project_id", " AND a.project_id = ?", policy_project_allows, "projects.assign",
    "project_application",
    "INSERT INTO project_applications(project_id, applicant_id, reason, state, created_at)"
    " VALUES (?, ?, ?, 'pending', ?) RETURNING id",
    "UPDATE project_applications SET request_id = ? WHERE id = ?",
    "UPDATE project_applications SET state = ?, outcome_note = ?, decided_at = ?"
    " WHERE id = ? AND state = 'pending'",
    "SELECT applicant_id FROM project_applications WHERE id = ?"};

/* on_decided of project_application, inside the deciding transaction: an
 * approved application makes the project the applicant's if it is still
 * unassigned; otherwise the application is lost, saying who has it. */
static int app_on_decided(db_conn *c, arena *a, int64_t doc_id, const char *outcome,
                          int64_t actor_id, const char **why)
{
    (void)why;
    db_res r;
    int rc = db_query(c, a, &r,
                      "SELECT project_id, applicant_id, reason, state FROM project_applications"
                      " WHERE id = ?",
                      DBP(DBI(doc_id)));
    if (rc <= 0) return rc < 0 ? rc : APP_EREFUSED;
    if (strcmp(db_get_text(&r, 0, "state"), "pending") != 0) return APP_EREFUSED;
    int64_t pid = db_get_int(&r, 0, "project_id"), applicant = db_get_int(&r, 0, "applicant_id");
    json_t *before = applications_json(c, a, &project_apps, doc_id);
    const char *state = outcome, *note = NULL;
    char now[TF_TS_LEN];
    tf_now(now);
    if (strcmp(outcome, "approved") == 0) {
        int64_t active = 0;
        db_scalar_int(c, &active, 0,
                      "SELECT COUNT(*) FROM users WHERE id = ? AND active = TRUE AND role IN"
                      " ('salesperson', 'sales_manager')",
                      DBP(DBI(applicant)));
        db_res p;
        rc = db_query(c, a, &p,
                      "SELECT p.owner_id, p.version, u.name AS owner_name FROM projects p"
                      " LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = ?",
                      DBP(DBI(pid)));
        if (rc <= 0) {
            rc = rc < 0 ? rc : APP_EREFUSED;
            goto done;
        }
        const db_val *owner = db_cell(&p, 0, "owner_id");
        if (!active) {
            state = "lost";
            note = "the applicant can no longer own projects";
        } else if (owner->t != DBV_NULL && owner->i == applicant) {
            note = "the project was already the applicant's";
        } else if (owner->t != DBV_NULL) {
            state = "lost";
            note = arena_printf(a, "%s got the project first", db_get_text(&p, 0, "owner_name"));
        } else {
            /* the UPDATE requires the project still unassigned: of two
             * approvals at once, one moves it and the other is lost */
            rc = db_exec(c,
                         "UPDATE projects SET owner_id = ?, owned_since = ?, version = version + 1,"
                         " updated_at = ? WHERE id = ? AND owner_id IS NULL",
                         DBP(DBI(applicant), DBS(now), DBS(now), DBI(pid)));
            if (rc < 0) goto done;
            if (rc == 0) {
                state = "lost";
                note = "someone else got the project first";
            } else if ((rc = owner_not_member(c, pid, applicant)) == 0) {
                json_t *b = json_pack("{s:n}", "owner_id");
                json_t *af =
                    json_pack("{s:I, s:s, s:I}", "owner_id", (json_int_t)applicant, "reason",
                              db_get_text(&r, 0, "reason"), "application_id", (json_int_t)doc_id);
                rc = audit_record(c, actor_id ? actor_id : applicant, "project", pid, "apply", b,
                                  af);
                json_decref(b);
                json_decref(af);
            }
            if (rc < 0) goto done;
        }
    } else if (strcmp(outcome, "rejected") && strcmp(outcome, "cancelled")) {
        rc = APP_EREFUSED;
        goto done;
    }
    rc = applications_decided(c, a, &project_apps, doc_id, actor_id, state, note, before);
done:
    json_decref(before);
    return rc < 0 ? rc : 0;
}

static bool app_can_view(db_conn *c, const principal *u, int64_t doc_id)
{
    return applications_can_view(c, u, &project_apps, doc_id);
}

static const approval_doc_type app_doc_type = {
    "project_application", "Project application", "项目申请", app_on_decided, app_can_view,
};

void projects_register(void)
{
    approvals_register(&app_doc_type);
}

/* POST /projects/{id}/apply {"reason"} — asks for an unassigned project; the
 * approvals engine decides (at once when no flow step applies). */
static int h_projects_apply(req *r)
{
    static const field spec[] = {{"reason", F_STR, F_REQ, PROJECT_REASON_MAX, 1}, FIELDS_END};
    if (!policy_project_allows(&r->me, "projects.apply")) return reply_forbidden(r);
    int64_t id = req_id(r, 0);
    if (id < 0) return reply_not_found(r);
    if (input_check(r, spec) < 0) return 0;
    tf_access acc = policy_project_access(r->db, &r->me, id);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    db_res p;
    rc = db_query(r->db, &r->a, &p,
                  "SELECT p.name, p.owner_id, p.status, p.amount, u.name AS owner_name FROM"
                  " projects p LEFT JOIN users u ON u.id = p.owner_id WHERE p.id = ?",
                  DBP(DBI(id)));
    if (rc <= 0) {
        db_rollback(r->db);
        return rc < 0 ? reply_db_error(r, rc) : reply_not_found(r);
    }
    const db_val *owner = db_cell(&p, 0, "owner_id");
    if (owner->t != DBV_NULL) {
        bool mine = owner->i == r->me.id;
        /* someone who cannot see the project learns that it is taken only
         * when they applied for it while it was unassigned; otherwise 404,
         * so project ids cannot be probed (as the pool's claims) */
        int64_t applied = 0;
        if (!mine && acc == ACCESS_NONE)
            db_scalar_int(r->db, &applied, 0,
                          "SELECT COUNT(*) FROM project_applications WHERE project_id = ? AND"
                          " applicant_id = ?",
                          DBP(DBI(id), DBI(r->me.id)));
        db_rollback(r->db);
        if (!mine && acc == ACCESS_NONE && !applied) return reply_not_found(r);
        const char *who = acc >= ACCESS_READ ? db_get_text(&p, 0, "owner_name") : NULL;
        return reply_problem_with(
            r, 409, "conflict",
            mine  ? "this project is already yours"
            : who ? arena_printf(&r->a, "this project is not unassigned: %s owns it", who)
                  : "this project is not unassigned any more",
            json_pack("{s:s}", "reason", mine ? "already_yours" : "already_owned"));
    }
    if (acc == ACCESS_NONE) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    if (strcmp(db_get_text(&p, 0, "status"), "open") != 0) {
        db_rollback(r->db);
        return reply_problem_with(r, 409, "conflict", "the project is closed",
                                  json_pack("{s:s}", "reason", "closed"));
    }
    int64_t pending = 0;
    db_scalar_int(r->db, &pending, 0,
                  "SELECT MAX(id) FROM project_applications WHERE project_id = ? AND"
                  " applicant_id = ? AND state = 'pending'",
                  DBP(DBI(id), DBI(r->me.id)));
    if (pending) {
        db_rollback(r->db);
        return reply_problem_with(r, 409, "duplicate",
                                  "you have already applied for this project; the application"
                                  " awaits approval",
                                  json_pack("{s:I}", "application_id", (json_int_t)pending));
    }
    return applications_submit(
        r, &project_apps, id, in_str(r, "reason"),
        arena_printf(&r->a, "申请项目 Project application: %s", db_get_text(&p, 0, "name")),
        db_get_int(&p, 0, "amount"));
}

/* GET /project-applications?box=mine|all&state=&project_id= */
static int h_apps_list(req *r)
{
    return applications_list(r, &project_apps);
}

/* GET /project-applications/{id} */
static int h_apps_get(req *r)
{
    return applications_get(r, &project_apps);
}

#define IDS_PROP "\"ids\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"maxItems\":1000}"

const route project_assign_routes[] = {
    {"POST", "/api/v1/projects/assign", h_projects_assign, PERM_SIGNED_IN, 65536,
     "Assign projects to a salesperson (projects.assign), all or none",
     "{\"type\":\"object\",\"required\":[\"ids\",\"owner_id\"],\"properties\":{" IDS_PROP
     ",\"owner_id\":{\"type\":\"integer\"},\"reason\":{\"type\":\"string\"}}}"},
    {"POST", "/api/v1/projects/takeback", h_projects_takeback, PERM_SIGNED_IN, 65536,
     "Take projects back to unassigned (projects.assign), all or none",
     "{\"type\":\"object\",\"required\":[\"ids\",\"reason\"],\"properties\":{" IDS_PROP
     ",\"reason\":{\"type\":\"string\"}}}"},
    {"POST", "/api/v1/projects/{id}/apply", h_projects_apply, PERM_SIGNED_IN, 4096,
     "Apply for an unassigned project (projects.apply); a manager approves it",
     "{\"type\":\"object\",\"required\":[\"reason\"],\"properties\":{\"reason\":{\"type\":"
     "\"string\",\"maxLength\":500}}}"},
    {"GET", "/api/v1/project-applications", h_apps_list, PERM_SIGNED_IN, 0,
     QUERY("page box=mine|all state=pending|approved|rejected|cancelled|lost project_id=id")
     "Applications for unassigned projects: box=mine (default) or all (managers), state,"
     " project_id",
     NULL},
    {"GET", "/api/v1/project-applications/{id}", h_apps_get, PERM_SIGNED_IN, 0,
     "One application (its applicant and their managers)", NULL},
    ROUTES_END,
};
