-- Orleans cluster membership on PostgreSQL (Microsoft.Orleans.Clustering.AdoNet 10.4.x, invariant "Npgsql").
--
-- The provider ships no SQL. When a silo or client starts it reads every row of OrleansQuery once and from then on
-- runs only those texts: it binds parameters by name (@DeploymentId is the ClusterId; @Address, @Port and @Generation
-- name a silo; @Version is the membership version the caller read) and reads result columns by name. So the contract is
-- the table and column names below, the query keys, the parameter names and the shape of each result; everything else
-- is ours. Identifiers are left unquoted on purpose: PostgreSQL folds them to lower case and Npgsql matches result
-- columns case-insensitively, which is how Orleans' mixed-case names find them.
--
-- Membership is optimistic: every change to a silo's row also moves the deployment's version row from the version the
-- writer read to the next one, or does nothing and answers 0 (Orleans then re-reads and retries). Heartbeats
-- (IAmAliveTime) are the only writes outside that protocol.

-- The query catalog, shared with 0003_orleans_reminders.sql.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);

-- One row per cluster (DeploymentId = ClusterId): the version every membership change must advance.
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150)   NOT NULL,
    Timestamp    timestamptz(3) NOT NULL DEFAULT now(),
    Version      integer        NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable PRIMARY KEY (DeploymentId)
);

-- One row per silo incarnation. Status holds Orleans' SiloStatus (3 = Active, 6 = Dead); SuspectTimes is Orleans' own
-- "silo,time|silo,time" list of suspicion votes, stored as it is given.
CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)   NOT NULL,
    Address      varchar(45)    NOT NULL,
    Port         integer        NOT NULL,
    Generation   integer        NOT NULL,
    SiloName     varchar(150)   NOT NULL,
    HostName     varchar(150)   NOT NULL,
    Status       integer        NOT NULL,
    ProxyPort    integer        NULL,
    SuspectTimes text           NULL,
    StartTime    timestamptz(3) NOT NULL,
    IAmAliveTime timestamptz(3) NOT NULL,
    CONSTRAINT PK_OrleansMembershipTable PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_OrleansMembershipTable_Version FOREIGN KEY (DeploymentId)
        REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

-- Adds a silo's row and advances the version, or does neither and returns 0. The version row is updated first: that
-- takes its row lock, so writers that read the same version queue up and all but the first find it moved on. A row that
-- already exists raises unique_violation, which the handler turns into 0 after rolling the version bump back.
CREATE FUNCTION orleans_membership_insert(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_silo_name       text,
    p_host_name       text,
    p_status          integer,
    p_proxy_port      integer,
    p_start_time      timestamptz,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, Timestamp = now()
     WHERE DeploymentId = p_deployment_id AND Version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive_time);
    RETURN 1;
EXCEPTION
    WHEN unique_violation THEN
        RETURN 0;
END
$body$;

-- Changes a silo's status and suspicion votes and advances the version, or does neither and returns 0 (stale version,
-- or no such silo: then no_data_found rolls the bump back). A heartbeat newer than the caller's copy is kept.
CREATE FUNCTION orleans_membership_update(
    p_deployment_id   text,
    p_address         text,
    p_port            integer,
    p_generation      integer,
    p_status          integer,
    p_suspect_times   text,
    p_i_am_alive_time timestamptz,
    p_version         integer)
RETURNS integer
LANGUAGE plpgsql
AS $body$
BEGIN
    UPDATE OrleansMembershipVersionTable
       SET Version = Version + 1, Timestamp = now()
     WHERE DeploymentId = p_deployment_id AND Version = p_version;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;

    UPDATE OrleansMembershipTable
       SET Status = p_status,
           SuspectTimes = p_suspect_times,
           IAmAliveTime = GREATEST(IAmAliveTime, p_i_am_alive_time)
     WHERE DeploymentId = p_deployment_id AND Address = p_address AND Port = p_port AND Generation = p_generation;
    IF NOT FOUND THEN
        RAISE no_data_found;
    END IF;
    RETURN 1;
EXCEPTION
    WHEN no_data_found THEN
        RETURN 0;
END
$body$;

-- The query texts. Each result that Orleans reads as a boolean is one row with one integer column (1 = done).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Creates the cluster's version row on first start; 0 when another silo already did.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId)
    VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT count(*)::integer FROM created;
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert(
    @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort,
    @StartTime, @IAmAliveTime, @Version);
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update(
    @DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes, @IAmAliveTime, @Version);
$q$),

-- A silo's heartbeat: one keyed write, outside the version protocol; Orleans ignores its result.
('UpdateIAmAlivetimeKey', $q$
UPDATE OrleansMembershipTable
   SET IAmAliveTime = @IAmAliveTime
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
$q$),

-- Both reads return the version row even when no silo row matches (then the silo columns are null), because Orleans
-- takes the table version from the first row.
('MembershipReadRowKey', $q$
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort, m.SuspectTimes,
       m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m
         ON m.DeploymentId = v.DeploymentId
        AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
 WHERE v.DeploymentId = @DeploymentId;
$q$),

('MembershipReadAllKey', $q$
SELECT m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort, m.SuspectTimes,
       m.StartTime, m.IAmAliveTime, v.Version
  FROM OrleansMembershipVersionTable v
  LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
 WHERE v.DeploymentId = @DeploymentId;
$q$),

-- What clients connect to: silos in @Status (Active) that accept clients.
('GatewaysQueryKey', $q$
SELECT Address, ProxyPort, Generation
  FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
$q$),

('DeleteMembershipTableEntriesKey', $q$
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
$q$),

-- Pruning of dead silos (Orleans runs it with now - DefunctSiloExpiration). Orleans 10.4 requires this key to exist but,
-- when CleanupDefunctSiloEntryKey below exists too, reads the table itself and deletes one captured row at a time with
-- that one instead. This set-based form serves providers that do not know the captured form: it only removes Dead
-- silos whose start and last heartbeat are both older than the cutoff.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Status = 6
   AND IAmAliveTime < @IAmAliveTime AND StartTime < @IAmAliveTime;
$q$),

-- Deletes one Dead row only if it still holds exactly the values Orleans read, so a concurrent change keeps it.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM OrleansMembershipTable
 WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
   AND Status = 6
   AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime
   AND coalesce(SuspectTimes, '') = coalesce(@SuspectTimes, '');
$q$);
