-- Migration 2: OAI-PMH harvest checkpoints, written in the same transaction as each page.
CREATE TABLE harvests (
    window_key      TEXT PRIMARY KEY,   -- "<set> <from> <until> <format>"
    resumption      TEXT,               -- token for the next page; NULL when not started
    last_datestamp  TEXT,               -- newest record datestamp stored, to restart an expired token
    pages           INTEGER NOT NULL DEFAULT 0,
    records         INTEGER NOT NULL DEFAULT 0,
    done            INTEGER NOT NULL DEFAULT 0,
    updated_at      TEXT NOT NULL
) WITHOUT ROWID;
