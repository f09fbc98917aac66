-- 016_search_tails.sql — the quick-search terms gained the tails of runs of
-- digits (core/textsearch.h): a whole phone or customer number was the AND
-- of two four-digit windows of thousands of customers each. Every existing
-- customer's search_grams is recomputed after the migrations
-- (sales/search_upkeep.c), from the first customer again if an earlier
-- recomputation had not finished.
INSERT INTO search_reindex(entity, after_id) SELECT 'customers', 0 WHERE EXISTS (SELECT 1 FROM customers)
ON CONFLICT (entity) DO UPDATE SET after_id = 0;
