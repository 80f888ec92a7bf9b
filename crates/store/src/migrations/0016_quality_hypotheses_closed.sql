-- Hypotheses a manager closed (tested, done, or dropped): one row per hypothesis, by its words in
-- lower case; closing again replaces the row. A review raising the hypothesis after it was closed
-- opens it again (quality compares the times; nothing here is deleted by it).
CREATE TABLE quality_hypothesis_closures (
    key        TEXT    PRIMARY KEY,
    hypothesis TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    closed_by  INTEGER NOT NULL REFERENCES accounts (id),
    closed_at  TEXT    NOT NULL
) STRICT;
