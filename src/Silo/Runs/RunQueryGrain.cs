using Routines.Silo.Hosting;
using System.Runtime.CompilerServices;
using Orleans.Concurrency;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Artifacts;
using Routines.Silo.Storage;

namespace Routines.Silo.Runs;

/// <summary>The read side for clients: straight from the store, and a live log tail from this silo's feed.</summary>
[StatelessWorker]
internal sealed class RunQueryGrain(IRunStore store, RunEventHub hub, ILineageStore lineage, ArtifactStore artifacts) : CallerSafeGrain, IRunQueryGrain
{
    const int ChunkSize = 256 * 1024;

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

    public async IAsyncEnumerable<byte[]> ReadArtifactAsync(string hash, long offset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var recorded = await lineage.ListForArtifactAsync(hash, cancellationToken);
        if (recorded.Count == 0) throw new ArtifactUnavailableException(hash, $"No run records artifact {hash}: there is nothing of that hash to read.");
        await using var content = await artifacts.OpenAsync(recorded[0].Artifact, cancellationToken);
        // Read from the start even when resuming: the hash is checked over every byte.
        var skipped = 0L;
        var buffer = new byte[ChunkSize];
        while (true)
        {
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0) filled += read;
            if (filled == 0) yield break;
            var start = (int)Math.Clamp(offset - skipped, 0, filled);
            skipped += filled;
            if (start < filled) yield return buffer[start..filled];
        }
    }

    public async IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId, cancellationToken);
        if (run is null) yield break;

        // Listen before reading the stored lines, so no line falls between the two.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var live = hub.SubscribeAsync(run.RootRunId, stop.Token).GetAsyncEnumerator(stop.Token);
        var next = live.MoveNextAsync();
        try
        {
            var last = afterSequence;
            while (true)
            {
                var stored = await store.GetLogsAsync(runId, last, 1000, cancellationToken);
                foreach (var line in stored) yield return line;
                if (stored.Count == 0) break;
                last = stored[^1].Sequence;
            }

            if ((await store.GetRunAsync(runId, cancellationToken))?.Status.IsTerminal() == true) yield break;

            while (await next)
            {
                var update = live.Current;
                next = live.MoveNextAsync();
                if (update.Log is { } line && line.RunId == runId && line.Sequence > last)
                {
                    last = line.Sequence;
                    yield return line;
                }
                else if (update.Run is { } changed && changed.RunId == runId && changed.Status.IsTerminal())
                {
                    yield break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            try { await next; } catch (OperationCanceledException) { }
            await live.DisposeAsync();
        }
    }
}
