using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Routines.Cli.Connection;
using Routines.Rendering;
using Spectre.Console;

namespace Routines.Cli.Commands;

/// <summary><c>runs</c>: recent runs as a table, newest first, with the service's filters.</summary>
internal static class RunsCommand
{
    public static Command Create()
    {
        var status = new Option<string?>("--status") { Description = "pending, running, succeeded, failed, cancelled or timedOut." };
        var routine = new Option<string?>("--routine") { Description = "Only runs of this routine name." };
        var since = new Option<string?>("--since") { Description = "Only runs created since: a duration back from now (30m, 2h, 7d) or a date (2026-12-01T08:00Z)." };
        var search = new Option<string?>("--search") { Description = "Only runs whose id or routine name contains this text (any case)." };
        var roots = new Option<bool>("--roots") { Description = "Only runs nobody called (no workflow's children)." };
        var limit = new Option<int>("--limit", "-n") { Description = "How many runs to show (1 to 1000).", DefaultValueFactory = _ => 20 };
        var json = ReadVerb.JsonOption();
        var command = new Command("runs", "List runs, newest first.") { status, routine, since, search, roots, limit, json };
        ReadVerb.SetAction(command, json, parse => Query(parse.GetValue(status), parse.GetValue(routine), parse.GetValue(since),
            parse.GetValue(search), parse.GetValue(roots), parse.GetValue(limit)), (_, _, text, _) => Show(text));
        return command;
    }

    static string Query(string? status, string? routine, string? since, string? search, bool roots, int limit)
    {
        var query = new List<string> { $"take={limit}" };
        if (status is not null) query.Add($"status={Uri.EscapeDataString(status)}");
        if (routine is not null) query.Add($"routine={Uri.EscapeDataString(routine)}");
        if (since is not null) query.Add($"since={Uri.EscapeDataString(Since(since).ToString("O", CultureInfo.InvariantCulture))}");
        if (search is not null) query.Add($"search={Uri.EscapeDataString(search)}");
        if (roots) query.Add("roots=true");
        return "runs?" + string.Join('&', query);
    }

    static DateTimeOffset Since(string text)
    {
        if (Durations.TryParse(text, out var back)) return DateTimeOffset.UtcNow - back;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date
            : throw new CliException($"--since '{text}' is neither a duration (30m, 2h, 7d) nor a date (2026-12-01T08:00Z).", ExitCodes.BadInput);
    }

    static Task Show(string text)
    {
        var list = JsonSerializer.Deserialize<RunList>(text, ApiJson.Options)!;
        if (list.Runs.Count == 0)
        {
            AnsiConsole.MarkupLine("No runs match.");
            return Task.CompletedTask;
        }

        var table = new Table().AddColumns("Run", "Routine", "Status", "Attempt", "Created", "Duration", "Worker");
        foreach (var run in list.Runs)
        {
            table.AddRow(TerminalText.Markup(run.RunId), TerminalText.Markup($"{run.RoutineName}@{run.RoutineVersion}"),
                $"[{RunTreePrinter.StatusColor(run.Status)}]{run.Status}[/]", $"{run.Attempt}/{run.MaxAttempts}",
                run.CreatedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                run.Duration is { } d ? $"{d.TotalSeconds:0.###} s" : "", TerminalText.Markup(run.Worker ?? ""));
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"[grey]{list.Runs.Count} of {list.Total:N0}{(list.TotalIsLowerBound ? "+" : "")} matching runs.[/]");
        return Task.CompletedTask;
    }
}
