using System.Text.Json;
using System.Text.Json.Serialization;

namespace Routines;

/// <summary>
/// A reference to bytes in the artifact store (a dataset, model weights, a plot): their SHA-256, size and media type,
/// and a name for people. A routine gets one from <see cref="RoutineArtifacts.SaveAsync(Stream,string,string?)"/> and
/// puts it in its output; another reads the bytes back with <see cref="RoutineArtifacts.OpenAsync"/>. Inputs, outputs
/// and cache keys carry the reference, never the bytes. In JSON it is
/// <c>{"artifact":"sha256:…","size":…,"mediaType":"…","name":"…"}</c>, whatever the naming policy.
/// </summary>
[JsonConverter(typeof(ArtifactJsonConverter))]
[GenerateSerializer, Immutable]
public sealed record Artifact
{
    public Artifact(string hash, long size, string mediaType, string? name = null)
    {
        if (!IsHash(hash)) throw new ArgumentException($"'{hash}' is not an artifact hash: it is \"sha256:\" and 64 lowercase hex digits.", nameof(hash));
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        (Hash, Size, MediaType, Name) = (hash, size, mediaType, name);
    }

    /// <summary>The content's address: <c>sha256:</c> and its SHA-256 in lowercase hex.</summary>
    [Id(0)] public string Hash { get; }

    /// <summary>The content's length in bytes.</summary>
    [Id(1)] public long Size { get; }

    /// <summary>What the bytes are, for example <c>text/csv</c> or <c>image/png</c>.</summary>
    [Id(2)] public string MediaType { get; }

    /// <summary>A name for people (a file name, say); not part of the content's address.</summary>
    [Id(3)] public string? Name { get; }

    /// <summary>True when <paramref name="hash"/> is <c>sha256:</c> followed by 64 lowercase hex digits.</summary>
    public static bool IsHash(string? hash)
        => hash is { Length: 71 } && hash.StartsWith("sha256:", StringComparison.Ordinal) && hash.AsSpan(7).IndexOfAnyExcept("0123456789abcdef") < 0;

    public override string ToString() => Name is null ? $"{Hash} ({MediaType}, {Size:N0} bytes)" : $"{Name} {Hash} ({MediaType}, {Size:N0} bytes)";
}

/// <summary>Writes an <see cref="Artifact"/> with fixed member names, so the service can find references in any routine's JSON.</summary>
internal sealed class ArtifactJsonConverter : JsonConverter<Artifact>
{
    public const string HashMember = "artifact";

    public override Artifact Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Refused();
        string? hash = null, mediaType = null, name = null;
        long? size = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var member = reader.GetString();
            reader.Read();
            switch (member)
            {
                case HashMember when reader.TokenType == JsonTokenType.String: hash = reader.GetString(); break;
                case "size" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var bytes) && bytes >= 0: size = bytes; break;
                case "mediaType" when reader.TokenType == JsonTokenType.String: mediaType = reader.GetString(); break;
                case "name" when reader.TokenType is JsonTokenType.String or JsonTokenType.Null: name = reader.GetString(); break;
                default: throw Refused();
            }
        }

        if (!Artifact.IsHash(hash) || size is null || string.IsNullOrWhiteSpace(mediaType)) throw Refused();
        return new Artifact(hash!, size.Value, mediaType!, name);
    }

    public override void Write(Utf8JsonWriter writer, Artifact value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(HashMember, value.Hash);
        writer.WriteNumber("size", value.Size);
        writer.WriteString("mediaType", value.MediaType);
        if (value.Name is not null) writer.WriteString("name", value.Name);
        writer.WriteEndObject();
    }

    static JsonException Refused() => new(
        "An artifact is {\"artifact\":\"sha256:<64 hex digits>\",\"size\":<bytes>,\"mediaType\":\"<type>\",\"name\":\"<optional>\"}, as a routine's ctx.Artifacts.SaveAsync returns it.");
}
