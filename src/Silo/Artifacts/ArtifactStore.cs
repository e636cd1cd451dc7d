using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Routines.Silo.Artifacts;

/// <summary>
/// Content-addressed blobs: bytes are stored under their SHA-256, once, and checked against it when read. New content
/// is spooled to a local file while it is hashed (memory stays flat whatever its size), then committed under its hash.
/// </summary>
internal abstract class ArtifactStore
{
    const int BufferSize = 1 << 17;

    readonly ConcurrentDictionary<string, bool> _checkedFiles = new();

    /// <summary>Where the blobs are, for people (a directory, or an account and container; never a key).</summary>
    public abstract string Location { get; }

    /// <summary>A directory on the same volume as the store's files, for spooling and local copies.</summary>
    protected abstract string ScratchDirectory { get; }

    /// <summary>Stores the stream's bytes, to its end, and returns their reference.</summary>
    /// <remarks>The content stream's own failures are the caller's; the store's (its disk, its service) are <see cref="ArtifactUnavailableException"/>.</remarks>
    public async Task<Artifact> PutAsync(Stream content, string mediaType, string? name, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(ScratchDirectory, "incoming-" + Guid.NewGuid().ToString("N"));
        try
        {
            FileStream file;
            try
            {
                Directory.CreateDirectory(ScratchDirectory);
                file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw Unreachable("", exception);
            }

            string hash;
            long size;
            await using (file)
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    try
                    {
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                    catch (IOException exception)
                    {
                        throw Unreachable("", exception);
                    }
                }

                (hash, size) = ("sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset()), file.Length);
            }

            try
            {
                await CommitAsync(spool, hash, cancellationToken);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw Unreachable(hash, exception);
            }

            return new Artifact(hash, size, mediaType, name);
        }
        finally
        {
            try { File.Delete(spool); } catch (IOException) { } // gone already when it was moved into place
        }
    }

    /// <summary>The artifact's bytes, checked against its hash and size as they are read.</summary>
    /// <exception cref="ArtifactUnavailableException">The blob is missing, or the store cannot be reached.</exception>
    /// <param name="failed">Told of a corrupt blob found while reading, besides the reader's exception.</param>
    public async Task<Stream> OpenAsync(Artifact artifact, CancellationToken cancellationToken, Action<ArtifactUnavailableException>? failed = null)
        => new HashCheckingStream(await OpenBlobAsync(artifact.Hash, cancellationToken), artifact, failed);

    /// <summary>A local file with the artifact's bytes, checked once per process.</summary>
    public async Task<string> GetFileAsync(Artifact artifact, CancellationToken cancellationToken)
    {
        var local = await LocalFileAsync(artifact.Hash, cancellationToken);
        if (local is not null)
        {
            if (_checkedFiles.ContainsKey(artifact.Hash)) return local;
            await using (var stream = await OpenAsync(artifact, cancellationToken)) await stream.CopyToAsync(Stream.Null, BufferSize, cancellationToken);
            _checkedFiles[artifact.Hash] = true;
            return local;
        }

        var copy = Path.Combine(ScratchDirectory, "copies", artifact.Hash[7..]);
        if (File.Exists(copy) && _checkedFiles.ContainsKey(artifact.Hash)) return copy;
        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
        var partial = copy + "." + Guid.NewGuid().ToString("N");
        await using (var source = await OpenAsync(artifact, cancellationToken))
        await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            await source.CopyToAsync(target, BufferSize, cancellationToken);
        File.Move(partial, copy, overwrite: true);
        _checkedFiles[artifact.Hash] = true;
        return copy;
    }

    /// <summary>Moves (or uploads) the spooled file under its hash; content already stored is left as it is.</summary>
    protected abstract Task CommitAsync(string spooledFile, string hash, CancellationToken cancellationToken);

    /// <summary>The blob's raw bytes; throws <see cref="ArtifactUnavailableException"/> when it is missing or the store is unreachable.</summary>
    protected abstract Task<Stream> OpenBlobAsync(string hash, CancellationToken cancellationToken);

    /// <summary>The blob as a file of this machine, when the store keeps it as one; else null.</summary>
    protected virtual Task<string?> LocalFileAsync(string hash, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    /// <summary>True when the store holds the blob.</summary>
    public abstract Task<bool> ExistsAsync(string hash, CancellationToken cancellationToken);

    /// <summary>Every blob with its size and when it was stored, for retention.</summary>
    public abstract IAsyncEnumerable<StoredBlob> ListAsync(CancellationToken cancellationToken);

    /// <summary>Removes the blob; false when there was none.</summary>
    public abstract Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken);

    protected static ArtifactUnavailableException Missing(string hash, string where)
        => new(hash, $"Artifact {hash} is not in the artifact store ({where}): its blob is missing. Restore it, or run the routine that produced it again.");

    protected ArtifactUnavailableException Unreachable(string hash, Exception exception)
        => new(hash, $"The artifact store ({Location}) could not be reached{(hash.Length > 0 ? $" for artifact {hash}" : "")}: {exception.Message}");
}

/// <summary>A blob as the store lists it.</summary>
internal sealed record StoredBlob(string Hash, long Size, DateTimeOffset StoredAt);
