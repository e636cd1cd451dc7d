-- Lets a run's status changes update its row in place.
--
-- A run's record is written three times (Pending, Running, its result), and the status is the only indexed column that
-- changes. While an index covered it, every write added an entry to each of the table's seven indexes; without one,
-- PostgreSQL can make the update "heap-only" (HOT): the new row version goes on the same page and no index changes.
-- The free room on each page that HOT needs comes from the fill factor (new rows fill a page only half way).
--
-- What reads by status instead: the console's status filter walks ix_runs_created_at newest first and skips the rows
-- of other statuses (it stops at the page size it was asked for); the service's recovery after a restart, which lists
-- Pending and Running runs once, scans the table.
DROP INDEX IF EXISTS ix_runs_status;
ALTER TABLE runs SET (fillfactor = 50);
