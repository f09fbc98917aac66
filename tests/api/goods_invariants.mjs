// goods_invariants.mjs — shared by the goods and the randomized books tests
// (not a test file itself): SQL on the test server's database, and every
// stock, goods and money figure checked against the rows it sums.
import { execFileSync } from 'node:child_process';

export function sql(srv, text) {
  if (srv.engine === 'pg') {
    return execFileSync('psql', [srv.db.url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', text], { encoding: 'utf8' }).trim();
  }
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db.path, text], { encoding: 'utf8' }).trim();
}
export const num = (srv, text) => Number(sql(srv, text) || 0);

/** Every stock, goods and money figure against the rows it sums: [] when all agree. */
export function invariantBreaches(srv) {
  const checks = {
    stock_levels: `SELECT COUNT(*) FROM stock_levels s WHERE s.qty_milli <> COALESCE((SELECT SUM(m.qty_milli)
      FROM stock_movements m WHERE m.product_id = s.product_id AND m.warehouse_id = s.warehouse_id), 0)`,
    movements_without_level: `SELECT COUNT(*) FROM (SELECT product_id, warehouse_id FROM stock_movements GROUP BY
      product_id, warehouse_id) m LEFT JOIN stock_levels s ON s.product_id = m.product_id AND s.warehouse_id =
      m.warehouse_id WHERE s.product_id IS NULL`,
    delivered: `SELECT COUNT(*) FROM contract_goods g WHERE g.delivered_milli <> COALESCE((SELECT SUM(d.qty_milli)
      FROM delivery_lines d WHERE d.contract_id = g.contract_id AND d.product_id = g.product_id), 0)
      OR g.delivered_cost <> COALESCE((SELECT SUM(d.cost) FROM delivery_lines d WHERE d.contract_id =
      g.contract_id AND d.product_id = g.product_id), 0)
      OR g.delivered_net <> COALESCE((SELECT SUM(d.net) FROM delivery_lines d WHERE d.contract_id =
      g.contract_id AND d.product_id = g.product_id), 0)`,
    returned: `SELECT COUNT(*) FROM contract_goods g WHERE g.returned_milli <> COALESCE((SELECT SUM(l.qty_milli)
      FROM return_lines l JOIN sales_returns r ON r.id = l.return_id WHERE r.state = 'approved' AND l.contract_id =
      g.contract_id AND l.product_id = g.product_id), 0) OR g.returned_cost <> COALESCE((SELECT SUM(l.cost) FROM
      return_lines l JOIN sales_returns r ON r.id = l.return_id WHERE r.state = 'approved' AND l.contract_id =
      g.contract_id AND l.product_id = g.product_id), 0) OR g.returned_net <> COALESCE((SELECT SUM(l.net) FROM
      return_lines l JOIN sales_returns r ON r.id = l.return_id WHERE r.state = 'approved' AND l.contract_id =
      g.contract_id AND l.product_id = g.product_id), 0)`,
    contract_sums: `SELECT COUNT(*) FROM contracts ct WHERE (ct.delivered_net, ct.returned_net, ct.delivered_cost,
      ct.returned_cost) <> (SELECT COALESCE(SUM(g.delivered_net), 0), COALESCE(SUM(g.returned_net), 0),
      COALESCE(SUM(g.delivered_cost), 0), COALESCE(SUM(g.returned_cost), 0) FROM contract_goods g
      WHERE g.contract_id = ct.id)`,
    lines_without_goods: `SELECT COUNT(*) FROM delivery_lines d LEFT JOIN contract_goods g ON g.contract_id =
      d.contract_id AND g.product_id = d.product_id WHERE g.contract_id IS NULL`,
    above_contract: `SELECT COUNT(*) FROM contract_goods g JOIN contracts ct ON ct.id = g.contract_id WHERE
      g.returned_milli > g.delivered_milli OR g.returned_cost > g.delivered_cost OR g.delivered_milli >
      (SELECT COALESCE(SUM(l.qty_milli), 0) FROM doc_lines l WHERE l.doc_type = 'contract' AND l.doc_id = ct.id
      AND l.revision = ct.revision AND l.product_id = g.product_id)`,
    delivery_movements: `SELECT COUNT(*) FROM delivery_lines d JOIN stock_movements m ON m.id = d.movement_id
      WHERE m.qty_milli <> -d.qty_milli OR m.cause <> 'delivery' OR m.product_id <> d.product_id
      OR m.reference <> 'delivery:' || CAST(d.delivery_id AS TEXT)`,
    movements_of_deliveries: `SELECT COUNT(*) FROM stock_movements m WHERE m.cause = 'delivery' AND NOT EXISTS
      (SELECT 1 FROM delivery_lines d WHERE d.movement_id = m.id)`,
    return_movements: `SELECT COUNT(*) FROM return_lines l JOIN sales_returns r ON r.id = l.return_id LEFT JOIN
      stock_movements m ON m.id = l.movement_id WHERE (r.state = 'approved') <> (m.id IS NOT NULL)
      OR (m.id IS NOT NULL AND (m.qty_milli <> l.qty_milli OR m.cause <> 'return'))`,
    movements_of_returns: `SELECT COUNT(*) FROM stock_movements m WHERE m.cause = 'return' AND NOT EXISTS
      (SELECT 1 FROM return_lines l WHERE l.movement_id = m.id)`,
    returned_value: `SELECT COUNT(*) FROM contracts ct WHERE ct.returned_value <> COALESCE((SELECT SUM(r.value)
      FROM sales_returns r WHERE r.contract_id = ct.id AND r.state = 'approved'), 0)`,
    invoiced: `SELECT COUNT(*) FROM contracts ct WHERE ct.invoiced <> COALESCE((SELECT SUM(i.amount) FROM invoices i
      WHERE i.contract_id = ct.id), 0)`,
    received: `SELECT COUNT(*) FROM contracts ct WHERE ct.received <> COALESCE((SELECT SUM(x.amount) FROM receipts x
      WHERE x.contract_id = ct.id), 0) OR ct.refunded <> COALESCE((SELECT -SUM(x.amount) FROM receipts x
      WHERE x.contract_id = ct.id AND x.kind = 'refund'), 0) OR ct.received < 0`,
    refunds_of_returns: `SELECT COUNT(*) FROM sales_returns r WHERE r.refund <> COALESCE((SELECT -SUM(x.amount)
      FROM receipts x WHERE x.return_id = r.id), 0) AND r.state = 'approved'`,
    delivery_cost: `SELECT COUNT(*) FROM deliveries d WHERE d.cost <> COALESCE((SELECT SUM(l.cost) FROM
      delivery_lines l WHERE l.delivery_id = d.id), 0)`,
  };
  return Object.entries(checks).filter(([, q]) => num(srv, q) !== 0).map(([k]) => k);
}

