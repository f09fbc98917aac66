/* project_process.c — how a project moves through its process template
 * (the templates themselves: process_templates.c): reading a version, the
 * checklist of a stage (tasks ticked by hand, fields checked against the
 * project), the gate
 * between stages (a project enters a later stage only when the required
 * items of every stage it leaves behind are done; a manager may override,
 * with a reason kept in the history), and closing a project as won or lost
 * (and reopening it). Every move takes the project's version: of two people
 * dragging the same card, the second gets 409. */
#include "projects/projects.h"
#include "dicts/dicts.h"
#include "core/audit.h"
#include "base/util.h"
#include "db/sqlq.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

/* The status of a project: open → won | lost → (reopen) open. Every change
 * of status goes through this table. */
static const struct {
    const char *from, *event, *to;
} status_moves[] = {
    {"open", "win", "won"},
    {"open", "lose", "lost"},
    {"won", "reopen", "open"},
    {"lost", "reopen", "open"},
};

static const char *status_transition(const char *from, const char *event)
{
    for (size_t i = 0; i < sizeof(status_moves) / sizeof(status_moves[0]); i++)
        if (strcmp(status_moves[i].from, from) == 0 && strcmp(status_moves[i].event, event) == 0)
            return status_moves[i].to;
    return NULL;
}

/* Versions ------------------------------------------------------------------------- */

static const char *jstr(arena *a, json_t *o, const char *k)
{
    return arena_strdup(a, json_string_value(json_object_get(o, k)));
}

/* Fills v's stages from a stages array (strings copied into a). */
static int stages_parse(arena *a, json_t *arr, proc_version *v)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0) return DB_ERR;
    v->nstages = (int)json_array_size(arr);
    v->stages = arena_alloc(a, (size_t)v->nstages * sizeof(proc_stage));
    for (int i = 0; i < v->nstages; i++) {
        json_t *s = json_array_get(arr, (size_t)i), *items = json_object_get(s, "items");
        proc_stage *st = &v->stages[i];
        st->key = jstr(a, s, "key");
        st->name = jstr(a, s, "name");
        st->probability = json_integer_value(json_object_get(s, "probability"));
        if (!st->key || !st->name) return DB_ERR;
        st->nitems = (int)json_array_size(items);
        st->items = arena_alloc(a, (size_t)(st->nitems ? st->nitems : 1) * sizeof(proc_item));
        for (int k = 0; k < st->nitems; k++) {
            json_t *it = json_array_get(items, (size_t)k);
            proc_item *pi = &st->items[k];
            pi->key = jstr(a, it, "key");
            pi->label = jstr(a, it, "label");
            pi->kind = jstr(a, it, "kind");
            pi->field = jstr(a, it, "field");
            pi->required = !json_is_false(json_object_get(it, "required"));
            if (!pi->key || !pi->label || !pi->kind) return DB_ERR;
        }
    }
    return 0;
}

