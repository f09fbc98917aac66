# bench/data/contracts.sh — the contracts data set of `make bench` (sourced
# by bench/run.sh after the projects data set, whose salespeople and tokens
# it reuses): BENCH_CONTRACTS contracts (default 1,000,000) of the
# projects' salespeople for the first 20,000 customers, signed over 2025
# and 2026, each with two lines of the demo catalogue, and what followed
# them, in bulk SQL both engines accept:
#   i mod 10 = 0..4  completed: delivered in full, invoiced and paid;
#              5, 6  being fulfilled: delivered, invoiced, 30 % received;
#              7, 8  effective: nothing yet;
#              9     draft / in approval / cancelled / terminated.
# Four in five have a payment plan of two instalments (30 % ten days after
# signing, the rest after sixty), so the ageing report has every bucket;
# each instalment with its place in the plan (cum_before, is_last).
# Deliveries take the goods out of warehouse ZZ (which got an opening
# balance) with a stock movement per line at the standard cost, each line
# with its net (delivered in full: the contract line's net). The running
# figures (contracts.invoiced / received, contract_goods with the delivered
# net, stock_levels) are written from the rows and checked against a
# recount. One more contract
# has 200 lines (its detail is an endpoint). Exports the values of
# bench/data/contracts.conf.
BENCH_CONTRACTS=${BENCH_CONTRACTS:-1000000}
is_count "$BENCH_CONTRACTS" || die "BENCH_CONTRACTS must be a positive number"
[ -n "${BENCH_PROJ_SALES_TOKEN:-}" ] ||
  die "the contracts data set needs the projects data set before it (BENCH_DATA=\"... projects contracts\")"

step "contracts: $BENCH_CONTRACTS contracts and their books"
cb_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cb_first=$(sqlval "SELECT COALESCE(MAX(id), 0) FROM contracts")
cb_ncust=$(sqlval "SELECT COUNT(*) FROM customers")
[ "$cb_ncust" -gt 20000 ] && cb_ncust=20000
cb_nprod=$(sqlval "SELECT COUNT(*) FROM products WHERE active = TRUE")
cb_wh=$(sqlval "SELECT id FROM warehouses WHERE code = 'ZZ'")
[ -n "$cb_wh" ] || die "the demo's warehouse ZZ is missing"
cb_admin=$(sqlval "SELECT id FROM users WHERE login = 'admin'")
# a day d of 2025 .. 2026 (0 .. 671) as YYYY-MM-DD (pb_day of projects.sh)
cb_day() { pb_day "336 + ($1)"; }
cat >"$tmp/contracts-gen.sql" <<SQL
BEGIN;
$PB_SALES_SQL
CREATE TEMP TABLE cb_cust (k BIGINT PRIMARY KEY, id BIGINT NOT NULL);
INSERT INTO cb_cust(k, id)
  SELECT row_number() OVER (ORDER BY id) - 1, id FROM customers ORDER BY id LIMIT 20000;
CREATE TEMP TABLE cb_prod (k BIGINT PRIMARY KEY, id BIGINT NOT NULL, code TEXT, name TEXT,
                           unit TEXT, price BIGINT, cost BIGINT);
INSERT INTO cb_prod(k, id, code, name, unit, price, cost)
  SELECT row_number() OVER (ORDER BY id) - 1, id, code, name, unit, list_price, standard_cost
  FROM products WHERE active = TRUE ORDER BY id;
-- per contract i: owner, customer, kind (i mod 10), signing day, two lines
CREATE TEMP TABLE cb_c AS
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $BENCH_CONTRACTS)
SELECT n.i, n.i % $BENCH_SALES AS sk, (n.i * 7) % $cb_ncust AS ck, n.i % 10 AS kind,
       (n.i * 600) / $BENCH_CONTRACTS + n.i % 60 AS day0,
       n.i % $cb_nprod AS pa, (n.i + 1 + n.i % 5) % $cb_nprod AS pb,
       CAST(50 + (n.i * 104729) % 1950 AS BIGINT) * 1000 AS qa,
       CAST(50 + (n.i * 7919) % 1950 AS BIGINT) * 1000 AS qb
