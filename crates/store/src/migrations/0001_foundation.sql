-- IAM ---------------------------------------------------------------------------------------
CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    login         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    email         TEXT    UNIQUE,
    role          TEXT    NOT NULL CHECK (role IN ('admin','manager','accountant','warehouse','worker','client','service')),
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    password_hash TEXT,
    created_at    TEXT    NOT NULL
) STRICT;

-- Sessions of people and tokens of service accounts: only the SHA-256 of the secret is kept.
CREATE TABLE sessions (
    token_hash TEXT    PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('login', 'service_token')),
    created_at TEXT    NOT NULL
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE client_profiles (
    account_id     INTEGER PRIMARY KEY REFERENCES accounts (id),
    zone           TEXT    NOT NULL,
    phone          TEXT,
    payment_method TEXT    NOT NULL
) STRICT;

-- Ordering ----------------------------------------------------------------------------------
CREATE TABLE service_types (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    skills      TEXT    NOT NULL,
    retired     INTEGER NOT NULL CHECK (retired IN (0, 1)),
    created_at  TEXT    NOT NULL
) STRICT;

CREATE TABLE orders (
    id                INTEGER PRIMARY KEY,
    client_id         INTEGER NOT NULL REFERENCES accounts (id),
    service_type      TEXT    NOT NULL REFERENCES service_types (code),
    zone              TEXT    NOT NULL,
    scheduled_at      TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('open','assigned','active','completed','failed','cancelled')),
    worker_id         INTEGER REFERENCES accounts (id),
    quote_cents       INTEGER NOT NULL,
    price_cents       INTEGER,
    copied_from       INTEGER REFERENCES orders (id),
    check_in_photo    TEXT,
    check_in_sha256   TEXT,
    completion_photo  TEXT,
    completion_sha256 TEXT,
    reason            TEXT,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((status IN ('assigned', 'active')) <= (worker_id IS NOT NULL))
) STRICT;
CREATE INDEX orders_client ON orders (client_id);
CREATE INDEX orders_worker ON orders (worker_id) WHERE worker_id IS NOT NULL;
CREATE INDEX orders_status_time ON orders (status, scheduled_at);

-- Events ------------------------------------------------------------------------------------
CREATE TABLE events (
    seq      INTEGER PRIMARY KEY,
    at       TEXT    NOT NULL,
    actor_id INTEGER REFERENCES accounts (id),
    type     TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    order_id INTEGER,
    payload  TEXT    NOT NULL
) STRICT;
CREATE INDEX events_order ON events (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX events_at ON events (at);

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Each subscriber's position in the event log.
CREATE TABLE subscriptions (
    name     TEXT    PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;
