namespace Routines;

/// <summary>A run exceeded its execution timeout on its last attempt.</summary>
public sealed class RoutineTimedOutException(string routineId, string runId, string message)
    : RoutinesException($"{routineId} (run {runId}) timed out: {message}")
{
    public string RoutineId { get; } = routineId;

    public string RunId { get; } = runId;

    public override RunError Error => new(GetType().FullName!, Message, RunId: RunId, RoutineId: RoutineId);
}
