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
/* The next number of a numbered record (customer, quotation, contract,
 * delivery, return, invoice, receipt): sequence seq, with the pattern of the
 * setting "<seq>_number", inside the caller's transaction. NULL (the db
 * error in *rc) on failure; the number is in a. */
char *settings_number_next(db_conn *c, arena *a, const char *seq, int *rc);
#endif
