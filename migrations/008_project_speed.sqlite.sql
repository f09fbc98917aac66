-- 008_project_speed.sqlite.sql — project_stage_totals in step with projects
-- (see 008_project_speed.sql): the old row's contribution leaves, the new
-- row's arrives; an unassigned project counts under owner 0.
CREATE TRIGGER projects_stage_totals_ai AFTER INSERT ON projects
WHEN NEW.status = 'open' BEGIN
    INSERT INTO project_stage_totals(owner_id, template_id, stage, open_count, amount, weighted)
    VALUES (COALESCE(NEW.owner_id, 0), NEW.template_id, NEW.stage, 1, NEW.amount, NEW.weighted)
    ON CONFLICT (template_id, owner_id, stage) DO UPDATE SET open_count = open_count + 1,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER projects_stage_totals_au_old
AFTER UPDATE OF owner_id, template_id, stage, status, amount, weighted ON projects
WHEN OLD.status = 'open' BEGIN
    UPDATE project_stage_totals SET open_count = open_count - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.weighted
    WHERE template_id = OLD.template_id AND owner_id = COALESCE(OLD.owner_id, 0)
      AND stage = OLD.stage;
END;
CREATE TRIGGER projects_stage_totals_au_new
AFTER UPDATE OF owner_id, template_id, stage, status, amount, weighted ON projects
WHEN NEW.status = 'open' BEGIN
    INSERT INTO project_stage_totals(owner_id, template_id, stage, open_count, amount, weighted)
    VALUES (COALESCE(NEW.owner_id, 0), NEW.template_id, NEW.stage, 1, NEW.amount, NEW.weighted)
    ON CONFLICT (template_id, owner_id, stage) DO UPDATE SET open_count = open_count + 1,
        amount = amount + excluded.amount, weighted = weighted + excluded.weighted;
END;
CREATE TRIGGER projects_stage_totals_ad AFTER DELETE ON projects
WHEN OLD.status = 'open' BEGIN
    UPDATE project_stage_totals SET open_count = open_count - 1, amount = amount - OLD.amount,
        weighted = weighted - OLD.weighted
    WHERE template_id = OLD.template_id AND owner_id = COALESCE(OLD.owner_id, 0)
      AND stage = OLD.stage;
END;
