-- 013_pool_search.sqlite.sql — a second quick-search index holding only the
-- pool's customers (owner_id NULL), so that a salesperson's search asks it
-- for the pool part of what they see instead of reading, through the whole
-- index, the rows of every other salesperson and rejecting them
-- (sales/customer_parts.c). The same terms as customers_fts; kept in step by
-- the triggers below, and by customer_batch_flush (sales/customer_batch.c)
-- for an import's batch, which fills both indexes itself.
CREATE VIRTUAL TABLE customers_pool_fts USING fts5(
    search_grams, content='customers', content_rowid='id',
    tokenize='unicode61 remove_diacritics 0', detail='full');
INSERT INTO customers_pool_fts(rowid, search_grams)
SELECT id, search_grams FROM customers WHERE owner_id IS NULL;
CREATE TRIGGER customers_pool_fts_ai AFTER INSERT ON customers
WHEN new.owner_id IS NULL AND NOT EXISTS (SELECT 1 FROM fts_deferred WHERE name = 'customers') BEGIN
    INSERT INTO customers_pool_fts(rowid, search_grams) VALUES (new.id, new.search_grams);
END;
CREATE TRIGGER customers_pool_fts_ad AFTER DELETE ON customers WHEN old.owner_id IS NULL BEGIN
    INSERT INTO customers_pool_fts(customers_pool_fts, rowid, search_grams)
    VALUES ('delete', old.id, old.search_grams);
END;
-- one trigger, so that the old terms leave before the new ones come (two
-- triggers on one event run in no order this could rely on)
CREATE TRIGGER customers_pool_fts_au AFTER UPDATE OF search_grams, owner_id ON customers
WHEN old.owner_id IS NULL OR new.owner_id IS NULL BEGIN
    INSERT INTO customers_pool_fts(customers_pool_fts, rowid, search_grams)
    SELECT 'delete', old.id, old.search_grams WHERE old.owner_id IS NULL;
    INSERT INTO customers_pool_fts(rowid, search_grams)
    SELECT new.id, new.search_grams WHERE new.owner_id IS NULL;
END;
