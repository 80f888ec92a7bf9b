-- Mail --------------------------------------------------------------------------------------
-- The outbox: one row per mail, unique per cause, so a cause can never queue two mails.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    cause           TEXT    NOT NULL UNIQUE,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- The notifications subscriber starts at the end of the log: a database that existed before mail
-- does not mail its whole history.
INSERT INTO subscriptions (name, position)
VALUES ('mail.notifications', (SELECT coalesce(max(seq), 0) FROM events))
ON CONFLICT (name) DO NOTHING;
