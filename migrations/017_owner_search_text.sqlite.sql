-- 017_owner_search_text.sqlite.sql — the owner index also holds search_text:
-- a salesperson's quick search tests their own customers newer than the
-- pool's page (sales/customer_parts.c) from the index alone, instead of
-- reading each row (a phone fragment: 60 rows, a tenth of the search).
-- About 140 MB at a million customers.
DROP INDEX customers_owner;
CREATE INDEX customers_owner ON customers(owner_id, id, search_text);
