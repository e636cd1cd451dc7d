namespace Routines;

/// <summary>
/// An artifact could not be read or written: its blob is missing, its bytes do not match its hash, or the artifact
/// store could not be reached. An error of the store, not of the routine: the attempt fails with it (and is retried
/// as the routine's policy says), and the same run succeeds once the store is back or the blob restored.
/// </summary>
[GenerateSerializer]
public sealed class ArtifactUnavailableException(string hash, string message, Exception? inner = null) : RoutinesException(message, inner)
{
    /// <summary>The artifact's hash (<c>sha256:…</c>), or empty when the store failed before one was known.</summary>
    [Id(0)] public string Hash { get; } = hash;
}
