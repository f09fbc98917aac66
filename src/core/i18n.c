/* i18n.c — languages (tags, Accept-Language), the lookup in the message
 * catalogue (exact texts and patterns with holes; the Chinese texts are in
 * i18n_zh.c) and local time from the machine's TZif files. */
#include "core/i18n.h"
#include "core/settings.h"
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The catalogue (i18n_zh.c): pairs of English and Chinese texts, ended by a
 * NULL pair. In a pattern "{}" is a hole copied as it is and "{t}" a hole
 * that is itself translated; the Chinese text has "{}" where each hole's
 * text goes, in the same order. */
typedef struct {
    const char *en, *zh;
} i18n_pair;
extern const i18n_pair i18n_zh_messages[], i18n_zh_labels[];

tf_lang i18n_lang(const char *tag)
{
    return tag && (tag[0] == 'z' || tag[0] == 'Z') && (tag[1] == 'h' || tag[1] == 'H')
                   && (!tag[2] || tag[2] == '-' || tag[2] == '_')
               ? LANG_ZH
               : LANG_EN;
}

const char *i18n_lang_tag(tf_lang l)
{
    return l == LANG_ZH ? "zh-CN" : "en";
}

bool i18n_lang_valid(const char *s)
{
    return s && (strcmp(s, "en") == 0 || strcmp(s, "zh-CN") == 0);
}

bool i18n_accept_language(const char *h, tf_lang *out)
{
    if (!h) return false;
    double best_q = 0;
    bool found = false;
    while (*h) {
        while (*h == ' ' || *h == ',') h++;
        const char *tag = h;
        while (*h && *h != ',' && *h != ';' && *h != ' ') h++;
        size_t tl = (size_t)(h - tag);
        double q = 1;
        while (*h && *h != ',') {
            if (*h == ';') {
                h++;
                while (*h == ' ') h++;
                if (h[0] == 'q' && h[1] == '=') q = strtod(h + 2, NULL);
            }
            if (*h && *h != ',') h++;
        }
        bool en = tl >= 2 && strncasecmp(tag, "en", 2) == 0 && (tl == 2 || tag[2] == '-');
        bool zh = tl >= 2 && strncasecmp(tag, "zh", 2) == 0 && (tl == 2 || tag[2] == '-');
        if ((en || zh) && q > best_q) {
            best_q = q;
            *out = zh ? LANG_ZH : LANG_EN;
            found = true;
        }
    }
    return found;
}

/* Matching a pattern --------------------------------------------------------- */
#define MAX_HOLES 6

typedef struct {
    const char *at[MAX_HOLES];
    size_t len[MAX_HOLES];
    bool tr[MAX_HOLES];
    int n;
} holes;

/* The length of the literal part of p up to its next hole (or end). */
static size_t literal_len(const char *p)
{
    const char *h = strchr(p, '{');
    while (h && !(h[1] == '}' || (h[1] == 't' && h[2] == '}'))) h = strchr(h + 1, '{');
    return h ? (size_t)(h - p) : strlen(p);
}

static bool match(const char *p, const char *s, holes *hs)
{
    size_t ll = literal_len(p);
    if (strncmp(p, s, ll) != 0) return false;
    p += ll;
    s += ll;
    if (!*p) return !*s;
    bool tr = p[1] == 't';
    p += tr ? 3 : 2;
    if (hs->n >= MAX_HOLES) return false;
    int k = hs->n++;
    hs->tr[k] = tr;
    hs->at[k] = s;
    size_t next = literal_len(p);
    if (!*p) { /* a hole at the end takes the rest */
        hs->len[k] = strlen(s);
        if (hs->len[k] > 0) return true;
    } else {
        /* every place the next literal text occurs, shortest hole first */
        char lit[128];
        if (next >= sizeof(lit)) next = sizeof(lit) - 1;
        memcpy(lit, p, next);
        lit[next] = 0;
        for (const char *f = next && *s ? strstr(s + 1, lit) : NULL; f; f = strstr(f + 1, lit)) {
            hs->len[k] = (size_t)(f - s);
            holes save = *hs;
            if (match(p, f, hs)) return true;
            *hs = save;
        }
    }
    hs->n--;
    return false;
}

static const char *text_depth(arena *a, tf_lang l, const char *en, int depth);

static const char *fill(arena *a, tf_lang l, const char *zh, const holes *hs, int depth)
{
    size_t cap = strlen(zh) + 1;
    const char *parts[MAX_HOLES];
    size_t plen[MAX_HOLES];
    bool all_tr = true, any_done = false;
    for (int k = 0; k < hs->n; k++) {
        parts[k] = hs->at[k];
        plen[k] = hs->len[k];
        all_tr &= hs->tr[k];
        if (hs->tr[k] && depth < 2) {
            char *raw = arena_strndup(a, hs->at[k], hs->len[k]);
            parts[k] = text_depth(a, l, raw, depth + 1);
            any_done |= parts[k] != raw;
            plen[k] = strlen(parts[k]);
        }
        cap += plen[k];
    }
    /* a pattern made of translated holes only ("{t}: {t}") matches when
     * some part of it is known */
    if (all_tr && !any_done) return NULL;
    char *out = arena_alloc_raw(a, cap), *o = out;
    int k = 0;
    for (const char *z = zh; *z;) {
        if (z[0] == '{' && z[1] == '}') {
            if (k < hs->n) {
                memcpy(o, parts[k], plen[k]);
                o += plen[k];
                k++;
            }
            z += 2;
        } else {
            *o++ = *z++;
        }
    }
    *o = 0;
    return out;
}

