using Routines.Client;

namespace Routines.Cluster;

/// <summary>Reads run records for clients (CLI, console) on the service; never writes. Key 0.</summary>
internal interface IRunQueryGrain : IGrainWithIntegerKey
{
    Task<RunPage> ListRunsAsync(RunFilter filter);

    Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId);

    Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence, int limit);

    Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId);

    Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId);

    Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId);

    Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string hash);

    /// <summary>The artifact's bytes from <paramref name="offset"/>, in chunks, checked against its hash at the end.</summary>
    IAsyncEnumerable<byte[]> ReadArtifactAsync(string hash, long offset, CancellationToken cancellationToken = default);

    /// <summary>The run's log lines after <paramref name="afterSequence"/>, then new ones as they come, until the run ends.</summary>
    IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence, CancellationToken cancellationToken = default);
}
