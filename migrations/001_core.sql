-- 001_core.sql — accounts, departments, sessions, API tokens, history, settings.
-- Written in the SQL both engines accept; {{ID}} is the driver's id column.
-- Timestamps are ISO-8601 UTC text ("2026-11-27T08:15:00Z"); money is BIGINT minor units.

CREATE TABLE departments (
    id {{ID}},
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES departments(id),
    manager_id BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX departments_parent ON departments(parent_id);

CREATE TABLE users (
    id {{ID}},
    login TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin','sales_manager','salesperson','finance','warehouse','aftersales')),
    department_id BIGINT REFERENCES departments(id),
    email TEXT,
    locale TEXT NOT NULL DEFAULT 'en',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_department ON users(department_id);

CREATE TABLE sessions (
    id {{ID}},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE login_throttle (
    login TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id {{ID}},
    at TEXT NOT NULL,
    user_id BIGINT,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_entity ON audit_log(entity, entity_id, id);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1
);

