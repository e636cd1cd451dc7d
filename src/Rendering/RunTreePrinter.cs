using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Spectre.Console;

namespace Routines.Rendering;

/// <summary>
/// Prints a run tree's status changes, log lines and progress as they happen, for run-routine and the routines
/// command line alike; callers on several threads may share one. Metrics are not printed: the console charts them.
/// </summary>
internal sealed partial class RunTreePrinter(IAnsiConsole console)
{
    readonly Dictionary<string, (RunStatus Status, int Attempt, long? Progress)> _seen = [];
    readonly Lock _lock = new();

    public void Log(RunLogLine line)
    {
        lock (_lock)
            console.MarkupLine($"[grey]{line.Timestamp.ToLocalTime():HH:mm:ss.fff}[/] {Short(line.RunId)} [{LevelColor(line.Level)}]{Level(line.Level)}[/] {TerminalText.Markup(line.Message)}");
    }

    /// <summary>Prints what changed since this run was last seen: a new status or attempt, else new progress.</summary>
    public void Run(RunView run)
    {
        lock (_lock) PrintRun(run);
    }

    void PrintRun(RunView run)
    {
        var progress = run.Progress is { } p ? p.Current * 1000 + p.Total : (long?)null;
        var isNew = !_seen.TryGetValue(run.RunId, out var before);
        var state = (run.Status, run.Attempt, progress);
        if (!isNew && before == state) return;
        _seen[run.RunId] = state;

        if (isNew && run.ParentRunId is null)
            console.MarkupLine($"Run [bold]{TerminalText.Markup(run.RunId)}[/] of {TerminalText.Markup(run.RoutineId)}");

        // A run that got a worker at once goes Pending → Running in the same instant: print only Running.
        if (run is { Status: RunStatus.Pending, Attempt: 0, WaitReason: null }) return;

        if (isNew || before.Status != run.Status || before.Attempt != run.Attempt)
        {
            var detail = run.Status switch
            {
                RunStatus.Running => $"attempt {run.Attempt}/{run.MaxAttempts}",
                RunStatus.Pending when run.WaitReason is { } why => why,
                RunStatus.Succeeded when run.CachedFromRunId is not null => $"from cache (run {run.CachedFromRunId})",
                RunStatus.Succeeded => run.Duration is { } d ? $"in {d.TotalSeconds:0.###} s" : "",
                _ when run.Error is { } e => e.Root.Message,
                _ => "",
            };
            console.MarkupLine($"{Short(run.RunId)} [bold]{TerminalText.Markup(run.RoutineName)}[/]@{TerminalText.Markup(run.RoutineVersion)} "
                             + $"[{StatusColor(run.Status)}]{run.Status}[/] {TerminalText.Markup(detail)}");
        }
        else if (run.Progress is { } current)
        {
            console.MarkupLine($"{Short(run.RunId)} {Bar(current)} {TerminalText.Markup(current.Message ?? "")}");
        }
    }

    static string Bar(RunProgress progress)
    {
        const int width = 20;
        var filled = (int)Math.Round((progress.Fraction ?? 0) * width);
        return $"[green]{new string('█', filled)}[/][grey]{new string('░', width - filled)}[/] {progress.Current}/{progress.Total}";
    }

    /// <summary>
    /// The tail of the root id, then each call's first 4 characters of its hash (and its occurrence past the first):
    /// <c>…3f9a1c.c560.80d5#2</c>. The line names the routine, so the full child ids (decision #75) would only crowd it.
    /// </summary>
    public static string Short(string runId)
    {
        var dot = runId.IndexOf('.');
        var root = dot < 0 ? runId : runId[..dot];
        var path = dot < 0 ? "" : string.Concat(CallSegment().Matches(runId[dot..])
            .Select(m => $".{m.Groups["hash"].Value[..4]}{(m.Groups["n"].Success ? "#" + m.Groups["n"].Value : "")}"));
        return $"[grey]…{TerminalText.Markup(root[^Math.Min(6, root.Length)..])}[/]{TerminalText.Markup(path)}";
    }

    // .{12 base32 of the hash}, then -{occurrence} past the first.
    [GeneratedRegex(@"\.(?<hash>[a-z2-7]{12})(?:-(?<n>[0-9]+))?(?=\.|$)")]
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

    public static string StatusColor(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "green", RunStatus.Failed or RunStatus.TimedOut => "red",
        RunStatus.Cancelled => "yellow", RunStatus.Running => "blue", _ => "grey",
    };
}
