using System.Globalization;
using System.Text.Json;
using Routines.Client;
using Routines.Ui.Components.Pages.Compare;

namespace Routines.Ui.Components.Pages.Sweep;

/// <summary>One child of a sweep: its run, the inputs that differ, and its scores (metrics' last values and numeric outputs).</summary>
internal sealed record SweepRow(RunInfo Run, IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, double> Scores);

/// <summary>
/// A workflow's children of one routine as an experiment tracker shows them: a row per child with the input fields that
/// differ between them and, per metric, the last value the child (or a run under it) logged, and its output's numbers.
/// </summary>
internal sealed record SweepTable(string Routine, IReadOnlyList<string> InputColumns, IReadOnlyList<string> ScoreColumns, IReadOnlyList<SweepRow> Rows)
{
    /// <summary>The routine the workflow called most often (at least twice), or the one asked for; null when none was called twice.</summary>
    public static string? RoutineOf(IReadOnlyList<RunInfo> children, string? wanted)
        => wanted is { Length: > 0 } ? wanted
            : children.GroupBy(c => c.RoutineName).Where(g => g.Count() >= 2).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Key).FirstOrDefault();

    /// <param name="children">The sweep's runs: the workflow's children of one routine.</param>
    /// <param name="metrics">Metric points by run, of the children and of the runs under them.</param>
    /// <param name="tree">The workflow's tree, to find the runs under each child.</param>
    public static SweepTable Of(string routine, IReadOnlyList<RunInfo> children, IReadOnlyList<RunInfo> tree,
        IReadOnlyDictionary<string, IReadOnlyList<MetricPoint>> metrics)
    {
        var inputs = children.Select(c => RunComparison.Flatten(c.InputJson)).ToList();
        var differing = inputs.SelectMany(i => i.Keys).Distinct(StringComparer.Ordinal)
            .Where(field => inputs.Select(i => i.GetValueOrDefault(field)).Distinct(StringComparer.Ordinal).Skip(1).Any()).ToList();
        var byParent = tree.Where(r => r.ParentRunId is not null).ToLookup(r => r.ParentRunId!);

        var rows = children.Select((child, i) =>
        {
            var scores = new Dictionary<string, double>(StringComparer.Ordinal);
            // The child's own metrics first; those of runs under it (a trained model's loss) only where it has none of that name.
            foreach (var run in Subtree(child, byParent))
            foreach (var series in (metrics.GetValueOrDefault(run.RunId) ?? []).GroupBy(p => p.Name))
                scores.TryAdd(series.Key, series.MaxBy(p => p.Step)!.Value);
            // An output echoing an input field (the hyperparameters a score came from) is not a score.
            foreach (var (field, value) in Numbers(child.OutputJson).Where(n => !inputs[i].ContainsKey(n.Field))) scores.TryAdd("output." + field, value);
            return new SweepRow(child, differing.ToDictionary(f => f, f => inputs[i].GetValueOrDefault(f) ?? "—"), scores);
        }).ToList();

        var scoreColumns = rows.SelectMany(r => r.Scores.Keys).Distinct(StringComparer.Ordinal)
            .OrderBy(c => c.StartsWith("output.", StringComparison.Ordinal)).ThenBy(c => c, StringComparer.Ordinal).ToList();
        return new SweepTable(routine, differing, scoreColumns, rows);
    }

    /// <summary>The input columns whose values are all numbers (the ones a chart can put on its x axis), the most varied first.</summary>
    public IReadOnlyList<string> NumericInputs => [.. InputColumns.Where(c => Rows.All(r => Number(r.Inputs[c]) is not null))
        .OrderByDescending(c => Rows.Select(r => r.Inputs[c]).Distinct().Count())];

    /// <summary>The rows sorted by a column (an input or a score), missing values last.</summary>
    public IReadOnlyList<SweepRow> SortedBy(string? column, bool descending)
    {
        if (column is null) return Rows;
        double? Key(SweepRow row) => row.Scores.TryGetValue(column, out var score) ? score : row.Inputs.TryGetValue(column, out var text) ? Number(text) : null;
        var present = Rows.Where(r => Key(r) is not null);
        var sorted = descending ? present.OrderByDescending(r => Key(r)) : present.OrderBy(r => Key(r));
        return [.. sorted.ThenBy(r => r.Run.CreatedAt), .. Rows.Where(r => Key(r) is null)];
    }

    /// <summary>The (x, y) points of an input against a score, for the children that have both.</summary>
    public IReadOnlyList<(double X, double Y, SweepRow Row)> Points(string input, string score)
        => [.. Rows.Where(r => Number(r.Inputs.GetValueOrDefault(input)) is not null && r.Scores.ContainsKey(score))
            .Select(r => (Number(r.Inputs[input])!.Value, r.Scores[score], r))];

    public static double? Number(string? text)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    static IEnumerable<RunInfo> Subtree(RunInfo root, ILookup<string, RunInfo> byParent)
    {
        var pending = new Queue<RunInfo>([root]);
        while (pending.TryDequeue(out var run))
        {
            yield return run;
            foreach (var child in byParent[run.RunId]) pending.Enqueue(child);
        }
    }

    /// <summary>The output's numeric leaves by dotted path (not inside arrays: a confusion matrix is no score).</summary>
    static IEnumerable<(string Field, double Value)> Numbers(string? json)
    {
        if (json is null) yield break;
        JsonDocument document;
        try { document = JsonDocument.Parse(json); }
        catch (JsonException) { yield break; }
        using (document)
        {
            var pending = new Stack<(JsonElement Element, string Path)>([(document.RootElement, "")]);
            var found = new List<(string, double)>();
            while (pending.TryPop(out var item))
            {
                if (item.Element.ValueKind == JsonValueKind.Object && item.Element.TryGetProperty("artifact", out _)) continue; // a reference's size is no score
                if (item.Element.ValueKind == JsonValueKind.Object)
                    foreach (var member in item.Element.EnumerateObject()) pending.Push((member.Value, item.Path.Length == 0 ? member.Name : $"{item.Path}.{member.Name}"));
                else if (item.Element.ValueKind == JsonValueKind.Number && item.Element.TryGetDouble(out var value))
                    found.Add((item.Path.Length == 0 ? "value" : item.Path, value));
            }

            foreach (var number in found.OrderBy(f => f.Item1, StringComparer.Ordinal)) yield return number;
        }
    }
}
