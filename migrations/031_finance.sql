-- 031_finance.sql — indexes for the receivables and the overdue ageing
-- (src/finance/receivables.c), which read every contract that still owes
-- money with its instalments in one pass.
--
-- contracts_owing: only the open contracts whose amount due is above zero
-- (a small part of a company's contracts: completed ones owe nothing), with
-- every column the ageing reads, in customer order, so the report walks
-- this index alone and groups per customer as it goes. The report's WHERE
-- repeats the predicate word for word so that both engines use it.
CREATE INDEX contracts_owing ON contracts(customer_id, currency, id, owner_id, grand_total,
    returned_value, received, effective_at, state)
    WHERE state IN ('effective', 'fulfilling') AND grand_total - returned_value - received > 0;
-- the instalments of a contract with their due dates and amounts, read
-- from the index alone
CREATE INDEX contract_instalments_cover ON contract_instalments(contract_id, due_date, amount);
