using System.Text.Json.Nodes;

namespace Routines.Worker.Commands;

/// <summary>
/// A one-line reading of a JSON schema for tables: <c>{learningRate: number, epochs?: integer, mode: "fast"|"slow"}</c>,
/// where <c>?</c> marks a field that may be left out. <c>list --json</c> prints the full schemas.
/// </summary>
internal static class SchemaSummary
{
    public static string Of(string schema) => Describe(JsonNode.Parse(schema), depth: 0);

    static string Describe(JsonNode? node, int depth)
    {
        if (node is not JsonObject schema) return "any";
        if (schema["$ref"] is not null) return "{…}";
        if (schema["enum"] is JsonArray values) return string.Join("|", values.Select(v => v?.ToJsonString() ?? "null"));

        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => [],
        };
        var nonNull = types.Where(t => t != "null").ToList();
        var text = nonNull.Count == 1 ? DescribeType(nonNull[0], schema, depth) : string.Join("|", nonNull);
        if (text.Length == 0) text = "any";
        return types.Contains("null") ? text + "|null" : text;
    }

    static string DescribeType(string type, JsonObject schema, int depth) => type switch
    {
        "array" => $"[{Describe(schema["items"], depth)}]",
        "object" when depth > 0 => "{…}",
        "object" when schema["properties"] is JsonObject properties => "{" + string.Join(", ", properties.Select(p =>
            $"{p.Key}{(IsRequired(schema, p.Key) ? "" : "?")}: {Describe(p.Value, depth + 1)}")) + "}",
        _ => type,
    };

    static bool IsRequired(JsonObject schema, string property)
        => schema["required"] is JsonArray required && required.Any(r => r?.GetValue<string>() == property);
}