static const char *text_depth(arena *a, tf_lang l, const char *en, int depth)
{
    if (l != LANG_ZH || !en || !*en) return en;
    for (const i18n_pair *p = i18n_zh_messages; p->en; p++)
        if (strcmp(p->en, en) == 0) return p->zh;
    for (const i18n_pair *p = i18n_zh_messages; p->en; p++) {
        if (literal_len(p->en) == strlen(p->en)) continue; /* no hole */
        holes hs = {.n = 0};
        const char *out = match(p->en, en, &hs) ? fill(a, l, p->zh, &hs, depth) : NULL;
        if (out) return out;
    }
    for (const i18n_pair *p = i18n_zh_labels; p->en; p++)
        if (strcmp(p->en, en) == 0) return p->zh;
    return en;
}

const char *i18n_text(arena *a, tf_lang l, const char *en)
{
    return text_depth(a, l, en, 0);
}

const char *i18n_label(tf_lang l, const char *key)
{
    if (l != LANG_ZH || !key) return key;
    for (const i18n_pair *p = i18n_zh_labels; p->en; p++)
        if (strcmp(p->en, key) == 0) return p->zh;
    return key;
}

const char *i18n_status_title(tf_lang l, int status)
{
    static const struct {
        int status;
        const char *en, *zh;
    } t[] = {
        {400, "Bad Request", "请求有误"},
        {401, "Unauthorized", "未登录"},
        {403, "Forbidden", "无权操作"},
        {404, "Not Found", "未找到"},
        {405, "Method Not Allowed", "不支持的请求方法"},
        {409, "Conflict", "冲突"},
        {413, "Content Too Large", "内容过大"},
        {415, "Unsupported Media Type", "不支持的内容类型"},
        {422, "Unprocessable Content", "输入有误"},
        {429, "Too Many Requests", "请求过于频繁"},
        {503, "Service Unavailable", "服务暂不可用"},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].status == status) return l == LANG_ZH ? t[i].zh : t[i].en;
    if (status >= 500) return l == LANG_ZH ? "服务器内部错误" : "Internal Server Error";
    return l == LANG_ZH ? "错误" : "Error";
}

/* Time zones ------------------------------------------------------------------
 * A TZif file (RFC 8536): its version 2+ block of 64-bit transition times,
 * the UTC offset of each local time type, and the footer's rule for times
 * after the last transition (Debian ships "fat" files with transitions
 * until 2037; a footer without daylight saving, "CST-8", covers any time
 * after; otherwise the last transition's offset is kept). */
typedef struct {
    char name[64];
    int ntrans, ntypes;
    int64_t *trans;
    unsigned char *idx;
    long *offs;
    bool *dst;
    bool footer_fixed;
    long footer_off;
} tz_zone;

#define TZ_CACHE 16
static tz_zone zones[TZ_CACHE];
static int nzones;
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static bool zone_name_ok(const char *n)
{
    if (!n || !*n || strlen(n) >= 64 || n[0] == '/' || n[0] == '.' || strstr(n, ".."))
        return false;
    for (const char *p = n; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p)) return false;
    return true;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* "CST-8" (no daylight part) → its UTC offset in seconds; false otherwise. */
static bool footer_fixed_offset(const char *s, size_t n, long *off)
{
    size_t i = 0;
    if (i < n && s[i] == '<') {
        while (i < n && s[i] != '>') i++;
        i++;
    } else {
        while (i < n && isalpha((unsigned char)s[i])) i++;
    }
    if (i >= n) return false;
    int sign = 1;
    if (s[i] == '+' || s[i] == '-') sign = s[i++] == '-' ? -1 : 1;
    long h = 0, m = 0, sec = 0;
    while (i < n && isdigit((unsigned char)s[i])) h = h * 10 + (s[i++] - '0');
    if (i < n && s[i] == ':') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) m = m * 10 + (s[i++] - '0');
        if (i < n && s[i] == ':') {
            i++;
            while (i < n && isdigit((unsigned char)s[i])) sec = sec * 10 + (s[i++] - '0');
        }
    }
    if (i != n) return false; /* a daylight-saving part follows */
    *off = -sign * (h * 3600 + m * 60 + sec); /* POSIX offsets are west-positive */
    return true;
}

