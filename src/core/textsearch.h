/* textsearch.h — normalising text for duplicate checks and quick search, and
 * the bigram form the search indexes hold. One definition of "the same name"
 * and "contains" for both engines. */
#ifndef TF_TEXTSEARCH_H
#define TF_TEXTSEARCH_H
#include <stdbool.h>
#include "arena.h"

/* Lower-case, full-width ASCII to half-width, ideographic space to space, and
 * every space and punctuation mark dropped: "Ｈｕａｙａｎｇ  Wire, Ltd." and
 * "huayangwireltd" compare equal. Letters, digits and CJK stay. */
char *ts_normalize(arena *a, const char *s);
/* Digits only, with a leading 86 / 0086 country code dropped from mobile
 * numbers: "+86 138-0013-8000" → "13800138000". NULL or "" → NULL. */
char *ts_phone(arena *a, const char *s);

/* Builds the search text and bigrams of a record field by field. */
typedef struct ts_doc {
    arena *a;
    char *text, *grams;
    size_t tlen, tcap, glen, gcap;
} ts_doc;
void ts_doc_init(ts_doc *d, arena *a);
/* Adds one field's value (raw; normalised here). NULL/empty is skipped. */
void ts_doc_add(ts_doc *d, const char *value);

/* The FTS5 query for a normalised search: a phrase of its bigrams, or a
 * prefix query for one character. */
char *ts_fts_query(arena *a, const char *normq);
/* The distinct bigrams of normq (at most max), each a string in the arena;
 * returns how many. A query of one code point has none. */
int ts_bigram_list(arena *a, const char *normq, const char **out, int max);
/* PostgreSQL text[] literal of the bigrams: {"ab","bc"}. */
char *ts_pg_array(arena *a, const char *normq);
/* Escapes LIKE wildcards (PostgreSQL, backslash escape). */
char *ts_like_escape(arena *a, const char *s);
#endif
