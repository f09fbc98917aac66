/* numbering.h — document numbers from patterns such as KH-{yyyy}{mm}-{seq:5}:
 * {yyyy} {yy} {mm} {dd} are the date, {seq:N} a counter zero-padded to N that
 * restarts whenever the date part of the number changes. */
#ifndef TF_NUMBERING_H
#define TF_NUMBERING_H
#include <stdbool.h>
#include <time.h>
#include "db/db.h"

/* True if the pattern is well-formed (one {seq:N} with 1 <= N <= 12, only
 * known tokens, at most 60 characters). */
bool numbering_valid(const char *pattern);
/* The next number for sequence `name` with `pattern` at time t, inside the
 * caller's transaction. Returns NULL (and the db error in *rc) on failure. */
char *numbering_next(db_conn *c, arena *a, const char *name, const char *pattern, time_t t,
                     int *rc);
/* A block of n values of the sequence at once (a batch of new records):
 * the values *first .. *first + n - 1 are the caller's, inside its
 * transaction, and give the same numbers n calls of numbering_next at t
 * would have given. 0 or < 0. */
int numbering_reserve(db_conn *c, const char *name, const char *pattern, time_t t, int64_t n,
                      int64_t *first);
/* The number for value seq of a sequence with pattern at t, or NULL if the
 * pattern is invalid. */
char *numbering_format(arena *a, const char *pattern, time_t t, int64_t seq);
#endif
