-- Migration 3: OAI-PMH records that could not be read. One bad record never fails its page: it
-- is kept here (with its raw XML) in the page's transaction, and `backfill --retry-rejected`
-- reads it again.
CREATE TABLE rejected_records (
    identifier   TEXT PRIMARY KEY,   -- as the record wrote it (oai:arXiv.org:ID, or its <id>)
    reason       TEXT NOT NULL,
    raw_xml      TEXT NOT NULL,      -- the <record> element as it came
    source       TEXT NOT NULL,      -- the URL of the page
    rejected_at  TEXT NOT NULL
) WITHOUT ROWID;
