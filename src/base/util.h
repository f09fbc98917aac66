/* util.h — small shared helpers: time stamps, random tokens, hashing of
 * tokens, safe integer parsing. No allocation except where an arena is given. */
#ifndef TF_UTIL_H
#define TF_UTIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "base/arena.h"

#define TF_TS_LEN 32
/* ISO-8601 UTC, second precision: 2026-11-27T08:15:00Z */
void tf_ts(char out[TF_TS_LEN], time_t t);
void tf_now(char out[TF_TS_LEN]);
/* Parses tf_ts output (or a date "YYYY-MM-DD"); false if malformed. */
bool tf_ts_parse(const char *s, time_t *out);
/* URL-safe random token of `bytes` random bytes, hex-encoded into the arena. */
char *tf_random_token(arena *a, size_t bytes);
/* SHA-256 hex of a token, as stored in the database (tokens are never stored raw). */
char *tf_token_hash(arena *a, const char *token);
/* Writes v's decimal digits (and sign) at o, no NUL; returns the end.
 * Room for 20 characters is enough. */
char *tf_put_i64(char *o, int64_t v);
/* Strict decimal int64: whole string, no sign junk, no overflow. */
bool tf_parse_i64(const char *s, int64_t *out);
/* True if s is valid UTF-8 without NUL bytes. */
bool tf_utf8_valid(const char *s, size_t len);
/* The length of the valid UTF-8 sequence at p (before e; NUL is not
 * valid): 1-4, or 0. Inline: the JSON writer asks it of every character
 * beyond ASCII. */
static inline size_t tf_utf8_seq(const unsigned char *p, const unsigned char *e)
{
    unsigned c = *p;
    size_t n;
    uint32_t cp;
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return 0;
    if ((size_t)(e - p) <= n) return 0;
    for (size_t i = 1; i <= n; i++) {
        if ((p[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0; /* overlong, beyond Unicode, or a surrogate */
    return n + 1;
}
/* Number of UTF-8 code points in s. */
size_t tf_utf8_len(const char *s);
/* The first max code points of s (all of it if shorter), in the arena. */
char *tf_utf8_prefix(arena *a, const char *s, size_t max);
/* A LIKE pattern, for `LIKE ? ESCAPE '\'`, that matches s anywhere in a
 * value, with s's own %, _ and backslash taken literally; in the arena. */
char *tf_like_contains(arena *a, const char *s);
#endif
