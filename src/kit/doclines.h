/* doclines.h — the document-with-lines engine: what a quotation, a contract,
 * a delivery or a return shares. It owns the lines' storage (table
 * doc_lines, one row per line of each version of each document, keyed by
 * doc_type, doc_id, revision, and beside it the same lines and their tax
 * summary as the detail's JSON text, doc_texts, written with them), the
 * check of the lines a client sends, the figures (through money_document,
 * the one place money is computed), the frozen headers of earlier versions (doc_revisions), the
 * side-by-side comparison of two versions, and the state table check.
 *
 * How a second document uses it (a contract, say):
 *   1. its migration adds its header table; the lines go to doc_lines with
 *      doc_type "contract" (nothing to add);
 *   2. its state table is a static doc_transition array ({from, event, to},
 *      ended by {NULL}); every change asks doc_transition_to() first and
 *      refuses what it returns NULL for; doc_events_json() tells the UI what
 *      may come next;
 *   3. on entry or edit: doclines_parse() the client's "lines" into
 *      doc_line structs (shape and ranges, field errors "lines[i].x"), fill
 *      each line's product facts and unit price (from its own source: a
 *      quotation prices with pricing_quote, a contract copies the accepted
 *      quotation's lines), then doclines_compute() for the figures and
 *      doclines_save() inside the document's transaction, and store the
 *      money_doc totals on its header;
 *   4. a new version: doclines_freeze() the old header, then
 *      doclines_copy() the lines to revision + 1; doclines_json() reads any
 *      version and doclines_compare_json() two versions side by side.
 * Nothing here commits: every write runs inside the caller's transaction. */
#ifndef TF_DOCLINES_H
#define TF_DOCLINES_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/arena.h"
#include "core/money.h"
#include "db/db.h"

/* The most lines a document takes through the API. */
#define DOCLINES_MAX 200
/* A quantity above 0 up to a million tonnes, in thousandths of the unit. */
#define DOCLINES_QTY_MAX 1000000000000LL

typedef struct doc_line {
    /* from the client (doclines_parse) */
    int64_t product_id, qty_milli;
    int32_t discount_bp; /* the line's own discount, given by hand */
    const char *note;
    /* filled by the document: the product and how it was priced */
    const char *product_code, *product_name, *spec, *unit;
    int64_t list_price, rule_discount_bp, rule_id; /* rule_id 0: none */
    const char *rule_name;
    int64_t unit_price; /* the price the discount applies to */
    int32_t tax_bp;
    /* figures (doclines_compute) */
    money_line m;
} doc_line;

/* Checks a JSON array of lines {product_id, qty_milli, discount_bp?, note?}:
 * an array of 1..DOCLINES_MAX objects, a product id, a quantity above 0 up
 * to DOCLINES_QTY_MAX, a discount 0..10000 basis points. Field errors go to
 * errs ("lines", "lines[2].qty_milli"). Returns the number of lines (*out in
 * a), or -1 when errors were added. */
int doclines_parse(arena *a, json_t *lines, doc_line **out, json_t *errs);

/* Computes every line's figures and the totals through money_document.
 * Errors name the field: a line whose price × quantity does not fit
 * ("lines[i].qty_milli"), a header discount above what the lines come to
 * ("header_discount"), totals that do not fit ("lines"). 0 or -1. */
int doclines_compute(doc_line *l, int n, int64_t header_discount, bool prices_include_tax,
                     money_doc *d, json_t *errs);

/* Writes the lines of version `revision` of the document (replacing any it
 * had). 0 or DB_E*. */
int doclines_save(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision,
                  const doc_line *l, int n);
/* Copies version `from`'s lines to version `to`. 0 or DB_E*. */
int doclines_copy(db_conn *c, const char *doc_type, int64_t doc_id, int64_t from, int64_t to);
/* The lines of a version as a JSON array in their order (caller owns; NULL
 * on a database error). */
json_t *doclines_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision);
/* The same lines as JSON text (malloc'd, *len bytes; NULL on error), for a
 * detail reply that splices them in with reply_json_plus. */
char *doclines_text(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision,
                    size_t *len);
/* The tax summary of a version, [{tax_bp, net, tax}] by rate. */
json_t *doclines_rates_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                            int64_t revision);
/* Sets o's "lines" and "rates" as JSON (o may be NULL); returns o. */
json_t *doclines_add_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                          int64_t revision, json_t *o);
/* Writes (again) the reply text of a version's lines and rates (table
 * doc_texts) from its rows; doclines_save and doclines_copy call it, and so
 * must anything else that changes a version's lines. */
int doclines_render(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision);
/* Removes a version's lines and their text (an amendment discarded). */
int doclines_drop(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision);
/* For a detail reply: sets o's "rates" and returns the lines' JSON text
 * (malloc'd, *len bytes; NULL on error), from doc_texts in one row, or from
 * the rows when the version has no text yet. */
char *doclines_reply_text(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                          int64_t revision, json_t *o, size_t *len);
/* The lines of a version as doc_line structs (figures included), for a
 * new version or a document made from another. Returns n or DB_E*. */
int doclines_load(db_conn *c, arena *a, const char *doc_type, int64_t doc_id, int64_t revision,
                  doc_line **out);

/* Keeps the header of version `revision` as it was (header borrowed). */
int doclines_freeze(db_conn *c, const char *doc_type, int64_t doc_id, int64_t revision,
                    json_t *header, int64_t user_id);
/* The frozen header of an earlier version (caller owns), or NULL. */
json_t *doclines_frozen(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                        int64_t revision);

/* Two versions side by side: {"rows": [{product_id, product_code,
 * product_name, a: line | null, b: line | null, changed}]}: lines matched by
 * product (the n-th line of a product with the n-th of the same product),
 * in the order of version b then what only a had. Caller owns. */
json_t *doclines_compare_json(db_conn *c, arena *a, const char *doc_type, int64_t doc_id,
                              int64_t rev_a, int64_t rev_b);

/* The state table ----------------------------------------------------------- */
typedef struct doc_transition {
    const char *from, *event, *to;
} doc_transition;
/* The state `event` leads to from `from`, or NULL when the table has no
 * such row. */
const char *doc_transition_to(const doc_transition *table, const char *from, const char *event);
/* The events the table allows from `from`, as a JSON array (caller owns). */
json_t *doc_events_json(const doc_transition *table, const char *from);
#endif
