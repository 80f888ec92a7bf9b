-- Billing: the cycles -------------------------------------------------------------------------
-- Closed periods: a week of the client cycle (`2026-W49`) or a month of the worker cycle
-- (`2026-11`), closed once; what they came to, as closed, for `crew billing verify`.
CREATE TABLE billing_periods (
    cycle     TEXT    NOT NULL CHECK (cycle IN ('client', 'worker')),
    period    TEXT    NOT NULL,
    until     TEXT    NOT NULL,
    closed_at TEXT    NOT NULL,
    closed_by INTEGER REFERENCES accounts (id),
    invoices  INTEGER NOT NULL CHECK (invoices >= 0),
    total     INTEGER NOT NULL,
    PRIMARY KEY (cycle, period)
) STRICT;
CREATE TRIGGER billing_periods_are_never_updated BEFORE UPDATE ON billing_periods
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;
CREATE TRIGGER billing_periods_are_never_deleted BEFORE DELETE ON billing_periods
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;

-- Invoices, numbered without gaps (the next number is the highest plus one, taken under the write
-- lock; none is ever deleted). One per cycle, holder and period.
CREATE TABLE billing_invoices (
    number    INTEGER PRIMARY KEY CHECK (number >= 1),
    cycle     TEXT    NOT NULL CHECK (cycle IN ('client', 'worker')),
    holder    INTEGER NOT NULL REFERENCES accounts (id),
    period    TEXT    NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    entries   INTEGER NOT NULL CHECK (entries >= 0),
    issued_at TEXT    NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('issued', 'paid', 'failed')),
    UNIQUE (cycle, holder, period)
) STRICT;
CREATE TRIGGER billing_invoices_are_never_deleted BEFORE DELETE ON billing_invoices
BEGIN SELECT RAISE(ABORT, 'invoices are never deleted'); END;
CREATE TRIGGER billing_invoices_keep_their_content BEFORE UPDATE OF number, cycle, holder, period, amount, entries, issued_at
ON billing_invoices
BEGIN SELECT RAISE(ABORT, 'an invoice only changes its status'); END;

-- Which entries each invoice covers: an entry is on one invoice at most.
CREATE TABLE billing_invoice_entries (
    invoice   INTEGER NOT NULL REFERENCES billing_invoices (number),
    entry_seq INTEGER NOT NULL UNIQUE REFERENCES billing_entries (seq),
    PRIMARY KEY (invoice, entry_seq)
) STRICT;
CREATE TRIGGER billing_invoice_entries_are_never_changed BEFORE UPDATE ON billing_invoice_entries
BEGIN SELECT RAISE(ABORT, 'an invoice''s entries never change'); END;
CREATE TRIGGER billing_invoice_entries_are_never_deleted BEFORE DELETE ON billing_invoice_entries
BEGIN SELECT RAISE(ABORT, 'an invoice''s entries never change'); END;

-- Collections and payouts: one per invoice, with the idempotency key every attempt sends.
CREATE TABLE billing_payments (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('collection', 'payout')),
    invoice    INTEGER NOT NULL UNIQUE REFERENCES billing_invoices (number),
    holder     INTEGER NOT NULL REFERENCES accounts (id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    method     TEXT    NOT NULL,
    key        TEXT    NOT NULL UNIQUE,
    status     TEXT    NOT NULL CHECK (status IN ('reserved', 'submitted', 'confirmed', 'failed', 'unknown')),
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    service_id TEXT,
    note       TEXT,
    updated_at TEXT    NOT NULL
) STRICT;
CREATE INDEX billing_payments_open ON billing_payments (status) WHERE status IN ('reserved', 'submitted', 'unknown');
CREATE TRIGGER billing_payments_keep_their_key BEFORE UPDATE OF kind, invoice, holder, amount, method, key
ON billing_payments
BEGIN SELECT RAISE(ABORT, 'a payment keeps its invoice, amount and key'); END;
CREATE TRIGGER billing_payments_are_never_deleted BEFORE DELETE ON billing_payments
BEGIN SELECT RAISE(ABORT, 'payments are never deleted'); END;
