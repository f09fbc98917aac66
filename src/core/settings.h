/* settings.h — company settings stored as JSON documents by key (pool rules,
 * entry policy, number patterns, ...). Each key is declared once with its
 * default and its validator, so a reader always gets a complete document. */
#ifndef TF_SETTINGS_H
#define TF_SETTINGS_H
#include <jansson.h>
#include "db/db.h"

typedef struct setting_def {
    const char *key;
    const char *default_json;
    /* Checks a proposed value; appends {field, code, message} errors. */
    void (*validate)(json_t *value, json_t *errs);
} setting_def;

/* Every declared setting (settings.c holds the list). */
const setting_def *settings_def(const char *key);
/* The stored value merged over the default (caller owns), or NULL for an
 * unknown key. */
json_t *settings_get(db_conn *c, const char *key);
/* Stores a validated value (inside the caller's transaction). */
int settings_put(db_conn *c, const char *key, json_t *value);
#endif
