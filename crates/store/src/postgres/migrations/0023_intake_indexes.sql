-- The twin of SQLite's 0023, which dropped two indexes an intake paid for.
--
-- `applications_status` gives way to a partial index of the applications holding tests, as in
-- SQLite: the only lookup by status (`applications_holding_test`) asks for those two statuses, and
-- every new application ('applied') no longer enters an index.
DROP INDEX IF EXISTS applications_status;
CREATE INDEX applications_holding_tests ON applications (status)
    WHERE status = 'tests_assigned' OR status = 'tests_submitted';
-- `events_at` stays here: PostgreSQL plans `crew events list --since` with the time it is given
-- (a custom plan for the first executions of a prepared statement), and may read this index.