FROM n;
CREATE TEMP TABLE cb_l AS
SELECT c.i, 1 AS seq, p.id AS pid, p.code, p.name, p.unit, c.qa AS qty, p.price, p.cost,
       p.price * c.qa / 1000 AS total
FROM cb_c c JOIN cb_prod p ON p.k = c.pa
UNION ALL
SELECT c.i, 2, p.id, p.code, p.name, p.unit, c.qb, p.price, p.cost, p.price * c.qb / 1000
FROM cb_c c JOIN cb_prod p ON p.k = c.pb;
CREATE INDEX cb_l_i ON cb_l(i);
-- PostgreSQL never gathers statistics on temporary tables (nor, inside this
-- transaction, on the rows just written): without them it joins a million
-- rows by nested loops
ANALYZE cb_c;
ANALYZE cb_l;
CREATE TEMP TABLE cb_t AS
SELECT i, SUM(total) AS total, SUM(total - total * 100 / 113) AS tax FROM cb_l GROUP BY i;
CREATE INDEX cb_t_i ON cb_t(i);
ANALYZE cb_t;
INSERT INTO contracts(number, title, customer_id, owner_id, state, sign_date, effective_at,
                      closed_at, close_reason, amount, net, tax, total, grand_total,
                      grand_total_cny, invoiced, received, search_text, created_by, created_at,
                      updated_at)
SELECT 'HB-' || CAST(10000000 + c.i AS TEXT), '漆包线供货合同 Wire supply ' || CAST(c.i AS TEXT),
       cu.id, s.id,
       CASE WHEN c.kind < 5 THEN 'completed' WHEN c.kind < 7 THEN 'fulfilling'
            WHEN c.kind < 9 THEN 'effective'
            ELSE CASE (c.i / 10) % 4 WHEN 0 THEN 'draft' WHEN 1 THEN 'in_approval'
                              WHEN 2 THEN 'cancelled' ELSE 'terminated' END END,
       $(cb_day "c.day0"),
       CASE WHEN c.kind < 9 OR (c.i / 10) % 4 = 3 THEN $(cb_day "c.day0") || 'T10:00:00Z' END,
       CASE WHEN c.kind < 5 THEN $(cb_day "c.day0 + 70") || 'T10:00:00Z'
            WHEN c.kind = 9 AND (c.i / 10) % 4 >= 2 THEN $(cb_day "c.day0 + 20") || 'T10:00:00Z' END,
       CASE WHEN c.kind = 9 AND (c.i / 10) % 4 >= 2 THEN '客户取消 Withdrawn by the customer' END,
       t.total, t.total - t.tax, t.tax, t.total, t.total, t.total,
       CASE WHEN c.kind < 7 THEN t.total ELSE 0 END,
       CASE WHEN c.kind < 5 THEN t.total WHEN c.kind < 7 THEN t.total * 30 / 100 ELSE 0 END,
       'hb' || CAST(10000000 + c.i AS TEXT), s.id,
       $(cb_day "c.day0") || 'T09:00:00Z', $(cb_day "c.day0") || 'T10:00:00Z'
FROM cb_c c JOIN pb_sales s ON s.k = c.sk JOIN cb_cust cu ON cu.k = c.ck JOIN cb_t t ON t.i = c.i
ORDER BY c.i;
CREATE TEMP TABLE cb_id AS
  SELECT id, CAST(substr(number, 4) AS BIGINT) - 10000000 AS i, customer_id, owner_id, sign_date,
         grand_total, tax FROM contracts WHERE id > $cb_first;
CREATE INDEX cb_id_i ON cb_id(i);
ANALYZE cb_id;
INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id, product_code, product_name,
                      unit, qty_milli, list_price, unit_price, discount_bp, tax_bp, amount,
                      discount, header_discount, net, tax, total)
SELECT 'contract', x.id, 1, l.seq, l.pid, l.code, l.name, l.unit, l.qty, l.price, l.price, 0,
       1300, l.total, 0, 0, l.total * 100 / 113, l.total - l.total * 100 / 113, l.total
