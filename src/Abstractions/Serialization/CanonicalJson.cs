using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Routines.Serialization;

/// <summary>
/// The one text of an input: compact JSON with object members sorted by name, so equal inputs compare and hash
/// equally however they were written. The service stores it with every run and hashes it into task cache keys; a
/// workflow's worker hashes it into each call's child run id. It must not drift between versions.
/// </summary>
internal static class CanonicalJson
{
    /// <summary>Values are written as they were read (numbers keep their text). The input is validated first, so no object has a member twice.</summary>
    public static string Of(JsonElement input)
    {
        // Every submit canonicalizes its input: one buffer and writer per thread, since a writer asks for 4 KB at a time.
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        try
        {
            Write(input, writer);
            writer.Flush();
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        finally
        {
            writer.Reset(buffer);
            buffer.ResetWrittenCount();
        }
    }

    /// <summary>The canonical text of a JSON document; throws <see cref="JsonException"/> when it is not JSON.</summary>
    public static string Of(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Of(document.RootElement);
    }

    /// <summary>The canonical text, or null when the text is not JSON (or holds what JSON text cannot carry: a lone surrogate).</summary>
    public static string? TryOf(string json)
    {
        try
        {
            return Of(json);
        }
        catch (Exception exception) when (IsNotJson(exception))
        {
            return null;
        }
    }

    /// <summary>SHA-256 of the canonical text, as lower-case hex.</summary>
    public static string Hash(string canonical) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

    /// <summary>
    /// SHA-256 of <paramref name="name"/>, a newline, and the canonical text of <paramref name="json"/>, hashed from
    /// their UTF-8 bytes without making the text. Text that is not JSON (or holds what JSON cannot: a lone surrogate) is
    /// hashed as it is.
    /// </summary>
    public static void Hash(string name, string json, Span<byte> sha256)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        try
        {
            WriteName(name, buffer);
            if (!TryWrite(json, writer))
            {
                writer.Reset(buffer);
                buffer.ResetWrittenCount();
                WriteName(name, buffer);
                Encoding.UTF8.GetBytes(json, buffer);
            }

            SHA256.HashData(buffer.WrittenSpan, sha256);
        }
        finally
        {
            writer.Reset(buffer);
            buffer.ResetWrittenCount();
        }
    }

    static void WriteName(string name, ArrayBufferWriter<byte> buffer)
    {
        Encoding.UTF8.GetBytes(name, buffer);
        buffer.Write("\n"u8);
    }

    static bool TryWrite(string json, Utf8JsonWriter writer)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            Write(document.RootElement, writer);
            writer.Flush();
            return true;
        }
        catch (Exception exception) when (IsNotJson(exception))
        {
            return false;
        }
    }

    /// <summary>What parsing or writing text that is not JSON (or holds a lone surrogate) throws.</summary>
    static bool IsNotJson(Exception exception) => exception is JsonException or ArgumentException or InvalidOperationException;

    [ThreadStatic] static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] static Utf8JsonWriter? t_writer;

    static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                // Sorted by name, ordinally; members of one name (never in a validated input) keep their order. Most
                // inputs' objects have one member or a few, so they are sorted in a small array rather than by LINQ.
                var members = new (string Name, int Order, JsonElement Value)[element.GetPropertyCount()];
                var count = 0;
                foreach (var member in element.EnumerateObject()) members[count] = (member.Name, count++, member.Value);
                if (count > 1) Array.Sort(members, static (a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : a.Order - b.Order);
                foreach (var (name, _, value) in members)
                {
                    writer.WritePropertyName(name);
                    Write(value, writer);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(item, writer);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
