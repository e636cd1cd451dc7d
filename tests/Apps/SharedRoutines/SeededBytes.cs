namespace Routines.Tests.Apps;

/// <summary>Seeded pseudo-random bytes of a given length, generated as they are read: a large artifact that never sits in memory.</summary>
public sealed class SeededBytes(long length, int seed) : Stream
{
    ulong _state = (ulong)seed * 0x9E3779B97F4A7C15UL + 1;
    long _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer[..(count & ~7)]);
        for (var i = 0; i < words.Length; i++)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            words[i] = _state;
        }

        buffer[(count & ~7)..count].Fill((byte)_state); // the tail, shorter than a word
        _position += count;
        return count;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
