-- Hiring ------------------------------------------------------------------------------------
CREATE TABLE hiring_tests (
    id         INTEGER PRIMARY KEY,
    version    INTEGER NOT NULL CHECK (version >= 1),
    deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
    created_at TEXT    NOT NULL
) STRICT;

-- Every version of every test: candidates keep the version they were given.
CREATE TABLE hiring_test_versions (
    test_id    INTEGER NOT NULL REFERENCES hiring_tests (id),
    version    INTEGER NOT NULL,
    spec       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (test_id, version)
) STRICT;

CREATE TABLE hiring_sets (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL,
    tests       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;

-- One row per candidate email: a re-sent application updates it.
CREATE TABLE applications (
    id         INTEGER PRIMARY KEY,
    email      TEXT    NOT NULL UNIQUE,
    candidate  TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('applied', 'tests_assigned', 'tests_submitted', 'accepted', 'rejected')),
    set_id     INTEGER REFERENCES hiring_sets (id),
    tests      TEXT    NOT NULL,
    score      INTEGER,
    max_score  INTEGER,
    passed     INTEGER,
    reason     TEXT,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;
CREATE INDEX applications_status ON applications (status);
CREATE INDEX applications_set ON applications (set_id) WHERE set_id IS NOT NULL;

-- IAM: one-time activation secrets, as hashes only.
CREATE TABLE activations (
    account_id  INTEGER PRIMARY KEY REFERENCES accounts (id),
    secret_hash TEXT    NOT NULL,
    issued_at   TEXT    NOT NULL,
    used_at     TEXT
) STRICT;

-- Mail whose body gets a fresh activation secret when it is sent (never stored in plain text).
ALTER TABLE outbox ADD COLUMN activation_for INTEGER REFERENCES accounts (id);

-- Events about an application, for `crew hiring show`.
ALTER TABLE events ADD COLUMN application_id INTEGER;
CREATE INDEX events_application ON events (application_id) WHERE application_id IS NOT NULL;
