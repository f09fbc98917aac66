-- 034_delivered_net.sql — revenue is recognised on what was delivered: each
-- delivery line keeps the net (excl. tax) of its goods, and contract_goods
-- the net delivered so far per contract and product, beside the quantity and
-- cost. goods_deliver computes them in C through core/money: the delivered
-- quantity's cumulative share of the product's lines in force
-- (round(net × delivered / contracted)) less what was recognised before, so
-- delivering everything gives exactly the lines' net. The gross profit
-- (delivered net less returned net, less the cost of the goods still out)
-- then sums stored integers only.
--
-- The backfill values the existing deliveries the same way, at the lines in
-- force now, in delivery-line order; the rounding (half away from zero, the
-- one rule of core/money) is in the engines' files.
ALTER TABLE contract_goods ADD COLUMN delivered_net BIGINT NOT NULL DEFAULT 0;
ALTER TABLE delivery_lines ADD COLUMN net BIGINT NOT NULL DEFAULT 0;
-- per contract and product: the lines in force
CREATE TEMP TABLE m034_w AS
  SELECT ct.id AS contract_id, l.product_id, SUM(l.qty_milli) AS q, SUM(l.net) AS net
  FROM contracts ct JOIN doc_lines l ON l.doc_type = 'contract' AND l.doc_id = ct.id
    AND l.revision = ct.revision
  WHERE ct.id IN (SELECT contract_id FROM delivery_lines)
  GROUP BY ct.id, l.product_id;
-- per delivery line: the quantity delivered up to and including it
CREATE TEMP TABLE m034_d AS
  SELECT d.id, d.qty_milli, SUM(d.qty_milli) OVER (PARTITION BY d.contract_id, d.product_id
                                                    ORDER BY d.id) AS c1, w.q, w.net
  FROM delivery_lines d JOIN m034_w w ON w.contract_id = d.contract_id
    AND w.product_id = d.product_id
  WHERE w.q > 0;
CREATE INDEX m034_d_id ON m034_d(id);