int process_version_load(db_conn *c, arena *a, int64_t version_id, proc_version *out)
{
    db_res r;
    memset(out, 0, sizeof(*out));
    int rc =
        db_query(c, a, &r,
                 "SELECT v.id, v.template_id, v.number, v.stages_json, t.name FROM"
                 " process_template_versions v JOIN process_templates t ON t.id = v.template_id"
                 " WHERE v.id = ?",
                 DBP(DBI(version_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    out->id = db_get_int(&r, 0, "id");
    out->template_id = db_get_int(&r, 0, "template_id");
    out->number = db_get_int(&r, 0, "number");
    out->template_name = db_get_text(&r, 0, "name");
    json_t *arr = json_loads(db_get_text(&r, 0, "stages_json"), 0, NULL);
    rc = stages_parse(a, arr, out);
    json_decref(arr);
    return rc;
}

int process_stage_index(const proc_version *v, const char *key)
{
    for (int i = 0; key && i < v->nstages; i++)
        if (strcmp(v->stages[i].key, key) == 0) return i;
    return -1;
}

int process_current(db_conn *c, int64_t template_id, int64_t *tid, int64_t *version_id)
{
    arena a;
    arena_init(&a);
    db_res r;
    int rc = template_id
                 ? db_query(c, &a, &r,
                            "SELECT id, current_version_id FROM process_templates WHERE id = ? AND"
                            " retired = FALSE AND current_version_id IS NOT NULL",
                            DBP(DBI(template_id)))
                 : db_query(c, &a, &r,
                            "SELECT id, current_version_id FROM process_templates WHERE"
                            " retired = FALSE AND current_version_id IS NOT NULL"
                            " ORDER BY is_default DESC, id LIMIT 1",
                            DBP0);
    if (rc > 0) {
        *tid = db_get_int(&r, 0, "id");
        *version_id = db_get_int(&r, 0, "current_version_id");
    }
    arena_free(&a);
    return rc > 0 ? 0 : rc < 0 ? rc : DB_ERR;
}

/* Gates ------------------------------------------------------------------------- */

static bool blank(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)) ||
           (json_is_integer(v) && json_integer_value(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0) ||
           (json_is_object(v) && json_object_size(v) == 0);
}

/* Is the field an item names filled in the project (its JSON)? */
static bool field_filled(json_t *project, const char *f)
{
    if (!f) return false;
    if (strncmp(f, "custom.", 7) == 0)
        return !blank(json_object_get(json_object_get(project, "custom"), f + 7));
    return !blank(json_object_get(project, f));
}

/* The ticked task keys of a project: a JSON object key → {done_by, ...}. */
static json_t *ticks_json(db_conn *c, arena *a, int64_t project_id)
{
    json_t *o = json_object();
    db_res r;
    if (project_id <= 0) return o;
    int rc = db_query(c, a, &r,
                      "SELECT k.item_key, k.done_by, u.name AS done_by_name, k.done_at FROM"
                      " project_checklist k LEFT JOIN users u ON u.id = k.done_by"
                      " WHERE k.project_id = ? AND k.done = TRUE",
                      DBP(DBI(project_id)));
    if (rc < 0) {
        json_decref(o);
        return NULL;
    }
    for (int i = 0; i < rc; i++) {
        json_t *row = db_row_json(&r, i);
        json_object_del(row, "item_key");
        json_object_set_new(o, db_get_text(&r, i, "item_key"), row);
    }
    return o;
}

static bool item_done(const proc_item *it, json_t *project, json_t *ticks)
{
    if (strcmp(it->kind, "field") == 0) return field_filled(project, it->field);
    return json_object_get(ticks, it->key) != NULL;
}

static json_t *item_ref(const proc_stage *st, const proc_item *it)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "stage", st->key, "stage_name", st->name,
                          "key", it->key, "label", it->label, "kind", it->kind);
    if (it->field) json_object_set_new(o, "field", json_string(it->field));
    return o;
}

json_t *process_missing(db_conn *c, arena *a, const proc_version *v, json_t *project, int from,
                        int to)
{
    json_t *ticks = ticks_json(c, a, json_integer_value(json_object_get(project, "id")));
    if (!ticks) return NULL;
    json_t *out = json_array();
    for (int s = from < 0 ? 0 : from; s < to && s < v->nstages; s++)
        for (int k = 0; k < v->stages[s].nitems; k++) {
            const proc_item *it = &v->stages[s].items[k];
            if (it->required && !item_done(it, project, ticks))
                json_array_append_new(out, item_ref(&v->stages[s], it));
        }
    json_decref(ticks);
    return out;
}