static bool zone_load(tz_zone *z, const char *name)
{
    char path[128];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    unsigned char *buf = malloc(1 << 20);
    size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    bool ok = false;
    if (n < 44 || memcmp(buf, "TZif", 4) != 0 || buf[4] < '2') goto out;
    /* skip the version 1 block */
    uint32_t c[6];
    for (int k = 0; k < 6; k++) c[k] = be32(buf + 20 + 4 * k);
    size_t v1 = 44 + (size_t)c[3] * 5 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 8 + c[1] + c[0];
    if (v1 + 44 > n || memcmp(buf + v1, "TZif", 4) != 0) goto out;
    const unsigned char *h = buf + v1;
    for (int k = 0; k < 6; k++) c[k] = be32(h + 20 + 4 * k);
    size_t need = 44 + (size_t)c[3] * 9 + (size_t)c[4] * 6 + c[5] + (size_t)c[2] * 12 + c[1] + c[0];
    if (v1 + need > n || c[4] == 0 || c[4] > 256) goto out;
    z->ntrans = (int)c[3];
    z->ntypes = (int)c[4];
    z->trans = calloc((size_t)z->ntrans + 1, sizeof(int64_t));
    z->idx = calloc((size_t)z->ntrans + 1, 1);
    z->offs = calloc((size_t)z->ntypes, sizeof(long));
    z->dst = calloc((size_t)z->ntypes, sizeof(bool));
    if (!z->trans || !z->idx || !z->offs || !z->dst) abort();
    const unsigned char *p = h + 44;
    for (int i = 0; i < z->ntrans; i++, p += 8) z->trans[i] = be64(p);
    for (int i = 0; i < z->ntrans; i++, p++) z->idx[i] = *p < c[4] ? *p : 0;
    for (int i = 0; i < z->ntypes; i++, p += 6) {
        z->offs[i] = (long)(int32_t)be32(p);
        z->dst[i] = p[4] != 0;
    }
    const unsigned char *foot = buf + v1 + need, *end = buf + n;
    if (foot < end && *foot == '\n') {
        const unsigned char *nl = memchr(foot + 1, '\n', (size_t)(end - foot - 1));
        if (nl)
            z->footer_fixed =
                footer_fixed_offset((const char *)foot + 1, (size_t)(nl - foot - 1), &z->footer_off);
    }
    snprintf(z->name, sizeof(z->name), "%s", name);
    ok = true;
out:
    free(buf);
    return ok;
}

/* The zone from the cache, read on first use; NULL if unknown. */
static const tz_zone *zone_get(const char *name)
{
    if (!zone_name_ok(name)) return NULL;
    const tz_zone *found = NULL;
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < nzones && !found; i++)
        if (strcmp(zones[i].name, name) == 0) found = &zones[i];
    if (!found && nzones < TZ_CACHE) {
        tz_zone z = {0};
        if (zone_load(&z, name)) {
            zones[nzones] = z;
            found = &zones[nzones++];
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return found;
}

const char *i18n_company_zone(db_conn *c, arena *a)
{
    json_t *v = c ? settings_get(c, "company") : NULL;
    const char *z = json_string_value(json_object_get(v, "time_zone"));
    const char *out = arena_strdup(a, z && *z ? z : I18N_DEFAULT_ZONE);
    json_decref(v);
    return out;
}

bool i18n_zone_valid(const char *name)
{
    if (zone_get(name)) return true;
    /* the cache is full (TZ_CACHE zones were used): read it to check only */
    tz_zone z = {0};
    bool ok = zone_name_ok(name) && zone_load(&z, name);
    free(z.trans);
    free(z.idx);
    free(z.offs);
    free(z.dst);
    return ok;
}

long i18n_zone_offset(const char *name, time_t t)
{
    const tz_zone *z = zone_get(name);
    if (!z) return 0;
    if (z->ntrans == 0 || t < z->trans[0]) {
        for (int i = 0; i < z->ntypes; i++)
            if (!z->dst[i]) return z->offs[i];
        return z->offs[0];
    }
    if (t >= z->trans[z->ntrans - 1] && z->footer_fixed) return z->footer_off;
    int lo = 0, hi = z->ntrans - 1; /* the last transition at or before t */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= t) lo = mid;
        else hi = mid - 1;
    }
    return z->offs[z->idx[lo]];
}

const char *i18n_local_time(arena *a, const char *iso, const char *zone)
{
    if (!iso) return NULL;
    struct tm tm = {0};
    const char *end = strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!end) return iso;
    if (*end == '.')
        for (end++; isdigit((unsigned char)*end);) end++;
    if (strcmp(end, "Z") != 0) return iso;
    time_t t = timegm(&tm) + i18n_zone_offset(zone, timegm(&tm));
    struct tm lt;
    gmtime_r(&t, &lt);
    return arena_printf(a, "%04d-%02d-%02d %02d:%02d", lt.tm_year + 1900, lt.tm_mon + 1, lt.tm_mday,
                        lt.tm_hour, lt.tm_min);
}
