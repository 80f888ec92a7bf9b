-- Settings ----------------------------------------------------------------------------------
-- The company's rules an admin set, one row per key. A rule without a row is at its default (the
-- defaults live in code, with each rule's validator: a new rule needs no new column). Values are
-- the rule's canonical text.
CREATE TABLE settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    changed_at TEXT    NOT NULL,
    changed_by INTEGER REFERENCES accounts (id)
) STRICT;

-- External matching steps an admin registered: the program, its arguments, and the files it runs
-- (the program first, then files its arguments name) with the checksums an admin approved, as
-- JSON arrays.
CREATE TABLE settings_steps (
    name            TEXT    PRIMARY KEY,
    program         TEXT    NOT NULL,
    args            TEXT    NOT NULL,
    files           TEXT    NOT NULL,
    timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 3600),
    approved_at     TEXT    NOT NULL,
    approved_by     INTEGER REFERENCES accounts (id)
) STRICT;
