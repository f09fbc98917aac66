/* policy_quotations.h — who sees and changes a quotation (and, later, the
 * other documents with lines that follow a customer's owner the same way);
 * the decisions live in policy_quotations.c. */
#ifndef TF_POLICY_QUOTATIONS_H
#define TF_POLICY_QUOTATIONS_H
#include "core/policy.h"

struct sqlq;
/* Who sees a quotation: its owner, the owner's managers, whoever's data
 * scope covers the owner (a sales manager their department tree, finance
 * and administrators everything), and the owner of its customer. Access:
 * MANAGE for administrators and the owner's managers, WRITE for the owner,
 * READ for the rest who see it; changes also need "quotations.write"
 * (finance reads only). NONE also when there is no such quotation. */
tf_access policy_quotation_access(db_conn *c, const principal *u, int64_t quotation_id);
/* Appends " AND (<visible to u>)" for quotations aliased qt: terms on qt's
 * own columns only (its customer through a subquery), so a list walks its
 * id index without a join per row. */
void policy_quotation_filter(const principal *u, struct sqlq *q);

/* The same for a contract (and what hangs on it: its payment plan,
 * invoices, receipts, deliveries and returns): "contracts.read" to see,
 * "contracts.write" to change the contract itself. Finance, the warehouse
 * and after-sales see every contract through their data scope; what they
 * may record on one is a route permission (finance.write,
 * goods.deliver). */
tf_access policy_contract_access(db_conn *c, const principal *u, int64_t contract_id);
/* Appends " AND (<visible to u>)" for contracts aliased ct, the same way. */
void policy_contract_filter(const principal *u, struct sqlq *q);
#endif
