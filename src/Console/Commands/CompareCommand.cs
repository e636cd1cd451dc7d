using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Routines.Cli.Connection;
using Routines.Client;
using Spectre.Console;
using Routines.Rendering;

namespace Routines.Cli.Commands;

/// <summary><c>compare</c>: runs side by side — the input fields that differ and each metric's last value.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var runs = new Argument<string[]>("runs") { Description = "Two or more run ids.", Arity = new ArgumentArity(2, 100) };
        var json = ReadVerb.JsonOption();
        var command = new Command("compare", "Compare runs: status, duration, the input fields that differ, and each metric's last value.") { runs, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var api = ServerAddress.Connect(parse);
            var compared = new List<Compared>();
            foreach (var runId in parse.GetValue(runs)!)
            {
                var run = await api.GetAsync<RunResource>(ReadVerb.RunPath(runId), cancellationToken);
                var points = await api.GetAsync<IReadOnlyList<MetricPoint>>(ReadVerb.RunPath(runId, "/metrics"), cancellationToken);
                var last = points.GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.MaxBy(p => (p.Step, p.Timestamp))!.Value);
                compared.Add(new Compared(run, Fields(run.Input), last));
            }

            if (parse.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(compared.Select(c => new { c.Run.RunId, c.Run.Status, c.Run.Input, c.Metrics }), ApiJson.Indented));
            else Show(compared);
            return ExitCodes.Success;
        });
        return command;
    }

    sealed record Compared(RunResource Run, Dictionary<string, string> Input, Dictionary<string, double> Metrics);

    static void Show(List<Compared> runs)
    {
        var table = new Table().AddColumn("");
        foreach (var run in runs) table.AddColumn(TerminalText.Markup(run.Run.RunId));
        void Row(string name, Func<Compared, string> value) => table.AddRow([$"[grey]{TerminalText.Markup(name)}[/]", .. runs.Select(r => TerminalText.Markup(value(r)))]);

        Row("routine", r => r.Run.RoutineId);
        Row("status", r => r.Run.Status.ToString());
        Row("duration", r => r.Run.Duration is { } d ? $"{d.TotalSeconds:0.###} s" : "");
        foreach (var field in runs.SelectMany(r => r.Input.Keys).Distinct().Order(StringComparer.Ordinal)
                     .Where(f => runs.Select(r => r.Input.GetValueOrDefault(f)).Distinct().Count() > 1))
            Row(field, r => r.Input.GetValueOrDefault(field) ?? "—");
        foreach (var metric in runs.SelectMany(r => r.Metrics.Keys).Distinct().Order(StringComparer.Ordinal))
            Row(metric, r => r.Metrics.TryGetValue(metric, out var value) ? value.ToString("G6") : "—");
        AnsiConsole.Write(table);
    }

    /// <summary>The input's leaves by path (<c>data.name</c>, <c>rates[1]</c>) as compact JSON, so nested fields compare too.</summary>
    static Dictionary<string, string> Fields(JsonElement input)
    {
        var fields = new Dictionary<string, string>();
        void Walk(JsonNode? node, string path)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj) Walk(value, path.Length == 0 ? key : $"{path}.{key}");
                    break;
                case JsonArray array:
                    for (var i = 0; i < array.Count; i++) Walk(array[i], $"{path}[{i}]");
                    break;
                default:
                    fields[path.Length == 0 ? "input" : path] = node?.ToJsonString() ?? "null";
                    break;
            }
        }

        Walk(JsonNode.Parse(input.GetRawText()), "");
        return fields;
    }
}
