namespace Routines;

/// <summary>No live worker offers the routine (or that version of it).</summary>
public sealed class RoutineNotFoundException(string routineId, string message) : RoutinesException(message)
{
    public string RoutineId { get; } = routineId;
}
