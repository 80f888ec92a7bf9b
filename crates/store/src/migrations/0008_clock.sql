-- Whose clock the database runs by: set once by `crew init` (a database created at a chosen time
-- lets every command choose its time; others only admins). No row: the system clock.
CREATE TABLE clock_policy (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    policy TEXT    NOT NULL CHECK (policy IN ('system', 'chosen'))
) STRICT;

-- The real time each event was appended, beside its business time (`at`), stamped by the store.
ALTER TABLE events ADD COLUMN recorded_at TEXT;
