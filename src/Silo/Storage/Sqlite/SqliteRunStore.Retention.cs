using Routines.Client;
using Routines.Silo.Runs;

namespace Routines.Silo.Storage.Sqlite;

/// <summary>Retention: old runs walked along <c>ix_runs_created_at</c>; removals go through the writer like every write.</summary>
internal sealed partial class SqliteRunStore
{
    public Task<IReadOnlyList<RetentionCandidate>> ListRetentionCandidatesAsync(DateTimeOffset createdBefore,
        (DateTimeOffset CreatedAt, string RunId)? after, int take, CancellationToken cancellationToken = default)
        => ReadAsync((connection, ct) =>
        {
            using var command = Command(connection, """
                SELECT r.run_id, r.created_at, r.parent_run_id IS NOT NULL, r.status, r.finished_at, root.status
                FROM runs r LEFT JOIN runs root ON root.run_id = r.root_run_id
                WHERE r.created_at < $before AND (r.created_at, r.run_id) > ($afterTime, $afterId)
                ORDER BY r.created_at, r.run_id
                LIMIT $take;
                """, ("$before", UnixMs(createdBefore)), ("$afterTime", after is { } a ? UnixMs(a.CreatedAt) : long.MinValue),
                ("$afterId", after?.RunId ?? ""), ("$take", take));
            return StoredRows.ReadAllAsync(command, r => new RetentionCandidate(r.GetString(0), FromUnixMs(r.GetInt64(1)), r.GetBoolean(2),
                Enum.Parse<RunStatus>(r.GetString(3)), r.IsDBNull(4) ? null : FromUnixMs(r.GetInt64(4)),
                r.IsDBNull(5) ? null : Enum.Parse<RunStatus>(r.GetString(5))), ct);
        }, cancellationToken);

    public Task RemoveRunsAsync(IReadOnlyList<string> runIds, DateTimeOffset removedAt, CancellationToken cancellationToken = default)
        => EnqueueAsync(writer => writer.RemoveRuns(runIds, UnixMs(removedAt)), cancellationToken);

    public Task<DateTimeOffset?> GetRemovedAtAsync(string runId, CancellationToken cancellationToken = default)
        => ReadAsync(async (connection, ct) =>
        {
            using var command = Command(connection, "SELECT removed_at FROM removed_runs WHERE run_id = $id;", ("$id", runId));
            return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is long at ? FromUnixMs(at) : (DateTimeOffset?)null;
        }, cancellationToken);

    public Task ForgetRemovedAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
        => EnqueueAsync(writer => writer.ForgetRemoved(UnixMs(before)), cancellationToken);
}
