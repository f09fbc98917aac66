-- 009_import_speed.sqlite.sql — a batch of new customers (the import) fills
-- the quick-search index with one INSERT ... SELECT instead of the per-row
-- trigger: FTS5 writes its pending terms as a new index segment whenever a
-- later statement of the transaction starts, so rows written 64 at a time
-- made 16 small segments per 1000 rows (and merging them), one statement
-- makes one. customer_batch_flush (src/sales/customers.c) puts a row in
-- fts_deferred inside its own transaction, inserts the customers, adds
-- their index rows itself and deletes the row again before it commits;
-- outside such a transaction the table is empty and the trigger works for
-- every other write exactly as before.
CREATE TABLE fts_deferred (name TEXT PRIMARY KEY);
DROP TRIGGER customers_fts_ai;
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers
WHEN NOT EXISTS (SELECT 1 FROM fts_deferred WHERE name = 'customers') BEGIN
    INSERT INTO customers_fts(rowid, search_grams) VALUES (new.id, new.search_grams);
END;
