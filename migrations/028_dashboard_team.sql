-- 028_dashboard_team.sql — what the home page's team parts (src/dashboard/
-- dashboard_team.c) read cheaply: org_version, one row whose counter moves
-- whenever anything a manager's team depends on changes (a user enters or
-- leaves, or changes department, role or active; a department enters or
-- leaves, or changes parent or manager), kept by triggers (engine files
-- beside this one), so a process may keep a manager's team while the
-- counter stays the same; and an index for the count of active users.
CREATE TABLE org_version (
    id BIGINT PRIMARY KEY,
    v BIGINT NOT NULL
);
INSERT INTO org_version(id, v) VALUES (1, 1);
CREATE INDEX users_active ON users(active, role);
