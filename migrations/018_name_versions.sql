-- 018_name_versions.sql — a counter that goes up whenever the name of a
-- user or a dictionary item changes, or one is deleted (the triggers are in
-- the engine files). The customer list shows those names from a cache in
-- each server thread (src/core/names.c) and reads only this counter, one
-- row, per reply, instead of joining a user and up to five dictionary items
-- to every row: with several servers on one database, each sees another's
-- rename at its next reply.
CREATE TABLE name_versions (id INTEGER PRIMARY KEY CHECK (id = 1), v BIGINT NOT NULL);
INSERT INTO name_versions(id, v) VALUES (1, 1);
