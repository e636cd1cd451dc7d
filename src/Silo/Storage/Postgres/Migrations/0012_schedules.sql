-- Schedules: the schedule as its client gave it (JSON of Routines.Client.Schedule), and its state. last_tick is the
-- latest tick started or skipped: ticks after it are still to come, which is how a restarted service knows what it
-- missed. A tick's run id derives from the schedule's name and the tick, so a tick fired again after a crash between
-- its run's submit and this row's update finds its run instead of starting a second one.
CREATE TABLE schedules (
    name          text PRIMARY KEY,
    schedule      jsonb NOT NULL,
    paused        boolean NOT NULL,
    declared      boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    last_tick     timestamptz NULL,
    last_run_id   text NULL,
    buffered_tick timestamptz NULL
);

-- What became of each tick (1 started, 2 skipped, 3 failed); a range of skipped ticks is one row with its count and last tick.
CREATE TABLE schedule_ticks (
    schedule_name text NOT NULL,
    tick_at       timestamptz NOT NULL,
    outcome       smallint NOT NULL,
    run_id        text NULL,
    reason        text NULL,
    recorded_at   timestamptz NOT NULL,
    count         integer NOT NULL,
    last_tick_at  timestamptz NULL,
    PRIMARY KEY (schedule_name, tick_at)
);
