using Microsoft.Extensions.Logging;
using Routines.Silo.Runs;
using Routines.Silo.Storage;

namespace Routines.Silo.Artifacts;

/// <summary>
/// Removes the artifacts no kept run references (its lineage: what runs took, read, produced or returned). Never one
/// stored since the oldest unfinished run was created, nor within <see cref="RetentionOptions.UnreferencedArtifacts"/>:
/// an attempt reports what it saved only when it ends, and a Pending or Running run may still read or produce it.
/// </summary>
internal sealed partial class ArtifactSweep(ArtifactStore artifacts, ILineageStore lineage, IRunStore runs, RetentionOptions options,
    TimeProvider clock, ILogger<ArtifactSweep> logger)
{
    /// <returns>How many artifacts were removed, and their bytes.</returns>
    public async Task<(int Count, long Bytes)> RunAsync(CancellationToken cancellationToken)
    {
        var keptSince = clock.GetUtcNow() - options.UnreferencedArtifacts;
        if (await runs.OldestUnfinishedCreatedAtAsync(cancellationToken) is { } oldest && oldest < keptSince) keptSince = oldest;

        // Read after the unfinished runs: a run created meanwhile has its inputs' lineage recorded before it exists.
        var held = await lineage.ListHeldAsync(keptSince, cancellationToken);
        var (count, bytes) = (0, 0L);
        await foreach (var blob in artifacts.ListAsync(cancellationToken))
        {
            if (held.Contains(blob.Hash) || blob.StoredAt >= keptSince) continue;
            if (!await artifacts.DeleteAsync(blob.Hash, cancellationToken)) continue;
            (count, bytes) = (count + 1, bytes + blob.Size);
        }

        if (count > 0) LogRemoved(count, bytes, artifacts.Location);
        return (count, bytes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed {Count} artifacts no kept run references ({Bytes} bytes) from {Store}.")]
    partial void LogRemoved(int count, long bytes, string store);
}
