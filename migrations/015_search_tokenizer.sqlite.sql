-- 015_search_tokenizer.sqlite.sql — the quick-search indexes split their
-- text with FTS5's ascii tokenizer instead of unicode61: search_grams holds
-- terms core/textsearch.c already made (normalised, lower case, separated
-- by spaces), which need cutting at the spaces only. unicode61 decoded and
-- classified every character to the same end; on the benchmark's customers
-- it gave the same terms with the same counts, and building the index took
-- a quarter less (an import writes it for every row). Both indexes are
-- built again from the customers table; the triggers name them and stay.
DROP TABLE customers_fts_vocab;
DROP TABLE customers_fts;
CREATE VIRTUAL TABLE customers_fts USING fts5(
    search_grams, content='customers', content_rowid='id', tokenize='ascii', detail='full');
INSERT INTO customers_fts(customers_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE customers_fts_vocab USING fts5vocab(customers_fts, row);
DROP TABLE customers_pool_fts;
CREATE VIRTUAL TABLE customers_pool_fts USING fts5(
    search_grams, content='customers', content_rowid='id', tokenize='ascii', detail='full');
INSERT INTO customers_pool_fts(rowid, search_grams)
SELECT id, search_grams FROM customers WHERE owner_id IS NULL;
