-- Library migration 3. Never edit a migration that has shipped; add a new one.
-- The digests mailed: one email per announcement day, recipient and choice of tags ('*' for
-- every tag); a second run for a day already mailed sends nothing unless asked to (--resend).
CREATE TABLE digests (
    day       TEXT NOT NULL,
    recipient TEXT NOT NULL,
    tags      TEXT NOT NULL,
    papers    INTEGER NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (day, recipient, tags)
) WITHOUT ROWID;