FROM cb_id x JOIN cb_l l ON l.i = x.i ORDER BY x.id, l.seq;
-- the payment plans
INSERT INTO contract_instalments(contract_id, seq, due_date, amount, cum_before, is_last)
SELECT x.id, 1, $(cb_day "c.day0 + 10"), x.grand_total * 30 / 100, 0, FALSE
FROM cb_id x JOIN cb_c c ON c.i = x.i WHERE c.i % 5 <> 4 AND c.kind < 9 ORDER BY x.id;
INSERT INTO contract_instalments(contract_id, seq, due_date, amount, cum_before, is_last)
SELECT x.id, 2, $(cb_day "c.day0 + 60"), x.grand_total - x.grand_total * 30 / 100,
       x.grand_total * 30 / 100, TRUE
FROM cb_id x JOIN cb_c c ON c.i = x.i WHERE c.i % 5 <> 4 AND c.kind < 9 ORDER BY x.id;
-- invoices and receipts
INSERT INTO invoices(number, contract_id, customer_id, kind, invoice_date, amount, tax,
                     created_by, created_at)
SELECT 'FB-' || CAST(10000000 + c.i AS TEXT), x.id, x.customer_id,
       CASE WHEN c.i % 3 = 0 THEN 'vat_special' ELSE 'vat_general' END,
       $(cb_day "c.day0 + 15"), x.grand_total, x.tax, $cb_admin, '$cb_now'
FROM cb_id x JOIN cb_c c ON c.i = x.i WHERE c.kind < 7 ORDER BY x.id;
INSERT INTO receipts(number, contract_id, customer_id, kind, amount, receipt_date, method,
                     bank_ref, created_by, created_at)
SELECT 'SB-' || CAST(10000000 + c.i AS TEXT), x.id, x.customer_id, 'receipt',
       CASE WHEN c.kind < 5 THEN x.grand_total ELSE x.grand_total * 30 / 100 END,
       $(cb_day "c.day0 + 20"), 'bank_transfer', 'BR' || CAST(c.i AS TEXT), $cb_admin, '$cb_now'
FROM cb_id x JOIN cb_c c ON c.i = x.i WHERE c.kind < 7 AND x.grand_total * 30 / 100 > 0
ORDER BY x.id;
-- an opening balance in ZZ for every product, then the deliveries
INSERT INTO stock_movements(product_id, warehouse_id, qty_milli, unit_cost, cause, reference,
                            reason, created_by, created_at)
SELECT p.id, $cb_wh, 1000000000000, p.cost, 'opening', 'bench', 'bench opening balance',
       $cb_admin, '$cb_now'
FROM cb_prod p ORDER BY p.id;
INSERT INTO deliveries(number, contract_id, customer_id, warehouse_id, delivery_date, cost,
                       created_by, created_at)
SELECT 'DB-' || CAST(10000000 + c.i AS TEXT), x.id, x.customer_id, $cb_wh,
       $(cb_day "c.day0 + 5"), 0, $cb_admin, '$cb_now'
FROM cb_id x JOIN cb_c c ON c.i = x.i WHERE c.kind < 7 ORDER BY x.id;
CREATE TEMP TABLE cb_d AS
  SELECT d.id, x.id AS contract_id, x.i FROM deliveries d JOIN cb_id x ON x.id = d.contract_id;
CREATE INDEX cb_d_i ON cb_d(i);
ANALYZE cb_d;
INSERT INTO stock_movements(product_id, warehouse_id, qty_milli, unit_cost, cause, reference,
                            created_by, created_at)
SELECT l.pid, $cb_wh, -l.qty, l.cost, 'delivery', 'delivery:' || CAST(d.id AS TEXT), $cb_admin,
       '$cb_now'
FROM cb_d d JOIN cb_l l ON l.i = d.i ORDER BY d.id, l.seq;
CREATE INDEX cb_move_ref ON stock_movements(reference, product_id);
ANALYZE stock_movements;
INSERT INTO delivery_lines(delivery_id, contract_id, product_id, qty_milli, unit_cost, cost,
                           net, movement_id)
SELECT d.id, d.contract_id, l.pid, l.qty, l.cost, l.cost * l.qty / 1000, l.total * 100 / 113, m.id
FROM cb_d d JOIN cb_l l ON l.i = d.i
JOIN stock_movements m ON m.reference = 'delivery:' || CAST(d.id AS TEXT) AND m.product_id = l.pid
  AND m.qty_milli = -l.qty
