-- 022_dashboard.sql — what the home page (src/dashboard/) reads by range:
-- the follow-ups made since a date (the week's count, company-wide and per
-- salesperson of a team, from the index alone), and the projects won since
-- a date (this month's wins and the ranking per owner, from the index
-- alone). Without them both were scans of every follow-up (millions) or
-- every won project.
CREATE INDEX followups_created ON followups(created_at, user_id);
CREATE INDEX projects_closed ON projects(status, closed_at, owner_id, amount);
