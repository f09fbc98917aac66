-- 003_customers.sqlite.sql — quick search on SQLite: an FTS5 index over the
-- customers' search_grams (space-separated bigrams made by core/textsearch.c),
-- kept in step by triggers. A phrase of bigrams matches exact substrings,
-- also of one- and two-character Chinese names, which trigrams cannot.
CREATE VIRTUAL TABLE customers_fts USING fts5(
    search_grams, content='customers', content_rowid='id',
    tokenize='unicode61 remove_diacritics 0', detail='full');
CREATE TRIGGER customers_fts_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customers_fts(rowid, search_grams) VALUES (new.id, new.search_grams);
END;
CREATE TRIGGER customers_fts_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams);
END;
CREATE TRIGGER customers_fts_au AFTER UPDATE OF search_grams ON customers BEGIN
    INSERT INTO customers_fts(customers_fts, rowid, search_grams) VALUES ('delete', old.id, old.search_grams);
    INSERT INTO customers_fts(rowid, search_grams) VALUES (new.id, new.search_grams);
END;