ORDER BY d.id, l.seq;
DROP INDEX cb_move_ref;
UPDATE deliveries SET cost = (SELECT SUM(cost) FROM delivery_lines WHERE delivery_id = deliveries.id)
WHERE contract_id > $cb_first;
INSERT INTO contract_goods(contract_id, product_id, delivered_milli, delivered_cost,
                           delivered_net)
SELECT contract_id, product_id, SUM(qty_milli), SUM(cost), SUM(net) FROM delivery_lines
WHERE contract_id > $cb_first GROUP BY contract_id, product_id;
UPDATE contracts SET delivered_net = g.dnet, delivered_cost = g.dcost
FROM (SELECT contract_id, SUM(delivered_net) AS dnet, SUM(delivered_cost) AS dcost
      FROM contract_goods WHERE contract_id > $cb_first GROUP BY contract_id) g
WHERE contracts.id = g.contract_id;
DELETE FROM stock_levels WHERE warehouse_id = $cb_wh;
INSERT INTO stock_levels(product_id, warehouse_id, qty_milli)
SELECT product_id, warehouse_id, SUM(qty_milli) FROM stock_movements WHERE warehouse_id = $cb_wh
GROUP BY product_id, warehouse_id;
COMMIT;
ANALYZE;
SQL
sqlrun <"$tmp/contracts-gen.sql" >"$tmp/contracts-gen.log" 2>&1 ||
  { echo; cat "$tmp/contracts-gen.log"; die "generating the contracts failed"; }
got=$(sqlval "SELECT COUNT(*) FROM contracts WHERE id > $cb_first")
[ "$got" = "$BENCH_CONTRACTS" ] || die "expected $BENCH_CONTRACTS generated contracts, found \"$got\""
# the running figures against a recount
bad=$(sqlval "SELECT COUNT(*) FROM contracts ct WHERE ct.id > $cb_first AND (ct.invoiced <>
  COALESCE((SELECT SUM(amount) FROM invoices i WHERE i.contract_id = ct.id), 0) OR ct.received <>
  COALESCE((SELECT SUM(amount) FROM receipts r WHERE r.contract_id = ct.id), 0))")
