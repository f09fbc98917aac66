/* finance.h — what the money module publishes for the others: the number
 * patterns of its documents and the refund a sales return records on
 * approval (refund.c). Invoices, receipts, the payment plan, receivables
 * and ageing are its routes (the files of src/finance/). */
#ifndef TF_FINANCE_H
#define TF_FINANCE_H
#include <stdint.h>
#include "base/arena.h"
#include "db/db.h"


enum {
    FINANCE_EREFUND = -40, /* the refund is larger than what was received */
};
/* Inside the caller's transaction: records a sales refund of `amount`
 * (> 0, minor units of the contract's currency) paid back on contract
 * `contract_id` for return `return_id`, as a receipt of kind "refund"
 * with the negative amount, and lowers the contract's received figure by
 * one conditional UPDATE that refuses to go below zero (two refunds at once
 * cannot both pass). *receipt_id out. 0, FINANCE_EREFUND or a DB_E* code. */
int finance_refund(db_conn *c, arena *a, int64_t contract_id, int64_t return_id, int64_t amount,
                   const char *method, const char *date, int64_t actor, int64_t *receipt_id);

enum {
    FINANCE_ERECEIPT = -41, /* the receipt was refused (contract not open, a bad date) */
};
/* Inside the caller's transaction: records a receipt of all that is still
 * due on contract `contract_id` (grand total less returned value less
 * received) through the receipt route's own write, dated `date` (today or
 * before), then contract_progress (delivered in full and paid: completed).
 * *receipt_id out, 0 when nothing was due. 0, FINANCE_ERECEIPT or DB_E*. */
int finance_receive_due(db_conn *c, arena *a, int64_t contract_id, const char *date,
                        const char *method, const char *bank_ref, int64_t actor,
                        int64_t *receipt_id);
#endif
