namespace Routines;

/// <summary>No live worker offers the routine (or that version of it).</summary>
[GenerateSerializer]
public sealed class RoutineNotFoundException(string routineId, string message) : RoutinesException(message)
{
    [Id(0)] public string RoutineId { get; } = routineId;
}
