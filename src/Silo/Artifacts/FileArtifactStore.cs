using System.Runtime.CompilerServices;

namespace Routines.Silo.Artifacts;

/// <summary>Blobs as files under a directory: <c>sha256/ab/abcdef…</c>, read-only once written.</summary>
internal sealed class FileArtifactStore(string directory) : ArtifactStore
{
    readonly string _root = Path.GetFullPath(directory);

    public override string Location => _root;

    protected override string ScratchDirectory => Path.Combine(_root, "scratch");

    string PathOf(string hash) => Path.Combine(_root, "sha256", hash[7..9], hash[7..]);

    protected override Task CommitAsync(string spooledFile, string hash, CancellationToken cancellationToken)
    {
        var target = PathOf(hash);
        if (File.Exists(target))
        {
            // Stored once; its time is now, so retention counts the new save as recent (its run has not reported it yet).
            File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
            return Task.CompletedTask;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(spooledFile, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            File.Move(spooledFile, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            File.SetLastWriteTimeUtc(target, DateTime.UtcNow); // another writer stored the same content first
        }

        return Task.CompletedTask;
    }

    protected override Task<Stream> OpenBlobAsync(string hash, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult<Stream>(new FileStream(PathOf(hash), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 17,
                FileOptions.Asynchronous | FileOptions.SequentialScan));
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Missing(hash, _root);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw Unreachable(hash, exception);
        }
    }

    protected override Task<string?> LocalFileAsync(string hash, CancellationToken cancellationToken)
        => Task.FromResult(File.Exists(PathOf(hash)) ? PathOf(hash) : null);

    public override Task<bool> ExistsAsync(string hash, CancellationToken cancellationToken) => Task.FromResult(File.Exists(PathOf(hash)));

    public override async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var blobs = Path.Combine(_root, "sha256");
        if (!Directory.Exists(blobs)) yield break;
        foreach (var file in new DirectoryInfo(blobs).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Name.Length == 64) yield return new StoredBlob("sha256:" + file.Name, file.Length, file.LastWriteTimeUtc);
        }

        await Task.CompletedTask;
    }

    public override Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken)
    {
        var path = PathOf(hash);
        if (!File.Exists(path)) return Task.FromResult(false);
        File.Delete(path);
        return Task.FromResult(true);
    }
}
