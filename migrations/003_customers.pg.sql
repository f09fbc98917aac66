-- 003_customers.pg.sql — quick search on PostgreSQL: a GIN index over the
-- customers' bigrams (core/textsearch.c); the query takes the rows holding
-- every bigram of the search text and confirms the exact substring.
CREATE INDEX customers_grams ON customers USING GIN (string_to_array(search_grams, ' '));
