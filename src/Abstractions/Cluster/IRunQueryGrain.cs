using Routines.Client;

namespace Routines.Cluster;

/// <summary>Reads run records for clients (CLI, console) on the service; never writes. Key 0. Streams are <see cref="IRunStreamGrain"/>'s.</summary>
internal interface IRunQueryGrain : IGrainWithIntegerKey
{
    Task<RunPage> ListRunsAsync(RunFilter filter);

    Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId);

    Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence, int limit);

    Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId);

    Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId);

    Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId);

    Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string hash);
}
