-- 011_project_owner_department.pg.sql — owner_department_id in step with
-- the owner (see 011_project_owner_department.sql).
CREATE FUNCTION projects_owner_department() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.owner_department_id := (SELECT u.department_id FROM users u WHERE u.id = NEW.owner_id);
    RETURN NEW;
END
$$;
CREATE TRIGGER projects_owner_department BEFORE INSERT OR UPDATE OF owner_id ON projects
    FOR EACH ROW EXECUTE FUNCTION projects_owner_department();
CREATE FUNCTION users_department_projects() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE projects SET owner_department_id = NEW.department_id WHERE owner_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_department_projects AFTER UPDATE OF department_id ON users
    FOR EACH ROW WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id)
    EXECUTE FUNCTION users_department_projects();
