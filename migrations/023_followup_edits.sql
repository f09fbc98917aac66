-- 023_followup_edits.sql — a follow-up may name one of its customer's
-- contacts, and its author may correct it (or delete it) within a day:
-- the version guards a correction against a concurrent one, edited_at says
-- when it was last corrected (the history keeps both versions).
ALTER TABLE followups ADD COLUMN contact_id BIGINT REFERENCES contacts(id);
ALTER TABLE followups ADD COLUMN edited_at TEXT;
ALTER TABLE followups ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
