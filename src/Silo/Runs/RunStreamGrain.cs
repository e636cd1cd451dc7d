using System.Runtime.CompilerServices;
using Orleans.Concurrency;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Artifacts;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;

namespace Routines.Silo.Runs;

/// <summary>
/// One stream to one reader (<see cref="IRunStreamGrain"/>): an artifact's bytes from the store, or a run's log from the
/// store and then this silo's live feed. Reentrant, so the reader's cancel or dispose reaches a read that is waiting
/// for the next line; the activation leaves memory when its stream ends.
/// </summary>
[Reentrant]
internal sealed class RunStreamGrain(IRunStore store, RunEventHub hub, ILineageStore lineage, ArtifactStore artifacts) : CallerSafeGrain, IRunStreamGrain
{
    const int ChunkSize = 256 * 1024;

    public async IAsyncEnumerable<byte[]> ReadArtifactAsync(string hash, long offset, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var ends = new DeactivationOnEnd(this);
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
        using var ends = new DeactivationOnEnd(this);
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

    /// <summary>Lets the activation go once its one stream has ended, however it ended.</summary>
    readonly struct DeactivationOnEnd(Grain grain) : IDisposable
    {
        public void Dispose() => grain.DeactivateOnIdle();
    }
}
