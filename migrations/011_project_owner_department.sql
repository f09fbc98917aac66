-- 011_project_owner_department.sql — each project carries its owner's
-- department (owner_department_id), kept by triggers
-- (011_project_owner_department.sqlite.sql / .pg.sql) when a project is
-- entered, changes owner, or its owner moves to another department. A team
-- manager's board column is then one index range per department they cover,
-- newest first (src/core/policy_projects.c), instead of a walk through every
-- project of the stage testing each owner: with 500 salespeople in ten teams
-- the walk read ten cards for each one it kept.
ALTER TABLE projects ADD COLUMN owner_department_id BIGINT;
UPDATE projects SET owner_department_id =
    (SELECT u.department_id FROM users u WHERE u.id = projects.owner_id)
WHERE owner_id IS NOT NULL;
CREATE INDEX projects_board_dept ON projects(template_id, stage, owner_department_id, id);
