-- The outbox: its status is checked by equalities rather than an `IN (…)` list, as 0021 did for
-- applications. SQLite checks a constant `IN` list of more than two values by building a
-- temporary table on every insert and update (`OpenEphemeral` in the statement's plan); a
-- 100,000-row intake paid it for each of its 82,000-odd acknowledgements (BENCHMARKS.md, "Intake").
-- The same three statuses and two classes are allowed. SQLite cannot change a CHECK in place, so
-- the table is rebuilt with the same rows (ids kept) and index; no table refers to it.
CREATE TEMP TABLE outbox_0022 AS SELECT * FROM outbox;
DROP TABLE outbox;
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    cause           TEXT    NOT NULL UNIQUE,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status = 'queued' OR status = 'sent' OR status = 'dead'),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT,
    activation_for  INTEGER REFERENCES accounts (id),
    priority        INTEGER NOT NULL DEFAULT 0 CHECK (priority = 0 OR priority = 1)
) STRICT;
INSERT INTO outbox (id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at,
                    sent_at, activation_for, priority)
SELECT id, cause, recipient, subject, body, status, attempts, next_attempt_at, last_error, created_at, sent_at,
       activation_for, priority
FROM outbox_0022 ORDER BY id;
DROP TABLE outbox_0022;
CREATE INDEX outbox_queue ON outbox (priority, id) WHERE status = 'queued';
