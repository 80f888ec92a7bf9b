-- Bets: managers' stakes on how an order ends, and each order's book ---------------------------
CREATE TABLE bets (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    manager_id INTEGER NOT NULL REFERENCES accounts (id),
    outcome    TEXT    NOT NULL CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    stake      INTEGER NOT NULL CHECK (stake > 0),
    placed_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX bets_by_order ON bets (order_id, id);
CREATE INDEX bets_by_manager ON bets (manager_id, id);
CREATE TRIGGER bets_are_never_changed BEFORE UPDATE ON bets
BEGIN SELECT RAISE(ABORT, 'a bet never changes'); END;
CREATE TRIGGER bets_are_never_deleted BEFORE DELETE ON bets
BEGIN SELECT RAISE(ABORT, 'a bet is never deleted'); END;

-- An order's betting: closed to new stakes (when, by whom), settled (how it ended, when).
CREATE TABLE bet_books (
    order_id   INTEGER PRIMARY KEY REFERENCES orders (id),
    closed_at  TEXT,
    closed_by  INTEGER REFERENCES accounts (id),
    outcome    TEXT CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    settled_at TEXT,
    CHECK ((outcome IS NULL) = (settled_at IS NULL))
) STRICT;
CREATE TRIGGER bet_books_are_never_deleted BEFORE DELETE ON bet_books
BEGIN SELECT RAISE(ABORT, 'a bet book is never deleted'); END;

-- The bets subscriber starts at the end of the log: no order had bets before.
INSERT INTO subscriptions (name, position)
VALUES ('bets.pools', (SELECT coalesce(max(seq), 0) FROM events))
ON CONFLICT (name) DO NOTHING;

-- The ledger learns two entry kinds, `stake` and `bet_settlement`. SQLite cannot change a CHECK
-- in place, so billing_entries is rebuilt with the same rows, indexes and triggers. Postings and
-- invoice lines refer to its rows: the foreign keys are deferred to the commit, by which time
-- every row is back under the same `seq`.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE billing_entries_0015 AS SELECT * FROM billing_entries;
DROP TABLE billing_entries;
CREATE TABLE billing_entries (
    seq       INTEGER PRIMARY KEY,
    id        TEXT    NOT NULL UNIQUE,
    kind      TEXT    NOT NULL CHECK (kind IN ('charge', 'earning', 'fine', 'award', 'reversal', 'collection', 'payout',
                                               'stake', 'bet_settlement')),
    at        TEXT    NOT NULL,
    order_id  INTEGER REFERENCES orders (id),
    cause     INTEGER REFERENCES events (seq),
    actor     INTEGER REFERENCES accounts (id),
    memo      TEXT    NOT NULL
) STRICT;
INSERT INTO billing_entries (seq, id, kind, at, order_id, cause, actor, memo)
SELECT seq, id, kind, at, order_id, cause, actor, memo FROM billing_entries_0015 ORDER BY seq;
DROP TABLE billing_entries_0015;
CREATE INDEX billing_entries_at ON billing_entries (at, seq);
CREATE INDEX billing_entries_order ON billing_entries (order_id) WHERE order_id IS NOT NULL;
CREATE TRIGGER billing_entries_are_never_updated BEFORE UPDATE ON billing_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal'); END;
CREATE TRIGGER billing_entries_are_never_deleted BEFORE DELETE ON billing_entries
BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable: post a reversal'); END;
