-- Billing: the managers' monthly cycle ---------------------------------------------------------
-- Closed periods and invoices learn a third cycle, `manager` (a manager's net from bets, settled
-- monthly). SQLite cannot change a CHECK in place: both tables are rebuilt with the same rows,
-- indexes and triggers. Invoice lines and payments refer to invoices: the foreign keys are
-- deferred to the commit, by which time every invoice is back under its number.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE billing_periods_0016 AS SELECT * FROM billing_periods;
DROP TABLE billing_periods;
CREATE TABLE billing_periods (
    cycle     TEXT    NOT NULL CHECK (cycle IN ('client', 'worker', 'manager')),
    period    TEXT    NOT NULL,
    until     TEXT    NOT NULL,
    closed_at TEXT    NOT NULL,
    closed_by INTEGER REFERENCES accounts (id),
    invoices  INTEGER NOT NULL CHECK (invoices >= 0),
    total     INTEGER NOT NULL,
    PRIMARY KEY (cycle, period)
) STRICT;
INSERT INTO billing_periods (cycle, period, until, closed_at, closed_by, invoices, total)
SELECT cycle, period, until, closed_at, closed_by, invoices, total FROM billing_periods_0016;
DROP TABLE billing_periods_0016;
CREATE TRIGGER billing_periods_are_never_updated BEFORE UPDATE ON billing_periods
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;
CREATE TRIGGER billing_periods_are_never_deleted BEFORE DELETE ON billing_periods
BEGIN SELECT RAISE(ABORT, 'a closed period never changes'); END;

CREATE TEMP TABLE billing_invoices_0016 AS SELECT * FROM billing_invoices;
DROP TABLE billing_invoices;
CREATE TABLE billing_invoices (
    number    INTEGER PRIMARY KEY CHECK (number >= 1),
    cycle     TEXT    NOT NULL CHECK (cycle IN ('client', 'worker', 'manager')),
    holder    INTEGER NOT NULL REFERENCES accounts (id),
    period    TEXT    NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount > 0),
    entries   INTEGER NOT NULL CHECK (entries >= 0),
    issued_at TEXT    NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('issued', 'paid', 'failed')),
    UNIQUE (cycle, holder, period)
) STRICT;
INSERT INTO billing_invoices (number, cycle, holder, period, amount, entries, issued_at, status)
SELECT number, cycle, holder, period, amount, entries, issued_at, status FROM billing_invoices_0016 ORDER BY number;
DROP TABLE billing_invoices_0016;
CREATE TRIGGER billing_invoices_are_never_deleted BEFORE DELETE ON billing_invoices
BEGIN SELECT RAISE(ABORT, 'invoices are never deleted'); END;
CREATE TRIGGER billing_invoices_keep_their_content BEFORE UPDATE OF number, cycle, holder, period, amount, entries, issued_at
ON billing_invoices
BEGIN SELECT RAISE(ABORT, 'an invoice only changes its status'); END;
