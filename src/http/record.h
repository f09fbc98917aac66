/* record.h — how a handler ends a change to a record and pages through a
 * record's history: the audit row in the change's transaction, the commit,
 * the reply (201 / 200 / 204, 409 on a stale version, the database error). */
#ifndef TF_RECORD_H
#define TF_RECORD_H
#include <jansson.h>
#include <stdint.h>
#include "core/policy.h"
#include "db/db.h"

struct req;
/* Replies with the history page of (entity, id); the caller has already
 * decided through the policy module that the user may see the record. */
int audit_reply_history(struct req *r, const char *entity, int64_t entity_id);
/* The common end of a create handler, inside its transaction: rc and res are
 * the INSERT ... RETURNING id's result; the new record is loaded with load(),
 * its "create" audit row written, the transaction committed and 201 replied
 * (or the database error). */
int audit_finish_create(struct req *r, int rc, const db_res *res, const char *entity,
                        json_t *(*load)(struct req *r, int64_t id));
/* The common end of a versioned update handler, inside its transaction: rc
 * is the UPDATE's row count (0: the version was stale → 409 with the current
 * version), then the record is reloaded with load(), its "update" audit row
 * written, the transaction committed and the record returned (or the
 * database error replied). Takes ownership of before. */
int audit_finish_update(struct req *r, int rc, const char *entity, int64_t id, json_t *before,
                        json_t *(*load)(struct req *r, int64_t id));
/* The common end of a delete handler, inside its transaction: before is the
 * row as it was (NULL: it was not there → 404); delete_sql (its n values p,
 * DBP(...)) removes it — no row removed means someone changed it meanwhile
 * (409 with before's version) — then the `action` audit row of (entity, id)
 * is written, the transaction committed and 204 replied (or the database
 * error). Takes ownership of before. */
int audit_finish_delete(struct req *r, json_t *before, const char *entity, int64_t id,
                        const char *action, const char *delete_sql, int n, const db_val *p);
/* The path's record id {0} when the user's access to it — access(), the
 * policy module's one-record answer for its kind — is at least need (and
 * *acc, unless NULL, that access); -1 after replying 404 when they have none
 * (to them it is not there) or 403 when it is less than need. */
int64_t record_need(struct req *r, tf_access need,
                    tf_access (*access)(db_conn *c, const principal *u, int64_t id),
                    tf_access *acc);
#endif
