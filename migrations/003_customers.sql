-- 003_customers.sql — the customer module: dictionaries, custom fields,
-- customers (with their search text), contacts, follow-ups and templates,
-- sharing, pool applications, reminders, WeChat fans, saved views, imports,
-- number sequences and background-job leases.

-- Administrator-edited dictionaries. kind: qualification, region, industry,
-- source, level (value level), followup_method. Items are retired, never
-- deleted, so old records keep their meaning.
CREATE TABLE dict_items (
    id {{ID}},
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    name_en TEXT,
    parent_id BIGINT REFERENCES dict_items(id),
    sort BIGINT NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX dict_items_kind ON dict_items(kind, sort, id);

-- Typed custom fields per entity (customer, project, ...). Values live in the
-- record's custom_json, keyed by `key`.
CREATE TABLE custom_fields (
    id {{ID}},
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    label_en TEXT,
    type TEXT NOT NULL CHECK (type IN ('text','number','date','select','multiselect','phone','email')),
    options_json TEXT NOT NULL DEFAULT '[]',
    required BOOLEAN NOT NULL DEFAULT FALSE,
    searchable BOOLEAN NOT NULL DEFAULT FALSE,
    sort BIGINT NOT NULL DEFAULT 0,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    UNIQUE (entity, key)
);

-- Number sequences for patterns like KH-{yyyy}{mm}-{seq:5}; `period` is the
-- part of the number the sequence restarts with (e.g. 202611).
CREATE TABLE sequences (
    name TEXT NOT NULL,
    period TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (name, period)
);

-- Leases for background jobs, so one server of several runs each job.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT,
    until TEXT,
    last_run_at TEXT
);

