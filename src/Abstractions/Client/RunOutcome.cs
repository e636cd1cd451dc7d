namespace Routines.Client;

/// <summary>Turns a terminal run record into its output, or into the exception that says why there is none.</summary>
public static class RunOutcome
{
    /// <summary>The output JSON of a succeeded run; throws the matching <see cref="RoutinesException"/> otherwise.</summary>
    public static string OutputOrThrow(RunInfo run) => run.Status switch
    {
        RunStatus.Succeeded => run.OutputJson ?? "null",
        RunStatus.Cancelled => throw new RoutineCancelledException(run.RoutineId, run.RunId, run.Error?.Message ?? "cancelled"),
        RunStatus.TimedOut => throw new RoutineTimedOutException(run.RoutineId, run.RunId, run.Error?.Message ?? "timed out"),
        RunStatus.Failed => throw new RoutineFailedException(run.RoutineId, run.RunId,
            run.Error ?? new RunError("Unknown", "The run failed without a recorded error.")),
        _ => throw new InvalidOperationException($"Run {run.RunId} is still {run.Status}; wait for it first."),
    };
}
