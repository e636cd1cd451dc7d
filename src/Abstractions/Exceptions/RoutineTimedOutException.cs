namespace Routines;

/// <summary>A run exceeded its execution timeout on its last attempt.</summary>
[GenerateSerializer]
public sealed class RoutineTimedOutException(string routineId, string runId, string message)
    : RoutinesException($"{routineId} (run {runId}) timed out: {message}")
{
    [Id(0)] public string RoutineId { get; } = routineId;

    [Id(1)] public string RunId { get; } = runId;

    public override RunError Error => new(GetType().FullName!, Message, RunId: RunId, RoutineId: RoutineId);
}
