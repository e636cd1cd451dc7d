namespace Routines;

/// <summary>A run was cancelled (by a user, Ctrl+C, or because its parent was cancelled).</summary>
[GenerateSerializer]
public sealed class RoutineCancelledException(string routineId, string runId, string reason)
    : RoutinesException($"{routineId} (run {runId}) was cancelled: {reason}")
{
    [Id(0)] public string RoutineId { get; } = routineId;

    [Id(1)] public string RunId { get; } = runId;

    public override RunError Error => new(GetType().FullName!, Message, RunId: RunId, RoutineId: RoutineId);
}
