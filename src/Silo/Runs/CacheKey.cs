using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Routines.Silo.Runs;

/// <summary>The task result cache key: <c>name:version:sha256(canonical input JSON)</c>.</summary>
internal static class CacheKey
{
    public static string For(RoutineId routine, string canonicalInputJson)
        => $"{routine.Name}:{routine.Version}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalInputJson)))}";

    /// <summary>
    /// Compact JSON with object members sorted by name, so equal inputs hash equally however they were written.
    /// Values are written as they were read (numbers keep their text). The input is validated first, so no object
    /// has a member twice.
    /// </summary>
    public static string Canonicalize(JsonElement input)
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

    [ThreadStatic] static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] static Utf8JsonWriter? t_writer;

    static void Write(JsonElement element, Utf8JsonWriter writer)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in element.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    Write(member.Value, writer);
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
