-- 026_documents.sql — files an administrator gives the printable documents:
-- a replacement template per kind and format ("quotation.docx",
-- "quotation.pdf", "quotation.xlsx": a Word file, or a layout as JSON text)
-- and the company logo ("logo.png"). The bytes are kept as base64 text so
-- the same column works on both engines. No row: the built-in template, no
-- logo.
CREATE TABLE document_files (
    name TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    data_b64 TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    version BIGINT NOT NULL DEFAULT 1
);
