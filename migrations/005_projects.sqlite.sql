-- 005_projects.sqlite.sql — a project not yet linked to a customer has
-- follow-ups too: followups.customer_id becomes nullable (see
-- 004_projects.sql). SQLite cannot drop a NOT NULL, so the table is rebuilt
-- with the same columns (stage and effect included), rows, ids and indexes.
-- No table references followups, so the drop cascades nowhere.
CREATE TABLE followups_new (
    id {{ID}},
    customer_id BIGINT REFERENCES customers(id),
    project_id BIGINT,
    user_id BIGINT NOT NULL REFERENCES users(id),
    method_id BIGINT REFERENCES dict_items(id),
    content TEXT NOT NULL,
    next_step TEXT,
    next_contact_at TEXT,
    template_id BIGINT REFERENCES followup_templates(id),
    created_at TEXT NOT NULL,
    stage TEXT,
    effect TEXT
);
INSERT INTO followups_new(id, customer_id, project_id, user_id, method_id, content, next_step,
                          next_contact_at, template_id, created_at, stage, effect)
SELECT id, customer_id, project_id, user_id, method_id, content, next_step, next_contact_at,
       template_id, created_at, stage, effect FROM followups;
DROP TABLE followups;
ALTER TABLE followups_new RENAME TO followups;
CREATE INDEX followups_customer ON followups(customer_id, id);
CREATE INDEX followups_user ON followups(user_id, id);
CREATE INDEX followups_project ON followups(project_id, id);

-- project_pipeline_totals in step with projects (see 004_projects.sql): the
-- old row's contribution leaves, the new row's arrives.
CREATE TRIGGER projects_totals_ai AFTER INSERT ON projects
WHEN NEW.status = 'open' AND NEW.owner_id IS NOT NULL BEGIN
    INSERT INTO project_pipeline_totals(owner_id, template_id, open_count, amount, weighted)
    VALUES (NEW.owner_id, NEW.template_id, 1, NEW.amount, NEW.weighted)
    ON CONFLICT (owner_id, template_id) DO UPDATE SET open_count = open_count + 1,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER projects_totals_au_old AFTER UPDATE OF owner_id, template_id, status, amount, weighted
ON projects WHEN OLD.status = 'open' AND OLD.owner_id IS NOT NULL BEGIN
    UPDATE project_pipeline_totals SET open_count = open_count - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.weighted
    WHERE owner_id = OLD.owner_id AND template_id = OLD.template_id;
END;
CREATE TRIGGER projects_totals_au_new AFTER UPDATE OF owner_id, template_id, status, amount, weighted
ON projects WHEN NEW.status = 'open' AND NEW.owner_id IS NOT NULL BEGIN
    INSERT INTO project_pipeline_totals(owner_id, template_id, open_count, amount, weighted)
    VALUES (NEW.owner_id, NEW.template_id, 1, NEW.amount, NEW.weighted)
    ON CONFLICT (owner_id, template_id) DO UPDATE SET open_count = open_count + 1,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER projects_totals_ad AFTER DELETE ON projects
WHEN OLD.status = 'open' AND OLD.owner_id IS NOT NULL BEGIN
    UPDATE project_pipeline_totals SET open_count = open_count - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.weighted
    WHERE owner_id = OLD.owner_id AND template_id = OLD.template_id;
END;
