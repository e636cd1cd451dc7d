-- Lets the service tell, after its connection to PostgreSQL broke in the middle of a write, whether that write was
-- committed.
--
-- Each run store (one per service process) writes its batches through one connection, and every batch also sets the
-- store's row here to the batch's number, in the same transaction. When the connection breaks (a server restart or
-- failover, the network, a proxy), the batch may have been committed or not; once the old connection's server process
-- has ended, this row says which, so the store writes the batch again only when it was not committed, and no history
-- event or metric point is stored twice. A store deletes its row when it closes.
CREATE TABLE run_store_writers (
    writer     uuid PRIMARY KEY,
    last_batch bigint NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
