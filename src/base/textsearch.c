/* textsearch.c — normalisation and search terms for duplicate checks and
 * quick search (see textsearch.h). Works on UTF-8 code points; anything that is not
 * a letter, digit or CJK character counts as punctuation and is dropped. */
#include "base/textsearch.h"
#include "base/util.h"
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
    char *nb = arena_alloc_raw(a, ncap); /* filled up to len, NUL-terminated */
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

/* Appends t (n bytes) to a growing text, after sep unless it is empty. */
static void append(arena *a, char **buf, size_t *len, size_t *cap, char sep, const char *t,
                   size_t n)
{
    grow(a, buf, len, cap, n + 1);
    if (*len) (*buf)[(*len)++] = sep;
    memcpy(*buf + *len, t, n);
    *len += n;
    (*buf)[*len] = 0;
}

/* One term to the document's grams, space separated. */
static void add_gram(ts_doc *d, const char *t, size_t n)
{
    append(d->a, &d->grams, &d->glen, &d->gcap, ' ', t, n);
}

/* A field's text to the document's, after a '|' that keeps a substring
 * from spanning two fields. */
static void add_text(ts_doc *d, const char *t, size_t n)
{
    append(d->a, &d->text, &d->tlen, &d->tcap, '|', t, n);
}

void ts_doc_add(ts_doc *d, const char *value)
{
    if (!value || !*value) return;
    char *norm = ts_normalize(d->a, value);
    size_t n = strlen(norm);
    if (!n) return;
    add_text(d, norm, n);
    /* the terms of the text (ts_next_term), then the last code point alone so
     * a one-character prefix query finds a field's final character too */
    const char *p = norm, *t;
    size_t tl, last = 0;
    while ((t = ts_next_term(&p, &tl)) != NULL) add_gram(d, t, tl);
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)norm[i] & 0xC0) != 0x80) last = i;
    add_gram(d, norm + last, n - last);
    /* and its trigrams, after the bigrams so that those stay consecutive
     * for a phrase query */
    for (p = norm; (t = ts_next_trigram(&p, &tl)) != NULL;) add_gram(d, t, tl);
    /* and its runs' eight-digit tails, last, so the others keep their order */
    for (p = norm; (t = ts_next_tail(&p, &tl)) != NULL;) add_gram(d, t, tl);
}

