-- 005_projects.sql — projects (opportunities, src/sales/projects*.c): process
-- templates with immutable versions, projects, their checklist, members and
-- applications; and project follow-ups, which live in the followups table of
-- 003 beside the customer's own (one timeline, one attachment mechanism):
-- here they gain the stage they were made at and their effect, and
-- followups.customer_id becomes nullable for projects not yet linked to a
-- customer (004_projects.pg.sql / 004_projects.sqlite.sql).

-- A process template ("standard order", "large tender"). Its stages live in
-- versions: editing the stages writes a new version, and running projects
-- keep the version they run on.
CREATE TABLE process_templates (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    current_version_id BIGINT,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- stages_json, written once and never changed:
-- [{"key", "name", "probability", "items": [{"key", "label", "kind": "task"|"field",
--   "field"?, "required"}]}]. Item keys are unique within a version.
CREATE TABLE process_template_versions (
    id {{ID}},
    template_id BIGINT NOT NULL REFERENCES process_templates(id),
    number BIGINT NOT NULL,
    stages_json TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TEXT NOT NULL,
    UNIQUE (template_id, number)
);

-- stage is a stage key of the project's template version while status is
-- 'open', and 'won' / 'lost' once closed (closed_stage keeps where it was),
-- so the board's won and lost columns use the same index as the others.
-- weighted = round(amount × probability / 100), kept by the code whenever
-- either changes.
CREATE TABLE projects (
    id {{ID}},
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    customer_id BIGINT REFERENCES customers(id),
    owner_id BIGINT REFERENCES users(id),
    template_id BIGINT NOT NULL REFERENCES process_templates(id),
    template_version_id BIGINT NOT NULL REFERENCES process_template_versions(id),
    stage TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','won','lost')),
    amount BIGINT NOT NULL DEFAULT 0 CHECK (amount >= 0),
    probability BIGINT NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
    weighted BIGINT NOT NULL DEFAULT 0,
    expected_close_date TEXT,
    source_id BIGINT REFERENCES dict_items(id),
    products_json TEXT NOT NULL DEFAULT '[]',
    competitor_ids_json TEXT NOT NULL DEFAULT '[]',
    notes TEXT,
    custom_json TEXT NOT NULL DEFAULT '{}',
    close_reason TEXT,
    lost_to_id BIGINT REFERENCES dict_items(id),
    closed_stage TEXT,
    closed_at TEXT,
    stage_entered_at TEXT NOT NULL,
    owned_since TEXT,
    last_followup_at TEXT,
    created_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- board column page of one owner set: (template, stage, owner) then id
CREATE INDEX projects_board_owner ON projects(template_id, stage, owner_id, id);
-- board column page newest first: everyone (administrators), or a team
-- (managers: the owner is checked in the index, no row is read)
CREATE INDEX projects_board ON projects(template_id, stage, id, owner_id);
CREATE INDEX projects_owner ON projects(owner_id, id);
CREATE INDEX projects_customer ON projects(customer_id, id);
CREATE INDEX projects_name_norm ON projects(name_norm);

-- The open pipeline per owner and template: count, amount, weighted amount
-- of the open projects, kept by triggers on projects in the same
-- transaction as every change, bulk SQL included (004_projects.pg.sql /
-- 004_projects.sqlite.sql). The summary per owner or department is one
-- aggregate over this table's primary key: at most owners × templates rows,
-- however many projects there are.
CREATE TABLE project_pipeline_totals (
    owner_id BIGINT NOT NULL REFERENCES users(id),
    template_id BIGINT NOT NULL REFERENCES process_templates(id),
    open_count BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL DEFAULT 0,
    weighted BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, template_id)
);

-- Ticked checklist tasks (field items are checked against the project's
-- fields and never stored here).
CREATE TABLE project_checklist (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    item_key TEXT NOT NULL,
    done BOOLEAN NOT NULL DEFAULT TRUE,
    done_by BIGINT REFERENCES users(id),
    done_at TEXT NOT NULL,
    PRIMARY KEY (project_id, item_key)
);

-- The people who follow a project besides its owner, with their role there
-- (technical support, pre-sales, ...).
CREATE TABLE project_members (
    project_id BIGINT NOT NULL REFERENCES projects(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    added_by BIGINT REFERENCES users(id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members(user_id, project_id);

-- A salesperson's application for an unassigned project (decided by the
-- approvals engine, doc type project_application).
CREATE TABLE project_applications (
    id {{ID}},
    project_id BIGINT NOT NULL REFERENCES projects(id),
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    reason TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('pending','approved','rejected','cancelled','lost')),
    request_id BIGINT,
    outcome_note TEXT,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX project_applications_project ON project_applications(project_id, state);
CREATE INDEX project_applications_applicant ON project_applications(applicant_id, id);
-- one pending application per applicant and project, also under a race
CREATE UNIQUE INDEX project_applications_one_pending ON project_applications(project_id, applicant_id)
    WHERE state = 'pending';

-- Project follow-ups: the stage the project was at, and the effect.
ALTER TABLE followups ADD COLUMN stage TEXT;
ALTER TABLE followups ADD COLUMN effect TEXT;
CREATE INDEX followups_project ON followups(project_id, id);

-- A fresh installation can enter projects at once: one default template.
INSERT INTO process_templates(name, description, is_default, created_at, updated_at)
VALUES ('标准订单 Standard order', '常规订单的商机流程 The usual way an order is won', TRUE,
        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO process_template_versions(template_id, number, stages_json, created_at)
SELECT id, 1, '[{"key":"initial","name":"初步接洽 Initial contact","probability":10,"items":[{"key":"customer_linked","label":"关联客户 Customer linked","kind":"field","field":"customer_id","required":true},{"key":"needs_confirmed","label":"确认需求 Needs confirmed","kind":"task","required":true}]},{"key":"qualified","name":"需求分析 Needs analysis","probability":30,"items":[{"key":"amount_estimated","label":"预计金额 Expected amount","kind":"field","field":"amount","required":true},{"key":"close_date_set","label":"预计成交日期 Expected close date","kind":"field","field":"expected_close_date","required":true},{"key":"sample_tested","label":"样品试用 Sample tested","kind":"task","required":false}]},{"key":"proposal","name":"方案报价 Proposal","probability":60,"items":[{"key":"quotation_sent","label":"报价已发送 Quotation sent","kind":"task","required":true}]},{"key":"negotiation","name":"商务谈判 Negotiation","probability":80,"items":[{"key":"terms_agreed","label":"主要条款已谈妥 Main terms agreed","kind":"task","required":true}]}]',
       '2026-01-01T00:00:00Z'
FROM process_templates WHERE name = '标准订单 Standard order';
UPDATE process_templates SET current_version_id =
    (SELECT v.id FROM process_template_versions v WHERE v.template_id = process_templates.id)
WHERE name = '标准订单 Standard order';
