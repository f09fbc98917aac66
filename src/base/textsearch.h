/* textsearch.h — normalising text for duplicate checks and quick search, and
 * the terms (bigrams, four-digit runs, CJK trigrams and the tails of long
 * runs of digits) the search indexes hold. One definition of "the same
 * name" and "contains" for both engines. */
#ifndef TF_TEXTSEARCH_H
#define TF_TEXTSEARCH_H
#include <stdbool.h>
#include "base/arena.h"

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
/* Adds the fields of another document, as if each were added here. */
void ts_doc_append(ts_doc *d, const ts_doc *part);

/* The terms of a normalised text, in order, one per call (NULL at the end;
 * *pos advances, *len is the term's length): the bigram of each pair of code
 * points, except that two digits give no bigram; a run of digits gives
 * instead each four digits in a row. Digit bigrams are in most customers
 * (phones, numbers) and find nothing cheaply; four digits are rare. */
const char *ts_next_term(const char **pos, size_t *len);
/* The trigrams of a normalised text, one per call like ts_next_term: each
 * three code points in a row of the scripts written without spaces (CJK).
 * A document holds them after its bigrams; a long Chinese name's rarest
 * trigrams pick out its rows where its rarest bigrams, two characters each
 * of a small vocabulary, match hundreds. */
const char *ts_next_trigram(const char **pos, size_t *len);
/* The tails of a normalised text's runs of digits, one per call like
 * ts_next_term: in a run of TS_TAIL digits or more, the TS_TAIL digits
 * ending at its end, and those ending TS_TAIL_STEP, 2 * TS_TAIL_STEP ...
 * digits before it (from the first on). A document holds them after its
 * trigrams. A four-digit window is in about three customers in a
 * thousand (phones, numbers), so a whole phone or customer number was the
 * AND of two lists of thousands; a tail is in one or two. A mobile number
 * or a customer number has one tail, a landline with its area code two. */
enum { TS_TAIL = 8, TS_TAIL_STEP = 4 };
const char *ts_next_tail(const char **pos, size_t *len);
/* The distinct terms of normq (at most max), each a string in the arena:
 * those of ts_next_term, then its trigrams; returns how many. None: one
 * code point, or digits in runs shorter than four, which only the
 * substring test finds. (Not the tails: ts_fts_tails.) */
enum { TS_QUERY_MAX_TERMS = 200 };
int ts_query_terms(arena *a, const char *normq, const char **out, int max);
/* True when normq has no two digits in a row, or is only digits, four or
 * more: its terms are then its bigrams, or its four-digit windows,
 * each one on from the last, consecutive in a document that contains it (a
 * phrase). A phone fragment of four digits is its one window, exactly. */
bool ts_query_is_phrase(const char *normq);
/* The FTS5 query that finds exactly the texts containing normq: a prefix
 * query for one code point, the phrase of its terms otherwise; NULL when
 * no query is exact (a digit, or two digits in a row among other text) or
 * the phrase would have more than most_terms terms. */
char *ts_fts_query(arena *a, const char *normq, int most_terms);
/* When normq has a run of at least TS_TAIL + TS_TAIL_STEP - 1 digits (a
 * whole phone or customer number), the FTS5 query of the texts that may
 * contain it by their tails (ts_next_tail): the OR of the longest run's
 * first TS_TAIL_STEP windows of TS_TAIL digits, one of which any document
 * run holding it has as a tail (each also in tails[]). A few candidates,
 * to be confirmed by the substring test. NULL otherwise. */
char *ts_fts_tails(arena *a, const char *normq, const char *tails[TS_TAIL_STEP]);
/* PostgreSQL text[] literal of the distinct terms, {"ab","bc"}; NULL when
 * normq has none. */
char *ts_pg_array(arena *a, const char *normq);
#endif
