-- Orleans reminders on PostgreSQL (Microsoft.Orleans.Reminders.AdoNet 10.4.x, invariant "Npgsql").
--
-- Like clustering (0002_orleans_clustering.sql, which creates OrleansQuery), the provider loads its query texts from
-- OrleansQuery at start, binds parameters by name and reads result columns by name; the table, its columns, the keys,
-- the parameter names and the result shapes below are that contract. Parameters: @ServiceId (ClusterOptions.ServiceId),
-- @GrainId (GrainId as text), @ReminderName, @StartTime (UTC), @Period (milliseconds), @GrainHash (the grain's uniform
-- hash as a signed integer), @BeginHash/@EndHash (a ring range, signed), @Version (the reminder's etag).

CREATE TABLE OrleansRemindersTable
(
    ServiceId    varchar(150)   NOT NULL,
    GrainId      varchar(150)   NOT NULL,
    ReminderName varchar(150)   NOT NULL,
    StartTime    timestamptz(3) NOT NULL,
    Period       bigint         NOT NULL,
    GrainHash    integer        NOT NULL,
    Version      integer        NOT NULL,
    CONSTRAINT PK_OrleansRemindersTable PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

-- Each silo's reminder service loads the reminders of the ring range it owns, on start and whenever the ring changes.
CREATE INDEX IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

-- Registers or re-registers a reminder; returns its new etag (0 for a new reminder, then +1 per update).
('UpsertReminderRowKey', $q$
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
   SET StartTime = excluded.StartTime,
       Period = excluded.Period,
       GrainHash = excluded.GrainHash,
       Version = r.Version + 1
RETURNING r.Version;
$q$),

-- Removes a reminder if its etag still matches; one row, one integer column (1 = removed).
('DeleteReminderRowKey', $q$
WITH removed AS (
    DELETE FROM OrleansRemindersTable
     WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1
)
SELECT count(*)::integer FROM removed;
$q$),

('DeleteReminderRowsKey', $q$
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
$q$),

('ReadReminderRowKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
$q$),

('ReadReminderRowsKey', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
$q$),

-- A range that does not wrap around the ring: (@BeginHash, @EndHash].
('ReadRangeRows1Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
$q$),

-- A range that wraps (or the whole ring, when @BeginHash = @EndHash): above @BeginHash or up to @EndHash.
('ReadRangeRows2Key', $q$
SELECT GrainId, ReminderName, StartTime, Period, Version
  FROM OrleansRemindersTable
 WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
$q$);
