/* record.c — the end of every create, versioned update and delete handler,
 * and the history reply (record.h); the rows themselves are core/audit.c's. */
#include "http/record.h"
#include "base/util.h"
#include "core/audit.h"
#include "http/http.h"
#include <stdlib.h>
#include <string.h>

int audit_reply_history(req *r, const char *entity, int64_t entity_id)
{
    int limit;
    int64_t cursor;
    if (req_page(r, &limit, &cursor) < 0) return 0;
    db_res res;
    int rc = db_query(r->db, &r->a, &res,
                      "SELECT a.id, a.at, a.user_id, u.name AS user_name, a.action, a.before_json,"
                      " a.after_json FROM audit_log a LEFT JOIN users u ON u.id = a.user_id"
                      " WHERE a.entity = ? AND a.entity_id = ? AND (? = 0 OR a.id < ?)"
                      " ORDER BY a.id DESC LIMIT ?",
                      DBP(DBS(entity), DBI(entity_id), DBI(cursor), DBI(cursor), DBI(limit + 1)));
    if (rc < 0) return reply_db_error(r, rc);
    return reply_page_rows(r, &res, limit, "id");
}

int audit_finish_update(req *r, int rc, const char *entity, int64_t id, json_t *before,
                        json_t *(*load)(req *r, int64_t id))
{
    json_t *after = NULL;
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) {
        after = load(r, id);
        rc = audit_record(r->db, r->me.id, entity, id, "update", before, after);
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

int audit_finish_delete(req *r, json_t *before, const char *entity, int64_t id,
                        const char *action, const char *delete_sql, int n, const db_val *p)
{
    if (!before) {
        db_rollback(r->db);
        return reply_not_found(r);
    }
    int rc = db_exec(r->db, delete_sql, n, p);
    if (rc == 0) {
        db_rollback(r->db);
        int64_t v = json_integer_value(json_object_get(before, "version"));
        json_decref(before);
        return reply_conflict_version(r, v);
    }
    if (rc > 0) rc = audit_record(r->db, r->me.id, entity, id, action, before, NULL);
    if (rc >= 0) rc = db_commit(r->db);
    json_decref(before);
    if (rc < 0) {
        db_rollback(r->db);
        return reply_db_error(r, rc);
    }
    return reply_empty(r, 204);
}

int audit_finish_create(req *r, int rc, const db_res *res, const char *entity,
                        json_t *(*load)(req *r, int64_t id))
{
    json_t *after = NULL;
    if (rc > 0) {
        int64_t id = db_get_int(res, 0, "id");
        after = load(r, id);
        rc = audit_record(r->db, r->me.id, entity, id, "create", NULL, after);
    }
    if (rc >= 0) rc = db_commit(r->db);
    if (rc < 0) {
        db_rollback(r->db);
        json_decref(after);
        return reply_db_error(r, rc);
    }
    return reply_json(r, 201, after);
}

int64_t record_need(req *r, tf_access need,
                    tf_access (*access)(db_conn *c, const principal *u, int64_t id),
                    tf_access *acc)
{
    int64_t id = req_id(r, 0);
    tf_access a = id > 0 ? access(r->db, &r->me, id) : ACCESS_NONE;
    if (acc) *acc = a;
    if (a == ACCESS_NONE) {
        reply_not_found(r);
        return -1;
    }
    if (a < need) {
        reply_forbidden(r);
        return -1;
    }
    return id;
}