json_t *process_detail_json(db_conn *c, arena *a, const proc_version *v, json_t *project)
{
    json_t *ticks = ticks_json(c, a, json_integer_value(json_object_get(project, "id")));
    if (!ticks) ticks = json_object();
    const char *status = json_string_value(json_object_get(project, "status"));
    bool open = status && strcmp(status, "open") == 0;
    int cur =
        open ? process_stage_index(v, json_string_value(json_object_get(project, "stage"))) : -1;
    json_t *stages = json_array(), *blocking = json_array();
    for (int s = 0; s < v->nstages; s++) {
        const proc_stage *st = &v->stages[s];
        json_t *items = json_array();
        for (int k = 0; k < st->nitems; k++) {
            const proc_item *it = &st->items[k];
            bool done = item_done(it, project, ticks);
            json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:b}", "key", it->key, "label", it->label,
                                  "kind", it->kind, "required", it->required, "done", done);
            json_object_set_new(o, "field", it->field ? json_string(it->field) : json_null());
            json_t *tick = json_object_get(ticks, it->key);
            if (tick && strcmp(it->kind, "task") == 0) json_object_update(o, tick);
            json_array_append_new(items, o);
            if (s == cur && it->required && !done)
                json_array_append_new(blocking, item_ref(st, it));
        }
        json_array_append_new(stages,
                              json_pack("{s:s, s:s, s:I, s:b, s:o}", "key", st->key, "name",
                                        st->name, "probability", (json_int_t)st->probability,
                                        "current", s == cur, "items", items));
    }
    json_decref(ticks);
    json_t *next = cur >= 0 && cur + 1 < v->nstages ? json_string(v->stages[cur + 1].key)
                   : cur >= 0                       ? json_string("won")
                                                    : json_null();
    return json_pack("{s:I, s:s, s:I, s:I, s:i, s:o, s:o, s:o}", "template_id",
                     (json_int_t)v->template_id, "template_name", v->template_name, "version_id",
                     (json_int_t)v->id, "version_number", (json_int_t)v->number, "current_index",
                     cur, "stages", stages, "next_stage", next, "blocking", blocking);
}

/* Moves ---------------------------------------------------------------------------- */

/* The project (JSON, caller owns) after checking the version sent; NULL
 * after replying 404 / 409 (the transaction is rolled back). */
static json_t *load_for_change(req *r, int64_t id, bool need_version)
{
    json_t *p = project_json(r->db, &r->a, id);
    if (!p) {
        db_rollback(r->db);
        reply_not_found(r);
        return NULL;
    }
    int64_t cur = json_integer_value(json_object_get(p, "version"));
    if ((need_version || in_has(r, "version")) && cur != in_int(r, "version", 0)) {
        db_rollback(r->db);
        json_decref(p);
        reply_conflict_version(r, cur);
        return NULL;
    }
    return p;
}

/* The reply when an UPDATE guarded by the version found nothing: someone
 * changed the project between our read and our write (PostgreSQL's read
 * committed lets both read; the second UPDATE re-checks and misses). */
static int reply_lost_race(req *r, int64_t id)
{
    db_rollback(r->db);
    int64_t v = 0;
    db_scalar_int(r->db, &v, 0, "SELECT version FROM projects WHERE id = ?", DBP(DBI(id)));
    return reply_conflict_version(r, v);
}

/* The gate between the current stage `from` and `to` (exclusive; nstages
 * means won): 0 to go on (*override set when a manager overrides), or -1
 * after replying (rolled back). missing_out: the items passed over (owned). */
static int gate_check(req *r, int64_t id, const proc_version *v, json_t *project, int from, int to,
                      bool *override, json_t **missing_out)
{
    *override = false;
    *missing_out = NULL;
    if (to <= from) return 0; /* backwards needs no gate */
    json_t *missing = process_missing(r->db, &r->a, v, project, from, to);
    if (!missing) {
        db_rollback(r->db);
        reply_db_error(r, DB_ERR);
        return -1;
    }
    if (!json_array_size(missing)) {
        json_decref(missing);
        return 0;
    }
    const char *why = in_str(r, "override_reason");
    bool may = policy_project_may_override(r->db, &r->me, id);
    if (!why) {
        db_rollback(r->db);
        reply_problem_with(r, 409, "conflict",
                           "required items of the stages left behind are not done; finish them"
                           " or, as a manager, override with a reason",
                           json_pack("{s:s, s:o, s:b}", "reason", "gate_blocked", "missing",
                                     missing, "may_override", may));
        return -1;
    }
    if (!may) {
        db_rollback(r->db);
        json_decref(missing);
        reply_problem(r, 403, "forbidden", "only a manager of the project may override a gate");
        return -1;
    }
    *override = true;
    *missing_out = missing;
    return 0;
}

static json_t *stage_state(json_t *p)
{
    return json_pack("{s:O, s:O, s:O}", "stage", json_object_get(p, "stage"), "status",
                     json_object_get(p, "status"), "probability",
                     json_object_get(p, "probability"));
}

