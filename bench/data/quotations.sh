# bench/data/quotations.sh — the quotations data set of `make bench` (sourced
# by bench/run.sh after the projects data set, whose teams, salespeople and
# tokens it reuses): BENCH_QUOTATIONS quotations (default 200,000) of the
# projects' salespeople for the first 20,000 customers, in every state,
# each with two lines of the demo catalogue in doc_lines, in one bulk SQL
# statement over a recursive CTE both engines accept. Then the values the
# endpoints of bench/data/quotations.conf use (a cursor, a quotation id).
BENCH_QUOTATIONS=${BENCH_QUOTATIONS:-200000}
is_count "$BENCH_QUOTATIONS" || die "BENCH_QUOTATIONS must be a positive number"
[ -n "${BENCH_PROJ_SALES_TOKEN:-}" ] ||
  die "the quotations data set needs the projects data set before it (BENCH_DATA=\"... projects quotations\")"

step "quotations: $BENCH_QUOTATIONS quotations"
qb_now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
qb_first=$(sqlval "SELECT COALESCE(MAX(id), 0) FROM quotations")
qb_ncust=$(sqlval "SELECT COUNT(*) FROM customers")
[ "$qb_ncust" -gt 20000 ] && qb_ncust=20000
qb_nprod=$(sqlval "SELECT COUNT(*) FROM products WHERE active = TRUE")
[ "$qb_nprod" -gt 1 ] || die "the demo catalogue has no products"
# per quotation i: the owner (salesperson i mod N), the customer, a state
# (drafts and sent ones most), two lines: product a and b of the catalogue,
# quantities of 50 .. 2,000 kg, the list price, a 0 .. 8 % discount, 13 % tax
cat >"$tmp/quotations-gen.sql" <<SQL
BEGIN;
$PB_SALES_SQL
CREATE TEMP TABLE qb_cust (k BIGINT PRIMARY KEY, id BIGINT NOT NULL);
INSERT INTO qb_cust(k, id)
  SELECT row_number() OVER (ORDER BY id) - 1, id FROM customers ORDER BY id LIMIT 20000;
CREATE TEMP TABLE qb_prod (k BIGINT PRIMARY KEY, id BIGINT NOT NULL, code TEXT, name TEXT,
                           unit TEXT, price BIGINT);
INSERT INTO qb_prod(k, id, code, name, unit, price)
  SELECT row_number() OVER (ORDER BY id) - 1, id, code, name, unit, list_price FROM products
  WHERE active = TRUE ORDER BY id;
CREATE TEMP TABLE qb_q AS
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $BENCH_QUOTATIONS)
SELECT n.i, n.i % $BENCH_SALES AS sk, n.i % $qb_ncust AS ck,
       CASE (n.i * 37) % 20 WHEN 0 THEN 'in_approval' WHEN 1 THEN 'approved'
            WHEN 2 THEN 'accepted' WHEN 3 THEN 'accepted' WHEN 4 THEN 'rejected'
            WHEN 5 THEN 'expired' WHEN 6 THEN 'expired'
            ELSE CASE WHEN n.i % 2 = 0 THEN 'sent' ELSE 'draft' END END AS state,
       n.i % $qb_nprod AS pa, (n.i * 7 + 3) % $qb_nprod AS pb,
       CAST(50 + (n.i * 104729) % 1950 AS BIGINT) * 1000 AS qa,
       CAST(50 + (n.i * 7919) % 1950 AS BIGINT) * 1000 AS qb,
       n.i % 9 AS disc
FROM n;
INSERT INTO quotations(number, customer_id, owner_id, state, currency, rate_micro, quote_date,
                       valid_until, amount, discount, net, tax, total, grand_total,
                       grand_total_cny, search_text, created_by, created_at, updated_at)
