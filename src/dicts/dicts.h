/* dicts.h — dictionaries (qualification, region, industry, source, level,
 * follow-up method) and custom fields, as the other customer files use them. */
#ifndef TF_DICTS_H
#define TF_DICTS_H
#include <stdbool.h>
#include "core/textsearch.h"
#include "db/db.h"

/* True if kind is a dictionary kind. */
bool dict_kind_valid(const char *kind);
/* True if id is an item of that kind; retired items are refused when
 * allow_retired is false (new choices), accepted otherwise (old values kept). */
bool dict_ref_ok(db_conn *c, const char *kind, int64_t id, bool allow_retired);

/* Validates a record's custom values against the active custom fields of
 * entity. creating: required fields must be present. Appends field errors
 * (field "custom.KEY") to errs. */
void custom_validate(db_conn *c, arena *a, const char *entity, json_t *custom, bool creating,
                     json_t *errs);
/* Adds the values of searchable custom fields to a search document. */
void custom_add_search(db_conn *c, arena *a, const char *entity, json_t *custom, ts_doc *doc);
#endif
