/* pg_stmt.h — the prepared statements of one PostgreSQL connection, by SQL
 * text and parameter types: which are prepared under which name, the least
 * recently used one to drop when the cache is full, and which statements
 * were seen once (a statement is prepared the second time it runs, so SQL
 * run once costs no extra round trip). Only the bookkeeping: pg.c talks to
 * the server. Used by one thread at a time (as its connection). */
#ifndef TF_DB_PG_STMT_H
#define TF_DB_PG_STMT_H
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

enum {
    PG_STMT_MAX = 256,  /* prepared statements kept per connection */
    PG_STMT_SEEN = 1024 /* hashes of statements seen once (direct-mapped) */
};

typedef struct pg_stmt {
    uint64_t hash;
    char *sql;             /* as the caller wrote it (with `?`); malloc'd */
    char *types;           /* a letter per parameter: i int8, b bool, u text or null; malloc'd */
    unsigned id;           /* the statement's name on the server: "tf<id>" */
    int prev, next, hnext; /* LRU neighbours and hash chain: indexes or -1 */
} pg_stmt;

typedef struct pg_stmts {
    pg_stmt e[PG_STMT_MAX];
    int bucket[PG_STMT_MAX * 2];
    int n, head, tail; /* entries used; most and least recently used */
    unsigned next_id;
    uint64_t seen[PG_STMT_SEEN];
    unsigned epoch; /* the schema epoch (pg.c) its statements were prepared in */
} pg_stmts;

void pg_stmts_init(pg_stmts *s);
/* Forgets every statement (the server's are deallocated by the caller). */
void pg_stmts_clear(pg_stmts *s);
/* The hash of a statement and its parameter types. */
uint64_t pg_stmt_hash(const char *sql, const char *types);
/* The cached statement (made the most recently used), or NULL. */
pg_stmt *pg_stmt_find(pg_stmts *s, uint64_t h, const char *sql, const char *types);
/* True the first time a hash is seen since it was last forgotten: run
 * unprepared then; false afterwards (prepare it). */
bool pg_stmt_first_sight(pg_stmts *s, uint64_t h);
/* Adds a statement about to be prepared; returns it with its new id. When
 * the cache is full, the least recently used one is dropped first and its
 * id put in *evicted (else 0): the caller deallocates it on the server. */
pg_stmt *pg_stmt_add(pg_stmts *s, uint64_t h, const char *sql, const char *types,
                     unsigned *evicted);
/* Drops one statement (its preparation failed, or the server lost it). */
void pg_stmt_remove(pg_stmts *s, pg_stmt *e);
/* Whether a statement may be prepared: SELECT, INSERT, UPDATE, DELETE,
 * WITH or VALUES; anything else (DDL, SET, transaction control) runs
 * unprepared. *ddl is set for statements that change the schema. */
bool pg_stmt_preparable(const char *sql, bool *ddl);
#endif
