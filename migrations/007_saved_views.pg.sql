-- 007_saved_views.pg.sql — SQLite's json_extract(text, path) for PostgreSQL,
-- so filters on custom fields (customers.custom_json, a TEXT column holding
-- JSON) are written once: json_extract(c.custom_json, '$."key"') gives the
-- value as text (numbers as digits, arrays as JSON text), NULL when absent.
CREATE OR REPLACE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT
LANGUAGE SQL IMMUTABLE STRICT AS $$
    SELECT jsonb_path_query_first(doc::jsonb, path::jsonpath) #>> '{}'
$$;
