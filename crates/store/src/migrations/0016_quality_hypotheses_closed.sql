-- Hypotheses a manager closed (tested, done, or dropped): one row per hypothesis, by its key (its
-- words in NFC, lower case, white space collapsed); closing again replaces the row. `reviews` is
-- the JSON list of [order, revision] that had raised it when it was closed: a review not in it
-- raising the hypothesis opens it again (nothing here is deleted by it).
CREATE TABLE quality_hypothesis_closures (
    key        TEXT    PRIMARY KEY,
    hypothesis TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    closed_by  INTEGER NOT NULL REFERENCES accounts (id),
    closed_at  TEXT    NOT NULL,
    reviews    TEXT    NOT NULL CHECK (json_valid(reviews))
) STRICT;
