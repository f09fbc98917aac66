-- 028_dashboard_team.sqlite.sql — org_version moves with every change a
-- team depends on (see 028_dashboard_team.sql).
CREATE TRIGGER users_org_version_ai AFTER INSERT ON users BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER users_org_version_ad AFTER DELETE ON users BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER users_org_version_au AFTER UPDATE OF id, department_id, role, active ON users BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER departments_org_version_ai AFTER INSERT ON departments BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER departments_org_version_ad AFTER DELETE ON departments BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
CREATE TRIGGER departments_org_version_au AFTER UPDATE OF id, parent_id, manager_id ON departments
BEGIN
    UPDATE org_version SET v = v + 1 WHERE id = 1;
END;
