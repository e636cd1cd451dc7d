using Routines.Cluster;

namespace Routines.Client;

/// <summary>Turns a terminal run record into its output, or into the exception that says why there is none.</summary>
public static class RunOutcome
{
    /// <summary>The output JSON of a succeeded run; throws the matching <see cref="RoutinesException"/> otherwise.</summary>
    public static string OutputOrThrow(RunInfo run) => OutputOrThrow(run.RoutineId, run.RunId, run.Status, run.OutputJson, run.Error);

    /// <summary>The output JSON of a workflow's call whose child succeeded; the matching exception otherwise.</summary>
    internal static string OutputOrThrow(ChildOutcome child) => OutputOrThrow(child.RoutineId, child.RunId, child.Status, child.OutputJson, child.Error);

    static string OutputOrThrow(string routineId, string runId, RunStatus status, string? outputJson, RunError? error) => status switch
    {
        RunStatus.Succeeded => outputJson ?? "null",
        RunStatus.Cancelled => throw new RoutineCancelledException(routineId, runId, error?.Message ?? "cancelled"),
        RunStatus.TimedOut => throw new RoutineTimedOutException(routineId, runId, error?.Message ?? "timed out"),
        RunStatus.Failed => throw new RoutineFailedException(routineId, runId, error ?? new RunError("Unknown", "The run failed without a recorded error.")),
        _ => throw new InvalidOperationException($"Run {runId} is still {status}; wait for it first."),
    };
}
