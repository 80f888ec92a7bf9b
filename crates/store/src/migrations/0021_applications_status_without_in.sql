-- Applications: the status is checked by equalities rather than an `IN (…)` list. SQLite checks a
-- constant `IN` list of more than two values by building a temporary table on every insert and
-- update (`OpenEphemeral` in the statement's plan); a 100,000-row intake paid it 82,000 times
-- (BENCHMARKS.md, "Intake"). The same five statuses are allowed. SQLite cannot change a CHECK in
-- place, so the table is rebuilt with the same rows (ids kept) and indexes; no table refers to it.
CREATE TEMP TABLE applications_0021 AS SELECT * FROM applications;
DROP TABLE applications;
CREATE TABLE applications (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    candidate  TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status = 'applied' OR status = 'tests_assigned' OR status = 'tests_submitted'
                                       OR status = 'accepted' OR status = 'rejected'),
    set_id     INTEGER REFERENCES hiring_sets (id),
    tests      TEXT    NOT NULL,
    score      INTEGER,
    max_score  INTEGER,
    passed     INTEGER,
    reason     TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;
INSERT INTO applications (id, email, candidate, status, set_id, tests, score, max_score, passed, reason, created_at,
                          updated_at)
SELECT id, email, candidate, status, set_id, tests, score, max_score, passed, reason, created_at, updated_at
FROM applications_0021 ORDER BY id;
DROP TABLE applications_0021;
CREATE INDEX applications_status ON applications (status);
CREATE INDEX applications_set ON applications (set_id) WHERE set_id IS NOT NULL;
