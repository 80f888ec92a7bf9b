-- Quality -------------------------------------------------------------------------------------
-- Quality's view of every order's life, fed by ordering's events.
CREATE TABLE quality_orders (
    order_id      INTEGER PRIMARY KEY REFERENCES orders (id),
    client_id     INTEGER NOT NULL REFERENCES accounts (id),
    worker_id     INTEGER REFERENCES accounts (id),
    ending        TEXT    NOT NULL CHECK (ending IN ('open', 'completed', 'failed', 'cancelled')),
    assigned_at   TEXT,
    checked_in_at TEXT,
    finished_at   TEXT
) STRICT;
CREATE INDEX quality_orders_worker ON quality_orders (worker_id) WHERE worker_id IS NOT NULL;

-- The review queue: one case per order, never removed.
CREATE TABLE quality_cases (
    order_id  INTEGER PRIMARY KEY REFERENCES orders (id),
    client_id INTEGER NOT NULL REFERENCES accounts (id),
    worker_id INTEGER REFERENCES accounts (id),
    reason    TEXT    NOT NULL CHECK (reason IN ('cancelled', 'failed', 'sampled')),
    queued_at TEXT    NOT NULL,
    reviewed  INTEGER NOT NULL CHECK (reviewed IN (0, 1))
) STRICT;

-- One review per order: its latest revision (every revision is an event).
CREATE TABLE quality_reviews (
    order_id    INTEGER PRIMARY KEY REFERENCES quality_cases (order_id),
    client_id   INTEGER NOT NULL REFERENCES accounts (id),
    worker_id   INTEGER REFERENCES accounts (id),
    verdict     TEXT    NOT NULL CHECK (verdict IN ('praise', 'fine', 'fault', 'serious')),
    cause       TEXT    NOT NULL,
    hypothesis  TEXT    NOT NULL,
    revision    INTEGER NOT NULL CHECK (revision >= 1),
    reviewer_id INTEGER NOT NULL REFERENCES accounts (id),
    reviewed_at TEXT    NOT NULL
) STRICT;
