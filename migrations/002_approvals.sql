-- 002_approvals.sql — the generic approvals engine (src/core/approvals.c): flows
-- per document type and their ordered steps, requests (with a snapshot of the
-- steps that applied at submission, so editing a flow never changes a running
-- request) and the actions taken on them.

CREATE TABLE approval_flows (
    id {{ID}},
    doc_type TEXT NOT NULL,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX approval_flows_doc ON approval_flows(doc_type, id);
-- At most one active flow per document type; activating one deactivates the
-- others in the same transaction, and this index turns a race into an error.
CREATE UNIQUE INDEX approval_flows_one_active ON approval_flows(doc_type) WHERE active;

CREATE TABLE approval_steps (
    id {{ID}},
    flow_id BIGINT NOT NULL REFERENCES approval_flows(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('role','user','manager')),
    role TEXT,
    user_id BIGINT REFERENCES users(id),
    min_amount BIGINT NOT NULL DEFAULT 0,
    UNIQUE (flow_id, seq)
);

-- steps_json: [{"seq", "kind", "role", "user_id", "min_amount", "escalated"}],
-- the approvers resolved at submission (manager steps hold the manager's id).
-- current_step is the seq of the step waiting for a decision (NULL when done);
-- approver_role / current_user_id say who may decide it.
CREATE TABLE approval_requests (
    id {{ID}},
    doc_type TEXT NOT NULL,
    doc_id BIGINT NOT NULL,
    flow_id BIGINT REFERENCES approval_flows(id),
    title TEXT NOT NULL,
    amount BIGINT NOT NULL DEFAULT 0,
    applicant_id BIGINT NOT NULL REFERENCES users(id),
    state TEXT NOT NULL CHECK (state IN ('pending','approved','rejected','cancelled')),
    current_step BIGINT,
    approver_role TEXT,
    current_user_id BIGINT REFERENCES users(id),
    steps_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    decided_at TEXT
);
CREATE INDEX approval_requests_doc ON approval_requests(doc_type, doc_id);
-- One pending request per document: the loser of a double submission gets a
-- unique violation even when both passed the check in approvals_submit.
CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests(doc_type, doc_id)
    WHERE state = 'pending';
CREATE INDEX approval_requests_inbox_user ON approval_requests(current_user_id, state, id);
CREATE INDEX approval_requests_inbox_role ON approval_requests(approver_role, state, id);
CREATE INDEX approval_requests_applicant ON approval_requests(applicant_id, id);

CREATE TABLE approval_actions (
    id {{ID}},
    request_id BIGINT NOT NULL REFERENCES approval_requests(id),
    step_seq BIGINT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users(id),
    decision TEXT NOT NULL CHECK (decision IN ('approve','reject','cancel')),
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX approval_actions_request ON approval_actions(request_id, id);
