/* finance_int.h — what the money files share among themselves (not for
 * other modules: they use finance.h): the contract's money facts, the
 * parsing of an invoice and a receipt from a request (alone or nested in
 * the one-step call), and their writing inside the caller's transaction
 * (finance_write.c). Routes: payment_plan.c, invoices.c, receipts.c,
 * invoice_receipt.c, receivables.c; demo data: finance_demo.c. */
#ifndef TF_FINANCE_INT_H
#define TF_FINANCE_INT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "finance/finance.h"
#include "core/policy.h"
#include "db/db.h"

#define FIN_MONEY_MAX 1000000000000000LL /* fen: ten trillion yuan */
#define FIN_PLAN_MAX 60                  /* instalments in one payment plan */

/* What the money routes read of a contract. */
typedef struct fin_contract {
    int64_t id, customer_id, owner_id, version;
    int64_t grand_total, tax, invoiced, received, refunded, returned_value;
    const char *number, *state, *currency, *effective_at;
} fin_contract;
/* 0, 1 when there is no such contract, or a DB_E* code. */
int fin_contract_load(db_conn *c, arena *a, int64_t id, fin_contract *out);
/* The contract's money figures as the replies show them (caller owns):
 * id, number, state, version, grand_total, invoiced, received, refunded,
 * returned_value, due (grand total less returned value less received),
 * invoiceable (grand total less returned value less invoiced). */
json_t *fin_contract_figures(db_conn *c, arena *a, int64_t id);

typedef struct fin_invoice_in {
    const char *kind, *date, *note;
    int64_t amount, tax;
    bool has_tax;
} fin_invoice_in;
typedef struct fin_receipt_in {
    const char *date, *method, *bank_ref, *note;
    int64_t amount, invoice_id;
    bool advance;
} fin_receipt_in;
/* Reads and checks an invoice / a receipt object (prefix names its fields
 * in errors: "" or "invoice."); field errors go to errs. */
void fin_invoice_parse(json_t *obj, const char *prefix, fin_invoice_in *in, json_t *errs);
void fin_receipt_parse(json_t *obj, const char *prefix, fin_receipt_in *in, json_t *errs);
extern const char *const fin_receipt_methods[];

enum {
    FIN_EINVALID = -30, /* refused: field errors in errs (422) */
    FIN_ESTATE = -31,   /* the contract is not open for money (409) */
    FIN_EDUE = -32,     /* a receipt above the amount due, not an advance (422 with due) */
};
/* Inside the caller's transaction: issues the invoice on contract ct (its
 * tax, when not given, the contract's tax share of the amount), raising
 * the contract's invoiced figure by one conditional UPDATE that refuses to
 * pass grand total less returned value; audit rows for the invoice and the
 * contract. *id out. 0, FIN_E* (errs filled for FIN_EINVALID) or DB_E*. */
int fin_invoice_write(db_conn *c, arena *a, const fin_contract *ct, fin_invoice_in *in,
                      const char *prefix, int64_t actor, int64_t *id, json_t *errs);
/* The same for a receipt: up to the amount due one conditional UPDATE of
 * received (two finance users at once cannot both pass); above it
 * FIN_EDUE with *due set, unless in->advance: then what is due is a
 * receipt and the rest a second one of kind "advance". ids[0] and ids[1]
 * (0 when there is no advance part) out. */
int fin_receipt_write(db_conn *c, arena *a, const fin_contract *ct, const fin_receipt_in *in,
                      const char *prefix, int64_t actor, int64_t ids[2], int64_t *due,
                      json_t *errs);

/* One invoice / receipt as the API shows it (caller owns), or NULL. */
json_t *fin_invoice_json(db_conn *c, arena *a, int64_t id);
json_t *fin_receipt_json(db_conn *c, arena *a, int64_t id);
#define FIN_INVOICE_COLS                                                                           \
    "iv.id, iv.number, iv.contract_id, ct.number AS contract_number, iv.customer_id,"             \
    " cu.name AS customer_name, iv.kind, iv.invoice_date, iv.amount, iv.tax, iv.note,"             \
    " iv.created_by, u.name AS created_by_name, iv.created_at, ct.currency"
