using Microsoft.Data.Sqlite;
using Routines.Client;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Silo.Artifacts;

/// <summary>Lineage in the embedded store's SQLite file, in a table of its own.</summary>
internal sealed class SqliteLineageStore(string path) : ILineageStore
{
    const string Columns = "run_id, routine_id, hash, size, media_type, name, role, recorded_at";

    readonly SqliteSideTable _table = new(path, """
        CREATE TABLE IF NOT EXISTS run_artifacts (
            hash TEXT NOT NULL, run_id TEXT NOT NULL, role INTEGER NOT NULL, routine_id TEXT NOT NULL, size INTEGER NOT NULL,
            media_type TEXT NOT NULL, name TEXT NULL, recorded_at TEXT NOT NULL, PRIMARY KEY (hash, run_id, role));
        CREATE INDEX IF NOT EXISTS run_artifacts_run ON run_artifacts (run_id);
        """);

    public async Task RecordAsync(IReadOnlyList<RunArtifact> lines, CancellationToken cancellationToken = default)
    {
        if (lines.Count == 0) return;
        await using var connection = await _table.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        foreach (var line in lines)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO run_artifacts ({Columns}) VALUES ($run, $routine, $hash, $size, $type, $name, $role, $at) ON CONFLICT DO NOTHING";
            insert.Parameters.AddWithValue("$run", line.RunId);
            insert.Parameters.AddWithValue("$routine", line.RoutineId);
            insert.Parameters.AddWithValue("$hash", line.Artifact.Hash);
            insert.Parameters.AddWithValue("$size", line.Artifact.Size);
            insert.Parameters.AddWithValue("$type", line.Artifact.MediaType);
            insert.Parameters.AddWithValue("$name", (object?)line.Artifact.Name ?? DBNull.Value);
            insert.Parameters.AddWithValue("$role", (int)line.Role);
            insert.Parameters.AddWithValue("$at", Text(line.RecordedAt));
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task<IReadOnlyList<RunArtifact>> ListForRunAsync(string runId, CancellationToken cancellationToken = default)
        => ReadAsync($"SELECT {Columns} FROM run_artifacts WHERE run_id = $key ORDER BY recorded_at, role, hash", runId, cancellationToken);

    public Task<IReadOnlyList<RunArtifact>> ListForArtifactAsync(string hash, CancellationToken cancellationToken = default)
        => ReadAsync($"SELECT {Columns} FROM run_artifacts WHERE hash = $key ORDER BY recorded_at, role, run_id", hash, cancellationToken);

    public async Task<IReadOnlySet<string>> ListHeldAsync(DateTimeOffset recordedSince, CancellationToken cancellationToken = default)
    {
        await using (var drop = await _table.CommandAsync(
            "DELETE FROM run_artifacts WHERE recorded_at < $since AND run_id NOT IN (SELECT run_id FROM runs)", cancellationToken, ("$since", Text(recordedSince))))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = await _table.CommandAsync("SELECT DISTINCT hash FROM run_artifacts", cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var held = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken)) held.Add(reader.GetString(0));
        return held;
    }

    async Task<IReadOnlyList<RunArtifact>> ReadAsync(string sql, string key, CancellationToken cancellationToken)
    {
        await using var command = await _table.CommandAsync(sql, cancellationToken, ("$key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var lines = new List<RunArtifact>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(new RunArtifact(reader.GetString(0), reader.GetString(1),
                new Artifact(reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)),
                (ArtifactRole)reader.GetInt64(6), DateTimeOffset.Parse(reader.GetString(7))));
        }

        return lines;
    }

    // UTC and fixed width ("O" of an offset-0 time), so the text sorts as the times do.
    static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("O");
}
