/* customer_sql.h — what customers.c and customer_batch.c share: the
 * columns a customer is read with, the multi-row statement sizes, and two
 * readers of a checked customer body. Internal to the customer module. */
#pragma once
#include "db/db.h"
#include <jansson.h>

#define CUSTOMER_COLS                                                                              \
    "SELECT c.id, c.number, c.name, c.phone, c.telephone, c.address, c.wechat, c.email,"          \
    " c.qualification_id, dq.name AS qualification_name, c.region_id, dr.name AS region_name,"    \
    " c.industry_id, di.name AS industry_name, c.source_id, ds.name AS source_name,"              \
    " c.level_id, dl.name AS level_name, c.followup_method_id, c.owner_id, u.name AS owner_name," \
    " c.protected, c.signed, c.entry_method, c.notes, c.custom_json, c.last_followup_at,"         \
    " c.last_deal_at, c.owned_since, c.created_at, c.updated_at, c.version"
#define CUSTOMER_JOINS                                                                             \
    " LEFT JOIN users u ON u.id = c.owner_id"                                                      \
    " LEFT JOIN dict_items dq ON dq.id = c.qualification_id"                                       \
    " LEFT JOIN dict_items dr ON dr.id = c.region_id"                                              \
    " LEFT JOIN dict_items di ON di.id = c.industry_id"                                            \
    " LEFT JOIN dict_items ds ON ds.id = c.source_id"                                              \
    " LEFT JOIN dict_items dl ON dl.id = c.level_id"
#define CUSTOMER_SELECT CUSTOMER_COLS " FROM customers c" CUSTOMER_JOINS

/* The searchable columns of a customer (customers.c, search_cols). */
enum { CUSTOMER_NSEARCH = 8 };

/* n copies of a constant fragment, comma separated: the statements below
 * are string literals, one per chunk size, so each is prepared once. */
#define X4(s) s ", " s ", " s ", " s
#define X16(s) X4(X4(s))
#define X64(s) X4(X16(s))
/* (64 rows measured faster than 256 on SQLite) */
#define CHUNK_SQL(head, row, tail)                                                                 \
    {{64, head X64(row) tail}, {16, head X16(row) tail}, {4, head X4(row) tail}, {1, head row tail}}

typedef struct chunk_sql {
    int rows;
    const char *sql;
} chunk_sql;

/* The largest chunk size that fits in `left` rows. */
static inline const chunk_sql *chunk_for(const chunk_sql sizes[4], int left)
{
    int k = 0;
    while (sizes[k].rows > left)
        k++;
    return &sizes[k];
}

static inline const char *str_or_null(json_t *fields, const char *k)
{
    const char *s = json_string_value(json_object_get(fields, k));
    return s && *s ? s : NULL;
}

static inline db_val ref_val(json_t *fields, const char *k)
{
    json_t *v = json_object_get(fields, k);
    return json_is_integer(v) ? DBI(json_integer_value(v)) : DBNULL;
}
