-- The run store's writer keeps run_counts itself, in the statement that writes the runs (decision #73): each run it
-- replaces keeps the status it had before (previous_status), which the statement returns and counts. The insert and
-- update triggers of 0011 copied every written row, old and new, into their transition tables: the widest part of
-- a write's cost once a run carried its policy and trace. Removals (retention) still count down by their trigger.
ALTER TABLE runs ADD COLUMN previous_status text;
DROP TRIGGER runs_counted_insert ON runs;
DROP TRIGGER runs_counted_update ON runs;
DROP FUNCTION run_counts_updated();
