-- 036_doc_texts.sql — the lines and the tax summary of each version of a
-- document, as the JSON text the detail replies with, written with the
-- lines (src/kit/doclines.c) and read in one row: a 200-line contract's
-- detail no longer reads and encodes 200 rows on every request. A version
-- without its row here (made before this migration, or by bulk SQL) is
-- answered from doc_lines, with the same text.
CREATE TABLE doc_texts (
    doc_type TEXT NOT NULL,
    doc_id BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    lines_text TEXT NOT NULL,
    rates_text TEXT NOT NULL,
    PRIMARY KEY (doc_type, doc_id, revision)
);
