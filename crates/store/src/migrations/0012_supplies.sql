-- Supplies ------------------------------------------------------------------------------------
-- What a kit for each service type holds, in the order a manager listed it.
CREATE TABLE supplies_boms (
    service_type TEXT    NOT NULL,
    item         TEXT    NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    position     INTEGER NOT NULL,
    PRIMARY KEY (service_type, item)
) STRICT;

-- Stock of tracked items: never negative, never more reserved than on hand.
CREATE TABLE supplies_stock (
    item     TEXT    PRIMARY KEY,
    on_hand  INTEGER NOT NULL CHECK (on_hand >= 0),
    reserved INTEGER NOT NULL CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
) STRICT;

-- One kit per assignment of an order; its cookie as JSON (key, status, contractor id, retries).
CREATE TABLE supplies_kits (
    kit_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id     INTEGER NOT NULL REFERENCES orders (id),
    client_id    INTEGER NOT NULL REFERENCES accounts (id),
    worker_id    INTEGER REFERENCES accounts (id),
    service_type TEXT    NOT NULL,
    zone         TEXT    NOT NULL,
    scheduled_at TEXT    NOT NULL,
    lines        TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'issued', 'cancelled')),
    cookie_key   TEXT    NOT NULL UNIQUE,
    cookie       TEXT    NOT NULL,
    opened_at    TEXT    NOT NULL,
    issued_at    TEXT,
    updated_at   TEXT    NOT NULL,
    CHECK (status <> 'issued' OR worker_id IS NOT NULL)
) STRICT;
CREATE INDEX supplies_kits_order ON supplies_kits (order_id);
CREATE INDEX supplies_kits_status ON supplies_kits (status, scheduled_at);
-- At most one kit per order that is not cancelled.
CREATE UNIQUE INDEX supplies_kits_live ON supplies_kits (order_id) WHERE status <> 'cancelled';

-- The kits subscriber starts at the end of the log: orders assigned before supplies existed get
-- no kit (and no cookie).
INSERT INTO subscriptions (name, position)
VALUES ('supplies.kits', (SELECT coalesce(max(seq), 0) FROM events))
ON CONFLICT (name) DO NOTHING;