#define FIN_INVOICE_FROM                                                                           \
    " FROM invoices iv JOIN contracts ct ON ct.id = iv.contract_id JOIN customers cu ON cu.id ="  \
    " iv.customer_id LEFT JOIN users u ON u.id = iv.created_by"
#define FIN_RECEIPT_COLS                                                                           \
    "rc.id, rc.number, rc.contract_id, ct.number AS contract_number, rc.customer_id,"             \
    " cu.name AS customer_name, rc.kind, rc.amount, rc.receipt_date, rc.method, rc.bank_ref,"      \
    " rc.invoice_id, iv.number AS invoice_number, rc.return_id, rc.note, rc.created_by,"           \
    " u.name AS created_by_name, rc.created_at, ct.currency"
#define FIN_RECEIPT_FROM                                                                           \
    " FROM receipts rc JOIN contracts ct ON ct.id = rc.contract_id JOIN customers cu ON cu.id ="  \
    " rc.customer_id LEFT JOIN invoices iv ON iv.id = rc.invoice_id LEFT JOIN users u ON u.id ="   \
    " rc.created_by"

/* The reply of a receipt write: {receipts: [...], advance: amount} (caller
 * owns). */
json_t *fin_receipts_reply(db_conn *c, arena *a, const int64_t ids[2]);

/* OpenAPI schemas of an invoice and a receipt. */
#define INVOICE_SCHEMA                                                                             \
    "{\"type\":\"object\",\"required\":[\"kind\",\"invoice_date\",\"amount\"],\"properties\":{"    \
    "\"kind\":{\"enum\":[\"vat_general\",\"vat_special\"]},\"invoice_date\":{\"type\":\"string\"," \
    "\"format\":\"date\"},\"amount\":{\"type\":\"integer\",\"minimum\":1,\"description\":"          \
    "\"minor units, tax included\"},\"tax\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,"        \
    "\"description\":\"default: the contract's tax share of the amount\"},\"note\":{\"type\":"     \
    "[\"string\",\"null\"]}}}"
#define RECEIPT_SCHEMA                                                                             \
    "{\"type\":\"object\",\"required\":[\"amount\",\"receipt_date\",\"method\"],\"properties\":{"  \
    "\"amount\":{\"type\":\"integer\",\"minimum\":1},\"receipt_date\":{\"type\":\"string\","       \
    "\"format\":\"date\"},\"method\":{\"enum\":[\"bank_transfer\",\"cash\",\"cheque\","             \
    "\"acceptance_bill\",\"wechat_pay\",\"alipay\",\"other\"]},\"bank_ref\":{\"type\":[\"string\","  \
    "\"null\"]},\"invoice_id\":{\"type\":[\"integer\",\"null\"]},\"advance\":{\"type\":"           \
    "[\"boolean\",\"null\"],\"description\":\"keep what is above the amount due as an advance\"}," \
    "\"note\":{\"type\":[\"string\",\"null\"]}}}"

/* One instalment of a payment plan. */
typedef struct fin_plan_item {
    const char *due, *note;
    int64_t amount;
    int idx;
} fin_plan_item;
/* Inside the caller's transaction: replaces the plan of ct with the n
 * instalments v (sorted by due date, checked), each with its reminder for
 * the owner; the old instalments' reminders are deleted. */
int fin_plan_write(db_conn *c, arena *a, const fin_contract *ct, const fin_plan_item *v, int n,
                   int64_t actor);

struct req;
/* The path's contract {0} when the user sees it (404 otherwise), for the
 * money routes whose permission the route table already checked: -1
 * after replying. */
int64_t fin_contract_need(struct req *r);
/* The reply to a refused write (FIN_E* or DB_E*); steals errs. */
int fin_reply_refused(struct req *r, int rc, const fin_contract *ct, int64_t due, json_t *errs);
#endif
