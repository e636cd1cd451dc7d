using System.Text.Json;
using System.Text.Json.Nodes;

namespace Routines.Worker.Commands;

/// <summary>Builds the input JSON from <c>--input</c>, <c>--input-file</c> or <c>--set key=value</c>.</summary>
internal static class RoutineInput
{
    /// <summary>The input JSON text, or an error sentence.</summary>
    public static (string? Json, string? Error) From(string? input, FileInfo? inputFile, IReadOnlyList<string> sets)
    {
        var given = (input is not null ? 1 : 0) + (inputFile is not null ? 1 : 0) + (sets.Count > 0 ? 1 : 0);
        if (given > 1) return (null, "Give the input one way: --input, --input-file or --set, not several.");
        if (inputFile is not null)
        {
            return inputFile.Exists
                ? (File.ReadAllText(inputFile.FullName), null)
                : (null, $"The input file '{inputFile.FullName}' does not exist.");
        }

        if (sets.Count > 0) return FromAssignments(sets);
        return (input ?? "{}", null);
    }

    /// <summary>
    /// <c>--set epochs=5 --set name=iris</c> → <c>{"epochs":5,"name":"iris"}</c>: a value that parses as JSON
    /// (number, true/false, null, array, object, quoted string) is taken as such, anything else as a string.
    /// </summary>
    static (string? Json, string? Error) FromAssignments(IReadOnlyList<string> sets)
    {
        var obj = new JsonObject();
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=');
            if (equals <= 0) return (null, $"--set '{set}' is not key=value (for example --set epochs=5).");
            var key = set[..equals].Trim();
            if (obj.ContainsKey(key)) return (null, $"--set gives '{key}' twice.");
            obj[key] = ParseValue(set[(equals + 1)..]);
        }

        return (obj.ToJsonString(), null);
    }

    static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
