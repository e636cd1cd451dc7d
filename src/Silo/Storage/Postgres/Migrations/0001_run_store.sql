-- The run store: run records and their status history, log lines, metric points, and the task result cache.
-- Columns mirror the SQLite store's (src/Silo/Storage/Sqlite/SqliteRunStore.cs) so both stores keep the same facts.
--
-- Times are timestamptz (UTC instants, stored to the millisecond like the SQLite store's Unix milliseconds).
-- JSON is text, so a document reads back byte for byte as it was written.
-- Ids and routine names use the "C" collation: they sort byte-wise, as in SQLite, whatever the database's locale, and
-- ILIKE folds ASCII case only, as SQLite's LIKE does.

CREATE TABLE runs (
    run_id              text COLLATE "C" PRIMARY KEY,
    routine_id          text NOT NULL,
    routine_name        text COLLATE "C" NOT NULL,
    routine_version     text NOT NULL,
    kind                text NOT NULL,
    status              text NOT NULL,
    attempt             integer NOT NULL,
    max_attempts        integer NOT NULL,
    input_json          text NOT NULL,
    output_json         text,
    error_json          text,
    parent_run_id       text COLLATE "C",
    root_run_id         text COLLATE "C" NOT NULL,
    parent_attempt      integer NOT NULL,
    created_at          timestamptz NOT NULL,
    started_at          timestamptz,
    finished_at         timestamptz,
    worker              text,
    cached_from_run_id  text,
    wait_reason         text,
    progress_current    bigint,
    progress_total      bigint,
    progress_message    text,
    progress_updated_at timestamptz,
    options_json        text
);

-- Each index ends in (created_at, run_id) so a filtered list is read in order, newest first, without a sort.
CREATE INDEX ix_runs_created_at   ON runs (created_at, run_id);
CREATE INDEX ix_runs_status       ON runs (status, created_at, run_id);
CREATE INDEX ix_runs_routine_name ON runs (routine_name, created_at, run_id);
CREATE INDEX ix_runs_root         ON runs (root_run_id, created_at, run_id);
CREATE INDEX ix_runs_parent       ON runs (parent_run_id, created_at, run_id) WHERE parent_run_id IS NOT NULL;
-- The console lists root runs by default; IS NULL does not fix the order of a composite index, a partial one does.
CREATE INDEX ix_runs_roots        ON runs (created_at, run_id) WHERE parent_run_id IS NULL;

CREATE TABLE run_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id  text COLLATE "C" NOT NULL,
    ts      timestamptz NOT NULL,
    status  text NOT NULL,
    attempt integer NOT NULL,
    worker  text,
    reason  text
);
CREATE INDEX ix_run_events_run ON run_events (run_id, id);

CREATE TABLE run_logs (
    run_id  text COLLATE "C" NOT NULL,
    seq     bigint NOT NULL,
    ts      timestamptz NOT NULL,
    level   integer NOT NULL,
    message text NOT NULL,
    attempt integer NOT NULL,
    PRIMARY KEY (run_id, seq)
);

CREATE TABLE run_metrics (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id text COLLATE "C" NOT NULL,
    name   text NOT NULL,
    step   bigint NOT NULL,
    value  double precision NOT NULL, -- PostgreSQL keeps NaN and the infinities as they are
    ts     timestamptz NOT NULL
);
CREATE INDEX ix_run_metrics_run ON run_metrics (run_id, id);

CREATE TABLE task_cache (
    key         text COLLATE "C" PRIMARY KEY,
    routine_id  text NOT NULL,
    output_json text NOT NULL,
    run_id      text NOT NULL,
    created_at  timestamptz NOT NULL
);
