-- The installation key (crates/core/src/kernel/installation.rs): random, made once by the
-- database itself (also when this migration runs on an older database), never changed. Outside
-- services' idempotency keys start with it.
CREATE TABLE installation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key TEXT NOT NULL CHECK (length(key) = 16 AND key NOT GLOB '*[^0-9a-f]*')
);
INSERT INTO installation (id, key) VALUES (1, lower(hex(randomblob(8))));
CREATE TRIGGER installation_key_never_changes BEFORE UPDATE ON installation
BEGIN
    SELECT RAISE(ABORT, 'the installation key never changes');
END;
CREATE TRIGGER installation_key_never_deleted BEFORE DELETE ON installation
BEGIN
    SELECT RAISE(ABORT, 'the installation key never changes');
END;
