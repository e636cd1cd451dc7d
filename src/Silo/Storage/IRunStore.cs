using Routines.Client;

namespace Routines.Silo.Storage;

/// <summary>
/// Where the service keeps run records, logs, metrics and the task result cache. It is the source of truth: every
/// write is durable when its task completes. Implementations batch concurrent writes into one transaction.
/// </summary>
internal interface IRunStore : IAsyncDisposable
{
    /// <summary>Where the records are, for people: the SQLite file's full path, or PostgreSQL's host and database (never a password).</summary>
    string Location { get; }

    /// <summary>Creates the schema if missing and checks the store can be written; throws <see cref="RunStoreException"/> otherwise.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>For the readiness check: answers when the store is reachable and holds this build's schema, else throws saying which.</summary>
    Task CheckAsync(CancellationToken cancellationToken = default);

    Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts or replaces the run, appends <paramref name="transitions"/> to its history and, for a result that is
    /// cached, puts <paramref name="cacheEntry"/>, atomically: a success and its cache entry are one write, not two
    /// commits one after the other on a run's path.
    /// </summary>
    /// <param name="stored">
    /// The run's status in the store before this save, as its one writer (the run's grain) knows it from its own last
    /// save or read; null for a run not stored yet. Lets a store that keeps counts by status change only the columns a
    /// status change touches and count without reading the row (decision #76); a store that cannot trust it (its own
    /// earlier write of the run failed, or the row exists after all) writes the run as if it were not given.
    /// </param>
    Task SaveRunAsync(RunInfo run, IReadOnlyList<RunEvent> transitions, CacheEntry? cacheEntry = null, RunStatus? stored = null, CancellationToken cancellationToken = default);

    Task AppendLogsAsync(IReadOnlyList<RunLogLine> lines, CancellationToken cancellationToken = default);

    Task AppendMetricsAsync(IReadOnlyList<MetricPoint> points, CancellationToken cancellationToken = default);

    /// <summary>The cached output for a task input, or null.</summary>
    Task<CacheEntry?> GetCachedAsync(string cacheKey, CancellationToken cancellationToken = default);

    /// <summary>Runs whose status is not terminal, oldest first (for recovery after a restart).</summary>
    Task<IReadOnlyList<RunInfo>> ListUnfinishedRunsAsync(CancellationToken cancellationToken = default);

    /// <summary>When the oldest run whose status is not terminal was created; null when every run has finished.</summary>
    Task<DateTimeOffset?> OldestUnfinishedCreatedAtAsync(CancellationToken cancellationToken = default);

    /// <summary>The direct children of a run, by creation order.</summary>
    Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string parentRunId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The ids of a run's direct children whose status is not terminal, in no order: what a workflow that ended leaves to
    /// cancel. Ids only, since a workflow with ten thousand finished children reads none of them in full.
    /// </summary>
    Task<IReadOnlyList<string>> ListUnfinishedChildrenAsync(string parentRunId, CancellationToken cancellationToken = default);

    /// <summary>Log lines of a run with a sequence greater than <paramref name="afterSequence"/>, in order.</summary>
    Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The status history of a run, oldest first.</summary>
    Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Runs matching the filter, newest first.</summary>
    Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Runs created before <paramref name="createdBefore"/>, oldest first after <paramref name="after"/>, with their root's status.</summary>
    Task<IReadOnlyList<Runs.RetentionCandidate>> ListRetentionCandidatesAsync(DateTimeOffset createdBefore, (DateTimeOffset CreatedAt, string RunId)? after,
        int take, CancellationToken cancellationToken = default);

    /// <summary>Removes the runs with their history, logs and metrics in one transaction, remembering when.</summary>
    Task RemoveRunsAsync(IReadOnlyList<string> runIds, DateTimeOffset removedAt, CancellationToken cancellationToken = default);

    /// <summary>When the run was removed by retention, or null if the store never held it or has forgotten.</summary>
    Task<DateTimeOffset?> GetRemovedAtAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Forgets removals older than <paramref name="before"/>.</summary>
    Task ForgetRemovedAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
