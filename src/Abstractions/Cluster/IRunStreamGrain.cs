using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// Streams to one reader on the service: an artifact's bytes or a run's log. Keyed by a new id per stream, because an
/// enumeration lives in the activation that began it and every next read must reach that activation; on a stateless
/// worker, which keeps several activations under one key, a read could land on another and abort the stream.
/// </summary>
internal interface IRunStreamGrain : IGrainWithGuidKey
{
    /// <summary>The artifact's bytes from <paramref name="offset"/>, in chunks, checked against its hash at the end.</summary>
    IAsyncEnumerable<byte[]> ReadArtifactAsync(string hash, long offset, CancellationToken cancellationToken = default);

    /// <summary>The run's log lines after <paramref name="afterSequence"/>, then new ones as they come, until the run ends.</summary>
    IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence, CancellationToken cancellationToken = default);
}