SELECT 'QB-' || CAST(1000000 + q.i AS TEXT), c.id, s.id, q.state, 'CNY', 1000000,
       '2026-' || CASE WHEN q.i % 12 < 9 THEN '0' ELSE '' END || CAST(q.i % 12 + 1 AS TEXT) || '-15',
       '2026-' || CASE WHEN q.i % 12 < 9 THEN '0' ELSE '' END || CAST(q.i % 12 + 1 AS TEXT) || '-28',
       0, 0, 0, 0, 0, 0, 0, 'qb' || CAST(1000000 + q.i AS TEXT), s.id, '$qb_now', '$qb_now'
FROM qb_q q JOIN pb_sales s ON s.k = q.sk JOIN qb_cust c ON c.k = q.ck
ORDER BY q.i;
CREATE TEMP TABLE qb_id AS
  SELECT id, CAST(substr(number, 4) AS BIGINT) - 1000000 AS i FROM quotations WHERE id > $qb_first;
-- the lines: price x quantity (kg in thousandths) less the discount; the tax
-- part of a tax-inclusive total is what 13 % of the net comes to
CREATE TEMP TABLE qb_l AS
SELECT x.id, q.i, 1 AS seq, p.id AS pid, p.code, p.name, p.unit, q.qa AS qty, p.price, q.disc
FROM qb_id x JOIN qb_q q ON q.i = x.i JOIN qb_prod p ON p.k = q.pa
UNION ALL
SELECT x.id, q.i, 2, p.id, p.code, p.name, p.unit, q.qb, p.price, 0
FROM qb_id x JOIN qb_q q ON q.i = x.i JOIN qb_prod p ON p.k = q.pb;
INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id, product_code, product_name,
                      unit, qty_milli, list_price, unit_price, discount_bp, tax_bp, amount,
                      discount, header_discount, net, tax, total)
SELECT 'quotation', l.id, 1, l.seq, l.pid, l.code, l.name, l.unit, l.qty, l.price, l.price,
       l.disc * 100, 1300, l.price * l.qty / 1000, l.price * l.qty / 1000 * l.disc / 100, 0,
       (l.price * l.qty / 1000 - l.price * l.qty / 1000 * l.disc / 100) * 100 / 113,
       (l.price * l.qty / 1000 - l.price * l.qty / 1000 * l.disc / 100)
         - (l.price * l.qty / 1000 - l.price * l.qty / 1000 * l.disc / 100) * 100 / 113,
       l.price * l.qty / 1000 - l.price * l.qty / 1000 * l.disc / 100
FROM qb_l l ORDER BY l.id, l.seq;
UPDATE quotations SET
  amount = (SELECT SUM(amount) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id AND revision = 1),
  discount = (SELECT SUM(discount) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id AND revision = 1),
  net = (SELECT SUM(net) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id AND revision = 1),
  tax = (SELECT SUM(tax) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id AND revision = 1),
  total = (SELECT SUM(total) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id AND revision = 1)
WHERE id > $qb_first;
UPDATE quotations SET grand_total = total, grand_total_cny = total WHERE id > $qb_first;
COMMIT;
ANALYZE;
SQL
sqlrun <"$tmp/quotations-gen.sql" >"$tmp/quotations-gen.log" 2>&1 ||
  { echo; cat "$tmp/quotations-gen.log"; die "generating the quotations failed"; }
