/* regions.c — the region dictionary as people write regions: the short
 * form of a province or city name, the item an imported cell names
 * (浙江省 / 浙江 / 杭州市 / 杭州 / 浙江省杭州市), and a company name's core
 * for near-duplicate checks (legal form and place names taken off). The
 * names themselves are region_names.c's. */
#include "dicts/dicts.h"
#include "base/util.h"
#include <pthread.h>
#include <string.h>
#include <strings.h>

static bool ends_with(const char *s, size_t n, const char *suf, size_t *sl)
{
    *sl = strlen(suf);
    return n >= *sl && memcmp(s + n - *sl, suf, *sl) == 0;
}

/* Characters (UTF-8 code points) of the first n bytes of s. */
static size_t chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

const char *region_short(arena *a, const char *name)
{
    if (!name) return NULL;
    for (const region_name *r = region_names; r->name; r++)
        if (strcmp(r->name, name) == 0) return r->short_name;
    static const char *const sufs[] = {"特别行政区", "自治区", "地区", "省", "市", "盟", NULL};
    size_t n = strlen(name), sl;
    for (int i = 0; sufs[i]; i++)
        if (ends_with(name, n, sufs[i], &sl) && chars(name, n - sl) >= 2)
            return arena_strndup(a, name, n - sl);
    return name;
}

int region_list_load(region_list *l, db_conn *c, arena *a)
{
    db_res r;
    memset(l, 0, sizeof(*l));
    int rc = db_query(c, a, &r,
                      "SELECT id, name, name_en, parent_id FROM dict_items WHERE kind = 'region'"
                      " AND retired = FALSE ORDER BY sort, id LIMIT 5000",
                      DBP0);
    if (rc < 0) return rc;
    size_t n = (size_t)r.nrows + 1;
    l->id = arena_alloc(a, sizeof(int64_t) * n);
    l->parent = arena_alloc(a, sizeof(int64_t) * n);
    l->norm = arena_alloc(a, sizeof(char *) * n);
    l->short_norm = arena_alloc(a, sizeof(char *) * n);
    l->en_norm = arena_alloc(a, sizeof(char *) * n);
    for (int i = 0; i < r.nrows; i++) {
        const char *name = db_get_text(&r, i, "name"), *en = db_get_text(&r, i, "name_en");
        l->id[i] = db_get_int(&r, i, "id");
        l->parent[i] = db_get_int(&r, i, "parent_id");
        l->norm[i] = ts_normalize(a, name ? name : "");
        l->short_norm[i] = ts_normalize(a, region_short(a, name ? name : ""));
        l->en_norm[i] = en && *en ? ts_normalize(a, en) : "";
    }
    l->n = r.nrows;
    return 0;
}

/* Bytes of t that item i's name or short form takes at its start (the
 * longer), or 0. */
static size_t prefix_of(const region_list *l, int i, const char *t)
{
    size_t best = 0;
    const char *f[2] = {l->norm[i], l->short_norm[i]};
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(f[k]);
        if (n > best && chars(f[k], n) >= 2 && strncmp(t, f[k], n) == 0) best = n;
    }
    return best;
}

/* The child of parent (0: any item that has a parent) named at the start
 * of t, the longest; 0 none, -1 several. */
static int64_t city_at(const region_list *l, int64_t parent, const char *t)
{
    int64_t found = 0;
    size_t best = 0;
    for (int i = 0; i < l->n; i++) {
        if (parent ? l->parent[i] != parent : !l->parent[i]) continue;
        size_t n = prefix_of(l, i, t);
        if (!n && *l->en_norm[i] && strcmp(l->en_norm[i], t) == 0) n = strlen(t);
        if (!n || n < best) continue;
        found = n > best || found == 0 || found == l->id[i] ? l->id[i] : -1;
        best = n;
    }
    return found;
}

int64_t region_find(const region_list *l, arena *a, const char *text)
{
    const char *t = ts_normalize(a, text ? text : "");
    if (!*t) return 0;
    /* the whole text names one item: a province before a city */
    int64_t top = 0, city = 0;
    for (int i = 0; i < l->n; i++) {
        if (strcmp(t, l->norm[i]) != 0 && strcmp(t, l->short_norm[i]) != 0 &&
            strcmp(t, l->en_norm[i]) != 0)
            continue;
        int64_t *slot = l->parent[i] ? &city : &top;
        *slot = *slot == 0 || *slot == l->id[i] ? l->id[i] : -1;
    }
    if (top) return top;
    if (city) return city;
    /* a province, then one of its cities (or a district, ignored) */
    int64_t prov = 0;
    size_t best = 0;
    for (int i = 0; i < l->n; i++) {
        if (l->parent[i]) continue;
        size_t n = prefix_of(l, i, t);
        if (n > best) {
            best = n;
            prov = l->id[i];
        }
    }
    if (prov) {
        const char *rest = t + best;
        int64_t c = city_at(l, prov, rest);
        return c ? c : prov;
    }
    /* a city followed by a district */
    return city_at(l, 0, t);
}

