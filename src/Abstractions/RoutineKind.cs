namespace Routines;

/// <summary>Whether a routine is a task or a workflow.</summary>
public enum RoutineKind
{
    Task,
    Workflow,
}
