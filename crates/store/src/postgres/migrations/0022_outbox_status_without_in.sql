-- The twin of SQLite's 0022: there, the outbox's status CHECK lost its `IN (…)` list, which SQLite
-- checks with a temporary table on every insert. PostgreSQL checks an `IN` list as a plain
-- comparison, so its CHECK stays as the baseline wrote it: the same three statuses are allowed.
-- Nothing changes here; the schema version moves with SQLite's.
SELECT 1;
