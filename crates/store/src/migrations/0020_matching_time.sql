-- Matching in time (issue 9): service types get a duration and a buffer; matching's copy of an
-- order keeps the timing it was placed with; workers get weekly hours and dated time off.
--
-- "Concurrent orders" capacity is retired: `matching_workers.capacity` keeps each worker's number,
-- now read as their daily maximum of orders (a worker who could hold 3 orders at once may take 3
-- a day). Existing service types and orders take an hour with no buffer; workers without hours
-- of their own follow the company's `matching.default_hours` (by default every hour of the week),
-- so an existing database goes on matching as before, except that one worker is no longer given
-- two orders at overlapping times.

ALTER TABLE service_types ADD COLUMN duration_minutes INTEGER NOT NULL DEFAULT 60
    CHECK (duration_minutes BETWEEN 1 AND 1440);
ALTER TABLE service_types ADD COLUMN buffer_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (buffer_minutes BETWEEN 0 AND 1440);

ALTER TABLE matching_orders ADD COLUMN duration_minutes INTEGER NOT NULL DEFAULT 60
    CHECK (duration_minutes BETWEEN 1 AND 1440);
ALTER TABLE matching_orders ADD COLUMN buffer_minutes INTEGER NOT NULL DEFAULT 0
    CHECK (buffer_minutes BETWEEN 0 AND 1440);

CREATE INDEX matching_orders_held ON matching_orders (worker_id, scheduled_at)
    WHERE status IN ('assigned', 'active');

CREATE TABLE matching_hours (
    worker_id INTEGER PRIMARY KEY REFERENCES matching_workers (worker_id),
    hours     TEXT    NOT NULL
) STRICT;

CREATE TABLE matching_time_off (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    worker_id INTEGER NOT NULL REFERENCES matching_workers (worker_id),
    starts_at TEXT    NOT NULL,
    ends_at   TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    CHECK (starts_at < ends_at)
) STRICT;

CREATE INDEX matching_time_off_by_end ON matching_time_off (ends_at);
CREATE INDEX matching_time_off_by_worker ON matching_time_off (worker_id, starts_at);
