-- 012_search_terms.sql — the quick-search terms changed (core/textsearch.h):
-- digits in a row give four-digit terms instead of bigrams. Every existing
-- customer's search_grams is recomputed in C after the migrations
-- (sales/search_upkeep.c), in chunks that remember where they stopped.
CREATE TABLE search_reindex (
    entity TEXT PRIMARY KEY,
    after_id BIGINT NOT NULL DEFAULT 0
);
INSERT INTO search_reindex(entity) SELECT 'customers' WHERE EXISTS (SELECT 1 FROM customers);
