-- A run's effective policy (retry, timeout, cache, execution), resolved once at submit and kept with the run, so a
-- routine whose attributes change later does not change how its earlier runs retry or time out. Null for runs
-- recorded before: the service resolves theirs from their options and the routine's declaration, as it did then.
ALTER TABLE runs ADD COLUMN policy_json text;
