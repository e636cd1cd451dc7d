using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Routines.Silo.Artifacts;

/// <summary>Blobs in an Azure Blob Storage container (Azurite in tests), named <c>sha256/abcdef…</c>.</summary>
internal sealed class AzureBlobArtifactStore : ArtifactStore
{
    readonly BlobContainerClient _container;
    readonly string _scratch;
    volatile bool _containerExists;

    public AzureBlobArtifactStore(ArtifactStoreOptions options, string scratchDirectory)
    {
        var client = new BlobClientOptions
        {
            Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2), NetworkTimeout = options.Timeout, Mode = RetryMode.Exponential },
        };
        _container = new BlobServiceClient(options.ConnectionString, client).GetBlobContainerClient(options.Container);
        _scratch = scratchDirectory;
    }

    public override string Location => $"{_container.Uri.GetLeftPart(UriPartial.Path)}";

    protected override string ScratchDirectory => _scratch;

    BlobClient BlobOf(string hash) => _container.GetBlobClient("sha256/" + hash[7..]);

    protected override async Task CommitAsync(string spooledFile, string hash, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureContainerAsync(cancellationToken);
            // Only if absent: identical content is stored once, and a blob is never rewritten under a reader.
            await BlobOf(hash).UploadAsync(spooledFile, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            // Stored already; touched, so retention counts the new save as recent (its run has not reported it yet).
            await BlobOf(hash).SetMetadataAsync(new Dictionary<string, string> { ["saved"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString() }, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (IsStoreFailure(exception, cancellationToken))
        {
            throw Unreachable(hash, exception);
        }
    }

    protected override async Task<Stream> OpenBlobAsync(string hash, CancellationToken cancellationToken)
    {
        try
        {
            return await BlobOf(hash).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false) { BufferSize = 4 << 20 }, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            throw Missing(hash, Location);
        }
        catch (Exception exception) when (IsStoreFailure(exception, cancellationToken))
        {
            throw Unreachable(hash, exception);
        }
    }

    public override async Task<bool> ExistsAsync(string hash, CancellationToken cancellationToken)
    {
        try
        {
            return await BlobOf(hash).ExistsAsync(cancellationToken);
        }
        catch (Exception exception) when (IsStoreFailure(exception, cancellationToken))
        {
            throw Unreachable(hash, exception);
        }
    }

    public override async IAsyncEnumerable<StoredBlob> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!await _container.ExistsAsync(cancellationToken)) yield break;
        await foreach (var blob in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = "sha256/" }, cancellationToken))
        {
            var name = blob.Name["sha256/".Length..];
            if (name.Length == 64) yield return new StoredBlob("sha256:" + name, blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.MinValue);
        }
    }

    public override async Task<bool> DeleteAsync(string hash, CancellationToken cancellationToken)
        => (await BlobOf(hash).DeleteIfExistsAsync(cancellationToken: cancellationToken)).Value;

    async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists) return;
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _containerExists = true;
    }

    /// <summary>The store failed or could not be reached (not a cancel of the caller's own).</summary>
    static bool IsStoreFailure(Exception exception, CancellationToken cancellationToken)
        => exception is RequestFailedException or AggregateException or HttpRequestException or IOException
           || exception is OperationCanceledException && !cancellationToken.IsCancellationRequested;
}
