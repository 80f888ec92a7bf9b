-- Matching ----------------------------------------------------------------------------------
-- Worker profiles. Load and outcome totals are derived from the two tables below, never stored.
CREATE TABLE matching_workers (
    worker_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    zone      TEXT    NOT NULL,
    skills    TEXT    NOT NULL,
    capacity  INTEGER NOT NULL CHECK (capacity >= 1),
    rating    INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 100),
    status    TEXT    NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated')),
    hired_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX matching_workers_zone ON matching_workers (zone);

-- Matching's own view of orders, fed by ordering's events.
CREATE TABLE matching_orders (
    order_id     INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL,
    service_type TEXT    NOT NULL,
    skills       TEXT    NOT NULL,
    zone         TEXT    NOT NULL,
    scheduled_at TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('open','assigned','active','completed','failed','cancelled')),
    worker_id    INTEGER
) STRICT;
CREATE INDEX matching_orders_open ON matching_orders (status, scheduled_at);
CREATE INDEX matching_orders_worker ON matching_orders (worker_id, status) WHERE worker_id IS NOT NULL;

-- Past results per worker and client.
CREATE TABLE matching_outcomes (
    worker_id INTEGER NOT NULL,
    client_id INTEGER NOT NULL,
    completed INTEGER NOT NULL CHECK (completed >= 0),
    failed    INTEGER NOT NULL CHECK (failed >= 0),
    PRIMARY KEY (worker_id, client_id)
) STRICT;
