-- Library migration 1. Never edit a migration that has shipped; add a new one.
-- The reader's own state: nothing here is derived from the archive, and nothing in the archive
-- depends on it.

-- A tag is one interest: its saved papers are the positives of its model.
CREATE TABLE tags (
    name    TEXT PRIMARY KEY,
    created TEXT NOT NULL
) WITHOUT ROWID;

-- A paper saved to a tag, or dismissed from it ("not for me": a negative, never recommended to
-- it again). One row per (tag, paper): dismissing a saved paper turns it into a dismissal.
CREATE TABLE entries (
    tag      TEXT NOT NULL REFERENCES tags(name) ON DELETE CASCADE,
    arxiv_id TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('saved', 'dismissed')),
    added    TEXT NOT NULL,
    PRIMARY KEY (tag, arxiv_id)
) WITHOUT ROWID;
CREATE INDEX entries_by_paper ON entries(arxiv_id);

-- The reader's visits of a profile's day pages: the newest day seen, and the one seen before
-- it (papers first announced after that one are "new since your last visit").
CREATE TABLE visits (
    profile  TEXT PRIMARY KEY,
    day      TEXT NOT NULL,
    previous TEXT,
    at       TEXT NOT NULL
) WITHOUT ROWID;

-- What each digest sent: a paper is mailed at most once per tag.
CREATE TABLE sent (
    tag      TEXT NOT NULL,
    arxiv_id TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (tag, arxiv_id)
) WITHOUT ROWID;

-- `version` counts committed changes of tags and entries: a model kept for a tag is good while
-- the version it was trained at is the library's.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta VALUES ('version', '0');
