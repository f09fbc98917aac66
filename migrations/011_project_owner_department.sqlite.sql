-- 011_project_owner_department.sqlite.sql — owner_department_id in step
-- with the owner (see 011_project_owner_department.sql). SQLite cannot set
-- NEW in a BEFORE trigger: the row is updated after it is written.
CREATE TRIGGER projects_owner_department_ai AFTER INSERT ON projects
WHEN NEW.owner_id IS NOT NULL BEGIN
    UPDATE projects SET owner_department_id =
        (SELECT u.department_id FROM users u WHERE u.id = NEW.owner_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER projects_owner_department_au AFTER UPDATE OF owner_id ON projects BEGIN
    UPDATE projects SET owner_department_id =
        (SELECT u.department_id FROM users u WHERE u.id = NEW.owner_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER users_department_projects AFTER UPDATE OF department_id ON users
WHEN OLD.department_id IS NOT NEW.department_id BEGIN
    UPDATE projects SET owner_department_id = NEW.department_id WHERE owner_id = NEW.id;
END;