got=$(sqlval "SELECT COUNT(*) FROM quotations WHERE id > $qb_first")
[ "$got" = "$BENCH_QUOTATIONS" ] || die "expected $BENCH_QUOTATIONS generated quotations, found \"$got\""
bad=$(sqlval "SELECT COUNT(*) FROM quotations q WHERE q.id > $qb_first AND q.total <>
  (SELECT SUM(total) FROM doc_lines l WHERE l.doc_type = 'quotation' AND l.doc_id = q.id)")
[ "$bad" = 0 ] || die "$bad generated quotations' totals differ from their lines"
# a quotation of 200 lines (its documents are endpoints), and the body of a
# new one of 200 lines for the entry endpoint (priced, computed and saved)
cat >"$tmp/quotations-big.sql" <<SQL
BEGIN;
CREATE TEMP TABLE qb_prod0 AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id, code, name,
  unit, list_price FROM products WHERE active = TRUE;
INSERT INTO quotations(number, customer_id, owner_id, state, quote_date, valid_until,
                       search_text, created_by, created_at, updated_at)
SELECT 'QB-BIG-1', c.id, c.owner_id, 'sent', '2026-03-01', '2026-03-31', 'qbbig1', c.owner_id,
       '$qb_now', '$qb_now'
FROM customers c WHERE c.owner_id IS NOT NULL ORDER BY c.id LIMIT 1;
WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO doc_lines(doc_type, doc_id, revision, seq, product_id, product_code, product_name,
                      unit, qty_milli, list_price, unit_price, discount_bp, tax_bp, amount,
                      discount, header_discount, net, tax, total)
SELECT 'quotation', (SELECT id FROM quotations WHERE number = 'QB-BIG-1'), 1, n.i, p.id, p.code,
       p.name, p.unit, 100000 + n.i * 1000, p.list_price, p.list_price, 0, 1300,
       p.list_price * (100000 + n.i * 1000) / 1000, 0, 0,
       p.list_price * (100000 + n.i * 1000) / 1000 * 100 / 113,
       p.list_price * (100000 + n.i * 1000) / 1000
         - p.list_price * (100000 + n.i * 1000) / 1000 * 100 / 113,
       p.list_price * (100000 + n.i * 1000) / 1000
FROM n JOIN qb_prod0 p ON p.k = n.i % $qb_nprod;
UPDATE quotations SET
  amount = (SELECT SUM(total) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id),
  net = (SELECT SUM(net) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id),
  tax = (SELECT SUM(tax) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id),
  total = (SELECT SUM(total) FROM doc_lines WHERE doc_type = 'quotation' AND doc_id = quotations.id)
WHERE number = 'QB-BIG-1';
UPDATE quotations SET grand_total = total, grand_total_cny = total WHERE number = 'QB-BIG-1';
COMMIT;
SQL
sqlrun <"$tmp/quotations-big.sql" >"$tmp/quotations-big.log" 2>&1 ||
  { echo; cat "$tmp/quotations-big.log"; die "generating the 200-line quotation failed"; }
BENCH_QUOTE_BIG=$(sqlval "SELECT id FROM quotations WHERE number = 'QB-BIG-1'")
BENCH_QUOTE_BODY200=$(sqlval "SELECT '{\"customer_id\":' || CAST(MIN(id) AS TEXT) || ',\"lines\":[' FROM customers")
qb_ids=($(sqlval "SELECT id FROM products WHERE active = TRUE ORDER BY id"))
for ((k = 0; k < 200; k++)); do
  [ $k -gt 0 ] && BENCH_QUOTE_BODY200+=","
  BENCH_QUOTE_BODY200+="{\"product_id\":${qb_ids[k % ${#qb_ids[@]}]},\"qty_milli\":$((100000 + k * 1000))}"
done
BENCH_QUOTE_BODY200+="]}"
export BENCH_QUOTE_BIG BENCH_QUOTE_BODY200
# the cursor of the administrator's second page (page size 20), a quotation to read
BENCH_QUOTE_CURSOR=$(sqlval "SELECT id FROM quotations ORDER BY id DESC LIMIT 1 OFFSET 19")
BENCH_QUOTE_ID=$(sqlval "SELECT MAX(id) FROM quotations WHERE number <> 'QB-BIG-1'")
export BENCH_QUOTE_CURSOR BENCH_QUOTE_ID
doc_texts || die "writing the lines' text failed"
done_step "$(sqlval "SELECT COUNT(*) FROM doc_lines WHERE doc_type = 'quotation'") lines"
