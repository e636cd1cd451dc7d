using Routines.Client;

namespace Routines.Rendering;

/// <summary>How a run that did not succeed ended, the same words in run-routine and the routines command line.</summary>
internal static class ErrorChain
{
    /// <summary>"fit@1.0.0 (run …) timed out after 1 attempt: Type: message", then each cause on its own line.</summary>
    public static string Ended(RunView run)
    {
        var error = run.Error ?? new RunError("Unknown", "no error was recorded");
        var ended = run.Status switch
        {
            RunStatus.TimedOut => "timed out",
            RunStatus.Cancelled => "was cancelled",
            _ => run.Status.ToString().ToLowerInvariant(),
        };
        return $"{run.RoutineName}@{run.RoutineVersion} (run {run.RunId}) {ended} after {run.Attempt} attempt{(run.Attempt == 1 ? "" : "s")}: "
             + Describe(error);
    }

    /// <summary>The outermost error, then each cause on its own line down to the root cause.</summary>
    public static string Describe(RunError error) => string.Join(Environment.NewLine + "  caused by ", error.Chain().Select(e =>
        TerminalText.Visible($"{e.Type}: {e.Message}{(e.RunId is { } id ? $" (run {id})" : "")}")));
}
