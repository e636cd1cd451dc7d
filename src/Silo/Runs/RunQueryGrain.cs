using Orleans.Concurrency;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Artifacts;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;

namespace Routines.Silo.Runs;

/// <summary>The read side for clients, straight from the store (streams: <see cref="RunStreamGrain"/>).</summary>
[StatelessWorker]
internal sealed class RunQueryGrain(IRunStore store, ILineageStore lineage) : CallerSafeGrain, IRunQueryGrain
{
    public Task<RunPage> ListRunsAsync(RunFilter filter)
        => filter.Problem() is { } problem ? throw new ArgumentOutOfRangeException(nameof(filter), problem) : store.ListRunsAsync(filter);

    public Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId) => store.ListChildrenAsync(runId);

    public Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence, int limit)
        => limit is < 1 or > RunFilter.MaxTake
            ? throw new ArgumentOutOfRangeException(nameof(limit), $"A log read takes 1 to {RunFilter.MaxTake} lines (got {limit}).")
            : store.GetLogsAsync(runId, afterSequence, limit);

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId) => store.GetMetricsAsync(runId);

    public Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId) => store.GetHistoryAsync(runId);

    public Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId) => lineage.ListForRunAsync(runId);

    public Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string hash) => lineage.ListForArtifactAsync(hash);
}
