-- 032_goods.sql — what the goods module adds to the storage of 029: the net
-- (excl. tax) of the goods returned per contract and product, kept beside
-- their quantity and cost by the approval's conditional UPDATE, so a
-- contract's gross profit (its lines' net less returned net, less the cost
-- of the goods still out) is read from contract_goods without summing the
-- returns; the indexes of the warehouse's delivery list and of the pending
-- returns of a contract's product, and the gross profit report's covering
-- index (the contracts signed in a period, read from the index alone: a
-- year of a million contracts in well under a second).
ALTER TABLE contract_goods ADD COLUMN returned_net BIGINT NOT NULL DEFAULT 0;
CREATE INDEX deliveries_warehouse ON deliveries(warehouse_id, id);
CREATE INDEX return_lines_contract ON return_lines(contract_id, product_id);
CREATE INDEX sales_returns_contract_state ON sales_returns(contract_id, state);
CREATE INDEX contracts_gross_profit ON contracts(sign_date, state, owner_id, customer_id, rate_micro, net);
