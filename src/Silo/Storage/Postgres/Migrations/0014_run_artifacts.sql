-- Lineage: which run produced (2), read (1), took as input (0) or returned (3) which artifact. Kept while its run is;
-- the artifacts no line holds are what retention may remove from the artifact store.
CREATE TABLE run_artifacts (
    hash        text COLLATE "C" NOT NULL,
    run_id      text COLLATE "C" NOT NULL,
    role        smallint    NOT NULL,
    routine_id  text        NOT NULL,
    size        bigint      NOT NULL,
    media_type  text        NOT NULL,
    name        text,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (hash, run_id, role)
);
CREATE INDEX run_artifacts_run ON run_artifacts (run_id);
