using Routines.Client;
using Routines.Silo.Runs;

using static Routines.Silo.Storage.StoredRows;

namespace Routines.Silo.Storage.Postgres;

/// <summary>Retention: old runs walked along <c>ix_runs_created_at</c>, removed with everything they own.</summary>
internal sealed partial class PostgresRunStore
{
    public Task<IReadOnlyList<RetentionCandidate>> ListRetentionCandidatesAsync(DateTimeOffset createdBefore,
        (DateTimeOffset CreatedAt, string RunId)? after, int take, CancellationToken cancellationToken = default)
        => ReadAsync(async (connection, ct) =>
        {
            // The row comparison walks the (created_at, run_id) index from where the last batch ended.
            await using var command = Command(connection, """
                SELECT r.run_id, r.created_at, r.parent_run_id IS NOT NULL, r.status, r.finished_at, root.status
                FROM runs r LEFT JOIN runs root ON root.run_id = r.root_run_id
                WHERE r.created_at < $1 AND (r.created_at, r.run_id) > ($2, $3)
                ORDER BY r.created_at, r.run_id
                LIMIT $4
                """, ToDb(createdBefore), ToDb(after?.CreatedAt ?? DateTimeOffset.MinValue), after?.RunId ?? "", take);
            return await ReadAllAsync(command, r => new RetentionCandidate(r.GetString(0), Time(r, 1), r.GetBoolean(2),
                Enum.Parse<RunStatus>(r.GetString(3)), r.IsDBNull(4) ? null : Time(r, 4),
                r.IsDBNull(5) ? null : Enum.Parse<RunStatus>(r.GetString(5))), ct).ConfigureAwait(false);
        }, cancellationToken);

    public async Task RemoveRunsAsync(IReadOnlyList<string> runIds, DateTimeOffset removedAt, CancellationToken cancellationToken = default)
    {
        // As one value: a string[] passed alone to a params object?[] would be taken for the parameter list itself.
        object ids = runIds.ToArray();
        // Idempotent, so a try the connection's loss interrupted is simply made again.
        await ReadAsync(async (connection, ct) =>
        {
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            foreach (var table in new[] { "run_events", "run_logs", "run_metrics", "runs" })
            {
                await using var delete = Command(connection, $"DELETE FROM {table} WHERE run_id = ANY($1)", ids);
                delete.Transaction = transaction;
                await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await using (var remember = Command(connection,
                "INSERT INTO removed_runs (run_id, removed_at) SELECT unnest($1::text[]), $2 ON CONFLICT (run_id) DO NOTHING", ids, ToDb(removedAt)))
            {
                remember.Transaction = transaction;
                await remember.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<DateTimeOffset?> GetRemovedAtAsync(string runId, CancellationToken cancellationToken = default)
        => ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, "SELECT removed_at FROM removed_runs WHERE run_id = $1", runId);
            var found = await ReadAllAsync(command, r => Time(r, 0), ct).ConfigureAwait(false);
            return found.Count == 0 ? (DateTimeOffset?)null : found[0];
        }, cancellationToken);

    public Task ForgetRemovedAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
        => ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, "DELETE FROM removed_runs WHERE removed_at < $1", ToDb(before));
            return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
}
