using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Silo.Runs;
using Spectre.Console;

namespace Routines.Worker.Commands;

/// <summary>Prints a run tree's status changes, log lines and progress as they happen.</summary>
internal sealed partial class RunTreePrinter(IAnsiConsole console)
{
    readonly Dictionary<string, (RunStatus Status, int Attempt, long? Progress)> _seen = [];

    public void Print(RunUpdate update)
    {
        if (update.Log is { } line)
        {
            console.MarkupLine($"[grey]{line.Timestamp:HH:mm:ss.fff}[/] {Short(line.RunId)} [{LevelColor(line.Level)}]{Level(line.Level)}[/] {Markup.Escape(line.Message)}");
        }
        else if (update.Metric is { } metric)
        {
            // Metrics are stored and charted in the console; printing each point would drown the logs.
        }
        else if (update.Run is { } run)
        {
            PrintRun(run);
        }
    }

    void PrintRun(RunInfo run)
    {
        var progress = run.Progress is { } p ? p.Current * 1000 + p.Total : (long?)null;
        var isNew = !_seen.TryGetValue(run.RunId, out var before);
        var state = (run.Status, run.Attempt, progress);
        if (!isNew && before == state) return;
        _seen[run.RunId] = state;

        if (isNew && run.ParentRunId is null)
            console.MarkupLine($"Run [bold]{Markup.Escape(run.RunId)}[/] of {Markup.Escape(run.RoutineId)}");

        // A run that got a worker at once goes Pending → Running in the same instant: print only Running.
        if (run is { Status: RunStatus.Pending, Attempt: 0, WaitReason: null }) return;

        if (isNew || before.Status != run.Status || before.Attempt != run.Attempt)
        {
            var detail = run.Status switch
            {
                RunStatus.Running => $"attempt {run.Attempt}/{run.MaxAttempts}",
                RunStatus.Pending when run.WaitReason is { } why => why,
                RunStatus.Succeeded when run.CacheHit => $"from cache (run {run.CachedFromRunId})",
                RunStatus.Succeeded => run.Duration is { } d ? $"in {d.TotalSeconds:0.###} s" : "",
                _ when run.Error is { } e => e.Root.Message,
                _ => "",
            };
            console.MarkupLine($"{Short(run.RunId)} [bold]{Markup.Escape(run.RoutineName)}[/]@{Markup.Escape(run.RoutineVersion)} "
                             + $"[{StatusColor(run.Status)}]{run.Status}[/] {Markup.Escape(detail)}");
        }
        else if (run.Progress is { } current)
        {
            console.MarkupLine($"{Short(run.RunId)} {Bar(current)} {Markup.Escape(current.Message ?? "")}");
        }
    }

    static string Bar(RunProgress progress)
    {
        const int width = 20;
        var filled = (int)Math.Round((progress.Fraction ?? 0) * width);
        return $"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {progress.Current}/{progress.Total}";
    }

    /// <summary>
    /// The tail of the root id, then each call's first 4 hex of its hash (and its occurrence past the first):
    /// <c>…3f9a1c.c560.80d5#2</c>. The line names the routine, so the full child ids (decision #34) would only crowd it.
    /// </summary>
    public static string Short(string runId)
    {
        var dot = runId.IndexOf('.');
        var root = dot < 0 ? runId : runId[..dot];
        var path = dot < 0 ? "" : string.Concat(CallSegment().Matches(runId[dot..])
            .Select(m => $".{m.Groups["hash"].Value[..4]}{(m.Groups["n"].Value == "1" ? "" : "#" + m.Groups["n"].Value)}"));
        return $"[grey]…{Markup.Escape(root[^Math.Min(6, root.Length)..])}[/]{Markup.Escape(path)}";
    }

    // .{name}-{12 hex}-{occurrence}; a name may itself hold '.' and '-', so each segment is anchored on what follows it.
    [GeneratedRegex(@"\.[A-Za-z0-9_.\-]+?-(?<hash>[0-9a-f]{12})-(?<n>[0-9]+)(?=\.|$)")]
    private static partial Regex CallSegment();

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRCE", LogLevel.Debug => "DBUG", LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN", LogLevel.Error => "FAIL", _ => "CRIT",
    };

    static string LevelColor(LogLevel level) => level switch
    {
        LogLevel.Warning => "yellow", >= LogLevel.Error => "red", LogLevel.Information => "blue", _ => "grey",
    };

    static string StatusColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "green", RunStatus.Failed or RunStatus.TimedOut => "red",
        RunStatus.Cancelled => "yellow", RunStatus.Running => "blue", _ => "grey",
    };
}
