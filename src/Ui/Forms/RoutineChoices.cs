using System.Text.Json.Nodes;
using Routines.Client;

namespace Routines.Ui.Forms;

/// <summary>
/// Turns each routine reference of an input schema (a string marked <c>"x-routine"</c>) into a choice of the live
/// routines that fit it: those taking and returning the types the mark names.
/// </summary>
public static class RoutineChoices
{
    public static string Offer(string schema, IReadOnlyList<RoutineDescriptor> routines)
    {
        if (!schema.Contains("\"x-routine\"", StringComparison.Ordinal)) return schema;
        var root = JsonNode.Parse(schema)!;
        Mark(root, routines);
        return root.ToJsonString();
    }

    static void Mark(JsonNode? node, IReadOnlyList<RoutineDescriptor> routines)
    {
        switch (node)
        {
            case JsonObject obj when obj["x-routine"] is JsonObject wanted:
                var (input, output) = (wanted["input"]?.GetValue<string>(), wanted["output"]?.GetValue<string>());
                var fitting = routines.Where(r => r.InputType == input && r.OutputType == output).Select(r => r.Id.Name).Distinct().Order(StringComparer.Ordinal);
                obj["enum"] = new JsonArray([.. fitting.Select(name => JsonValue.Create(name))]);
                break;
            case JsonObject obj:
                foreach (var (_, child) in obj.ToList()) Mark(child, routines);
                break;
            case JsonArray array:
                foreach (var child in array) Mark(child, routines);
                break;
        }
    }
}
