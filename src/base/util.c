/* util.c — time stamps, tokens, strict parsing, UTF-8 checks (see util.h). */
#include "base/util.h"
#include "base/log.h"
#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tf_log_quiet = 0;

void tf_log(const char *level, const char *fmt, ...)
{
    if (tf_log_quiet && strcmp(level, "info") == 0) return;
    char ts[TF_TS_LEN], line[2048];
    tf_now(ts);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    fprintf(stderr, "ts=%s level=%s %s\n", ts, level, line);
}

void tf_ts(char out[TF_TS_LEN], time_t t)
{
    /* the last second formatted, per thread: an import stamps thousands of
     * rows within one, and gmtime_r with strftime took 1,400 instructions */
    static _Thread_local time_t last = -1;
    static _Thread_local char text[TF_TS_LEN];
    if (t != last) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(text, TF_TS_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
        last = t;
    }
    memcpy(out, text, TF_TS_LEN);
}

char *tf_put_i64(char *o, int64_t v)
{
    char d[20];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        d[n++] = (char)('0' + u % 10);
    while ((u /= 10) > 0);
    if (v < 0) *o++ = '-';
    while (n) *o++ = d[--n];
    return o;
}

void tf_now(char out[TF_TS_LEN])
{
    tf_ts(out, time(NULL));
}

bool tf_ts_parse(const char *s, time_t *out)
{
    if (!s) return false;
    struct tm tm = {0};
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!end || *end) {
        memset(&tm, 0, sizeof(tm));
        end = strptime(s, "%Y-%m-%d", &tm);
        if (!end || *end) return false;
    }
    *out = timegm(&tm);
    return true;
}

char *tf_random_token(arena *a, size_t bytes)
{
    unsigned char buf[64];
    if (bytes > sizeof(buf)) bytes = sizeof(buf);
    randombytes_buf(buf, bytes);
    char *out = arena_alloc(a, bytes * 2 + 1);
    sodium_bin2hex(out, bytes * 2 + 1, buf, bytes);
    return out;
}

char *tf_token_hash(arena *a, const char *token)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
    char *out = arena_alloc(a, sizeof(h) * 2 + 1);
    sodium_bin2hex(out, sizeof(h) * 2 + 1, h, sizeof(h));
    return out;
}

bool tf_parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    const char *p = s;
    if (*p == '-') p++;
    if (!*p) return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9') return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

bool tf_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + len;
    while (p < e) {
        size_t n = tf_utf8_seq(p, e);
        if (!n) return false;
        p += n;
    }
    return true;
}

size_t tf_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if ((*s & 0xC0) != 0x80) n++;
    return n;
}

char *tf_utf8_prefix(arena *a, const char *s, size_t max)
{
    size_t i = 0, n = 0;
    for (; s[i]; i++)
        if ((s[i] & 0xC0) != 0x80 && n++ == max) break;
    return arena_strndup(a, s, i);
}

char *tf_like_contains(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 2 + 3), *o = out;
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = 0;
    return out;
}
