using System.Globalization;
using System.Text.Json;
using Routines.Client;

namespace Routines.Ui.Components.Pages.Compare;

/// <summary>One line of the comparison table: a field or metric and its value in each run (null where a run has none).</summary>
internal sealed record ComparisonRow(string Label, IReadOnlyList<string?> Values)
{
    public bool Differs => Values.Distinct(StringComparer.Ordinal).Skip(1).Any();
}

/// <summary>
/// The Compare page's table, one column per run: every input field (nested objects flattened to dotted paths, arrays
/// compared as a whole so a training set stays one line) and the last value of every metric.
/// </summary>
internal static class RunComparison
{
    /// <summary>The input fields, in the order they first appear (stored inputs are canonical, so by name).</summary>
    public static IReadOnlyList<ComparisonRow> Inputs(IReadOnlyList<RunInfo> runs)
    {
        var byRun = runs.Select(r => Flatten(r.InputJson)).ToList();
        var fields = byRun.SelectMany(f => f.Keys).Distinct(StringComparer.Ordinal).ToList();
        return [.. fields.Select(field => new ComparisonRow(field, [.. byRun.Select(f => f.GetValueOrDefault(field))]))];
    }

    /// <summary>Each metric's value at its highest step, per run.</summary>
    public static IReadOnlyList<ComparisonRow> LastMetrics(IReadOnlyList<RunInfo> runs, IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> points)
    {
        var names = runs.SelectMany(r => points.GetValueOrDefault(r.RunId) ?? []).Select(p => p.Name).Distinct().Order(StringComparer.Ordinal);
        return [.. names.Select(name => new ComparisonRow(name, [.. runs.Select(r =>
            (points.GetValueOrDefault(r.RunId) ?? []).Where(p => p.Name == name).MaxBy(p => p.Step) is { } last
                ? last.Value.ToString("G6", CultureInfo.InvariantCulture)
                : null)]))];
    }

    /// <summary>The JSON's leaves by dotted path (arrays whole, strings quoted).</summary>
    public static Dictionary<string, string> Flatten(string json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            Flatten(document.RootElement, "", fields);
        }
        catch (JsonException)
        {
            fields["(input)"] = json; // never stored so (inputs are validated), but a table must not break on one
        }

        return fields;
    }

    static void Flatten(JsonElement element, string path, Dictionary<string, string> fields)
    {
        if (element.ValueKind == JsonValueKind.Object && element.EnumerateObject().Any())
        {
            foreach (var member in element.EnumerateObject())
                Flatten(member.Value, path.Length == 0 ? member.Name : $"{path}.{member.Name}", fields);
            return;
        }

        // Strings keep their quotes, so the text "1" and the number 1 do not look alike.
        fields[path.Length == 0 ? "(input)" : path] = element.ValueKind == JsonValueKind.String ? $"\"{element.GetString()}\"" : element.GetRawText();
    }
}
