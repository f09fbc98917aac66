-- 005_projects.pg.sql — a project not yet linked to a customer has follow-ups
-- too: followups.customer_id becomes nullable (see 004_projects.sql). And
-- the trigger that keeps project_pipeline_totals in step with projects.
ALTER TABLE followups ALTER COLUMN customer_id DROP NOT NULL;

CREATE FUNCTION project_pipeline_totals_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'open' AND OLD.owner_id IS NOT NULL THEN
        UPDATE project_pipeline_totals SET open_count = open_count - 1,
            amount = amount - OLD.amount, weighted = weighted - OLD.weighted
        WHERE owner_id = OLD.owner_id AND template_id = OLD.template_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'open' AND NEW.owner_id IS NOT NULL THEN
        INSERT INTO project_pipeline_totals(owner_id, template_id, open_count, amount, weighted)
        VALUES (NEW.owner_id, NEW.template_id, 1, NEW.amount, NEW.weighted)
        ON CONFLICT (owner_id, template_id) DO UPDATE SET
            open_count = project_pipeline_totals.open_count + 1,
            amount = project_pipeline_totals.amount + excluded.amount,
            weighted = project_pipeline_totals.weighted + excluded.weighted;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER projects_pipeline_totals
    AFTER INSERT OR DELETE OR UPDATE OF owner_id, template_id, status, amount, weighted ON projects
    FOR EACH ROW EXECUTE FUNCTION project_pipeline_totals_keep();
