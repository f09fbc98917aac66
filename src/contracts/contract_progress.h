/* contract_progress.h — what the money and goods modules tell the contract
 * after they wrote something on it (contract_progress.c). */
#ifndef TF_CONTRACT_PROGRESS_H
#define TF_CONTRACT_PROGRESS_H
#include <stdbool.h>
#include <stdint.h>
#include "base/arena.h"
#include "db/db.h"

/* Inside the caller's transaction, after an invoice, receipt, refund,
 * delivery or return was written on contract `id`: an effective contract
 * on which goods or money moved is now being fulfilled; one being fulfilled
 * whose every product was delivered in full (returns ask for no second
 * delivery) and whose amount due (grand total less returned goods) is
 * received is completed. Each change bumps the version and writes an audit
 * row by `actor`. 0, or a DB_E* code. */
int contract_progress(db_conn *c, arena *a, int64_t id, int64_t actor);

/* True when money and goods may be recorded on a contract in this state
 * (effective or being fulfilled). */
bool contract_state_open(const char *state);
#endif
