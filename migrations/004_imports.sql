-- 004_imports.sql — batch import of customers (sales/customer_io.c,
-- sales/import_*.c). 003 made import_jobs and import_mappings; an import
-- also needs to keep the uploaded file where every server of a cluster can
-- read it (import_chunks), the chosen mapping, owner and mode, the runner's
-- heartbeat (so a job whose server died is resumed by another), and one row
-- per rejected input row for the error report (import_errors; errors_json
-- of 003 would have to be rewritten whole after each batch).
ALTER TABLE import_jobs ADD COLUMN format TEXT NOT NULL DEFAULT 'csv';
ALTER TABLE import_jobs ADD COLUMN encoding TEXT NOT NULL DEFAULT 'utf-8';
ALTER TABLE import_jobs ADD COLUMN file_size BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN columns_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE import_jobs ADD COLUMN sample_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE import_jobs ADD COLUMN mapping_json TEXT;
ALTER TABLE import_jobs ADD COLUMN owner_id BIGINT REFERENCES users(id);
ALTER TABLE import_jobs ADD COLUMN confirm_duplicates BOOLEAN NOT NULL DEFAULT FALSE;
-- what queued/running means: 'dry_run' (check only) or 'run'
ALTER TABLE import_jobs ADD COLUMN task TEXT;
ALTER TABLE import_jobs ADD COLUMN duplicate_rows BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN message TEXT;
ALTER TABLE import_jobs ADD COLUMN runner TEXT;
ALTER TABLE import_jobs ADD COLUMN heartbeat_at TEXT;
ALTER TABLE import_jobs ADD COLUMN updated_at TEXT;
CREATE INDEX import_jobs_user ON import_jobs(user_id, id);
CREATE INDEX import_jobs_state ON import_jobs(state, id);

-- The uploaded file, base64 in pieces of 1 MiB, deleted once imported.
CREATE TABLE import_chunks (
    job_id BIGINT NOT NULL REFERENCES import_jobs(id),
    seq BIGINT NOT NULL,
    data_b64 TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- Rejected rows of the latest dry run or run (pass), for the error report.
CREATE TABLE import_errors (
    id {{ID}},
    job_id BIGINT NOT NULL REFERENCES import_jobs(id),
    pass TEXT NOT NULL,
    row_no BIGINT NOT NULL,
    field TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX import_errors_job ON import_errors(job_id, pass, id);
