-- 018_name_versions.sqlite.sql — the counter's triggers (see 018_name_versions.sql).
CREATE TRIGGER users_name_version AFTER UPDATE OF name ON users WHEN old.name IS NOT new.name
BEGIN
    UPDATE name_versions SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER users_delete_version AFTER DELETE ON users BEGIN
    UPDATE name_versions SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER dict_items_name_version AFTER UPDATE OF name ON dict_items
WHEN old.name IS NOT new.name BEGIN
    UPDATE name_versions SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER dict_items_delete_version AFTER DELETE ON dict_items BEGIN
    UPDATE name_versions SET v = v + 1 WHERE id = 1;
END;
