/* audit.h — history: every change writes who, when, what, before and after,
 * inside the transaction of the change itself. */
#ifndef TF_AUDIT_H
#define TF_AUDIT_H
#include <jansson.h>
#include <stdint.h>
#include "db/db.h"

/* Writes one audit row. before/after may be NULL (creation / deletion); they
 * are borrowed, not stolen. Keys named password*, token* are never stored. */
int audit_record(db_conn *c, int64_t user_id, const char *entity, int64_t entity_id,
                 const char *action, json_t *before, json_t *after);

/* Several audit rows of one user and entity at once (multi-row INSERTs: an
 * import writes two per customer). before/after borrowed, scrubbed alike;
 * where one is NULL, its *_text (JSON text without secrets, or NULL) is
 * stored instead: many rows can share one text made once. */
typedef struct audit_row {
    int64_t entity_id;
    const char *action;
    json_t *before, *after;
    const char *before_text, *after_text;
} audit_row;
int audit_record_rows(db_conn *c, int64_t user_id, const char *entity, const audit_row *rows,
                      int n);

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
#endif
