/* arena.h — the request arena: a bump allocator freed all at once.
 * Every allocation a request makes comes from its arena; arena_free() at the
 * end of the request releases them. Allocation failure aborts (we cannot
 * serve a request half-allocated), so callers never check for NULL. */
#ifndef TF_ARENA_H
#define TF_ARENA_H
#include <stddef.h>
#include <stdarg.h>

typedef struct arena_chunk arena_chunk;
typedef struct arena {
    arena_chunk *head;
    size_t used_total; /* bytes handed out, for limits and metrics */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);          /* zeroed, 16-byte aligned */
/* Like arena_alloc, but the bytes are not zeroed: for a buffer the caller
 * fills at once (copies, formatted text, reply bodies). */
void *arena_alloc_raw(arena *a, size_t n);
char *arena_strdup(arena *a, const char *s);    /* NULL stays NULL */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap);
/* The strings up to a NULL, joined: for building SQL of constant pieces
 * without printf's cost on long text. */
char *arena_cat(arena *a, ...) __attribute__((sentinel));

#endif
