-- 019_approval_context.sql — what an approver needs to decide, kept with the
-- request when it is submitted (src/core/approvals.c, approvals_set_context):
-- the applicant's reason, the record the document is about (subject_type
-- 'customer' or 'project', its id and name, for a link), and whether the
-- document has an amount at all (a customer application has none, so the
-- inbox shows no 0.00 for it). Requests submitted before this migration get
-- the same from their applications.
ALTER TABLE approval_requests ADD COLUMN reason TEXT;
ALTER TABLE approval_requests ADD COLUMN subject_type TEXT;
ALTER TABLE approval_requests ADD COLUMN subject_id BIGINT;
ALTER TABLE approval_requests ADD COLUMN subject_name TEXT;
ALTER TABLE approval_requests ADD COLUMN has_amount BOOLEAN NOT NULL DEFAULT TRUE;

UPDATE approval_requests SET
    reason = (SELECT a.reason FROM customer_applications a WHERE a.id = approval_requests.doc_id),
    subject_type = 'customer',
    subject_id = (SELECT a.customer_id FROM customer_applications a
                  WHERE a.id = approval_requests.doc_id),
    subject_name = (SELECT c.name FROM customer_applications a JOIN customers c ON c.id = a.customer_id
                    WHERE a.id = approval_requests.doc_id),
    has_amount = FALSE
WHERE doc_type = 'customer_application';

UPDATE approval_requests SET
    reason = (SELECT a.reason FROM project_applications a WHERE a.id = approval_requests.doc_id),
    subject_type = 'project',
    subject_id = (SELECT a.project_id FROM project_applications a
                  WHERE a.id = approval_requests.doc_id),
    subject_name = (SELECT p.name FROM project_applications a JOIN projects p ON p.id = a.project_id
                    WHERE a.id = approval_requests.doc_id),
    has_amount = amount > 0
WHERE doc_type = 'project_application';
