/* names.h — the names of users and dictionary items in list replies, from a
 * cache in each server thread (see names.c). */
#ifndef TF_NAMES_H
#define TF_NAMES_H
#include "db/db.h"

/* Replaces, in res, the ids a list query put in its name columns by the
 * names: owner_name holds a user's id, qualification_name, region_name,
 * industry_name, source_name and level_name a dictionary item's (the query
 * selects c.owner_id AS owner_name, and joins nothing). Cells that are not
 * integers stay. Names are copied into a. 0, or < 0 on a database error. */
int names_fill(db_conn *c, arena *a, db_res *res);
#endif
