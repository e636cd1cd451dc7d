namespace Routines;

/// <summary>A run failed after its retries. <see cref="Error"/> holds the recorded error chain down to the root cause.</summary>
public sealed class RoutineFailedException(string routineId, string runId, RunError error)
    : RoutinesException($"{routineId} (run {runId}) failed: {error.Root.Type}: {error.Root.Message}")
{
    public string RoutineId { get; } = routineId;

    public string RunId { get; } = runId;

    public override RunError Error { get; } = error with { RunId = error.RunId ?? runId, RoutineId = error.RoutineId ?? routineId };
}
