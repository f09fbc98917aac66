/* contracts.h — what the contract files share: contracts.c (list, detail,
 * entry, the versioned edit of a draft, history, revisions and their
 * comparison), contract_build.c (a contract's header and lines from a
 * request: blank, from a customer, a project or an accepted quotation),
 * contract_flow.c (the state table, submit / withdraw / cancel / terminate,
 * the "contract" approval document type), contract_amend.c (amendments of
 * an effective contract through approval) and contracts_demo.c. The lines
 * are kept by the document-with-lines engine (kit/doclines.h) under
 * doc_type "contract" at contracts.revision; an amendment's lines at
 * revision + 1. contract_progress.c moves effective -> fulfilling ->
 * completed from what money and goods record. */
#ifndef TF_CONTRACTS_H
#define TF_CONTRACTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "kit/doclines.h"
#include "core/policy.h"
#include "db/db.h"

#define CONTRACT_DOC            "contract"
#define CONTRACT_RATE_ONE       1000000LL
#define CONTRACT_RATE_MAX       1000000000000LL
#define CONTRACT_MONEY_MAX      1000000000000000LL /* fen: freight and header discount */
#define CONTRACT_PRICE_MAX      10000000000LL      /* a unit price given by hand */

/* The header fields a body may set (entry, edit, amendment) and their
 * OpenAPI schema (http.h's field spec). */
/* clang-format off */
#define CONTRACT_HEADER_FIELDS                                                                     \
    {"title", F_STR, F_NULL, 200, 0}, {"sign_date", F_STR, F_NULL, 10, 0},                         \
        {"start_date", F_STR, F_NULL, 10, 0}, {"end_date", F_STR, F_NULL, 10, 0},                  \
        {"currency", F_STR, 0, 3, 3}, {"rate_micro", F_INT, F_NULL, CONTRACT_RATE_MAX, 1},         \
        {"prices_include_tax", F_BOOL, 0, 0, 0},                                                   \
        {"header_discount", F_INT, 0, CONTRACT_MONEY_MAX, 0},                                      \
        {"freight", F_INT, 0, CONTRACT_MONEY_MAX, 0}, {"payment_terms", F_STR, F_NULL, 500, 0},    \
        {"delivery_terms", F_STR, F_NULL, 500, 0}, {"notes", F_STR, F_NULL, 2000, 0},              \
        {"lines", F_ARR, 0, DOCLINES_MAX, 0}
#define CONTRACT_BODY                                                                              \
    "\"title\":{\"type\":[\"string\",\"null\"]},\"sign_date\":{\"type\":[\"string\",\"null\"],"    \
    "\"format\":\"date\"},\"start_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},"    \
    "\"end_date\":{\"type\":[\"string\",\"null\"],\"format\":\"date\"},\"currency\":{\"enum\":["   \
    "\"CNY\",\"USD\",\"EUR\"]},\"rate_micro\":{\"type\":[\"integer\",\"null\"],\"description\":"   \
    "\"yuan per unit of the currency, in millionths\"},\"prices_include_tax\":{\"type\":"          \
    "\"boolean\"},\"header_discount\":{\"type\":\"integer\",\"minimum\":0},\"freight\":{"          \
    "\"type\":\"integer\",\"minimum\":0},\"payment_terms\":{\"type\":[\"string\",\"null\"]},"      \
    "\"delivery_terms\":{\"type\":[\"string\",\"null\"]},\"notes\":{\"type\":[\"string\","         \
    "\"null\"]},\"lines\":{\"type\":\"array\",\"maxItems\":200,\"items\":{\"type\":\"object\","    \
    "\"required\":[\"product_id\",\"qty_milli\"],\"properties\":{\"product_id\":{\"type\":"        \
    "\"integer\"},\"qty_milli\":{\"type\":\"integer\",\"minimum\":1},\"unit_price\":{\"type\":"    \
    "[\"integer\",\"null\"],\"minimum\":0},\"discount_bp\":{\"type\":\"integer\",\"minimum\":0,"   \
    "\"maximum\":10000},\"note\":{\"type\":[\"string\",\"null\"]}}}}"