/* Ends every change of this file inside its transaction: the audit row
 * (takes b and a), commit, and the project's detail as the reply. */
static int audit_commit_reply(req *r, int64_t id, const char *action, json_t *b, json_t *a)
{
    int rc = audit_record(r->db, r->me.id, "project", id, action, b, a);
    json_decref(b);
    json_decref(a);
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return project_reply_detail(r, 200, id, policy_project_access(r->db, &r->me, id));
}

/* Ends a stage change: audit (before, after plus extra), commit, detail reply. */
static int finish_change(req *r, int64_t id, const char *action, json_t *before, json_t *extra)
{
    json_t *after = project_json(r->db, &r->a, id);
    json_t *b = stage_state(before), *a = stage_state(after);
    if (extra) json_object_update(a, extra);
    json_decref(after);
    json_decref(before);
    json_decref(extra);
    return audit_commit_reply(r, id, action, b, a);
}

/* POST /projects/{id}/stage {"stage", "version", "override_reason"?,
 * "probability"?} — the board's drag and drop. Forward only through done
 * gates (or a manager's override); backward freely. The probability becomes
 * the stage's default unless sent. */
static int h_stage_move(req *r)
{
    static const field spec[] = {{"stage", F_STR, F_REQ, PROCESS_KEY_MAX, 1},
                                 {"version", F_INT, F_REQ, 0, 1},
                                 {"override_reason", F_STR, F_NULL, PROJECT_REASON_MAX, 1},
                                 {"probability", F_INT, 0, 100, 0},
                                 FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    const char *target = in_str(r, "stage");
    if (strcmp(target, "won") == 0 || strcmp(target, "lost") == 0) {
        json_t *errs = json_array();
        json_array_append_new(errs, field_error("stage", "invalid",
                                                "close a project with POST /projects/{id}/close"));
        return reply_invalid(r, errs);
    }
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *p = load_for_change(r, id, true), *missing = NULL;
    if (!p) return 0;
    if (strcmp(json_string_value(json_object_get(p, "status")), "open") != 0) {
        db_rollback(r->db);
        json_decref(p);
        return reply_problem_with(r, 409, "conflict", "the project is closed; reopen it first",
                                  json_pack("{s:s}", "reason", "closed"));
    }
    proc_version v;
    if ((rc = process_version_load(r->db, &r->a,
                                   json_integer_value(json_object_get(p, "template_version_id")),
                                   &v)) != 0) {
        db_rollback(r->db);
        json_decref(p);
        return reply_db_error(r, rc);
    }
    int from = process_stage_index(&v, json_string_value(json_object_get(p, "stage")));
    int to = process_stage_index(&v, target);
    if (to < 0 || to == from) {
        db_rollback(r->db);
        json_decref(p);
        json_t *errs = json_array();
        json_array_append_new(
            errs, to < 0
                      ? field_error("stage", "invalid", "is not a stage of the project's process")
                      : field_error("stage", "unchanged", "the project is already at this stage"));
        return reply_invalid(r, errs);
    }
    bool override;
    if (gate_check(r, id, &v, p, from, to, &override, &missing) < 0) {
        json_decref(p);
        return 0;
    }
    int64_t prob = in_int(r, "probability", v.stages[to].probability);
    int64_t amount = json_integer_value(json_object_get(p, "amount"));
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(
        r->db,
        "UPDATE projects SET stage = ?, probability = ?, weighted = ?, stage_entered_at = ?,"
        " version = version + 1, updated_at = ? WHERE id = ? AND version = ?"
        " AND status = 'open'",
        DBP(DBS(v.stages[to].key), DBI(prob), DBI(project_weighted(amount, prob)), DBS(now),
            DBS(now), DBI(id), DBI(in_int(r, "version", 0))));
    if (rc <= 0) {
        json_decref(p);
        json_decref(missing);
        return rc < 0 ? (db_rollback(r->db), reply_db_error(r, rc)) : reply_lost_race(r, id);
    }
    json_t *extra = override ? json_pack("{s:s, s:o}", "override_reason",
                                         in_str(r, "override_reason"), "missing", missing)
                             : NULL;
    return finish_change(r, id,
                         override    ? "stage_override"
                         : to > from ? "stage"
                                     : "stage_back",
                         p, extra);
}

/* PUT /projects/{id}/checklist/{item_key} {"done", "version"?} — ticks or
 * unticks a task of the project's process (owner, managers, members). Field
 * items are done by filling the field. The project's version moves on, so
 * a stage move decided on the old checklist gets 409. */
static int h_checklist_put(req *r)
{
    static const field spec[] = {
        {"done", F_BOOL, F_REQ, 0, 0}, {"version", F_INT, 0, 0, 1}, FIELDS_END};
    int64_t id = project_need(r, ACCESS_WRITE, NULL);
    if (id < 0) return 0;
    const char *key = r->nparams > 1 ? r->params[1] : "";
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *p = load_for_change(r, id, false);
    if (!p) return 0;
    proc_version v;
    if ((rc = process_version_load(r->db, &r->a,
                                   json_integer_value(json_object_get(p, "template_version_id")),
                                   &v)) != 0) {
        db_rollback(r->db);
        json_decref(p);
        return reply_db_error(r, rc);
    }
    const proc_item *item = NULL;
    for (int s = 0; s < v.nstages && !item; s++)
        for (int k = 0; k < v.stages[s].nitems; k++)
            if (strcmp(v.stages[s].items[k].key, key) == 0) item = &v.stages[s].items[k];
    if (!item || strcmp(item->kind, "task") != 0) {
        db_rollback(r->db);
        json_decref(p);
        if (!item)
            return reply_problem(r, 404, "not_found", "the project's process has no such item");
        return reply_problem_with(r, 422, "validation_failed",
                                  arena_printf(&r->a, "this item is done by filling the field %s",
                                               item->field ? item->field : "?"),
                                  json_pack("{s:s}", "field", item->field ? item->field : ""));
    }
    bool done = in_bool(r, "done", true);
    int64_t was = 0;
    db_scalar_int(r->db, &was, 0,
                  "SELECT COUNT(*) FROM project_checklist WHERE project_id = ? AND item_key = ?"
                  " AND done = TRUE",
                  DBP(DBI(id), DBS(key)));
    char now[TF_TS_LEN];
    tf_now(now);
    if (done)
        rc = db_exec(r->db,
                     "INSERT INTO project_checklist(project_id, item_key, done, done_by, done_at)"
                     " VALUES (?, ?, TRUE, ?, ?) ON CONFLICT (project_id, item_key) DO UPDATE SET"
                     " done = TRUE, done_by = excluded.done_by, done_at = excluded.done_at",
                     DBP(DBI(id), DBS(key), DBI(r->me.id), DBS(now)));
    else
        rc = db_exec(r->db, "DELETE FROM project_checklist WHERE project_id = ? AND item_key = ?",
                     DBP(DBI(id), DBS(key)));
    if (rc >= 0)
        rc =
            db_exec(r->db,
                    "UPDATE projects SET version = version + 1, updated_at = ? WHERE id = ?"
                    " AND version = ?",
                    DBP(DBS(now), DBI(id), DBI(json_integer_value(json_object_get(p, "version")))));
    if (rc == 0) {
        json_decref(p);
        return reply_lost_race(r, id);
    }
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(p);
        return reply_db_error(r, rc);
    }
    json_decref(p);
    return audit_commit_reply(r, id, "checklist",
                              json_pack("{s:s, s:b}", "item_key", key, "done", was > 0),
                              json_pack("{s:s, s:b}", "item_key", key, "done", done));
}

