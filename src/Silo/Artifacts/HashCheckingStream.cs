using System.Security.Cryptography;

namespace Routines.Silo.Artifacts;

/// <summary>
/// Reads a blob while hashing it; at its end, bytes that do not match the artifact's hash or size fail the read with
/// <see cref="ArtifactUnavailableException"/> naming the artifact, so corrupt content never passes as the artifact.
/// </summary>
internal sealed class HashCheckingStream(Stream blob, Artifact artifact, Action<ArtifactUnavailableException>? failed = null) : Stream
{
    readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    long _read;
    bool _checked;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = blob.Read(buffer);
        return Seen(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await blob.ReadAsync(buffer, cancellationToken);
        return Seen(buffer.Span[..read]);
    }

    int Seen(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0)
        {
            _hash.AppendData(bytes);
            _read += bytes.Length;
            if (_read > artifact.Size) throw Corrupt($"it holds more than the {artifact.Size:N0} bytes recorded");
            return bytes.Length;
        }

        if (_checked) return 0;
        _checked = true;
        var actual = "sha256:" + Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (_read != artifact.Size) throw Corrupt($"it holds {_read:N0} bytes, not the {artifact.Size:N0} recorded");
        if (actual != artifact.Hash) throw Corrupt($"its bytes hash to {actual}");
        return 0;
    }

    ArtifactUnavailableException Corrupt(string why)
    {
        var corrupt = new ArtifactUnavailableException(artifact.Hash,
            $"Artifact {artifact.Name ?? artifact.Hash} ({artifact.Hash}) is corrupt in the artifact store: {why}. Restore the blob, or run the routine that produced it again.");
        failed?.Invoke(corrupt);
        return corrupt;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => artifact.Size;

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            blob.Dispose();
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await blob.DisposeAsync();
        _hash.Dispose();
        await base.DisposeAsync();
    }
}
