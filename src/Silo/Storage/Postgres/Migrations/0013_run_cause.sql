-- What started a triggered run: the trigger and the run whose end fired it (JSON of Routines.Client.RunCause). Null for
-- a run a caller started.
ALTER TABLE runs ADD COLUMN cause_json text;
