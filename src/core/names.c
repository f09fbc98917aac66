/* names.c — the names of users and dictionary items for list replies. A
 * page of 50 customers named its owner, level and region by three joins a
 * row: 150 lookups, a third of the whole reply's instructions. Each
 * database connection (one per server thread) keeps the names it has
 * shown, by id, and checks them against one counter per reply (name_versions, which triggers raise
 * when a name changes or a row is deleted, migration 018): a rename made by any server or the
 * command line empties every thread's cache at its next reply. An id not in the cache is read with
 * one query (a new user or item, or the first replies after a rename). */
#include "core/names.h"
#include "base/arena.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NAMES_MAX = 1 << 16 }; /* more than this: start over (memory stays bounded) */

typedef struct slot {
    int64_t key; /* id * 2 + (1 for a user); 0: empty */
    char *name;
} slot;

/* One per connection (db_conn.cache), which one request uses at a time. */
typedef struct names {
    int64_t version;
    slot *s;
    size_t cap, n;
} names;

static void clear(names *cache)
{
    for (size_t i = 0; i < cache->cap; i++)
        free(cache->s[i].name);
    free(cache->s);
    cache->s = NULL;
    cache->cap = cache->n = 0;
}

static void names_free(void *p)
{
    if (!p) return;
    clear(p);
    free(p);
}

static size_t home(int64_t key, size_t cap)
{
    return (size_t)((uint64_t)key * 0x9E3779B97F4A7C15ull >> 32) & (cap - 1);
}

static const char *find(const names *cache, int64_t key)
{
    if (!cache->cap) return NULL;
    for (size_t j = home(key, cache->cap);; j = (j + 1) & (cache->cap - 1)) {
        if (cache->s[j].key == key) return cache->s[j].name;
        if (!cache->s[j].key) return NULL;
    }
}

static void put(names *cache, int64_t key, const char *name)
{
    if (cache->n >= NAMES_MAX) clear(cache);
    if ((cache->n + 1) * 2 > cache->cap) {
        size_t ncap = cache->cap ? cache->cap * 2 : 256;
        slot *ns = calloc(ncap, sizeof(slot));
        if (!ns) abort();
        for (size_t i = 0; i < cache->cap; i++) {
            if (!cache->s[i].key) continue;
            size_t j = home(cache->s[i].key, ncap);
            while (ns[j].key)
                j = (j + 1) & (ncap - 1);
            ns[j] = cache->s[i];
        }
        free(cache->s);
        cache->s = ns;
        cache->cap = ncap;
    }
    size_t j = home(key, cache->cap);
    while (cache->s[j].key)
        j = (j + 1) & (cache->cap - 1);
    cache->s[j].key = key;
    cache->s[j].name = strdup(name);
    if (!cache->s[j].name) abort();
    cache->n++;
}

static const struct {
    const char *col;
    bool user;
} name_cols[] = {{"owner_name", true},     {"qualification_name", false}, {"region_name", false},
                 {"industry_name", false}, {"source_name", false},        {"level_name", false}};

int names_fill(db_conn *c, arena *a, db_res *res)
{
    int cols[sizeof(name_cols) / sizeof(name_cols[0])], ncols = 0;
    bool user[sizeof(name_cols) / sizeof(name_cols[0])];
    for (size_t k = 0; k < sizeof(name_cols) / sizeof(name_cols[0]); k++) {
        int col = db_col(res, name_cols[k].col);
        if (col < 0) continue;
        cols[ncols] = col;
        user[ncols++] = name_cols[k].user;
    }
    if (!ncols || !res->nrows) return 0;
    int64_t v = 0;
    int rc = db_scalar_int(c, &v, 0, "SELECT v FROM name_versions WHERE id = 1", DBP0);
    if (rc < 0) return rc;
    if (c->cache && c->cache_free != names_free) { /* the slot is another module's */
        snprintf(c->err, sizeof(c->err), "names_fill: the connection's cache is taken");
        return DB_ERR;
    }
    names *cache = c->cache;
    if (!cache) {
        cache = calloc(1, sizeof(*cache));
        if (!cache) abort();
        c->cache = cache;
        c->cache_free = names_free;
    }
    if (cache->version != v) {
        clear(cache);
        cache->version = v;
    }
    for (int i = 0; i < res->nrows; i++)
        for (int k = 0; k < ncols; k++) {
            db_val *cell = &res->cells[i * res->ncols + cols[k]];
            if (cell->t != DBV_INT) continue;
            if (cell->i <= 0 || cell->i > INT64_MAX / 2) { /* no such row */
                *cell = DBNULL;
                continue;
            }
            int64_t key = cell->i * 2 + user[k];
            const char *name = find(cache, key);
            if (!name) {
                db_res r;
                rc = db_query(c, a, &r,
                              user[k] ? "SELECT name FROM users WHERE id = ?"
                                      : "SELECT name FROM dict_items WHERE id = ?",
                              DBP(DBI(cell->i)));
                if (rc < 0) return rc;
                name = rc > 0 ? db_get_text(&r, 0, "name") : NULL;
                if (name) put(cache, key, name);
            }
            *cell = DBS(name ? arena_strdup(a, name) : NULL);
        }
    return 0;
}
