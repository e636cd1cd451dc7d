using System.Collections.Concurrent;
using Routines.Cluster;
using Routines.Silo.Artifacts;

namespace Routines.Worker.Execution;

/// <summary>The artifact store for one attempt: what it saves and reads is reported with its result, as the run's lineage.</summary>
internal sealed class AttemptArtifacts(ArtifactStore store, CancellationToken cancellationToken) : RoutineArtifacts
{
    readonly ConcurrentDictionary<string, Artifact> _produced = new(), _read = new();

    /// <summary>The first failure of the store during the attempt: the attempt's error, even if the routine caught it.</summary>
    public ArtifactUnavailableException? Failure { get; private set; }

    public override async Task<Artifact> SaveAsync(Stream content, string mediaType, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        var artifact = await Watched(store.PutAsync(content, mediaType, name, cancellationToken));
        _produced.TryAdd(artifact.Hash, artifact);
        return artifact;
    }

    public override async Task<Stream> OpenAsync(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _read.TryAdd(artifact.Hash, artifact);
        return await Watched(store.OpenAsync(artifact, cancellationToken, Failed));
    }

    public override async Task<string> GetFileAsync(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _read.TryAdd(artifact.Hash, artifact);
        return await Watched(store.GetFileAsync(artifact, cancellationToken));
    }

    /// <summary>The result with the attempt's lineage added.</summary>
    public AttemptResult Recorded(AttemptResult result) => _produced.IsEmpty && _read.IsEmpty
        ? result
        : result with { Produced = [.. _produced.Values], Read = [.. _read.Values] };

    async Task<T> Watched<T>(Task<T> operation)
    {
        try
        {
            return await operation;
        }
        catch (ArtifactUnavailableException exception)
        {
            Failed(exception);
            throw;
        }
    }

    void Failed(ArtifactUnavailableException exception) => Failure ??= exception;
}
