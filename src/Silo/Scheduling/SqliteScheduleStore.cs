using Microsoft.Data.Sqlite;
using Routines.Client;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Silo.Scheduling;

/// <summary>Schedules in the embedded store's SQLite file, in tables of their own.</summary>
internal sealed class SqliteScheduleStore(string path) : IScheduleStore
{
    readonly SqliteSideTable _tables = new(path, """
        CREATE TABLE IF NOT EXISTS schedules (
            name TEXT PRIMARY KEY, schedule TEXT NOT NULL, paused INTEGER NOT NULL, declared INTEGER NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_tick TEXT NULL, last_run_id TEXT NULL, buffered_tick TEXT NULL);
        CREATE TABLE IF NOT EXISTS schedule_ticks (
            schedule_name TEXT NOT NULL, tick_at TEXT NOT NULL, outcome INTEGER NOT NULL, run_id TEXT NULL, reason TEXT NULL,
            recorded_at TEXT NOT NULL, count INTEGER NOT NULL, last_tick_at TEXT NULL, PRIMARY KEY (schedule_name, tick_at));
        """);

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = await _tables.CommandAsync(
            "SELECT schedule, paused, declared, created_at, updated_at, last_tick, last_run_id, buffered_tick FROM schedules ORDER BY name", cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var schedules = new List<ScheduleInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            schedules.Add(new ScheduleInfo
            {
                Schedule = StoredSchedule.Read(reader.GetString(0)), Paused = reader.GetInt64(1) != 0, Declared = reader.GetInt64(2) != 0,
                CreatedAt = Time(reader, 3)!.Value, UpdatedAt = Time(reader, 4)!.Value, LastTick = Time(reader, 5),
                LastRunId = reader.IsDBNull(6) ? null : reader.GetString(6), BufferedTick = Time(reader, 7),
            });
        }

        return schedules;
    }

    public async Task SaveAsync(ScheduleInfo schedule, IReadOnlyList<ScheduleTick> ticks, CancellationToken cancellationToken = default)
    {
        await using var connection = await _tables.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO schedules (name, schedule, paused, declared, created_at, updated_at, last_tick, last_run_id, buffered_tick)
                VALUES ($name, $schedule, $paused, $declared, $created, $updated, $last, $run, $buffered)
                ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule, paused = excluded.paused, declared = excluded.declared,
                    updated_at = excluded.updated_at, last_tick = excluded.last_tick, last_run_id = excluded.last_run_id,
                    buffered_tick = excluded.buffered_tick
                """;
            upsert.Parameters.AddWithValue("$name", schedule.Schedule.Name);
            upsert.Parameters.AddWithValue("$schedule", StoredSchedule.Write(schedule.Schedule));
            upsert.Parameters.AddWithValue("$paused", schedule.Paused ? 1 : 0);
            upsert.Parameters.AddWithValue("$declared", schedule.Declared ? 1 : 0);
            upsert.Parameters.AddWithValue("$created", Text(schedule.CreatedAt));
            upsert.Parameters.AddWithValue("$updated", Text(schedule.UpdatedAt));
            upsert.Parameters.AddWithValue("$last", Text(schedule.LastTick));
            upsert.Parameters.AddWithValue("$run", (object?)schedule.LastRunId ?? DBNull.Value);
            upsert.Parameters.AddWithValue("$buffered", Text(schedule.BufferedTick));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var tick in ticks)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO schedule_ticks (schedule_name, tick_at, outcome, run_id, reason, recorded_at, count, last_tick_at)
                VALUES ($name, $tick, $outcome, $run, $reason, $recorded, $count, $last) ON CONFLICT DO NOTHING
                """;
            insert.Parameters.AddWithValue("$name", schedule.Schedule.Name);
            insert.Parameters.AddWithValue("$tick", Text(tick.TickAt));
            insert.Parameters.AddWithValue("$outcome", (int)tick.Outcome + 1);
            insert.Parameters.AddWithValue("$run", (object?)tick.RunId ?? DBNull.Value);
            insert.Parameters.AddWithValue("$reason", (object?)tick.Reason ?? DBNull.Value);
            insert.Parameters.AddWithValue("$recorded", Text(tick.RecordedAt));
            insert.Parameters.AddWithValue("$count", tick.Count);
            insert.Parameters.AddWithValue("$last", Text(tick.LastTickAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = await _tables.CommandAsync(
            "DELETE FROM schedule_ticks WHERE schedule_name = $name; DELETE FROM schedules WHERE name = $name",
            cancellationToken, ("$name", name));
        // The count is both statements': a schedule's row is the last one removed, so there was one when any went.
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<ScheduleTick>> ListTicksAsync(string name, int take, CancellationToken cancellationToken = default)
    {
        await using var command = await _tables.CommandAsync("""
            SELECT tick_at, outcome, run_id, reason, recorded_at, count, last_tick_at FROM schedule_ticks
            WHERE schedule_name = $name ORDER BY tick_at DESC LIMIT $take
            """, cancellationToken, ("$name", name), ("$take", take));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ticks = new List<ScheduleTick>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks.Add(new ScheduleTick(Time(reader, 0)!.Value, (ScheduleTickOutcome)(reader.GetInt64(1) - 1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                Time(reader, 4)!.Value, (int)reader.GetInt64(5), Time(reader, 6)));
        }

        return ticks;
    }

    public async Task ForgetTicksAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken = default)
    {
        await using var command = await _tables.CommandAsync("DELETE FROM schedule_ticks WHERE recorded_at < $before", cancellationToken,
            ("$before", Text(recordedBefore)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    // UTC and fixed width ("O" of an offset-0 time), so the text sorts as the times do.
    static object Text(DateTimeOffset? time) => time is { } t ? t.ToUniversalTime().ToString("O") : DBNull.Value;

    static DateTimeOffset? Time(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : DateTimeOffset.Parse(reader.GetString(column));
}
