/* numbering.c — expanding number patterns and drawing the next value (or a
 * block of values) of a sequence with one upsert (both engines), so two
 * concurrent creations never get the same number. */
#include "numbering.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Expands the pattern; seq < 0 leaves {seq} out (to compute the period). */
static bool expand(const char *pattern, const struct tm *tm, long long seq, char *out, size_t cap,
                   char *period, size_t pcap)
{
    size_t o = 0, p = 0;
    int nseq = 0;
    for (const char *s = pattern; *s;) {
        char buf[32];
        const char *piece = NULL;
        size_t plen = 0;
        bool is_date = true;
        if (strncmp(s, "{yyyy}", 6) == 0) {
            snprintf(buf, sizeof(buf), "%04d", tm->tm_year + 1900);
            s += 6;
        } else if (strncmp(s, "{yy}", 4) == 0) {
            snprintf(buf, sizeof(buf), "%02d", (tm->tm_year + 1900) % 100);
            s += 4;
        } else if (strncmp(s, "{mm}", 4) == 0) {
            snprintf(buf, sizeof(buf), "%02d", tm->tm_mon + 1);
            s += 4;
        } else if (strncmp(s, "{dd}", 4) == 0) {
            snprintf(buf, sizeof(buf), "%02d", tm->tm_mday);
            s += 4;
        } else if (strncmp(s, "{seq:", 5) == 0) {
            char *end;
            long w = strtol(s + 5, &end, 10);
            if (*end != '}' || w < 1 || w > 12 || ++nseq > 1) return false;
            snprintf(buf, sizeof(buf), "%0*lld", (int)w, seq < 0 ? 0 : seq);
            s = end + 1;
            is_date = false;
        } else if (*s == '{' || *s == '}') {
            return false;
        } else {
            buf[0] = *s++;
            buf[1] = 0;
            is_date = false;
        }
        piece = buf;
        plen = strlen(piece);
        if (o + plen + 1 > cap) return false;
        memcpy(out + o, piece, plen);
        o += plen;
        if (is_date && period) {
            if (p + plen + 1 > pcap) return false;
            memcpy(period + p, piece, plen);
            p += plen;
        }
    }
    out[o] = 0;
    if (period) period[p] = 0;
    return nseq == 1;
}

bool numbering_valid(const char *pattern)
{
    char out[128], period[64];
    struct tm tm = {.tm_year = 126, .tm_mon = 10, .tm_mday = 27};
    return pattern && strlen(pattern) <= 60 &&
           expand(pattern, &tm, 1, out, sizeof(out), period, sizeof(period));
}

/* Adds delta to the sequence (name, period of pattern at t), creating it at
 * delta; the new value in *last. */
static int draw(db_conn *c, const char *name, const char *pattern, const struct tm *tm,
                int64_t delta, int64_t *last)
{
    char out[128], period[64];
    if (!expand(pattern, tm, 0, out, sizeof(out), period, sizeof(period))) {
        snprintf(c->err, sizeof(c->err), "invalid number pattern %s", pattern);
        return DB_ERR;
    }
    *last = 0;
    int rc = db_scalar_int(c, last, 0,
                           "INSERT INTO sequences(name, period, value) VALUES (?, ?, ?)"
                           " ON CONFLICT(name, period) DO UPDATE SET value = sequences.value + ?"
                           " RETURNING value",
                           DBP(DBS(name), DBS(period), DBI(delta), DBI(delta)));
    if (rc >= 0 && *last < delta) rc = DB_ERR;
    return rc < 0 ? rc : 0;
}

char *numbering_next(db_conn *c, arena *a, const char *name, const char *pattern, time_t t,
                     int *rc)
{
    struct tm tm;
    localtime_r(&t, &tm);
    int64_t v = 0;
    char out[128];
    if ((*rc = draw(c, name, pattern, &tm, 1, &v)) < 0) return NULL;
    expand(pattern, &tm, v, out, sizeof(out), NULL, 0);
    return arena_strdup(a, out);
}

int numbering_reserve(db_conn *c, const char *name, const char *pattern, time_t t, int64_t n,
                      int64_t *first)
{
    struct tm tm;
    localtime_r(&t, &tm);
    int64_t last = 0;
    if (n < 1) return DB_ERR;
    int rc = draw(c, name, pattern, &tm, n, &last);
    if (rc >= 0) *first = last - n + 1;
    return rc;
}

int numbering_release(db_conn *c, const char *name, const char *pattern, time_t t, int64_t from,
                      int64_t last)
{
    struct tm tm;
    localtime_r(&t, &tm);
    char out[128], period[64];
    if (from > last) return 0;
    if (!expand(pattern, &tm, 0, out, sizeof(out), period, sizeof(period))) return DB_ERR;
    int rc = db_exec(c,
                     "UPDATE sequences SET value = ? WHERE name = ? AND period = ? AND value = ?",
                     DBP(DBI(from - 1), DBS(name), DBS(period), DBI(last)));
    return rc < 0 ? rc : 0;
}

char *numbering_format(arena *a, const char *pattern, time_t t, int64_t seq)
{
    /* the last second's local time, per thread: an import numbers
     * thousands of rows within one, and localtime_r took 3,000 instructions */
    static _Thread_local time_t last = -1;
    static _Thread_local struct tm last_tm;
    if (t != last) {
        localtime_r(&t, &last_tm);
        last = t;
    }
    struct tm tm = last_tm;
    char out[128];
    if (!expand(pattern, &tm, seq, out, sizeof(out), NULL, 0)) return NULL;
    return arena_strdup(a, out);
}