CREATE TABLE customers (
    id {{ID}},
    number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    phone TEXT,
    telephone TEXT,
    address TEXT,
    wechat TEXT,
    email TEXT,
    qualification_id BIGINT REFERENCES dict_items(id),
    region_id BIGINT REFERENCES dict_items(id),
    industry_id BIGINT REFERENCES dict_items(id),
    source_id BIGINT REFERENCES dict_items(id),
    level_id BIGINT REFERENCES dict_items(id),
    followup_method_id BIGINT REFERENCES dict_items(id),
    owner_id BIGINT REFERENCES users(id),
    protected BOOLEAN NOT NULL DEFAULT FALSE,
    signed BOOLEAN NOT NULL DEFAULT FALSE,
    entry_method TEXT NOT NULL DEFAULT 'manual',
    notes TEXT,
    custom_json TEXT NOT NULL DEFAULT '{}',
    -- normalised copies for duplicate checks (case, spaces, full-width, phone punctuation)
    name_norm TEXT NOT NULL,
    phone_norm TEXT,
    wechat_norm TEXT,
    -- quick search: the normalised text of every searchable field, and its bigrams
    search_text TEXT NOT NULL DEFAULT '',
    search_grams TEXT NOT NULL DEFAULT '',
    last_followup_at TEXT,
    last_deal_at TEXT,
    owned_since TEXT,
    previous_owner_id BIGINT REFERENCES users(id),
    released_at TEXT,
    takeback_warned_at TEXT,
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX customers_owner ON customers(owner_id, id);
CREATE INDEX customers_name_norm ON customers(name_norm);
CREATE INDEX customers_phone_norm ON customers(phone_norm);
CREATE INDEX customers_wechat_norm ON customers(wechat_norm);
CREATE INDEX customers_level ON customers(level_id, id);
CREATE INDEX customers_industry ON customers(industry_id, id);
CREATE INDEX customers_region ON customers(region_id, id);
CREATE INDEX customers_source ON customers(source_id, id);
CREATE INDEX customers_updated ON customers(updated_at, id);

CREATE TABLE contacts (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    name TEXT NOT NULL,
    title TEXT,
    phone TEXT,
    mobile TEXT,
    email TEXT,
    wechat TEXT,
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts(customer_id, id);

-- Sharing: read-only or read-write, optionally until a date.
CREATE TABLE customer_shares (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    mode TEXT NOT NULL CHECK (mode IN ('read','write')),
    until TEXT,
    created_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (customer_id, user_id)
);
CREATE INDEX customer_shares_user ON customer_shares(user_id, customer_id);

-- Negotiation progress (follow-ups) and their templates.
CREATE TABLE followup_templates (
    id {{ID}},
    name TEXT NOT NULL,
    method_id BIGINT REFERENCES dict_items(id),
    content TEXT NOT NULL,
    next_step TEXT,
    next_contact_days BIGINT,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    version BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE followups (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    project_id BIGINT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    method_id BIGINT REFERENCES dict_items(id),
    content TEXT NOT NULL,
    next_step TEXT,
    next_contact_at TEXT,
    template_id BIGINT REFERENCES followup_templates(id),
    created_at TEXT NOT NULL
);
CREATE INDEX followups_customer ON followups(customer_id, id);
CREATE INDEX followups_user ON followups(user_id, id);

CREATE TABLE attachments (
    id {{ID}},
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data_b64 TEXT NOT NULL, -- base64 (both engines store it alike; attachments are capped at 10 MB)
    uploaded_by BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_entity ON attachments(entity, entity_id);

-- A salesperson's application for a pool customer (decided by the approvals engine).
CREATE TABLE customer_applications (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending','approved','rejected','cancelled','lost')),
    request_id BIGINT,
    outcome_note TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX customer_applications_customer ON customer_applications(customer_id, state);
CREATE INDEX customer_applications_applicant ON customer_applications(applicant_id, id);

-- Moves in and out of the pool, for the claim limits and the history.
CREATE TABLE customer_moves (
    id {{ID}},
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    from_owner_id BIGINT,
    to_owner_id BIGINT,
    kind TEXT NOT NULL CHECK (kind IN ('create','claim','apply','assign','takeback','release','auto_takeback','transfer')),
    reason TEXT NOT NULL DEFAULT '',
    actor_id BIGINT,
    at TEXT NOT NULL
);
CREATE INDEX customer_moves_customer ON customer_moves(customer_id, id);
CREATE INDEX customer_moves_to ON customer_moves(to_owner_id, kind, at);

-- Important events: pending task / mail / contact.
CREATE TABLE reminders (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    customer_id BIGINT REFERENCES customers(id),
    kind TEXT NOT NULL CHECK (kind IN ('task','mail','contact')),
    title TEXT NOT NULL,
    notes TEXT,
    due_at TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    fired_at TEXT,
    mailed_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX reminders_user ON reminders(user_id, done, due_at);
CREATE INDEX reminders_due ON reminders(fired_at, due_at);

CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- WeChat official-account fans.
CREATE TABLE wechat_fans (
    id {{ID}},
    openid TEXT NOT NULL UNIQUE,
    nickname TEXT,
    subscribed BOOLEAN NOT NULL DEFAULT TRUE,
    subscribed_at TEXT,
    unsubscribed_at TEXT,
    last_message TEXT,
    last_message_at TEXT,
    customer_id BIGINT REFERENCES customers(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX wechat_fans_customer ON wechat_fans(customer_id);

CREATE TABLE wechat_messages (
    id {{ID}},
    fan_id BIGINT NOT NULL REFERENCES wechat_fans(id),
    msg_id TEXT,
    kind TEXT NOT NULL,
    content TEXT,
    at TEXT NOT NULL,
    UNIQUE (msg_id)
);

CREATE TABLE saved_views (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    name TEXT NOT NULL,
    query_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX saved_views_user ON saved_views(user_id, entity);

CREATE TABLE import_jobs (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    filename TEXT NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    total_rows BIGINT NOT NULL DEFAULT 0,
    done_rows BIGINT NOT NULL DEFAULT 0,
    created_rows BIGINT NOT NULL DEFAULT 0,
    updated_rows BIGINT NOT NULL DEFAULT 0,
    error_rows BIGINT NOT NULL DEFAULT 0,
    errors_json TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    finished_at TEXT
);

CREATE TABLE import_mappings (
    user_id BIGINT NOT NULL REFERENCES users(id),
    entity TEXT NOT NULL,
    mapping_json TEXT NOT NULL,
    PRIMARY KEY (user_id, entity)
);
