-- Migration 1. Never edit a migration that has shipped; add a new one.

-- One row per paper (canonical id). `latest_sid` is the snapshot that search shows; `index_seq` is
-- the write batch that last changed what the index must hold for this paper.
CREATE TABLE papers (
    pid        INTEGER PRIMARY KEY,
    arxiv_id   TEXT NOT NULL UNIQUE,
    latest_sid INTEGER,
    index_seq  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX papers_by_index_seq ON papers(index_seq);

-- Every distinct metadata snapshot of a paper, kept forever. `hash` identifies the content.
CREATE TABLE snapshots (
    sid         INTEGER PRIMARY KEY,
    pid         INTEGER NOT NULL REFERENCES papers(pid),
    hash        INTEGER NOT NULL,
    version     INTEGER,
    title       TEXT NOT NULL,
    abstract    TEXT NOT NULL,
    authors     TEXT NOT NULL,
    categories  TEXT NOT NULL,      -- space separated, primary first; empty when unknown
    doi         TEXT,
    journal_ref TEXT,
    license     TEXT,
    submitted   TEXT,               -- RFC 3339 submission time of the version, when known
    first_seen  TEXT NOT NULL,      -- the earliest day this exact text was listed
    UNIQUE (pid, hash)
);

-- What a day announced: one row per (day, category, provenance, position). The key leads with the
-- day so that a day's listing is one range scan.
CREATE TABLE listings (
    day           TEXT NOT NULL,
    category      TEXT NOT NULL,
    provenance    TEXT NOT NULL,    -- rss, legacy, oai-estimate, kaggle-estimate
    position      INTEGER NOT NULL,
    pid           INTEGER NOT NULL REFERENCES papers(pid),
    sid           INTEGER NOT NULL REFERENCES snapshots(sid),
    announce_type TEXT,
    PRIMARY KEY (day, category, provenance, position)
) WITHOUT ROWID;
CREATE INDEX listings_by_paper ON listings(pid, day);

-- The completeness ledger: each (day, category) feed that was stored.
CREATE TABLE feeds (
    day        TEXT NOT NULL,
    category   TEXT NOT NULL,
    build_time TEXT,
    fetched_at TEXT NOT NULL,
    source     TEXT NOT NULL,       -- URL or file
    items      INTEGER NOT NULL,
    counts     TEXT NOT NULL,       -- JSON: items by announce type
    PRIMARY KEY (day, category)
) WITHOUT ROWID;

-- Stale feeds: a batch already stored, served again under a later date.
CREATE TABLE repeats (
    day        TEXT NOT NULL,
    category   TEXT NOT NULL,
    same_as    TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (day, category)
) WITHOUT ROWID;

-- A report is (profile, day) with its ordered rows, so it stays reproducible when profiles change.
CREATE TABLE reports (
    rid        INTEGER PRIMARY KEY,
    profile    TEXT NOT NULL,
    day        TEXT NOT NULL,
    provenance TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (profile, day)
);
CREATE INDEX reports_by_day ON reports(day);

CREATE TABLE report_rows (
    rid      INTEGER NOT NULL REFERENCES reports(rid) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sid      INTEGER NOT NULL REFERENCES snapshots(sid),
    link     TEXT,                  -- NULL: https://arxiv.org/abs/<id>
    PRIMARY KEY (rid, position)
) WITHOUT ROWID;

-- Small facts: the write sequence number.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta(key, value) VALUES ('write_seq', '0');
