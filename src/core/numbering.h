/* numbering.h — document numbers from patterns such as KH-{yyyy}{mm}-{seq:5}:
 * {yyyy} {yy} {mm} {dd} are the date, {seq:N} a counter zero-padded to N that
 * restarts whenever the date part of the number changes. */
#ifndef TF_NUMBERING_H
#define TF_NUMBERING_H
#include <stdbool.h>
#include <time.h>
#include "../db/db.h"

/* True if the pattern is well-formed (one {seq:N} with 1 <= N <= 12, only
 * known tokens, at most 60 characters). */
bool numbering_valid(const char *pattern);
/* The next number for sequence `name` with `pattern` at time t, inside the
 * caller's transaction. Returns NULL (and the db error in *rc) on failure. */
char *numbering_next(db_conn *c, arena *a, const char *name, const char *pattern, time_t t,
                     int *rc);
#endif
