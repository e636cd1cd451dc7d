using Microsoft.Extensions.Logging;
using Routines.Cli.Connection;
using Routines.Client;
using Spectre.Console;

namespace Routines.Cli.Rendering;

/// <summary>Prints a run tree's log lines, status changes and progress as they arrive; safe to call from several loops.</summary>
internal sealed class RunPrinter(IAnsiConsole console)
{
    readonly Dictionary<string, (RunStatus Status, int Attempt, long? Progress)> _seen = [];
    readonly Lock _lock = new();

    public void Log(RunLogLine line)
    {
        lock (_lock)
            console.MarkupLine($"[grey]{line.Timestamp.ToLocalTime():HH:mm:ss.fff}[/] {Short(line.RunId)} [{LevelColor(line.Level)}]{Level(line.Level)}[/] {Markup.Escape(line.Message)}");
    }

    /// <summary>Prints what changed in the tree since the last call: a new status or attempt, else new progress.</summary>
    public void Update(RunTree tree)
    {
        lock (_lock)
            foreach (var run in tree.All()) PrintChange(run);
    }

    void PrintChange(RunResource run)
    {
        var progress = run.Progress is { } p ? p.Current * 1000 + p.Total : (long?)null;
        var isNew = !_seen.TryGetValue(run.RunId, out var before);
        var state = (run.Status, run.Attempt, progress);
        if (!isNew && before == state) return;
        _seen[run.RunId] = state;

        if (isNew && run.ParentRunId is null)
            console.MarkupLine($"Run [bold]{Markup.Escape(run.RunId)}[/] of {Markup.Escape(run.RoutineId)}");
        if (isNew || before.Status != run.Status || before.Attempt != run.Attempt)
        {
            console.MarkupLine($"{Short(run.RunId)} [bold]{Markup.Escape(run.RoutineName)}[/]@{Markup.Escape(run.RoutineVersion)} "
                             + $"[{StatusColor(run.Status)}]{run.Status}[/] {Markup.Escape(Detail(run))}");
        }
        else if (run.Progress is { } current)
        {
            console.MarkupLine($"{Short(run.RunId)} {Bar(current)} {Markup.Escape(current.Message ?? "")}");
        }
    }

    static string Detail(RunResource run) => run.Status switch
    {
        RunStatus.Running => $"attempt {run.Attempt}/{run.MaxAttempts}",
        RunStatus.Pending => run.WaitReason ?? "",
        RunStatus.Succeeded when run.CachedFromRunId is { } from => $"from cache (run {from})",
        RunStatus.Succeeded => run.Duration is { } d ? $"in {d.TotalSeconds:0.###} s" : "",
        _ => run.Error?.Root.Message ?? "",
    };

    static string Bar(RunProgress progress)
    {
        const int width = 20;
        var filled = (int)Math.Round((progress.Fraction ?? 0) * width);
        return $"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {progress.Current}/{progress.Total}";
    }

    /// <summary>The root id's tail and the call names below it: enough to tell lines apart, the line names the routine.</summary>
    public static string Short(string runId)
    {
        var dot = runId.IndexOf('.');
        var root = dot < 0 ? runId : runId[..dot];
        return $"[grey]…{Markup.Escape(root[^Math.Min(6, root.Length)..])}[/]{Markup.Escape(dot < 0 ? "" : runId[dot..])}";
    }

    static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRCE", LogLevel.Debug => "DBUG", LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN", LogLevel.Error => "FAIL", _ => "CRIT",
    };

    static string LevelColor(LogLevel level) => level switch
    {
        LogLevel.Warning => "yellow", >= LogLevel.Error => "red", LogLevel.Information => "blue", _ => "grey",
    };

    public static string StatusColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "green", RunStatus.Failed or RunStatus.TimedOut => "red",
        RunStatus.Cancelled => "yellow", RunStatus.Running => "blue", _ => "grey",
    };
}
