namespace Routines;

/// <summary>Which routine the current async flow executes, so a task that tries to start a routine is stopped clearly.</summary>
internal static class ExecutionScope
{
    static readonly AsyncLocal<(RoutineKind Kind, string RoutineId)?> Current = new();

    public static void Enter(RoutineKind kind, string routineId) => Current.Value = (kind, routineId);

    public static void ThrowIfInTask(string calledRoutineId)
    {
        if (Current.Value is { Kind: RoutineKind.Task, RoutineId: var caller })
        {
            throw new InvalidOperationException(
                $"Task {caller} tried to run routine '{calledRoutineId}'. A task must not call routines: make {caller} a "
              + "RoutineWorkflow and use ctx.CallAsync, or call both routines from a workflow.");
        }
    }
}
