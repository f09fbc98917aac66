/* refund.c — the sales refund a sales return records when it is approved
 * (finance.h): a receipt of kind "refund" with the negative amount, and the
 * contract's received figure lowered by one conditional UPDATE. */
#include "finance/finance.h"
#include "core/settings.h"
#include "base/util.h"
#include <time.h>

int finance_refund(db_conn *c, arena *a, int64_t contract_id, int64_t return_id, int64_t amount,
                   const char *method, const char *date, int64_t actor, int64_t *receipt_id)
{
    if (amount <= 0) return DB_EFK;
    char now[TF_TS_LEN];
    tf_now(now);
    int rc = db_exec(c,
                     "UPDATE contracts SET received = received - ?, refunded = refunded + ?,"
                     " version = version + 1, updated_at = ? WHERE id = ? AND received >= ?",
                     DBP(DBI(amount), DBI(amount), DBS(now), DBI(contract_id), DBI(amount)));
    if (rc < 0) return rc;
    if (rc == 0) return FINANCE_EREFUND;
    const char *number = settings_number_next(c, a, "receipt", &rc);
    if (!number) return rc < 0 ? rc : DB_ERR;
    db_res r;
    rc = db_query(c, a, &r,
                  "INSERT INTO receipts(number, contract_id, customer_id, kind, amount,"
                  " receipt_date, method, return_id, created_by, created_at)"
                  " SELECT ?, id, customer_id, 'refund', ?, ?, ?, ?, ?, ? FROM contracts"
                  " WHERE id = ? RETURNING id",
                  DBP(DBS(number), DBI(-amount), DBS(date), DBS(method), DBI(return_id),
                      DBI(actor), DBS(now), DBI(contract_id)));
    if (rc <= 0) return rc < 0 ? rc : DB_ERR;
    *receipt_id = db_get_int(&r, 0, "id");
    return 0;
}
