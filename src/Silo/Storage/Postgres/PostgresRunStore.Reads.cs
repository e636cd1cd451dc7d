using System.Data;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;
using Routines.Client;

using static Routines.Silo.Storage.StoredRows;

namespace Routines.Silo.Storage.Postgres;

/// <summary>The read side: pooled connections of their own, seeing what has been committed.</summary>
internal sealed partial class PostgresRunStore
{
    public Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, $"SELECT {RunColumnList} FROM runs WHERE run_id = $1", runId);
            var runs = await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
            return runs.Count == 0 ? null : runs[0];
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE status IN ($1, $2) ORDER BY created_at, run_id",
                nameof(RunStatus.Pending), nameof(RunStatus.Running));
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }, cancellationToken);

    public Task<DateTimeOffset?> OldestUnfinishedCreatedAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, "SELECT min(created_at) FROM runs WHERE status IN ($1, $2)",
                nameof(RunStatus.Pending), nameof(RunStatus.Running));
            var oldest = await ReadAllAsync(command, r => r.IsDBNull(0) ? (DateTimeOffset?)null : Time(r, 0), ct).ConfigureAwait(false);
            return oldest[0];
        }, cancellationToken);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string parentRunId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parentRunId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                $"SELECT {RunColumnList} FROM runs WHERE parent_run_id = $1 ORDER BY created_at, run_id", parentRunId);
            return await ReadAllAsync(command, ReadRun, ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListUnfinishedChildrenAsync(string parentRunId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parentRunId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection, "SELECT run_id FROM runs WHERE parent_run_id = $1 AND status IN ($2, $3)",
                parentRunId, nameof(RunStatus.Pending), nameof(RunStatus.Running));
            return await ReadAllAsync(command, r => r.GetString(0), ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(
        string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, seq, ts, level, message, attempt FROM run_logs WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
                runId, afterSequence, limit);
            return await ReadAllAsync(command, r => new RunLogLine(
                r.GetString(0), r.GetInt64(1), Time(r, 2), (LogLevel)r.GetInt32(3), r.GetString(4), r.GetInt32(5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, name, step, value, ts FROM run_metrics WHERE run_id = $1 ORDER BY id", runId);
            return await ReadAllAsync(command, r => new MetricPoint(
                r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetDouble(3), Time(r, 4)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT run_id, ts, status, attempt, worker, reason FROM run_events WHERE run_id = $1 ORDER BY id", runId);
            return await ReadAllAsync(command, r => new RunEvent(
                r.GetString(0), Time(r, 1), Enum.Parse<RunStatus>(r.GetString(2)), r.GetInt32(3),
                NullableString(r, 4), NullableString(r, 5)), ct)
                .ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<CacheEntry?> GetCachedAsync(string cacheKey, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cacheKey);
        return ReadAsync(async (connection, ct) =>
        {
            await using var command = Command(connection,
                "SELECT key, routine_id, output_json, run_id, created_at FROM task_cache WHERE key = $1", cacheKey);
            var entries = await ReadAllAsync(command, r => new CacheEntry(
                r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Time(r, 4)), ct)
                .ConfigureAwait(false);
            return entries.Count == 0 ? null : entries[0];
        }, cancellationToken);
    }

    public Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfNegative(filter.Skip);
        ArgumentOutOfRangeException.ThrowIfNegative(filter.Take);
        return ReadAsync(async (connection, ct) =>
        {
            // One snapshot for every statement, so the page and its total agree while runs are being written.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            var (where, parameters, idsOnly) = await WhereAsync(connection, filter, ct).ConfigureAwait(false);

            var (total, lowerBound) = filter.HasKeptCount
                ? (await CountKeptAsync(connection, filter, ct).ConfigureAwait(false), false)
                : await CountUpToLimitAsync(connection, where, parameters, ct).ConfigureAwait(false);
            IReadOnlyList<RunInfo> runs = [];
            if ((lowerBound || total > filter.Skip) && filter.Take > 0)
            {
                var take = parameters.Length + 1;
                // A search matching only run ids reads them by the primary key and then sorts them: left to itself the
                // planner may walk the newest-first index expecting the matches spread out, when an old id's are all at
                // its far end (3 s at ten million runs). OFFSET 0 keeps it from merging the two.
                var from = idsOnly ? $"(SELECT * FROM runs{where} OFFSET 0) AS matching" : $"runs{where}";
                await using var page = Command(connection,
                    $"SELECT {RunColumnList} FROM {from} ORDER BY created_at DESC, run_id DESC LIMIT ${take} OFFSET ${take + 1}",
                    [.. parameters, filter.Take, filter.Skip]);
                runs = await ReadAllAsync(page, ReadRun, ct).ConfigureAwait(false);
            }

            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new RunPage(runs, total, lowerBound);
        }, cancellationToken);
    }

    /// <summary>The count of a filter by status, routine and roots-only, from the counts the triggers keep (0011).</summary>
    private static async Task<int> CountKeptAsync(NpgsqlConnection connection, RunFilter filter, CancellationToken ct)
    {
        await using var count = Command(connection, """
            SELECT coalesce(sum(runs), 0) FROM run_counts
            WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR routine_name = $2) AND (root OR NOT $3)
            """, filter.Status?.ToString(), string.IsNullOrEmpty(filter.RoutineName) ? null : filter.RoutineName, filter.RootsOnly);
        return checked((int)(decimal)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!);
    }

    /// <summary>Any other filter's count, stopped at <see cref="RunPage.CountLimit"/> so that it never walks the whole table.</summary>
    private static async Task<(int Total, bool LowerBound)> CountUpToLimitAsync(NpgsqlConnection connection, string where, object?[] parameters, CancellationToken ct)
    {
        await using var count = Command(connection, $"SELECT count(*) FROM (SELECT FROM runs{where} LIMIT {RunPage.CountLimit + 1}) AS matching", parameters);
        var total = (int)(long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        return total > RunPage.CountLimit ? (RunPage.CountLimit, true) : (total, false);
    }

    /// <summary>
    /// The WHERE clause (with a leading space, or empty) and its positional parameters for a run filter, and whether it
    /// has a search that matches run ids only (no routine name).
    /// </summary>
    private static async Task<(string Sql, object?[] Parameters, bool IdsOnly)> WhereAsync(NpgsqlConnection connection, RunFilter filter, CancellationToken ct)
    {
        var conditions = new List<string>();
        var parameters = new List<object?>();
        var idsOnly = false;
        void Add(string condition, object value)
        {
            parameters.Add(value);
            conditions.Add(condition.Replace("$p", $"${parameters.Count}", StringComparison.Ordinal));
        }

        if (filter.Status is { } status) Add("status = $p", status.ToString());
        if (!string.IsNullOrEmpty(filter.RoutineName)) Add("routine_name = $p", filter.RoutineName);
        if (!string.IsNullOrEmpty(filter.RootRunId)) Add("root_run_id = $p", filter.RootRunId);
        if (filter.RootsOnly) conditions.Add("parent_run_id IS NULL");
        if (filter.CreatedAfter is { } after) Add("created_at >= $p", ToDb(after));
        if (filter.CreatedBefore is { } before) Add("created_at < $p", ToDb(before));
        if (!string.IsNullOrEmpty(filter.Search))
        {
            // The start of a run id (ids are lowercase: the search is lowercased and read as a range of the primary key,
            // "C" collation), or a part of a routine name in any case (the few names that match are looked up in
            // run_counts first, and read through ix_runs_routine_name). Escaping makes % and _ literal.
            await using var names = Command(connection, @"SELECT DISTINCT routine_name FROM run_counts WHERE routine_name ILIKE $1 ESCAPE '\'",
                $"%{EscapeLike(filter.Search)}%");
            var matching = (await ReadAllAsync(names, r => r.GetString(0), ct).ConfigureAwait(false)).ToArray();
            idsOnly = matching.Length == 0;
            parameters.AddRange([EscapeLike(filter.Search.ToLowerInvariant()) + "%", matching]);
            conditions.Add($@"(run_id LIKE ${parameters.Count - 1} ESCAPE '\' OR routine_name = ANY(${parameters.Count}))");
        }

        var sql = conditions.Count == 0 ? "" : " WHERE " + string.Join(" AND ", conditions);
        return (sql, parameters.ToArray(), idsOnly);
    }

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal)
            .Replace("_", @"\_", StringComparison.Ordinal);

    /// <summary>
    /// Runs a read on a pooled connection of its own, translating PostgreSQL errors. A read is safe to repeat, so one
    /// whose connection broke (the server restarting, a pooled connection it closed while idle) is tried again until
    /// the server is back, for as long as writes wait (<see cref="PostgresRunStoreOptions.OutageTolerance"/>): a
    /// submit's cache lookup or a run's load must not fail where its write would have waited.
    /// </summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        EnsureInitialized();
        long? started = null;
        for (var pause = TimeSpan.FromMilliseconds(50); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxRecoveryPause.Ticks)))
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                return await read(connection, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested && IsConnectionLost(e, null)
                                            && Stopwatch.GetElapsedTime(started ??= Stopwatch.GetTimestamp()) < _options.OutageTolerance)
            {
                // The pool's idle connections went with the server: the next try opens a new one.
                _dataSource.Clear();
            }
            catch (NpgsqlException e) when (!cancellationToken.IsCancellationRequested)
            {
                var waited = started is { } since ? $" The store kept trying for {Stopwatch.GetElapsedTime(since).TotalSeconds:0.#} s (its outage tolerance is {_options.OutageTolerance.TotalSeconds:0.#} s)." : "";
                throw new RunStoreException(Translate(e, "reading runs").Message + waited);
            }

            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }
}
