using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Cli.Connection;

namespace Routines.Cli.Commands;

/// <summary>Builds the input JSON from <c>--input</c>, <c>--input-file</c> or <c>--set key=value</c>.</summary>
internal static class RoutineInput
{
    public static JsonNode? From(string? input, FileInfo? inputFile, IReadOnlyList<string> sets)
    {
        var given = (input is not null ? 1 : 0) + (inputFile is not null ? 1 : 0) + (sets.Count > 0 ? 1 : 0);
        if (given > 1) throw Bad("Give the input one way: --input, --input-file or --set, not several.");
        if (sets.Count > 0) return FromAssignments(sets);
        if (inputFile is { Exists: false }) throw Bad($"The input file '{inputFile.FullName}' does not exist.");
        var text = inputFile is not null ? File.ReadAllText(inputFile.FullName) : input ?? "{}";
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException exception)
        {
            throw Bad($"The input is not JSON: {exception.Message}");
        }
    }

    /// <summary>
    /// <c>--set epochs=5 --set data.name=iris</c> → <c>{"epochs":5,"data":{"name":"iris"}}</c>: a value that parses as
    /// JSON (number, true/false, null, array, object, quoted string) is taken as such, anything else as a string.
    /// </summary>
    static JsonObject FromAssignments(IReadOnlyList<string> sets)
    {
        var root = new JsonObject();
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=');
            if (equals <= 0) throw Bad($"--set '{set}' is not key=value (for example --set epochs=5).");
            var path = set[..equals].Trim().Split('.');
            var parent = root;
            foreach (var part in path[..^1])
            {
                parent[part] ??= new JsonObject();
                parent = parent[part] as JsonObject ?? throw Bad($"--set '{set}': '{part}' is already a value, not an object.");
            }

            if (parent.ContainsKey(path[^1])) throw Bad($"--set gives '{set[..equals]}' twice.");
            parent[path[^1]] = Value(set[(equals + 1)..]);
        }

        return root;
    }

    static JsonNode? Value(string text)
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

    static CliException Bad(string message) => new(message, ExitCodes.BadInput);
}