/* clang-format on */

/* Registers the contract document type with the approvals engine. */
void contracts_register(void);

struct req;
/* A contract as a request (or the demo) describes it, checked and
 * computed. */
typedef struct contract_input {
    int64_t customer_id, project_id, quotation_id, owner_id;
    const char *title, *sign_date, *start_date, *end_date;
    const char *currency;
    int64_t rate_micro;
    bool prices_include_tax;
    int64_t header_discount, freight;
    const char *payment_terms, *delivery_terms, *notes;
    doc_line *lines;
    int n;
    money_doc d;
    int64_t grand_total, grand_total_cny;
} contract_input;

/* Builds k from r->in. current NULL: a new contract (customer, project,
 * quotation from the body; an accepted quotation brings its lines, prices,
 * currency, rate and terms). current set (a draft's or the contract in
 * force's JSON): what the body leaves out keeps its value, lines not sent
 * keep theirs and their prices. Field errors go to errs; 0, -1 on field
 * errors, or a DB_E* code. */
int contract_build(struct req *r, json_t *current, contract_input *k, json_t *errs);
/* Fills each line's product facts and price (a given unit price or the
 * catalogue's list price at the rate) for lines whose unit_price < 0, then
 * computes the figures. 0, or -1 with field errors. */
int contract_finish(db_conn *c, arena *a, contract_input *k, json_t *errs);
/* Inserts k as a new draft with its number, lines and audit row inside the
 * caller's transaction; *id out. */
int contract_insert(db_conn *c, arena *a, const contract_input *k, int64_t actor, int64_t *id);
/* k's header as JSON (the proposed header of an amendment; caller owns). */
json_t *contract_input_header(const contract_input *k);
/* The header, parties and lines of k, as a preview shows them (caller owns). */
json_t *contract_input_json(const contract_input *k);

/* The contract as the API shows it (lines, rates, figures, approval,
 * amendment; caller owns) or NULL. No policy check. */
json_t *contract_json(db_conn *c, arena *a, int64_t id);
/* The header row alone. */
json_t *contract_header_json(db_conn *c, arena *a, int64_t id);
/* Resolves the path's {id} and the user's access (404 / 403 replied, -1). */
int64_t contract_need(struct req *r, tf_access need, tf_access *acc);
/* The detail reply: contract_json plus access and actions. */
int contract_reply_detail(struct req *r, int status, int64_t id, tf_access acc);
/* The search text of a contract (number, title, customer, project). */
const char *contract_search_text(db_conn *c, arena *a, const char *number, const char *title,
                                 int64_t customer, int64_t project);

/* The state table (contract_flow.c) and the events u may send now. */
extern const doc_transition contract_states[];
json_t *contract_actions_json(const principal *u, tf_access acc, json_t *contract);
/* Submits (contract or amendment) to the approvals engine inside the
 * caller's transaction; sets approval_request_id. */
int contract_submit_approval(db_conn *c, arena *a, json_t *before, bool amendment,
                             const char *reason, int64_t actor);
/* Applies an approved amendment / discards a refused one (contract_amend.c),
 * inside the deciding transaction. An amendment that no longer fits (goods
 * delivered, money received or invoiced, the payment plan) is refused with
 * APPR_ECALLBACK and *why says which. */
int contract_amendment_apply(db_conn *c, arena *a, int64_t id, int64_t actor, const char **why);
int contract_amendment_discard(db_conn *c, arena *a, int64_t id, const char *event, int64_t actor);
/* Field errors for lines that go below what was delivered per product. */
int contract_check_delivered(db_conn *c, arena *a, int64_t id, const doc_line *l, int n,
                             json_t *errs);
#endif
