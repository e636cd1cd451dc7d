using Npgsql;
using NpgsqlTypes;
using Routines.Client;

namespace Routines.Silo.Artifacts;

/// <summary>Lineage in the cluster's PostgreSQL database (table <c>run_artifacts</c>, migration 0014).</summary>
internal sealed class PostgresLineageStore(string connectionString) : ILineageStore, IAsyncDisposable
{
    const string Columns = "run_id, routine_id, hash, size, media_type, name, role, recorded_at";

    readonly NpgsqlDataSource _source = NpgsqlDataSource.Create(connectionString);

    public async Task RecordAsync(IReadOnlyList<RunArtifact> lines, CancellationToken cancellationToken = default)
    {
        if (lines.Count == 0) return;
        await using var command = _source.CreateCommand($"""
            INSERT INTO run_artifacts ({Columns})
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::smallint[], $8::timestamptz[])
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(new() { Value = lines.Select(l => l.RunId).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.RoutineId).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.Artifact.Hash).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.Artifact.Size).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.Artifact.MediaType).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.Artifact.Name).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = lines.Select(l => (short)l.Role).ToArray() });
        command.Parameters.Add(new() { Value = lines.Select(l => l.RecordedAt).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<RunArtifact>> ListForRunAsync(string runId, CancellationToken cancellationToken = default)
        => ReadAsync($"SELECT {Columns} FROM run_artifacts WHERE run_id = $1 ORDER BY recorded_at, role, hash", runId, cancellationToken);

    public Task<IReadOnlyList<RunArtifact>> ListForArtifactAsync(string hash, CancellationToken cancellationToken = default)
        => ReadAsync($"SELECT {Columns} FROM run_artifacts WHERE hash = $1 ORDER BY recorded_at, role, run_id", hash, cancellationToken);

    public async Task<IReadOnlySet<string>> ListHeldAsync(DateTimeOffset recordedSince, CancellationToken cancellationToken = default)
    {
        await using (var drop = _source.CreateCommand(
            "DELETE FROM run_artifacts a WHERE a.recorded_at < $1 AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.run_id = a.run_id)"))
        {
            drop.Parameters.Add(new() { Value = recordedSince });
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = _source.CreateCommand("SELECT DISTINCT hash FROM run_artifacts");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var held = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken)) held.Add(reader.GetString(0));
        return held;
    }

    async Task<IReadOnlyList<RunArtifact>> ReadAsync(string sql, string key, CancellationToken cancellationToken)
    {
        await using var command = _source.CreateCommand(sql);
        command.Parameters.Add(new() { Value = key });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<RunArtifact>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new RunArtifact(reader.GetString(0), reader.GetString(1),
                new Artifact(reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)),
                (ArtifactRole)reader.GetInt16(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return lines;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
