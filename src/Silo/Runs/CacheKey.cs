using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Routines.Silo.Runs;

/// <summary>The task result cache key: <c>name:version:sha256(canonical input JSON)</c>.</summary>
internal static class CacheKey
{
    public static string For(RoutineId routine, string canonicalInputJson)
        => $"{routine.Name}:{routine.Version}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalInputJson)))}";

    /// <summary>Compact JSON with object members sorted by name, so equal inputs hash equally however they were written.</summary>
    public static string Canonicalize(string json)
    {
        var node = JsonNode.Parse(json);
        return Sort(node)?.ToJsonString() ?? "null";
    }

    static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Sort(p.Value)))),
        JsonArray array => new JsonArray(array.Select(Sort).ToArray()),
        JsonValue value => value.DeepClone(),
        _ => null,
    };
}
