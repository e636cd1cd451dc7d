using Routines.Client;

namespace Routines.Silo.Artifacts;

/// <summary>
/// Which run produced, read, took or returned which artifact. It is written before the run record that it explains
/// (so no stored run lacks its lineage), and it is what keeps an artifact from retention's sweep.
/// </summary>
internal interface ILineageStore
{
    /// <summary>Records the lines; a line already recorded is kept as it is.</summary>
    Task RecordAsync(IReadOnlyList<RunArtifact> lines, CancellationToken cancellationToken = default);

    /// <summary>The run's artifacts, in the order they were recorded.</summary>
    Task<IReadOnlyList<RunArtifact>> ListForRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Every run that touched the artifact, oldest first.</summary>
    Task<IReadOnlyList<RunArtifact>> ListForArtifactAsync(string hash, CancellationToken cancellationToken = default);

    /// <summary>
    /// The hashes some line still holds: a line of a run the store keeps, or one recorded since
    /// <paramref name="recordedSince"/> (its run may be a moment from being stored). Lines of removed runs are dropped.
    /// </summary>
    Task<IReadOnlySet<string>> ListHeldAsync(DateTimeOffset recordedSince, CancellationToken cancellationToken = default);
}
