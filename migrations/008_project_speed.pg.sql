-- 008_project_speed.pg.sql — project_stage_totals in step with projects
-- (see 008_project_speed.sql): the old row's contribution leaves, the new
-- row's arrives; an unassigned project counts under owner 0.
CREATE FUNCTION project_stage_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' THEN
        UPDATE project_stage_totals SET open_count = open_count - 1,
            amount = amount - OLD.amount, weighted = weighted - OLD.weighted
        WHERE template_id = OLD.template_id AND owner_id = COALESCE(OLD.owner_id, 0)
          AND stage = OLD.stage;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' THEN
        INSERT INTO project_stage_totals(owner_id, template_id, stage, open_count, amount, weighted)
        VALUES (COALESCE(NEW.owner_id, 0), NEW.template_id, NEW.stage, 1, NEW.amount, NEW.weighted)
        ON CONFLICT (template_id, owner_id, stage) DO UPDATE SET
            open_count = project_stage_totals.open_count + 1,
            amount = project_stage_totals.amount + excluded.amount,
            weighted = project_stage_totals.weighted + excluded.weighted;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_stage_totals
    AFTER INSERT OR DELETE OR UPDATE OF owner_id, template_id, stage, status, amount, weighted
    ON projects FOR EACH ROW EXECUTE FUNCTION project_stage_totals_keep();
