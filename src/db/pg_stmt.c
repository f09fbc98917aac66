/* pg_stmt.c — the bookkeeping of a PostgreSQL connection's prepared
 * statements (see pg_stmt.h): a hash table of at most PG_STMT_MAX entries
 * with a least-recently-used list, and a direct-mapped set of statements
 * seen once. */
#include "db/pg_stmt.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { NBUCKETS = PG_STMT_MAX * 2 };

void pg_stmts_init(pg_stmts *s)
{
    memset(s, 0, sizeof(*s));
    s->head = s->tail = -1;
    for (int i = 0; i < NBUCKETS; i++)
        s->bucket[i] = -1;
    s->next_id = 1;
}

void pg_stmts_clear(pg_stmts *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->e[i].sql);
        free(s->e[i].types);
    }
    unsigned next_id = s->next_id, epoch = s->epoch;
    pg_stmts_init(s);
    s->next_id = next_id; /* names are never reused on one connection */
    s->epoch = epoch;
}

uint64_t pg_stmt_hash(const char *sql, const char *types)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull; /* the boundary: "ab"+"c" is not "a"+"bc" */
    for (const char *p = types; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

static void lru_unlink(pg_stmts *s, int i)
{
    pg_stmt *e = &s->e[i];
    if (e->prev >= 0)
        s->e[e->prev].next = e->next;
    else
        s->head = e->next;
    if (e->next >= 0)
        s->e[e->next].prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = -1;
}

static void lru_front(pg_stmts *s, int i)
{
    pg_stmt *e = &s->e[i];
    e->prev = -1;
    e->next = s->head;
    if (s->head >= 0) s->e[s->head].prev = i;
    s->head = i;
    if (s->tail < 0) s->tail = i;
}

pg_stmt *pg_stmt_find(pg_stmts *s, uint64_t h, const char *sql, const char *types)
{
    for (int i = s->bucket[h % NBUCKETS]; i >= 0; i = s->e[i].hnext) {
        pg_stmt *e = &s->e[i];
        if (e->hash == h && strcmp(e->sql, sql) == 0 && strcmp(e->types, types) == 0) {
            if (s->head != i) {
                lru_unlink(s, i);
                lru_front(s, i);
            }
            return e;
        }
    }
    return NULL;
}

bool pg_stmt_first_sight(pg_stmts *s, uint64_t h)
{
    uint64_t *slot = &s->seen[h % PG_STMT_SEEN];
    if (*slot == h) return false;
    *slot = h;
    return true;
}

/* Takes entry i out of its hash chain and the list, frees its text, and
 * moves the last entry into its place (entries stay dense). */
static void drop(pg_stmts *s, int i)
{
    pg_stmt *e = &s->e[i];
    int *pp = &s->bucket[e->hash % NBUCKETS];
    while (*pp != i)
        pp = &s->e[*pp].hnext;
    *pp = e->hnext;
    lru_unlink(s, i);
    free(e->sql);
    free(e->types);
    int last = --s->n;
    if (i == last) return;
    /* relink the moved entry under its new index */
    *e = s->e[last];
    for (pp = &s->bucket[e->hash % NBUCKETS]; *pp != last; pp = &s->e[*pp].hnext) {
    }
    *pp = i;
    if (e->prev >= 0)
        s->e[e->prev].next = i;
    else
        s->head = i;
    if (e->next >= 0)
        s->e[e->next].prev = i;
    else
        s->tail = i;
}

pg_stmt *pg_stmt_add(pg_stmts *s, uint64_t h, const char *sql, const char *types, unsigned *evicted)
{
    *evicted = 0;
    if (s->n == PG_STMT_MAX) {
        *evicted = s->e[s->tail].id;
        drop(s, s->tail);
    }
    int i = s->n++;
    pg_stmt *e = &s->e[i];
    e->hash = h;
    e->sql = strdup(sql);
    e->types = strdup(types);
    if (!e->sql || !e->types) abort();
    e->id = s->next_id++;
    e->hnext = s->bucket[h % NBUCKETS];
    s->bucket[h % NBUCKETS] = i;
    lru_front(s, i);
    return e;
}

void pg_stmt_remove(pg_stmts *s, pg_stmt *e)
{
    s->seen[e->hash % PG_STMT_SEEN] = 0;
    drop(s, (int)(e - s->e));
}

bool pg_stmt_preparable(const char *sql, bool *ddl)
{
    static const char *const dml[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES"};
    static const char *const changes[] = {"CREATE", "ALTER", "DROP", "TRUNCATE", "COMMENT"};
    const char *p = sql;
    while (isspace((unsigned char)*p) || *p == '(')
        p++;
    size_t n = 0;
    while (isalpha((unsigned char)p[n]))
        n++;
    *ddl = false;
    for (size_t i = 0; i < sizeof(dml) / sizeof(dml[0]); i++)
        if (n == strlen(dml[i]) && strncasecmp(p, dml[i], n) == 0) return true;
    for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++)
        if (n == strlen(changes[i]) && strncasecmp(p, changes[i], n) == 0) *ddl = true;
    return false;
}
