-- Mail classes: transactional mail (orders, accounts, activation: rank 0) is always sent before
-- bulk mail (intake acknowledgements, digests: rank 1); within a class, the oldest first.
ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1));

-- What was already queued of hiring's acknowledgements and digests is bulk.
UPDATE outbox SET priority = 1
WHERE cause GLOB 'event:*:application_received' OR cause GLOB 'event:*:applications_arrived*';

-- The queue in the order it is served. It replaces the index by status and time, which no query
-- uses any more: one index fewer to maintain for each of a flood's acknowledgements.
CREATE INDEX outbox_queue ON outbox (priority, id) WHERE status = 'queued';
DROP INDEX outbox_due;

-- Hiring: the tally of each hour's intake (new and updated applications), for the managers'
-- digest: one mail per hour, however many applications arrive one by one.
CREATE TABLE intake_hours (
    hour     TEXT    PRIMARY KEY,
    received INTEGER NOT NULL CHECK (received >= 0),
    updated  INTEGER NOT NULL CHECK (updated >= 0)
) STRICT;
