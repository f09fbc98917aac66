-- 028_dashboard_team.pg.sql — org_version moves with every change a team
-- depends on (see 028_dashboard_team.sql); one bump per statement.
CREATE FUNCTION org_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_org_version
    AFTER INSERT OR DELETE OR UPDATE OF id, department_id, role, active
    ON users FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();
CREATE TRIGGER departments_org_version
    AFTER INSERT OR DELETE OR UPDATE OF id, parent_id, manager_id
    ON departments FOR EACH STATEMENT EXECUTE FUNCTION org_version_bump();
