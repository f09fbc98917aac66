/* textsearch.c — normalisation and bigrams for duplicate checks and quick
 * search (see textsearch.h). Works on UTF-8 code points; anything that is not
 * a letter, digit or CJK character counts as punctuation and is dropped. */
#include "textsearch.h"
#include "util.h"
#include <stdio.h>
#include <string.h>

/* Decodes one UTF-8 code point; returns its length (input is valid UTF-8). */
static size_t decode(const unsigned char *p, uint32_t *cp)
{
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if ((p[0] & 0xE0) == 0xC0 && p[1]) {
        *cp = ((uint32_t)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
        return 2;
    }
    if ((p[0] & 0xF0) == 0xE0 && p[1] && p[2]) {
        *cp = ((uint32_t)(p[0] & 0x0F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        return 3;
    }
    if ((p[0] & 0xF8) == 0xF0 && p[1] && p[2] && p[3]) {
        *cp = ((uint32_t)(p[0] & 0x07) << 18) | ((uint32_t)(p[1] & 0x3F) << 12) |
              ((uint32_t)(p[2] & 0x3F) << 6) | (p[3] & 0x3F);
        return 4;
    }
    *cp = 0xFFFD;
    return 1;
}

static size_t encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Folds one code point; 0 means "drop it". */
static uint32_t fold(uint32_t cp)
{
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0; /* full-width ASCII */
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') return cp + 32;
        if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) return cp;
        return 0; /* spaces, punctuation, controls */
    }
    if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) return cp + 32; /* Latin-1 capitals */
    if (cp <= 0x00BF) return 0;                                       /* Latin-1 punctuation */
    if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
        (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
        (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
        (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFEFF)
        return 0; /* general and CJK punctuation, spaces, BOM */
    return cp;
}

char *ts_normalize(arena *a, const char *s)
{
    if (!s) return arena_strdup(a, "");
    size_t n = strlen(s);
    char *out = arena_alloc(a, n * 2 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        p += decode(p, &cp);
        cp = fold(cp);
        if (cp) o += encode(cp, o);
    }
    *o = 0;
    return out;
}

char *ts_phone(arena *a, const char *s)
{
    if (!s) return NULL;
    char *out = arena_alloc(a, strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t cp;
        p += decode(p, &cp);
        if (cp >= 0xFF10 && cp <= 0xFF19) cp -= 0xFEE0; /* full-width digits */
        if (cp >= '0' && cp <= '9') *o++ = (char)cp;
    }
    *o = 0;
    if (!*out) return NULL;
    if (strncmp(out, "0086", 4) == 0 && strlen(out) == 15) return out + 4;
    if (strncmp(out, "86", 2) == 0 && strlen(out) == 13 && out[2] == '1') return out + 2;
    return out;
}

static void grow(arena *a, char **buf, size_t *len, size_t *cap, size_t need)
{
    if (*len + need + 1 <= *cap) return;
    size_t ncap = (*len + need + 1) * 2;
    char *nb = arena_alloc(a, ncap);
    if (*buf) memcpy(nb, *buf, *len + 1);
    *buf = nb;
    *cap = ncap;
}

void ts_doc_init(ts_doc *d, arena *a)
{
    memset(d, 0, sizeof(*d));
    d->a = a;
    grow(a, &d->text, &d->tlen, &d->tcap, 256);
    grow(a, &d->grams, &d->glen, &d->gcap, 1024);
    d->text[0] = d->grams[0] = 0;
}

void ts_doc_add(ts_doc *d, const char *value)
{
    if (!value || !*value) return;
    char *norm = ts_normalize(d->a, value);
    size_t n = strlen(norm);
    if (!n) return;
    grow(d->a, &d->text, &d->tlen, &d->tcap, n + 1);
    if (d->tlen) d->text[d->tlen++] = '|'; /* keeps a substring from spanning two fields */
    memcpy(d->text + d->tlen, norm, n + 1);
    d->tlen += n;
    /* bigrams of consecutive code points, then the last code point alone so a
     * one-character prefix query finds a field's final character too */
    const unsigned char *p = (const unsigned char *)norm;
    uint32_t cp;
    size_t l1 = decode(p, &cp);
    while (p[l1]) {
        size_t l2 = decode(p + l1, &cp);
        grow(d->a, &d->grams, &d->glen, &d->gcap, l1 + l2 + 1);
        if (d->glen) d->grams[d->glen++] = ' ';
        memcpy(d->grams + d->glen, p, l1 + l2);
        d->glen += l1 + l2;
        d->grams[d->glen] = 0;
        p += l1;
        l1 = l2;
    }
    grow(d->a, &d->grams, &d->glen, &d->gcap, l1 + 1);
    if (d->glen) d->grams[d->glen++] = ' ';
    memcpy(d->grams + d->glen, p, l1);
    d->glen += l1;
    d->grams[d->glen] = 0;
}

/* Appends the bigrams of normq, each wrapped in pre/post, joined by sep. */
static char *bigrams(arena *a, const char *normq, const char *pre, const char *post,
                     const char *sep)
{
    size_t n = strlen(normq), cap = n * 8 + 16, len = 0;
    char *out = arena_alloc(a, cap);
    const unsigned char *p = (const unsigned char *)normq;
    uint32_t cp;
    size_t l1 = decode(p, &cp);
    while (p[l1]) {
        size_t l2 = decode(p + l1, &cp);
        len += (size_t)snprintf(out + len, cap - len, "%s%s%.*s%s", len ? sep : "", pre,
                                (int)(l1 + l2), (const char *)p, post);
        p += l1;
        l1 = l2;
    }
    return out;
}

int ts_bigram_list(arena *a, const char *normq, const char **out, int max)
{
    int n = 0;
    const unsigned char *p = (const unsigned char *)normq;
    uint32_t cp;
    if (!*p) return 0;
    size_t l1 = decode(p, &cp);
    while (p[l1] && n < max) {
        size_t l2 = decode(p + l1, &cp);
        char *g = arena_printf(a, "%.*s", (int)(l1 + l2), (const char *)p);
        bool seen = false;
        for (int i = 0; i < n && !seen; i++) seen = strcmp(out[i], g) == 0;
        if (!seen) out[n++] = g;
        p += l1;
        l1 = l2;
    }
    return n;
}

char *ts_fts_query(arena *a, const char *normq)
{
    if (tf_utf8_len(normq) < 2) return arena_printf(a, "\"%s\"*", normq);
    char *phrase = bigrams(a, normq, "", "", " ");
    return arena_printf(a, "\"%s\"", phrase);
}

char *ts_pg_array(arena *a, const char *normq)
{
    return arena_printf(a, "{%s}", bigrams(a, normq, "\"", "\"", ","));
}

char *ts_like_escape(arena *a, const char *s)
{
    char *out = arena_alloc(a, strlen(s) * 2 + 1), *o = out;
    for (; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') *o++ = '\\';
        *o++ = *s;
    }
    *o = 0;
    return out;
}
