-- 033_instalment_schedule.sql — each instalment of a payment plan carries
-- where it stands in its plan: cum_before, the sum of the instalments before
-- it in due-date order (ties by seq), and is_last, whether it is the last
-- one. The payment plan writes them when it is saved (payment_plan.c);
-- they depend on the plan alone, not on the payments or on the contract's
-- grand total, so nothing else has to keep them.
--
-- With them, what is unpaid of an instalment is a formula of its own row and
-- of its contract's running figures (receivables.c), so the overdue ageing
-- sums instalment rows per customer in one pass instead of grouping each
-- contract's instalments first.
ALTER TABLE contract_instalments ADD COLUMN cum_before BIGINT NOT NULL DEFAULT 0;
ALTER TABLE contract_instalments ADD COLUMN is_last BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE contract_instalments SET
    cum_before = (SELECT COALESCE(SUM(j.amount), 0) FROM contract_instalments j
                  WHERE j.contract_id = contract_instalments.contract_id
                    AND (j.due_date < contract_instalments.due_date
                         OR (j.due_date = contract_instalments.due_date
                             AND j.seq < contract_instalments.seq))),
    is_last = NOT EXISTS (SELECT 1 FROM contract_instalments j
                          WHERE j.contract_id = contract_instalments.contract_id
                            AND (j.due_date > contract_instalments.due_date
                                 OR (j.due_date = contract_instalments.due_date
                                     AND j.seq > contract_instalments.seq)));
-- the ageing reads a contract's instalments from this index alone
DROP INDEX contract_instalments_cover;
CREATE INDEX contract_instalments_cover ON contract_instalments(contract_id, due_date, amount,
    cum_before, is_last);
-- the engines' statistics learn the new index (SQLite keeps them only where
-- ANALYZE ran: an index without them may lose to the older (contract_id,
-- seq) one, which has to read the table)
ANALYZE contract_instalments;
