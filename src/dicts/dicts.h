/* dicts.h — dictionaries (qualification, region, industry, source, level,
 * follow-up method) and custom fields, as the other customer files use them. */
#ifndef TF_DICTS_H
#define TF_DICTS_H
#include <stdbool.h>
#include "base/textsearch.h"
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

/* Regions (regions.c, region_names.c) ------------------------------------------ */

/* A province (province = 1) or city of China, with its short form. */
typedef struct region_name {
    const char *name, *short_name;
    int province;
} region_name;
extern const region_name region_names[]; /* ends with a NULL name */

/* The short form of a region name: 浙江省 → 浙江, 杭州市 → 杭州, 延边朝鲜族
 * 自治州 → 延边; a name not in region_names loses a trailing 省, 市, 自治区,
 * 地区 or 盟 (at least two characters stay). In a. */
const char *region_short(arena *a, const char *name);

/* The region dictionary's active items, for matching cells of an import. */
typedef struct region_list {
    int n;
    int64_t *id, *parent;
    const char **norm, **short_norm, **en_norm; /* ts_normalize'd */
} region_list;
int region_list_load(region_list *l, db_conn *c, arena *a);
/* The item a text names: a province or city by its name, short form or
 * English name (浙江省, 浙江, 杭州市, 杭州, Hangzhou), or a province
 * followed by one of its cities (浙江省杭州市, 浙江 杭州). A province wins
 * over a city of the same short name (吉林). 0 if none, -1 if several. */
int64_t region_find(const region_list *l, arena *a, const char *text);

/* A company name's core for near-duplicate checks: normalised
 * (ts_normalize), without its legal form (有限公司, 有限责任公司, 股份有限公司,
 * 集团, Co., Ltd., Inc., ...) and without a leading or trailing province or
 * city name; 郑州宇通电机有限公司, 宇通电机 and 宇通电机（郑州）有限公司 give
 * 宇通电机. *place (if not NULL) gets the short form of the city (else the
 * province) taken off, or NULL. The core keeps at least two characters. */
const char *name_core(arena *a, const char *name, const char **place, bool *place_is_city);
#endif
