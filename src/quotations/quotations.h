/* quotations.h — what the quotation files share: quotations.c (list,
 * detail, entry, edit, history, versions and their comparison),
 * quotation_build.c (a quotation's header and lines from a request: the
 * pricing of each line, currency and rate, project products, totals),
 * quotation_flow.c (the state table, submit / send / accept / reject /
 * new version, the approval document type, the expiry job),
 * quotation_rates.c (the currency rate table), quotation_document.c (the
 * downloads) and quotations_demo.c. quotations_register() is what the
 * table of modules calls at start-up. The lines themselves are kept by the
 * document-with-lines engine (kit/doclines.h) under doc_type "quotation". */
#ifndef TF_QUOTATIONS_H
#define TF_QUOTATIONS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "kit/doclines.h"
#include "core/policy.h"
#include "db/db.h"

#define QUOTE_DOC "quotation"
#define QUOTE_RATE_ONE 1000000LL          /* rate_micro of the yuan itself */
#define QUOTE_RATE_MAX 1000000000000LL    /* a million yuan per unit, in millionths */
#define QUOTE_MONEY_MAX 1000000000000000LL /* fen: ten trillion yuan, freight and discount */
#define QUOTE_VALID_DAYS 30                /* a new quotation's validity by default */

/* Registers the quotation document type with the approvals engine. */
void quotations_register(void);

struct req;
/* A quotation as a request describes it, checked, priced and computed. */
typedef struct quote_input {
    int64_t customer_id, project_id, owner_id;
    const char *currency;
    int64_t rate_micro;
    const char *quote_date, *valid_until;
    bool prices_include_tax;
    int64_t header_discount, freight;
    const char *payment_terms, *delivery_terms, *notes;
    doc_line *lines;
    int n;
    money_doc d;
    int64_t grand_total, grand_total_cny, max_discount_bp, limit_bp;
    bool needs_approval;
    const char *tier_name;
    json_t *unmatched; /* a project's products that match no catalogue product (owned) */
} quote_input;
/* Builds q from r->in: for a new quotation current is NULL (customer and
 * project from the body; with a project and no lines, the project's
 * products come along as lines); for an edit, current is the quotation's
 * JSON and what the body leaves out keeps its value (its lines are priced
 * again). Field errors go to errs; returns 0, -1 on field errors, or a
 * DB_E* code. */
int quote_build(struct req *r, json_t *current, quote_input *q, json_t *errs);
/* The rest of quote_build once q's header and parsed lines are set (the
 * demo sets them itself): prices the lines, computes the figures and
 * whether the owner's limit is passed. 0, or -1 with field errors. */
int quote_finish(db_conn *c, arena *a, quote_input *q, json_t *errs);
/* The quotation's JSON of q's figures: header totals, rates and lines
 * (caller owns), as a preview shows them. */
json_t *quote_input_json(const quote_input *q);
/* Inserts q as a new draft (version 1 of its lines) with its number and
 * audit row, inside the caller's transaction; *id out. */
int quote_insert(db_conn *c, arena *a, const quote_input *q, int64_t actor, int64_t *id);
/* The yuan per unit of currency from the rate table: 0 when it has none. */
int64_t quote_table_rate(db_conn *c, const char *currency);

/* The quotation as the API shows it (caller owns) with its current lines,
 * tax rates and approval, or NULL. No policy check. */
json_t *quote_json(db_conn *c, arena *a, int64_t id);
/* The header alone (no lines), as a version is frozen. */
json_t *quote_header_json(db_conn *c, arena *a, int64_t id);
/* Resolves the {id} of the path and the user's access; replies 404 (none
 * or not visible) or 403 (less than need) and returns -1. */
int64_t quote_need(struct req *r, tf_access need, tf_access *acc);
/* The detail reply: quote_json plus what the user may do next. */
int quote_reply_detail(struct req *r, int status, int64_t id, tf_access acc);

/* The state table (quotation_flow.c) and the events u may send now. */
extern const doc_transition quote_states[];
json_t *quote_actions_json(const principal *u, tf_access acc, json_t *quote);
#endif
