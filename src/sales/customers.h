/* customers.h — what the other customer files (pool, shares, follow-ups,
 * contacts, import, WeChat) use from customers.c. */
#ifndef TF_CUSTOMERS_H
#define TF_CUSTOMERS_H
#include <jansson.h>
#include <stdbool.h>
#include "../db/db.h"
#include "../http/http.h"

/* The customer as the API shows it (caller owns), or NULL. No policy check. */
json_t *customer_json(db_conn *c, arena *a, int64_t id);
/* Recomputes the quick-search text and bigrams of a customer from its fields,
 * industry name, contacts and searchable custom fields (inside the caller's
 * transaction). */
int customer_reindex(db_conn *c, arena *a, int64_t id);
/* Records a move in or out of the pool (customer_moves) and its audit row. */
int customer_move(db_conn *c, int64_t customer_id, int64_t from_owner, int64_t to_owner,
                  const char *kind, const char *reason, int64_t actor_id);

/* Input of a new customer, checked; used by the API, the import and WeChat. */
typedef struct customer_input {
    json_t *fields;       /* the accepted JSON fields (borrowed) */
    int64_t owner_id;     /* 0 = pool */
    const char *entry_method; /* manual, import, wechat */
    bool confirm_duplicates;  /* the user saw the warning and goes on */
} customer_input;

/* Checks entry policy (required fields, duplicates) and references; on
 * problems appends field errors to errs and, for duplicates, fills *dups with
 * [{id, number, name, owner_name, matched}] (caller owns). exclude_id skips
 * the record itself on update. Returns 1 if only warnings (duplicates with
 * policy "warn") were found, 0 if clean, -1 on errors. */
int customer_check(db_conn *c, arena *a, json_t *fields, int64_t exclude_id, bool creating,
                   json_t *errs, json_t **dups);
/* Creates a checked customer inside the caller's transaction; *id out. */
int customer_insert(db_conn *c, arena *a, const customer_input *in, int64_t actor_id,
                    int64_t *id);
#endif