void ts_doc_append(ts_doc *d, const ts_doc *part)
{
    if (part->tlen) add_text(d, part->text, part->tlen);
    if (part->glen) add_gram(d, part->grams, part->glen);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The length of the UTF-8 sequence b leads, and whether the code point at
 * p is one of the scripts written without spaces (CJK and beyond, U+2E80
 * on: three in a row make a trigram), read off its first bytes. The terms
 * are made of normalised text, valid UTF-8 (ts_normalize writes it), and
 * these ask no more of it than decode would. */
static size_t seq_len(unsigned char b)
{
    return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

static bool is_wide_at(const unsigned char *p)
{
    return p[0] > 0xE2 || (p[0] == 0xE2 && p[1] >= 0xBA);
}

const char *ts_next_term(const char **pos, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*pos;
    while (*p) {
        size_t l1 = seq_len(p[0]);
        if (!p[l1]) break;
        const unsigned char *at = p;
        size_t l2 = seq_len(p[l1]);
        bool digits2 = is_digit((char)p[0]) && is_digit((char)p[1]);
        /* each position gives its bigram, or, inside a run of digits, the
         * four digits it starts (if the run is that long) */
        if (!digits2) {
            *pos = (const char *)(p + l1);
            *len = l1 + l2;
            return (const char *)at;
        }
        p += 1;
        if (is_digit((char)at[2]) && is_digit((char)at[3])) {
            *pos = (const char *)p;
            *len = 4;
            return (const char *)at;
        }
    }
    *pos = (const char *)p;
    return NULL;
}

const char *ts_next_trigram(const char **pos, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*pos;
    while (*p) {
        size_t l1 = seq_len(p[0]);
        if (is_wide_at(p) && p[l1] && is_wide_at(p + l1)) {
            size_t l2 = seq_len(p[l1]);
            if (p[l1 + l2] && is_wide_at(p + l1 + l2)) {
                *pos = (const char *)(p + l1);
                *len = l1 + l2 + seq_len(p[l1 + l2]);
                return (const char *)p;
            }
        }
        p += l1;
    }
    *pos = (const char *)p;
    return NULL;
}

const char *ts_next_tail(const char **pos, size_t *len)
{
    const char *p = *pos;
    while (*p) {
        size_t run = 0;
        while (is_digit(p[run])) run++;
        if (!run) {
            p++;
            continue;
        }
        /* the run at p (or its rest, after an earlier tail): its first tail
         * starts where the run's length less eight is a multiple of four */
        if (run >= TS_TAIL) {
            size_t at = (run - TS_TAIL) % TS_TAIL_STEP;
            *pos = p + at + TS_TAIL_STEP; /* the next tail, if the run is that long */
            *len = TS_TAIL;
            return p + at;
        }
        p += run;
    }
    *pos = p;
    return NULL;
}

/* Adds the term t (tl bytes) to out[*n] unless it is there. */
static void add_distinct(arena *a, const char *t, size_t tl, const char **out, int *n)
{
    char *g = arena_strndup(a, t, tl);
    for (int i = 0; i < *n; i++)
        if (strcmp(out[i], g) == 0) return;
    out[(*n)++] = g;
}

int ts_query_terms(arena *a, const char *normq, const char **out, int max)
{
    int n = 0;
    const char *p = normq, *t;
    size_t tl;
    while (n < max && (t = ts_next_term(&p, &tl)) != NULL) add_distinct(a, t, tl, out, &n);
    for (p = normq; n < max && (t = ts_next_trigram(&p, &tl)) != NULL;)
        add_distinct(a, t, tl, out, &n);
    return n;
}

/* The length of normq when it is only digits, else 0. */
static size_t digits_only(const char *normq)
{
    size_t n = 0;
    while (is_digit(normq[n])) n++;
    return normq[n] ? 0 : n;
}

bool ts_query_is_phrase(const char *normq)
{
    if (digits_only(normq) >= 4) return true; /* its windows, each one on */
    for (const char *p = normq; *p; p++)
        if (is_digit(p[0]) && is_digit(p[1])) return false;
    return true;
}

char *ts_fts_query(arena *a, const char *normq, int most_terms)
{
    if (tf_utf8_len(normq) < 2)
        return is_digit(normq[0]) ? NULL : arena_printf(a, "\"%s\"*", normq);
    if (!ts_query_is_phrase(normq)) return NULL;
    /* the phrase of every bigram or four-digit window in order (repeats
     * included) */
    size_t cap = strlen(normq) * 3 + 8, len = 0;
    char *out = arena_alloc(a, cap);
    const char *p = normq, *t;
    size_t tl;
    int nterms = 0;
    out[len++] = '"';
    while ((t = ts_next_term(&p, &tl)) != NULL) {
        if (++nterms > most_terms) return NULL;
        if (len > 1) out[len++] = ' ';
        memcpy(out + len, t, tl);
        len += tl;
    }
    out[len++] = '"';
    out[len] = 0;
    return out;
}

char *ts_fts_tails(arena *a, const char *normq, const char *tails[TS_TAIL_STEP])
{
    /* the longest run of digits */
    size_t best = 0, at = 0;
    for (size_t i = 0; normq[i];) {
        size_t run = 0;
        while (is_digit(normq[i + run])) run++;
        if (run > best) best = run, at = i;
        i += run ? run : 1;
    }
    if (best < TS_TAIL + TS_TAIL_STEP - 1) return NULL;
    /* a document's run holding it has a tail that starts at one of its
     * first TS_TAIL_STEP digits */
    char *out = arena_alloc(a, TS_TAIL_STEP * (TS_TAIL + 7) + 4), *o = out;
    *o++ = '(';
    for (int k = 0; k < TS_TAIL_STEP; k++) {
        if (k) o = stpcpy(o, " OR ");
        *o++ = '"';
        tails[k] = arena_strndup(a, normq + at + k, TS_TAIL);
        o = stpcpy(o, tails[k]);
        *o++ = '"';
    }
    *o++ = ')';
    *o = 0;
    return out;
}

char *ts_pg_array(arena *a, const char *normq)
{
    const char *terms[TS_QUERY_MAX_TERMS];
    int n = ts_query_terms(a, normq, terms, TS_QUERY_MAX_TERMS);
    if (n == 0) return NULL;
    char *out = "{";
    for (int i = 0; i < n; i++) out = arena_printf(a, "%s%s\"%s\"", out, i ? "," : "", terms[i]);
    return arena_printf(a, "%s}", out);
}
