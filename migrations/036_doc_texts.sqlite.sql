-- 036_doc_texts.sqlite.sql — the text of every version written before
-- doc_texts, built by SQLite's JSON functions (the same members, in the
-- same order, as doclines_render writes). Adds only what is missing, so
-- bench/data/contracts.sh runs it again after its bulk SQL.
INSERT INTO doc_texts(doc_type, doc_id, revision, lines_text, rates_text)
SELECT v.doc_type, v.doc_id, v.revision,
  (SELECT json_group_array(json(x.o)) FROM (
     SELECT json_object('seq', l.seq, 'product_id', l.product_id, 'product_code', l.product_code, 'product_name', l.product_name, 'spec', l.spec, 'unit', l.unit, 'qty_milli', l.qty_milli, 'list_price', l.list_price, 'rule_discount_bp', l.rule_discount_bp, 'rule_id', l.rule_id, 'rule_name', l.rule_name, 'unit_price', l.unit_price, 'discount_bp', l.discount_bp, 'tax_bp', l.tax_bp, 'amount', l.amount, 'discount', l.discount, 'header_discount', l.header_discount, 'net', l.net, 'tax', l.tax, 'total', l.total, 'note', l.note) AS o
     FROM doc_lines l WHERE l.doc_type = v.doc_type AND l.doc_id = v.doc_id
       AND l.revision = v.revision ORDER BY l.seq) x),
  (SELECT json_group_array(json(y.o)) FROM (
     SELECT json_object('tax_bp', l.tax_bp, 'net', SUM(l.net), 'tax', SUM(l.tax)) AS o
     FROM doc_lines l WHERE l.doc_type = v.doc_type AND l.doc_id = v.doc_id
       AND l.revision = v.revision GROUP BY l.tax_bp ORDER BY l.tax_bp) y)
FROM (SELECT DISTINCT doc_type, doc_id, revision FROM doc_lines) v
WHERE NOT EXISTS (SELECT 1 FROM doc_texts t WHERE t.doc_type = v.doc_type
                  AND t.doc_id = v.doc_id AND t.revision = v.revision);
