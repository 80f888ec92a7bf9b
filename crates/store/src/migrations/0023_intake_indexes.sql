-- Indexes an intake paid for and no query needs (issue 8, BENCHMARKS.md "Intake": each index of
-- the flood's rows measured on its own).
--
-- `events_at`: no SQLite plan reads it. The only query that filters the log by time
-- (`find_events`, `crew events list --since`) is prepared once with its filters as parameters
-- (`?2 IS NULL OR at >= ?2`), so SQLite plans it without knowing them and walks the log in `seq`
-- order from `--after` (its rowid), which it does with or without this index. Every event paid
-- ~33 bytes and a b-tree insert for it.
DROP INDEX IF EXISTS events_at;

-- `applications_status`: the only query that looks applications up by status is
-- `applications_holding_test` (may a test still be edited or deleted?), for the two statuses of
-- an application holding tests. Every new application ('applied') entered the full index; the
-- partial one below holds only applications with tests, and that query names the same condition
-- so SQLite uses it. `crew hiring list --status` reads the table in id order either way (its
-- filter is a parameter).
DROP INDEX IF EXISTS applications_status;
CREATE INDEX applications_holding_tests ON applications (status)
    WHERE status = 'tests_assigned' OR status = 'tests_submitted';
