-- 018_name_versions.pg.sql — the counter's triggers (see 018_name_versions.sql),
-- once per statement.
CREATE FUNCTION name_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE name_versions SET v = v + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_name_version AFTER UPDATE OF name OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION name_version_bump();
CREATE TRIGGER dict_items_name_version AFTER UPDATE OF name OR DELETE ON dict_items
    FOR EACH STATEMENT EXECUTE FUNCTION name_version_bump();
