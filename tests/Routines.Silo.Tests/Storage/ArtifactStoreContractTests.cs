using System.Security.Cryptography;
using Azure.Storage.Blobs;
using Routines.Silo.Artifacts;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Storage;

/// <summary>What both artifact stores must do alike: address content by hash, store it once, check it on read, fail clearly.</summary>
public abstract class ArtifactStoreContractTests
{
    private protected abstract ArtifactStore Store { get; }

    /// <summary>Replaces the stored bytes of <paramref name="hash"/> behind the store's back.</summary>
    private protected abstract Task OverwriteBlobAsync(string hash, byte[] bytes);

    static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    async Task<byte[]> ReadAllAsync(Artifact artifact)
    {
        await using var stream = await Store.OpenAsync(artifact, CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task Content_IsAddressedByItsSha256_AndReadsBackWhole_FromAStreamLargerThanAnyBuffer()
    {
        var bytes = Bytes(9 * 1024 * 1024 + 17, 1);

        var artifact = await Store.PutAsync(new MemoryStream(bytes), "application/octet-stream", "weights.bin", CancellationToken.None);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)), artifact.Hash);
        Assert.Equal((bytes.LongLength, "application/octet-stream", "weights.bin"), (artifact.Size, artifact.MediaType, artifact.Name));
        Assert.Equal(bytes, await ReadAllAsync(artifact));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(await Store.GetFileAsync(artifact, CancellationToken.None)));
    }

    [Fact]
    public async Task IdenticalContent_IsStoredOnce_WhateverItsName()
    {
        var bytes = Bytes(1000, 2);

        var first = await Store.PutAsync(new MemoryStream(bytes), "text/plain", "a.txt", CancellationToken.None);
        var second = await Store.PutAsync(new MemoryStream(bytes), "text/plain", "b.txt", CancellationToken.None);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Single(await Store.ListAsync(CancellationToken.None).Where(b => b.Hash == first.Hash).ToListAsync());
        Assert.True(await Store.ExistsAsync(first.Hash, CancellationToken.None));
    }

    [Fact]
    public async Task ABlobWhoseBytesDoNotMatch_FailsTheReadNamingTheArtifact()
    {
        var artifact = await Store.PutAsync(new MemoryStream(Bytes(5000, 3)), "text/csv", "data.csv", CancellationToken.None);
        await OverwriteBlobAsync(artifact.Hash, Bytes(5000, 4));

        var error = await Assert.ThrowsAsync<ArtifactUnavailableException>(() => ReadAllAsync(artifact));

        Assert.Equal(artifact.Hash, error.Hash);
        Assert.StartsWith($"Artifact data.csv ({artifact.Hash}) is corrupt in the artifact store: its bytes hash to sha256:", error.Message);
        await Assert.ThrowsAsync<ArtifactUnavailableException>(() => Store.GetFileAsync(artifact, CancellationToken.None));
    }

    [Fact]
    public async Task AMissingBlob_FailsTheOpenSayingSo_AndADeletedOneIsGone()
    {
        var artifact = await Store.PutAsync(new MemoryStream(Bytes(10, 5)), "text/plain", null, CancellationToken.None);
        Assert.True(await Store.DeleteAsync(artifact.Hash, CancellationToken.None));
        Assert.False(await Store.DeleteAsync(artifact.Hash, CancellationToken.None));

        var error = await Assert.ThrowsAsync<ArtifactUnavailableException>(() => Store.OpenAsync(artifact, CancellationToken.None));

        Assert.StartsWith($"Artifact {artifact.Hash} is not in the artifact store ({Store.Location}): its blob is missing.", error.Message);
        Assert.False(await Store.ExistsAsync(artifact.Hash, CancellationToken.None));
    }
}

public sealed class FileArtifactStoreTests : ArtifactStoreContractTests, IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("routines-artifacts-").FullName;

    public FileArtifactStoreTests() => Store = new FileArtifactStore(_directory);

    private protected override ArtifactStore Store { get; }

    private protected override async Task OverwriteBlobAsync(string hash, byte[] bytes)
    {
        var path = Path.Combine(_directory, "sha256", hash[7..9], hash[7..]);
        File.SetAttributes(path, FileAttributes.Normal);
        await File.WriteAllBytesAsync(path, bytes);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AStoredBlob_IsReadOnly_AndNothingIsLeftInScratch()
    {
        var artifact = await Store.PutAsync(new MemoryStream([1, 2, 3]), "application/octet-stream", null, CancellationToken.None);

        var mode = File.GetUnixFileMode(Path.Combine(_directory, "sha256", artifact.Hash[7..9], artifact.Hash[7..]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, mode);
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "scratch")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;

[Collection("azurite")]
public sealed class AzureBlobArtifactStoreTests : ArtifactStoreContractTests
{
    readonly AzuriteServer _azurite;
    readonly ArtifactStoreOptions _options;

    public AzureBlobArtifactStoreTests(AzuriteFixture azurite)
    {
        _azurite = azurite.Server;
        _options = new ArtifactStoreOptions
        {
            Store = "azure", ConnectionString = _azurite.ConnectionString, Container = "test-" + Guid.NewGuid().ToString("N"), Timeout = TimeSpan.FromSeconds(5),
        };
        Store = ArtifactHosting.Create(_options);
    }

    private protected override ArtifactStore Store { get; }

    private protected override async Task OverwriteBlobAsync(string hash, byte[] bytes)
        => await new BlobServiceClient(_azurite.ConnectionString).GetBlobContainerClient(_options.Container)
            .GetBlobClient("sha256/" + hash[7..]).UploadAsync(new BinaryData(bytes), overwrite: true);

    [Fact]
    public async Task AnUnreachableStore_FailsSayingWhere_AndWorksAgainOnceItIsBack()
    {
        var artifact = await Store.PutAsync(new MemoryStream(Bytes(100)), "text/plain", null, CancellationToken.None);
        await _azurite.StopAsync();
        try
        {
            var read = await Assert.ThrowsAsync<ArtifactUnavailableException>(() => Store.OpenAsync(artifact, CancellationToken.None));
            Assert.StartsWith($"The artifact store (http://127.0.0.1:{_azurite.Port}/devstoreaccount1/{_options.Container}) could not be reached for artifact {artifact.Hash}:", read.Message);
            var write = await Assert.ThrowsAsync<ArtifactUnavailableException>(() => Store.PutAsync(new MemoryStream(Bytes(7)), "text/plain", null, CancellationToken.None));
            Assert.Contains("could not be reached", write.Message);
        }
        finally
        {
            await _azurite.StartAgainAsync();
        }

        await using var stream = await Store.OpenAsync(artifact, CancellationToken.None);
        await stream.CopyToAsync(Stream.Null);
    }

    static byte[] Bytes(int size) => Enumerable.Range(0, size).Select(i => (byte)i).ToArray();
}
