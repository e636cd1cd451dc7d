namespace Routines;

/// <summary>
/// The artifact store as a routine sees it (<see cref="RoutineContext.Artifacts"/>). Content is addressed by its
/// SHA-256: saving bytes the store already holds stores nothing again. Reads check the hash; bytes that do not match,
/// a missing blob or a store that cannot be reached fail the attempt with <see cref="ArtifactUnavailableException"/>,
/// an error of the store, not of the routine. Every save and read is recorded as the run's lineage.
/// </summary>
public abstract class RoutineArtifacts
{
    /// <summary>Stores the stream's bytes (read to its end, never held in memory) and returns their reference.</summary>
    public abstract Task<Artifact> SaveAsync(Stream content, string mediaType, string? name = null);

    /// <summary>Stores the bytes and returns their reference.</summary>
    public Task<Artifact> SaveAsync(ReadOnlyMemory<byte> content, string mediaType, string? name = null)
        => SaveAsync(new MemoryStream(content.ToArray(), writable: false), mediaType, name);

    /// <summary>Stores the file's bytes; the media type is guessed from its extension when not given, the name is the file's.</summary>
    public async Task<Artifact> SaveFileAsync(string path, string? mediaType = null)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await SaveAsync(file, mediaType ?? MediaTypes.Of(path), Path.GetFileName(path));
    }

    /// <summary>The artifact's bytes as a stream, checked against its hash as they are read (at the end).</summary>
    public abstract Task<Stream> OpenAsync(Artifact artifact);

    /// <summary>A local file holding the artifact's bytes, checked against its hash: for libraries that want a path. Do not change it.</summary>
    public abstract Task<string> GetFileAsync(Artifact artifact);
}
