using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Rendering;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>show</c>: one run — status, timings, attempts, options, error chain, output — and its workflow tree.</summary>
internal static class ShowCommand
{
    public static Command Create()
    {
        var run = ReadVerb.RunArgument();
        var json = ReadVerb.JsonOption();
        var command = new Command("show", "Show a run: status, timings, attempts, options, error chain, output, and its workflow tree.") { run, json };
        ReadVerb.SetAction(command, json, parse => ReadVerb.RunPath(parse.GetValue(run)!), async (_, api, text, cancellationToken) =>
        {
            var resource = JsonSerializer.Deserialize<RunResource>(text, ApiJson.Options)!;
            var tree = await api.GetAsync<RunTree>(ReadVerb.RunPath(resource.RunId, "/tree"), cancellationToken);
            Show(resource, tree);
        });
        return command;
    }

    static void Show(RunResource run, RunTree tree)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string? value) { if (!string.IsNullOrEmpty(value)) grid.AddRow($"[grey]{name}[/]", value); }

        Row("run", TerminalText.Markup(run.RunId));
        Row("routine", TerminalText.Markup($"{run.RoutineId} ({run.Kind.ToString().ToLowerInvariant()})"));
        Row("status", $"[{RunTreePrinter.StatusColor(run.Status)}]{run.Status}[/]" + (run.WaitReason is { } why ? TerminalText.Markup($" ({why})") : ""));
        Row("attempt", $"{run.Attempt} of {run.MaxAttempts}");
        Row("created", Time(run.CreatedAt));
        Row("started", Time(run.StartedAt));
        Row("finished", Time(run.FinishedAt));
        Row("duration", run.Duration is { } d ? $"{d.TotalSeconds:0.###} s" : null);
        Row("worker", TerminalText.Markup(run.Worker ?? ""));
        Row("trace", TerminalText.Markup(run.TraceId ?? ""));
        Row("parent", TerminalText.Markup(run.ParentRunId ?? ""));
        Row("started by", run.Cause is { } cause ? TerminalText.Markup(cause.ToString()) : null);
        Row("from cache", TerminalText.Markup(run.CachedFromRunId ?? ""));
        Row("progress", run.Progress is { } p ? TerminalText.Markup($"{p.Current}/{p.Total} {p.Message}") : null);
        Row("options", run.Options is { ValueKind: JsonValueKind.Object } options ? TerminalText.Markup(options.GetRawText()) : null);
        Row("input", TerminalText.Markup(ApiJson.Pretty(run.Input)));
        Row("output", run.Output is { } output ? TerminalText.Markup(ApiJson.Pretty(output)) : null);
        Row("error", run.Error is { } error ? $"[red]{TerminalText.Markup(ErrorChain.Describe(error))}[/]" : null);
        AnsiConsole.Write(grid);

        if (tree.Children.Count == 0) return;
        var root = new Tree(Node(tree.Run));
        foreach (var child in tree.Children) Add(root.AddNode(Node(child.Run)), child);
        AnsiConsole.WriteLine();
        AnsiConsole.Write(root);
    }

    static void Add(TreeNode node, RunTree tree)
    {
        foreach (var child in tree.Children) Add(node.AddNode(Node(child.Run)), child);
    }

    static string Node(RunResource run) => $"[bold]{TerminalText.Markup(run.RoutineName)}[/]@{TerminalText.Markup(run.RoutineVersion)} "
        + $"[{RunTreePrinter.StatusColor(run.Status)}]{run.Status}[/] " + (run.Duration is { } d ? $"{d.TotalSeconds:0.###} s " : "") + RunTreePrinter.Short(run.RunId);

    static string? Time(DateTimeOffset? time) => time?.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
