-- Billing: the double-entry ledger ------------------------------------------------------------
-- Journal entries with client-chosen ids; their postings sum to zero (checked by crew, verified
-- by `crew billing verify`). Entries and postings are immutable: triggers refuse UPDATE and DELETE,
-- so a mistake is corrected only by a reversing entry.
CREATE TABLE billing_entries (
    seq       INTEGER PRIMARY KEY,
    id        TEXT    NOT NULL UNIQUE,
    kind      TEXT    NOT NULL CHECK (kind IN ('charge', 'earning', 'fine', 'award', 'reversal', 'collection', 'payout')),
    at        TEXT    NOT NULL,
    order_id  INTEGER REFERENCES orders (id),
    cause     INTEGER REFERENCES events (seq),
    actor     INTEGER REFERENCES accounts (id),
    memo      TEXT    NOT NULL
) STRICT;
CREATE INDEX billing_entries_at ON billing_entries (at, seq);
CREATE INDEX billing_entries_order ON billing_entries (order_id) WHERE order_id IS NOT NULL;

-- Amounts in cents: positive a debit, negative a credit. One posting per account per entry.
CREATE TABLE billing_postings (
    entry_seq INTEGER NOT NULL REFERENCES billing_entries (seq),
    line      INTEGER NOT NULL CHECK (line >= 1),
    account   TEXT    NOT NULL,
    amount    INTEGER NOT NULL CHECK (amount != 0),
    PRIMARY KEY (entry_seq, line),
    UNIQUE (entry_seq, account)
) STRICT;
CREATE INDEX billing_postings_account ON billing_postings (account, entry_seq);

CREATE TRIGGER billing_entries_are_never_updated BEFORE UPDATE ON billing_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal'); END;
CREATE TRIGGER billing_entries_are_never_deleted BEFORE DELETE ON billing_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal'); END;
CREATE TRIGGER billing_postings_are_never_updated BEFORE UPDATE ON billing_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable: post a reversal'); END;
CREATE TRIGGER billing_postings_are_never_deleted BEFORE DELETE ON billing_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable: post a reversal'); END;

-- Each account's debits and credits (cents, both zero or more), kept in the postings' transaction.
CREATE TABLE billing_balances (
    account TEXT    PRIMARY KEY,
    debits  INTEGER NOT NULL CHECK (debits >= 0),
    credits INTEGER NOT NULL CHECK (credits >= 0)
) STRICT;

-- The ledger subscriber starts at the end of the log: a database that existed before billing
-- does not charge its whole history.
INSERT INTO subscriptions (name, position)
VALUES ('billing.ledger', (SELECT coalesce(max(seq), 0) FROM events))
ON CONFLICT (name) DO NOTHING;