[ "$bad" = 0 ] || die "$bad generated contracts' invoiced or received differ from their rows"
# each instalment's place in its plan (cum_before, is_last) against a recount
bad=$(sqlval "SELECT COUNT(*) FROM contract_instalments i WHERE i.contract_id > $cb_first AND
  (i.cum_before <> COALESCE((SELECT SUM(j.amount) FROM contract_instalments j WHERE
     j.contract_id = i.contract_id AND (j.due_date < i.due_date OR (j.due_date = i.due_date AND
     j.seq < i.seq))), 0) OR
   (CASE WHEN i.is_last THEN 1 ELSE 0 END) <> (CASE WHEN EXISTS (SELECT 1 FROM
     contract_instalments j WHERE j.contract_id = i.contract_id AND (j.due_date > i.due_date OR
     (j.due_date = i.due_date AND j.seq > i.seq))) THEN 0 ELSE 1 END))")
[ "$bad" = 0 ] || die "$bad generated instalments' cum_before or is_last differ from their plan"
# delivered in full: the net delivered is the lines' net, and contract_goods the sums of the lines
bad=$(sqlval "SELECT COUNT(*) FROM contracts ct WHERE ct.id > $cb_first AND ct.state IN ('completed',
  'fulfilling') AND ct.net <> COALESCE((SELECT SUM(d.net) FROM delivery_lines d WHERE d.contract_id =
  ct.id), 0)")
[ "$bad" = 0 ] || die "$bad generated contracts' delivered net differs from their lines' net"
bad=$(sqlval "SELECT COUNT(*) FROM contract_goods g WHERE g.contract_id > $cb_first AND
  (g.delivered_milli, g.delivered_cost, g.delivered_net) <> (SELECT SUM(d.qty_milli), SUM(d.cost),
  SUM(d.net) FROM delivery_lines d WHERE d.contract_id = g.contract_id AND d.product_id = g.product_id)")
[ "$bad" = 0 ] || die "$bad generated contract goods differ from their delivery lines"
bad=$(sqlval "SELECT COUNT(*) FROM contracts ct WHERE ct.id > $cb_first AND (ct.delivered_net,
  ct.delivered_cost) <> (SELECT COALESCE(SUM(g.delivered_net), 0), COALESCE(SUM(g.delivered_cost), 0)
  FROM contract_goods g WHERE g.contract_id = ct.id)")
[ "$bad" = 0 ] || die "$bad generated contracts' goods sums differ from their contract goods"
done_step "$(sqlval "SELECT COUNT(*) FROM doc_lines WHERE doc_type = 'contract'") lines"

step "contracts: one of 200 lines, tokens"
cat >"$tmp/contracts-big.sql" <<SQL
BEGIN;
INSERT INTO contracts(number, title, customer_id, owner_id, state, sign_date, effective_at,
                      search_text, created_by, created_at, updated_at)
SELECT 'HB-BIG-1', '年度框架合同 Annual frame contract', c.id, c.owner_id, 'effective',
       '2026-03-01', '2026-03-01T10:00:00Z', 'hbbig1', c.owner_id, '$cb_now', '$cb_now'
FROM customers c WHERE c.owner_id IS NOT NULL ORDER BY c.id LIMIT 1;
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id, product_code, product_name,
                      unit, qty_milli, list_price, unit_price, discount_bp, tax_bp, amount,
                      discount, header_discount, net, tax, total)
SELECT 'contract', (SELECT id FROM contracts WHERE number = 'HB-BIG-1'), 1, n.i, p.id, p.code,
       p.name, p.unit, 100000 + n.i * 1000, p.list_price, p.list_price, 0, 1300,
       p.list_price * (100000 + n.i * 1000) / 1000, 0, 0,
       p.list_price * (100000 + n.i * 1000) / 1000 * 100 / 113,
       p.list_price * (100000 + n.i * 1000) / 1000
         - p.list_price * (100000 + n.i * 1000) / 1000 * 100 / 113,
       p.list_price * (100000 + n.i * 1000) / 1000
FROM n JOIN products p ON p.id = (SELECT MIN(id) FROM products) + n.i % $cb_nprod;
UPDATE contracts SET
  amount = (SELECT SUM(total) FROM doc_lines WHERE doc_type = 'contract' AND doc_id = contracts.id),
  net = (SELECT SUM(net) FROM doc_lines WHERE doc_type = 'contract' AND doc_id = contracts.id),
  tax = (SELECT SUM(tax) FROM doc_lines WHERE doc_type = 'contract' AND doc_id = contracts.id),
  total = (SELECT SUM(total) FROM doc_lines WHERE doc_type = 'contract' AND doc_id = contracts.id)
WHERE number = 'HB-BIG-1';
UPDATE contracts SET grand_total = total, grand_total_cny = total WHERE number = 'HB-BIG-1';
COMMIT;
SQL
sqlrun <"$tmp/contracts-big.sql" >"$tmp/contracts-big.log" 2>&1 ||
  { echo; cat "$tmp/contracts-big.log"; die "generating the 200-line contract failed"; }
doc_texts || die "writing the lines' text failed"
BENCH_CONTRACT_BIG=$(sqlval "SELECT id FROM contracts WHERE number = 'HB-BIG-1'")
BENCH_CONTRACT_CURSOR=$(sqlval "SELECT id FROM contracts ORDER BY id DESC LIMIT 1 OFFSET 19")
# a finance user asks for the reports
cb_fin=$(sqlval "SELECT login FROM users WHERE role = 'finance' ORDER BY id LIMIT 1")
BENCH_FIN_TOKEN=pb$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
sqlval "INSERT INTO api_tokens(user_id, name, token_hash, created_at) SELECT id, 'bench finance',
  '$(printf '%s' "$BENCH_FIN_TOKEN" | sha256sum | cut -d' ' -f1)', '$cb_now'
  FROM users WHERE login = '$cb_fin'" >/dev/null
export BENCH_CONTRACT_BIG BENCH_CONTRACT_CURSOR BENCH_FIN_TOKEN
done_step "$cb_fin"
