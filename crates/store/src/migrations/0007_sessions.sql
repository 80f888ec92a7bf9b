-- Sessions end by themselves and have ids people can name (issue 13, "Accounts").
--
-- A login session gets an expiry time; a service token has none (NULL) and lasts until it is
-- revoked or rotated. Every session gets an id that is never reused (AUTOINCREMENT), so that
-- `crew account sessions revoke ID` ends the session that was listed and no later one. The table
-- is rebuilt for that (SQLite cannot add such a column); nothing references it.
--
-- Sessions opened before this migration had no lifetime. They get the default one (12 hours)
-- counted from when they were opened: one older than that has ended, and nobody stays logged in
-- for longer than 12 hours after the upgrade. Times keep the fixed-width form of every other
-- column (the fraction and the `Z` are taken over from `created_at`).
CREATE TABLE sessions_0007 (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT    NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('login', 'service_token')),
    created_at TEXT    NOT NULL,
    expires_at TEXT
) STRICT;

INSERT INTO sessions_0007 (token_hash, account_id, kind, created_at, expires_at)
SELECT token_hash, account_id, kind, created_at,
       CASE WHEN kind = 'login'
            THEN strftime('%Y-%m-%dT%H:%M:%S', created_at, '+12 hours') || substr(created_at, 20)
       END
FROM sessions
ORDER BY created_at, token_hash;

DROP TABLE sessions;
ALTER TABLE sessions_0007 RENAME TO sessions;
CREATE INDEX sessions_account ON sessions (account_id);
