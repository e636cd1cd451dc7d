-- Runs removed by the retention policy (Routines:Service:Retention), remembered for a while so that a request for one
-- is told it was removed, and when, rather than that it never existed.
CREATE TABLE removed_runs (
    run_id     text COLLATE "C" PRIMARY KEY,
    removed_at timestamptz NOT NULL
);
CREATE INDEX ix_removed_runs_removed_at ON removed_runs (removed_at);
