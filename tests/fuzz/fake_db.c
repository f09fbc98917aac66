/* fake_db.c — the one database call numbering.c makes (drawing the next
 * value of a sequence), answered without a database for fuzz_numbering. */
#include "db/db.h"

int db_scalar_int(db_conn *c, int64_t *out, int64_t dflt, const char *sql, int n, const db_val *p)
{
    (void)c, (void)dflt, (void)sql;
    *out = n >= 3 && p[2].t == DBV_INT ? p[2].i : 1; /* a new sequence: the delta */
    return 0;
}
