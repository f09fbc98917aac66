/* numbering.c — expanding number patterns and drawing the next value (or a
 * block of values) of a sequence with one upsert (both engines), so two
 * concurrent creations never get the same number. */
#include "core/numbering.h"
#include "base/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v (>= 0) in decimal, at least w digits (zero-padded; w <= 12), into buf
 * (room for 24); its length. snprintf cost an import's writer a thousand
 * instructions a piece. */
static size_t put_num(char *buf, long long v, int w)
{
    char digits[24];
    size_t n = (size_t)(tf_put_i64(digits, v < 0 ? 0 : v) - digits);
    size_t pad = n < (size_t)w ? (size_t)w - n : 0;
    memset(buf, '0', pad);
    memcpy(buf + pad, digits, n);
    return pad + n;
}

/* Expands the pattern; seq < 0 leaves {seq} out (to compute the period). */
static bool expand(const char *pattern, const struct tm *tm, long long seq, char *out, size_t cap,
                   char *period, size_t pcap)
{
    size_t o = 0, p = 0;
    int nseq = 0;
    for (const char *s = pattern; *s;) {
        char buf[32];
        size_t plen;
        bool is_date = true;
        if (strncmp(s, "{yyyy}", 6) == 0) {
            plen = put_num(buf, tm->tm_year + 1900, 4);
            s += 6;
        } else if (strncmp(s, "{yy}", 4) == 0) {
            plen = put_num(buf, (tm->tm_year + 1900) % 100, 2);
            s += 4;
        } else if (strncmp(s, "{mm}", 4) == 0) {
            plen = put_num(buf, tm->tm_mon + 1, 2);
            s += 4;
        } else if (strncmp(s, "{dd}", 4) == 0) {
            plen = put_num(buf, tm->tm_mday, 2);
            s += 4;
        } else if (strncmp(s, "{seq:", 5) == 0) {
            char *end;
            long w = strtol(s + 5, &end, 10);
            if (*end != '}' || w < 1 || w > 12 || ++nseq > 1) return false;
            plen = put_num(buf, seq < 0 ? 0 : seq, (int)w);
            s = end + 1;
            is_date = false;
        } else if (*s == '{' || *s == '}') {
            return false;
        } else {
            buf[0] = *s++;
            plen = 1;
            is_date = false;
        }
        if (o + plen + 1 > cap) return false;
        memcpy(out + o, buf, plen);
        o += plen;
        if (is_date && period) {
            if (p + plen + 1 > pcap) return false;
            memcpy(period + p, buf, plen);
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
