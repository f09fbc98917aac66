-- 008_project_speed.sql — what the pipeline board needs to answer fast with
-- 200,000 projects (src/sales/project_pipeline.c): the open projects'
-- count, amount and weighted amount per owner, template and stage, kept by
-- triggers on projects in the same transaction as every change, bulk SQL
-- included (008_project_speed.pg.sql / 008_project_speed.sqlite.sql), so the
-- board's column totals are one aggregate over at most owners × stages rows
-- instead of a scan of every open project. Unassigned projects count under
-- owner_id 0 (no user has it; hence no reference to users). And an index
-- for "the departments u manages", which every manager's visibility reads.
CREATE TABLE project_stage_totals (
    owner_id BIGINT NOT NULL,
    template_id BIGINT NOT NULL REFERENCES process_templates(id),
    stage TEXT NOT NULL,
    open_count BIGINT NOT NULL DEFAULT 0,
    amount BIGINT NOT NULL DEFAULT 0,
    weighted BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (template_id, owner_id, stage)
);
INSERT INTO project_stage_totals(owner_id, template_id, stage, open_count, amount, weighted)
SELECT COALESCE(owner_id, 0), template_id, stage, COUNT(*), SUM(amount), SUM(weighted)
FROM projects WHERE status = 'open'
GROUP BY COALESCE(owner_id, 0), template_id, stage;
-- the column totals read a template's rows stage by stage from the index
-- alone (no table row, no sort)
CREATE INDEX project_stage_totals_stage
    ON project_stage_totals(template_id, stage, owner_id, open_count, amount, weighted);

CREATE INDEX departments_manager ON departments(manager_id);
