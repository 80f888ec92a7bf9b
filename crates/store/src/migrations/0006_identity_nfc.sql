-- Identity keys (logins, account emails, application emails) are in Unicode NFC from now on: crew
-- normalises every key it reads from people, so a key stored in another form (`e` + U+0301 for
-- `é`) could no longer be found. `crew_nfc` is the same normalisation, registered by migrate.rs.
--
-- Keys are rewritten to NFC, except where two rows would then hold the same key: such rows are
-- merged by nobody. They are listed in identity_clashes with the key each held, and crew warns
-- admins about them until an admin has kept one (docs/formats.md, "One form of Unicode"). So that
-- every row can still be read, changed and named, an account among them whose login is not in NFC
-- gets a login that can be typed, `unicode-clash-<id>`, and one whose email is not in NFC keeps no
-- email if another account holds that address in NFC (the same mailbox: no mail is lost).

CREATE TABLE identity_clashes (
    kind           TEXT    NOT NULL CHECK (kind IN ('account', 'application')),
    -- The NFC form the rows of one clash share.
    key            TEXT    NOT NULL,
    row_id         INTEGER NOT NULL,
    -- What the row held before this migration.
    original_login TEXT,
    original_email TEXT,
    PRIMARY KEY (kind, row_id)
) STRICT;

INSERT OR IGNORE INTO identity_clashes (kind, key, row_id, original_login, original_email)
SELECT 'account', crew_nfc(login), id, login, email FROM accounts
WHERE crew_nfc(login) IN (SELECT crew_nfc(login) FROM accounts GROUP BY 1 HAVING count(*) > 1);

INSERT OR IGNORE INTO identity_clashes (kind, key, row_id, original_login, original_email)
SELECT 'account', crew_nfc(email), id, login, email FROM accounts
WHERE email IS NOT NULL
  AND crew_nfc(email) IN (SELECT crew_nfc(email) FROM accounts WHERE email IS NOT NULL GROUP BY 1 HAVING count(*) > 1);

INSERT OR IGNORE INTO identity_clashes (kind, key, row_id, original_email)
SELECT 'application', crew_nfc(email), id, email FROM applications
WHERE crew_nfc(email) IN (SELECT crew_nfc(email) FROM applications GROUP BY 1 HAVING count(*) > 1);

UPDATE accounts SET login = crew_nfc(login)
WHERE login <> crew_nfc(login) AND id NOT IN (SELECT row_id FROM identity_clashes WHERE kind = 'account');

UPDATE accounts SET email = crew_nfc(email)
WHERE email <> crew_nfc(email) AND id NOT IN (SELECT row_id FROM identity_clashes WHERE kind = 'account');

UPDATE accounts SET login = 'unicode-clash-' || id
WHERE login <> crew_nfc(login) AND id IN (SELECT row_id FROM identity_clashes WHERE kind = 'account');

-- Of the clashing accounts' emails not in NFC: none where an account holds the NFC form already;
-- else the lowest id of each gets the NFC form, and the others none.
UPDATE accounts SET email = NULL
WHERE email <> crew_nfc(email) AND id IN (SELECT row_id FROM identity_clashes WHERE kind = 'account')
  AND crew_nfc(email) IN (SELECT email FROM accounts WHERE email = crew_nfc(email));

UPDATE accounts SET email = crew_nfc(email)
WHERE id IN (
    SELECT min(id) FROM accounts
    WHERE email <> crew_nfc(email) AND id IN (SELECT row_id FROM identity_clashes WHERE kind = 'account')
    GROUP BY crew_nfc(email)
);

UPDATE accounts SET email = NULL
WHERE email <> crew_nfc(email) AND id IN (SELECT row_id FROM identity_clashes WHERE kind = 'account');

UPDATE applications SET email = crew_nfc(email)
WHERE email <> crew_nfc(email) AND id NOT IN (SELECT row_id FROM identity_clashes WHERE kind = 'application');
