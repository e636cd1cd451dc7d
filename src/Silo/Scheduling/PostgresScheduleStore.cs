using Npgsql;
using NpgsqlTypes;
using Routines.Client;

namespace Routines.Silo.Scheduling;

/// <summary>Schedules in the cluster's PostgreSQL database (tables <c>schedules</c> and <c>schedule_ticks</c>, migration 0012).</summary>
internal sealed class PostgresScheduleStore(string connectionString) : IScheduleStore, IAsyncDisposable
{
    readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand(
            "SELECT schedule::text, paused, declared, created_at, updated_at, last_tick, last_run_id, buffered_tick FROM schedules ORDER BY name");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var schedules = new List<ScheduleInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            schedules.Add(new ScheduleInfo
            {
                Schedule = StoredSchedule.Read(reader.GetString(0)), Paused = reader.GetBoolean(1), Declared = reader.GetBoolean(2),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(3), UpdatedAt = reader.GetFieldValue<DateTimeOffset>(4),
                LastTick = Nullable(reader, 5), LastRunId = reader.IsDBNull(6) ? null : reader.GetString(6), BufferedTick = Nullable(reader, 7),
            });
        }

        return schedules;
    }

    public async Task SaveAsync(ScheduleInfo schedule, IReadOnlyList<ScheduleTick> ticks, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO schedules (name, schedule, paused, declared, created_at, updated_at, last_tick, last_run_id, buffered_tick)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (name) DO UPDATE SET schedule = excluded.schedule, paused = excluded.paused, declared = excluded.declared,
                updated_at = excluded.updated_at, last_tick = excluded.last_tick, last_run_id = excluded.last_run_id,
                buffered_tick = excluded.buffered_tick
            """, connection, transaction))
        {
            upsert.Parameters.Add(new() { Value = schedule.Schedule.Name });
            upsert.Parameters.Add(new() { Value = StoredSchedule.Write(schedule.Schedule), NpgsqlDbType = NpgsqlDbType.Jsonb });
            upsert.Parameters.Add(new() { Value = schedule.Paused });
            upsert.Parameters.Add(new() { Value = schedule.Declared });
            upsert.Parameters.Add(new() { Value = schedule.CreatedAt });
            upsert.Parameters.Add(new() { Value = schedule.UpdatedAt });
            upsert.Parameters.Add(new() { Value = (object?)schedule.LastTick ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            upsert.Parameters.Add(new() { Value = (object?)schedule.LastRunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            upsert.Parameters.Add(new() { Value = (object?)schedule.BufferedTick ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var tick in ticks)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO schedule_ticks (schedule_name, tick_at, outcome, run_id, reason, recorded_at, count, last_tick_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """, connection, transaction);
            insert.Parameters.Add(new() { Value = schedule.Schedule.Name });
            insert.Parameters.Add(new() { Value = tick.TickAt });
            insert.Parameters.Add(new() { Value = (short)(tick.Outcome + 1) });
            insert.Parameters.Add(new() { Value = (object?)tick.RunId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = (object?)tick.Reason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = tick.RecordedAt });
            insert.Parameters.Add(new() { Value = tick.Count });
            insert.Parameters.Add(new() { Value = (object?)tick.LastTickAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand(
            "WITH gone AS (DELETE FROM schedule_ticks WHERE schedule_name = $1) DELETE FROM schedules WHERE name = $1");
        command.Parameters.Add(new() { Value = name });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<ScheduleTick>> ListTicksAsync(string name, int take, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("""
            SELECT tick_at, outcome, run_id, reason, recorded_at, count, last_tick_at FROM schedule_ticks
            WHERE schedule_name = $1 ORDER BY tick_at DESC LIMIT $2
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = take });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ticks = new List<ScheduleTick>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks.Add(new ScheduleTick(reader.GetFieldValue<DateTimeOffset>(0), (ScheduleTickOutcome)(reader.GetInt16(1) - 1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt32(5), Nullable(reader, 6)));
        }

        return ticks;
    }

    public async Task ForgetTicksAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken = default)
    {
        await using var command = _source.CreateCommand("DELETE FROM schedule_ticks WHERE recorded_at < $1");
        command.Parameters.Add(new() { Value = recordedBefore.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static DateTimeOffset? Nullable(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
