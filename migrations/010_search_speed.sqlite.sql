-- 010_search_speed.sqlite.sql — document counts of the quick-search bigrams
-- (no storage: fts5vocab reads customers_fts), so that a query asks the index
-- for its rarest bigrams only (src/db/sqlq.c).
CREATE VIRTUAL TABLE customers_fts_vocab USING fts5vocab(customers_fts, row);
