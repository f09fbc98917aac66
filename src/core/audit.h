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

#endif
