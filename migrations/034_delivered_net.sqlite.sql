-- 034_delivered_net.sqlite.sql — the backfill's arithmetic on SQLite
-- (integers: (2·net·c + q) / (2·q) is net·c / q rounded half away from zero
-- for amounts >= 0).
UPDATE delivery_lines SET net = (
  SELECT (x.net * x.c1 * 2 + x.q) / (2 * x.q)
       - (x.net * (x.c1 - x.qty_milli) * 2 + x.q) / (2 * x.q)
  FROM m034_d x WHERE x.id = delivery_lines.id)
WHERE id IN (SELECT id FROM m034_d);
UPDATE contract_goods SET delivered_net = COALESCE((SELECT SUM(d.net) FROM delivery_lines d
  WHERE d.contract_id = contract_goods.contract_id AND d.product_id = contract_goods.product_id), 0);
DROP TABLE m034_d;
DROP TABLE m034_w;
