namespace Routines.Client;

/// <summary>
/// A read-only stream over chunks a grain streams back (<see cref="Cluster.IRunStreamGrain.ReadArtifactAsync"/>); a
/// stream broken by a silo restart resumes from the bytes already read.
/// </summary>
internal sealed class ChunkedStream(Func<long, IAsyncEnumerable<byte[]>> open, CancellationToken cancellationToken) : Stream
{
    IAsyncEnumerator<byte[]>? _chunks;
    byte[] _current = [];
    int _used;
    long _position;
    bool _ended;
    int _resumes;

    public async Task StartAsync() => await NextChunkAsync();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token = default)
    {
        while (_used == _current.Length)
        {
            if (_ended || !await NextChunkAsync()) return 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _used);
        _current.AsMemory(_used, count).CopyTo(buffer);
        _used += count;
        _position += count;
        return count;
    }

    async Task<bool> NextChunkAsync()
    {
        while (true)
        {
            _chunks ??= open(_position).GetAsyncEnumerator(cancellationToken);
            try
            {
                if (!await _chunks.MoveNextAsync())
                {
                    _ended = true;
                    return false;
                }

                (_current, _used) = (_chunks.Current, 0);
                return true;
            }
            catch (EnumerationAbortedException) when (++_resumes <= 3)
            {
                await _chunks.DisposeAsync();
                _chunks = null;
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken token) => ReadAsync(buffer.AsMemory(offset, count), token).AsTask();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_chunks is not null) await _chunks.DisposeAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _chunks is not null) _chunks.DisposeAsync().AsTask().GetAwaiter().GetResult();
        base.Dispose(disposing);
    }
}
