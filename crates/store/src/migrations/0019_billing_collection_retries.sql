-- Billing: a definitely failed collection is retried with a new key ------------------------------
-- A payment was one per invoice; now an invoice may have several, numbered by `retry` (0 for the
-- first, 1 for the first retry…), each with its own idempotency key. Only the latest of an invoice
-- may be open (crew retries only after a definite failure). SQLite cannot drop a UNIQUE in place:
-- the table is rebuilt with its rows (all `retry` 0), index and triggers. Nothing refers to it.
CREATE TEMP TABLE billing_payments_0017 AS SELECT * FROM billing_payments;
DROP TABLE billing_payments;
CREATE TABLE billing_payments (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('collection', 'payout')),
    invoice    INTEGER NOT NULL REFERENCES billing_invoices (number),
    retry      INTEGER NOT NULL DEFAULT 0 CHECK (retry >= 0),
    holder     INTEGER NOT NULL REFERENCES accounts (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    method     TEXT    NOT NULL,
    key        TEXT    NOT NULL UNIQUE,
    status     TEXT    NOT NULL CHECK (status IN ('reserved', 'submitted', 'confirmed', 'failed', 'unknown')),
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    service_id TEXT,
    note       TEXT,
    updated_at TEXT    NOT NULL,
    UNIQUE (invoice, retry)
) STRICT;
INSERT INTO billing_payments (id, kind, invoice, retry, holder, amount, method, key, status, attempts, service_id,
                              note, updated_at)
SELECT id, kind, invoice, 0, holder, amount, method, key, status, attempts, service_id, note, updated_at
FROM billing_payments_0017 ORDER BY id;
DROP TABLE billing_payments_0017;
CREATE INDEX billing_payments_open ON billing_payments (status) WHERE status IN ('reserved', 'submitted', 'unknown');
CREATE TRIGGER billing_payments_keep_their_key BEFORE UPDATE OF kind, invoice, retry, holder, amount, method, key
ON billing_payments
BEGIN SELECT RAISE(ABORT, 'a payment keeps its invoice, amount and key'); END;
CREATE TRIGGER billing_payments_are_never_deleted BEFORE DELETE ON billing_payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END;
