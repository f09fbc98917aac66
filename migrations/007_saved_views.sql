-- 007_saved_views.sql — saved views of a list (its filters, chosen columns
-- and sort) kept on the server per user, optionally shared with the owner's
-- department (and the departments beneath it). Replaces the unused
-- saved_views table of 003.
DROP INDEX IF EXISTS saved_views_user;
DROP TABLE IF EXISTS saved_views;
CREATE TABLE saved_views (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    resource TEXT NOT NULL,
    name TEXT NOT NULL,
    query_json TEXT NOT NULL DEFAULT '{}',
    columns_json TEXT NOT NULL DEFAULT '[]',
    sort TEXT,
    shared_with_department BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (user_id, resource, name)
);
CREATE INDEX saved_views_user ON saved_views(user_id, resource, id);
