using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Dispatch;

namespace Routines.Silo.Runs;

/// <summary>
/// The routine references (<see cref="RoutineRef{TInput,TOutput}"/>) in an input that fits its schema, checked against
/// the catalog: each must name a routine a live worker offers, taking and returning the types its schema says.
/// </summary>
internal static class RoutineReferences
{
    /// <summary>How a schema marks a routine reference.</summary>
    public const string SchemaMark = "x-routine";

    /// <summary>The first reference that names no live routine or one of other types, as the input problem it is; or null.</summary>
    public static InputProblem? ProblemIn(JsonNode schema, JsonElement input, RoutineCatalog catalog)
    {
        foreach (var (path, id, wanted) in In(schema, input, "$"))
        {
            var (inputType, outputType) = (wanted["input"]?.GetValue<string>(), wanted["output"]?.GetValue<string>());
            RoutineDescriptor routine;
            try
            {
                routine = catalog.Resolve(id);
            }
            catch (Exception exception) when (exception is RoutineNotFoundException or FormatException)
            {
                return new InputProblem(path, $"names routine '{id}', which no live worker offers ({exception.Message})");
            }

            if (routine.InputType != inputType || routine.OutputType != outputType)
            {
                return new InputProblem(path, $"names routine {routine.Id}, which takes {routine.InputType} and returns {routine.OutputType}; "
                                              + $"it must name one taking {inputType} and returning {outputType}");
            }
        }

        return null;
    }

    /// <summary>Every string the schema marks <c>x-routine</c>, with its path, down properties and array items.</summary>
    static IEnumerable<(string Path, string Id, JsonObject Wanted)> In(JsonNode? schema, JsonElement value, string path)
    {
        if (schema is not JsonObject node) yield break;
        if (node[SchemaMark] is JsonObject wanted)
        {
            if (value.ValueKind == JsonValueKind.String) yield return (path, value.GetString()!, wanted);
            yield break;
        }

        if (value.ValueKind == JsonValueKind.Object && node["properties"] is JsonObject properties)
        {
            foreach (var property in value.EnumerateObject())
            foreach (var found in In(properties[property.Name], property.Value, $"{path}.{property.Name}"))
                yield return found;
        }
        else if (value.ValueKind == JsonValueKind.Array && node["items"] is { } items)
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
            foreach (var found in In(items, item, $"{path}[{index++}]"))
                yield return found;
        }
    }
}