/* POST /projects/{id}/close {"outcome": "won"|"lost", "reason", "competitor_id"?,
 * "version", "override_reason"?} — won passes the gates of every stage left
 * (as if "won" were the stage after the last); lost needs a reason and may
 * name the competitor it went to (dictionary kind competitor). */
static int h_close(req *r)
{
    static const field spec[] = {{"outcome", F_STR, F_REQ, 10, 1},
                                 {"reason", F_STR, F_NULL, PROJECT_REASON_MAX, 0},
                                 {"competitor_id", F_INT, F_NULL, 0, 1},
                                 {"version", F_INT, F_REQ, 0, 1},
                                 {"override_reason", F_STR, F_NULL, PROJECT_REASON_MAX, 1},
                                 FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (input_check(r, spec) < 0) return 0;
    const char *outcome = in_str(r, "outcome"), *reason = in_str(r, "reason");
    bool won = strcmp(outcome, "won") == 0;
    int64_t comp = in_int(r, "competitor_id", 0);
    json_t *errs = json_array();
    if (!won && strcmp(outcome, "lost") != 0)
        json_array_append_new(errs, field_error("outcome", "invalid", "must be won or lost"));
    else if (!won && (!reason || !*reason))
        json_array_append_new(errs,
                              field_error("reason", "required", "say why the project was lost"));
    if (won && comp)
        json_array_append_new(errs, field_error("competitor_id", "invalid",
                                                "only a lost project goes to a competitor"));
    else if (comp && !dict_ref_ok(r->db, "competitor", comp, false))
        json_array_append_new(
            errs, field_error("competitor_id", "not_found", "is not an active competitor"));
    if (json_array_size(errs)) return reply_invalid(r, errs);
    json_decref(errs);
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *p = load_for_change(r, id, true), *missing = NULL;
    if (!p) return 0;
    const char *status = json_string_value(json_object_get(p, "status"));
    const char *to_status = status_transition(status, won ? "win" : "lose");
    if (!to_status) {
        db_rollback(r->db);
        const char *detail = arena_printf(&r->a, "the project is already %s", status);
        json_decref(p);
        return reply_problem_with(r, 409, "conflict", detail,
                                  json_pack("{s:s}", "reason", "closed"));
    }
    bool override = false;
    if (won) {
        proc_version v;
        if ((rc = process_version_load(
                 r->db, &r->a, json_integer_value(json_object_get(p, "template_version_id")),
                 &v)) != 0) {
            db_rollback(r->db);
            json_decref(p);
            return reply_db_error(r, rc);
        }
        int from = process_stage_index(&v, json_string_value(json_object_get(p, "stage")));
        if (gate_check(r, id, &v, p, from, v.nstages, &override, &missing) < 0) {
            json_decref(p);
            return 0;
        }
    }
    int64_t prob = won ? 100 : 0, amount = json_integer_value(json_object_get(p, "amount"));
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(r->db,
                 "UPDATE projects SET status = ?, stage = ?, closed_stage = stage, closed_at = ?,"
                 " close_reason = ?, lost_to_id = ?, probability = ?, weighted = ?,"
                 " stage_entered_at = ?, version = version + 1, updated_at = ?"
                 " WHERE id = ? AND version = ? AND status = ?",
                 DBP(DBS(to_status), DBS(to_status), DBS(now),
                     DBS(reason && *reason ? reason : NULL), comp ? DBI(comp) : DBNULL, DBI(prob),
                     DBI(project_weighted(amount, prob)), DBS(now), DBS(now), DBI(id),
                     DBI(in_int(r, "version", 0)), DBS(status)));
    if (rc <= 0) {
        json_decref(p);
        json_decref(missing);
        return rc < 0 ? (db_rollback(r->db), reply_db_error(r, rc)) : reply_lost_race(r, id);
    }
    json_t *extra = json_pack("{s:s?, s:o}", "reason", reason, "competitor_id",
                              comp ? json_integer(comp) : json_null());
    if (override) {
        json_object_set_new(extra, "override_reason", json_string(in_str(r, "override_reason")));
        json_object_set_new(extra, "missing", missing);
    }
    return finish_change(r, id, won ? "won" : "lost", p, extra);
}

/* POST /projects/{id}/reopen {"version", "reason"} — a manager takes back a
 * won / lost decision: the project returns to the stage it was closed at. */
static int h_reopen(req *r)
{
    static const field spec[] = {{"version", F_INT, F_REQ, 0, 1},
                                 {"reason", F_STR, F_REQ, PROJECT_REASON_MAX, 1},
                                 FIELDS_END};
    int64_t id = project_need(r, ACCESS_MANAGE, NULL);
    if (id < 0) return 0;
    if (!policy_project_allows(&r->me, "projects.assign"))
        return reply_problem(r, 403, "forbidden", "only a manager may reopen a project");
    if (input_check(r, spec) < 0) return 0;
    int rc = db_begin(r->db);
    if (rc < 0) return reply_db_error(r, rc);
    json_t *p = load_for_change(r, id, true);
    if (!p) return 0;
    const char *status = json_string_value(json_object_get(p, "status"));
    if (!status_transition(status, "reopen")) {
        db_rollback(r->db);
        json_decref(p);
        return reply_problem_with(r, 409, "conflict", "the project is open",
                                  json_pack("{s:s}", "reason", "open"));
    }
    proc_version v;
    if ((rc = process_version_load(r->db, &r->a,
                                   json_integer_value(json_object_get(p, "template_version_id")),
                                   &v)) != 0) {
        db_rollback(r->db);
        json_decref(p);
        return reply_db_error(r, rc);
    }
    int si = process_stage_index(&v, json_string_value(json_object_get(p, "closed_stage")));
    if (si < 0) si = v.nstages - 1;
    int64_t prob = v.stages[si].probability,
            amount = json_integer_value(json_object_get(p, "amount"));
    char now[TF_TS_LEN];
    tf_now(now);
    rc = db_exec(r->db,
                 "UPDATE projects SET status = 'open', stage = ?, closed_stage = NULL,"
                 " closed_at = NULL, close_reason = NULL, lost_to_id = NULL, probability = ?,"
                 " weighted = ?, stage_entered_at = ?, version = version + 1, updated_at = ?"
                 " WHERE id = ? AND version = ?",
                 DBP(DBS(v.stages[si].key), DBI(prob), DBI(project_weighted(amount, prob)),
                     DBS(now), DBS(now), DBI(id), DBI(in_int(r, "version", 0))));
    if (rc <= 0) {
        json_decref(p);
        return rc < 0 ? (db_rollback(r->db), reply_db_error(r, rc)) : reply_lost_race(r, id);
    }
    return finish_change(r, id, "reopen", p, json_pack("{s:s}", "reason", in_str(r, "reason")));
}

const route project_process_routes[] = {
    {"POST", "/api/v1/projects/{id}/stage", h_stage_move, PERM_SIGNED_IN, 4096,
     "Move a project to another stage (the board's drag): gates checked, 409 on a stale version",
     "{\"type\":\"object\",\"required\":[\"stage\",\"version\"],\"properties\":{\"stage\":{"
     "\"type\":\"string\"},\"version\":{\"type\":\"integer\"},\"override_reason\":{\"type\":"
     "\"string\",\"description\":\"managers: pass an unfinished gate\"},\"probability\":{"
     "\"type\":\"integer\"}}}"},
    {"PUT", "/api/v1/projects/{id}/checklist/{item_key}", h_checklist_put, PERM_SIGNED_IN, 1024,
     "Tick or untick a task of the project's process",
     "{\"type\":\"object\",\"required\":[\"done\"],\"properties\":{\"done\":{\"type\":"
     "\"boolean\"},\"version\":{\"type\":\"integer\"}}}"},
    {"POST", "/api/v1/projects/{id}/close", h_close, PERM_SIGNED_IN, 4096,
     "Close a project as won (gates checked) or lost (reason, competitor)",
     "{\"type\":\"object\",\"required\":[\"outcome\",\"version\"],\"properties\":{\"outcome\":{"
     "\"enum\":[\"won\",\"lost\"]},\"reason\":{\"type\":\"string\"},\"competitor_id\":{\"type\":"
     "[\"integer\",\"null\"]},\"version\":{\"type\":\"integer\"},\"override_reason\":{\"type\":"
     "\"string\"}}}"},
    {"POST", "/api/v1/projects/{id}/reopen", h_reopen, PERM_SIGNED_IN, 4096,
     "Reopen a won or lost project at the stage it was closed at (managers)",
     "{\"type\":\"object\",\"required\":[\"version\",\"reason\"],\"properties\":{\"version\":{"
     "\"type\":\"integer\"},\"reason\":{\"type\":\"string\"}}}"},
    ROUTES_END,
};
