-- The console's search (any part of a run id, in any case) through a trigram index, so that it reads the runs whose id
-- matches rather than testing the pattern on every run, newest first, until a page is full (seconds at ten million
-- runs when the matches are old). A routine name match needs no index here: the store looks the few matching names up
-- in run_counts and reads ix_runs_routine_name.
--
-- pg_trgm ships with PostgreSQL's contrib packages (and the official images) and is a trusted extension, so the
-- database's owner may create it. Where it is not installed or not allowed, the search still works, by that walk; run
-- this file's statements by hand once it is, to get the index.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX ix_runs_run_id_trigrams ON runs USING gin (run_id gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'No trigram index for the run search (%): it reads the runs table instead', SQLERRM;
END $$;
