namespace Routines;

/// <summary>A run failed after its retries. <see cref="Error"/> holds the recorded error chain down to the root cause.</summary>
[GenerateSerializer]
public sealed class RoutineFailedException(string routineId, string runId, RunError error)
    : RoutinesException($"{routineId} (run {runId}) failed: {error.Root.Type}: {error.Root.Message}")
{
    [Id(0)] public string RoutineId { get; } = routineId;

    [Id(1)] public string RunId { get; } = runId;

    [Id(2)] public override RunError Error { get; } = error with { RunId = error.RunId ?? runId, RoutineId = error.RoutineId ?? routineId };
}