/* Name cores ------------------------------------------------------------------ */

/* Latin legal forms, as whole trailing words (case does not matter). */
static const char *const latin_forms[] = {"co",  "ltd",   "inc",  "limited", "corp", "corporation",
                                          "company", "group", "llc", "gmbh",    "plc",  NULL};
/* Chinese legal forms, longest first. */
static const char *const cjk_forms[] = {"集团股份有限公司", "集团有限公司", "股份有限公司",
                                        "有限责任公司",     "有限公司",     "股份公司",
                                        "集团公司",         "集团",         "公司",
                                        NULL};

/* The longest region name (full or short) at the start of t (at_end: at
 * its end); its bytes, and *r the region. */
/* The byte lengths of each region's two names, 0 for a name of fewer than
 * two characters (never matched): measured once, since name_core asks for
 * every customer of an import. */
enum { REGION_MAX = 1024 };
static size_t region_len[REGION_MAX][2];
static pthread_once_t region_len_once = PTHREAD_ONCE_INIT;

static void region_len_init(void)
{
    for (int i = 0; region_names[i].name && i < REGION_MAX; i++) {
        const char *f[2] = {region_names[i].name, region_names[i].short_name};
        for (int k = 0; k < 2; k++) {
            size_t l = strlen(f[k]);
            region_len[i][k] = chars(f[k], l) < 2 ? 0 : l;
        }
    }
}

static size_t region_at(const char *t, size_t n, bool at_end, bool province, const region_name **r)
{
    size_t best = 0;
    pthread_once(&region_len_once, region_len_init);
    for (int i = 0; region_names[i].name && i < REGION_MAX; i++) {
        const region_name *p = &region_names[i];
        if ((p->province != 0) != province) continue;
        const char *f[2] = {p->name, p->short_name};
        for (int k = 0; k < 2; k++) {
            size_t l = region_len[i][k];
            if (l <= best || l > n) continue;
            if (memcmp(at_end ? t + n - l : t, f[k], l) == 0) {
                best = l;
                *r = p;
            }
        }
    }
    return best;
}

const char *name_core(arena *a, const char *name, const char **place, bool *place_is_city)
{
    if (place) *place = NULL;
    if (place_is_city) *place_is_city = false;
    if (!name) return NULL;
    /* trailing Latin legal forms, as words */
    char *s = arena_strdup(a, name);
    size_t n = strlen(s);
    for (bool again = true; again;) {
        again = false;
        while (n && strchr(" .,;()&-", s[n - 1]))
            n--;
        for (int i = 0; latin_forms[i]; i++) {
            size_t l = strlen(latin_forms[i]);
            if (n > l && strncasecmp(s + n - l, latin_forms[i], l) == 0 &&
                strchr(" .,(", s[n - l - 1])) {
                n -= l;
                again = true;
                break;
            }
        }
    }
    s[n] = 0;
    bool paren = strchr(name, '(') || strstr(name, "（");
    char *t = ts_normalize(a, s);
    n = strlen(t);
    size_t sl;
    for (bool again = true; again;) {
        again = false;
        for (int i = 0; cjk_forms[i]; i++)
            if (ends_with(t, n, cjk_forms[i], &sl) && chars(t, n - sl) >= 2) {
                n -= sl;
                again = true;
                break;
            }
    }
    const region_name *r = NULL, *city = NULL, *prov = NULL;
    /* a place in brackets before the legal form: 宇通电机（郑州）有限公司 */
    for (int p = 0; paren && p < 2; p++) {
        size_t l = region_at(t, n, true, p == 1, &r);
        if (l && chars(t, n - l) >= 2) {
            n -= l;
            *(p ? &prov : &city) = r;
        }
    }
    t[n] = 0;
    /* a leading province, then a leading city */
    size_t off = 0;
    for (int p = 1; p >= 0; p--) {
        size_t l = region_at(t + off, n - off, false, p == 1, &r);
        if (l && chars(t + off + l, n - off - l) >= 2) {
            off += l;
            *(p ? &prov : &city) = r;
        }
    }
    if (place) *place = city ? city->short_name : prov ? prov->short_name : NULL;
    /* 北京市, 上海市, 天津市, 重庆市 are cities too */
    if (place_is_city) *place_is_city = city || (prov && strstr(prov->name, "市"));
    return t + off;
}
