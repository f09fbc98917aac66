/* goods.h — what the goods files share: deliveries.c (deliveries out of a
 * warehouse against a contract), returns.c (sales return forms and their
 * lists), return_flow.c (submit / withdraw / cancel and the "return"
 * document type of the approvals engine: on approval the stock comes back,
 * the contract's goods and returned value move and the refund is recorded),
 * gross_profit.c (a contract's gross profit and the report by salesperson,
 * department and month) and goods_demo.c. goods_register() is what the
 * table of modules calls at start-up. */
#ifndef TF_GOODS_H
#define TF_GOODS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include "base/arena.h"
#include "core/policy.h"
#include "db/db.h"

#define RETURN_DOC "return"
#define GOODS_LINES_MAX 200

/* Registers the return document type with the approvals engine. */
void goods_register(void);

/* One line of a delivery or a return as a request gives it. */
typedef struct goods_line {
    int64_t product_id, qty_milli;
} goods_line;
/* Checks the JSON array of lines {product_id, qty_milli}: 1..GOODS_LINES_MAX
 * objects, ids, quantities above 0, no product twice. Field errors go to
 * errs ("lines[2].qty_milli"). Returns n (*out in a) or -1. */
int goods_lines_parse(arena *a, json_t *lines, goods_line **out, json_t *errs);

enum {
    GOODS_ESTATE = -51, /* the contract is not open for goods (effective / being fulfilled) */
};

/* A delivery to record: the contract, the warehouse, the date (NULL:
 * today), carrier, tracking number and note (NULL: none), the lines. */
typedef struct goods_delivery {
    int64_t contract_id, warehouse_id;
    const char *date, *carrier, *tracking_no, *note;
    const goods_line *lines;
    int n;
} goods_delivery;
/* Inside the caller's transaction: records the delivery (number, lines,
 * stock out at the standard cost of the day, each line's net excl. tax —
 * the delivered quantity's cumulative share of the product's lines in
 * force less what was recognised before —, contract_goods, audit rows,
 * contract_progress). 0 (*id out), 1 when field errors were added to errs
 * (more than contracted, than in stock, not on the contract: the caller
 * rolls back), GOODS_ESTATE, or DB_E*. */
int goods_deliver(db_conn *c, arena *a, const goods_delivery *d, int64_t actor, json_t *errs,
                  int64_t *id);

/* A sales return to enter: contract, warehouse the goods come back to,
 * reason, lines, refund (-1: min(value, received)) and its method. */
typedef struct goods_return_in {
    int64_t contract_id, warehouse_id, refund;
    const char *reason, *method;
    const goods_line *lines;
    int n;
} goods_return_in;
/* Inside the caller's transaction: enters a draft return valued at the
 * contract lines' price (incl. tax, and net excl. tax), never more than
 * delivered less returned less pending returns, the refund never above the
 * value nor what was received. 0 (*id out), 1 when field errors were added
 * to errs, GOODS_ESTATE (nothing can have been delivered), or DB_E*. */
int goods_return_enter(db_conn *c, arena *a, const goods_return_in *in, int64_t actor,
                       json_t *errs, int64_t *id);
/* Inside the caller's transaction: submits draft return `id` for approval
 * by `actor` (the approvals engine's "return" type). 0, 1 when blockers
 * (*why, caller owns) stop it, or an APPR_* / DB_E* code. */
int goods_return_submit(db_conn *c, arena *a, int64_t id, int64_t actor, json_t **why);

/* The product's contracted quantity in the lines in force of the contract
 * (summed over its lines), and the lines' net and total for that product.
 * 0 when the product is not on the contract. DB_E* on failure. */
int goods_contracted(db_conn *c, arena *a, int64_t contract_id, int64_t product_id,
                     int64_t *qty, int64_t *net, int64_t *total);

/* A delivery / a return as the API shows it, with its lines (caller owns),
 * or NULL. No policy check. */
json_t *goods_delivery_json(db_conn *c, arena *a, int64_t id);
json_t *goods_return_json(db_conn *c, arena *a, int64_t id);
/* The contract a return belongs to (0 when there is no such return). */
int64_t goods_return_contract(db_conn *c, int64_t return_id);

struct req;
/* The return's detail reply: goods_return_json plus the user's access, the
 * events they may send now and the blockers below. */
int goods_reply_return(struct req *r, int status, int64_t id);

/* What a return still needs before it can be approved, as a JSON array of
 * {code, message} (empty when nothing; caller owns): goods no longer
 * delivered enough, a refund above what is received now. */
json_t *goods_return_blockers(db_conn *c, arena *a, int64_t return_id);
#endif
