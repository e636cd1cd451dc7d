using System.Text.Json;

namespace Routines.Serialization;

/// <summary>The artifact references in a run's input or output JSON, found by their fixed shape (<see cref="ArtifactJsonConverter"/>).</summary>
internal static class ArtifactReferences
{
    const string Marker = "\"" + ArtifactJsonConverter.HashMember + "\":\"sha256:";

    /// <summary>Cheap first look: JSON without the marker holds no reference (the common case costs no parse).</summary>
    public static bool MayHold(string? json) => json is not null && json.Contains(Marker, StringComparison.Ordinal);

    /// <summary>Each reference in the JSON with its path, in document order.</summary>
    public static IReadOnlyList<(string Path, Artifact Artifact)> In(string? json)
    {
        if (!MayHold(json)) return [];
        using var document = JsonDocument.Parse(json!);
        var found = new List<(string, Artifact)>();
        Walk(document.RootElement, "$", found);
        return found;
    }

    static void Walk(JsonElement element, string path, List<(string, Artifact)> found)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when element.TryGetProperty(ArtifactJsonConverter.HashMember, out var hash) && hash.ValueKind == JsonValueKind.String:
                try
                {
                    if (element.Deserialize<Artifact>() is { } artifact) found.Add((path, artifact));
                }
                catch (JsonException)
                {
                    // Not an artifact after all: a member of that name in some other record.
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Walk(property.Value, $"{path}.{property.Name}", found);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Walk(item, $"{path}[{index++}]", found);
                break;
        }
    }
}
