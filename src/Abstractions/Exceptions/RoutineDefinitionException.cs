namespace Routines;

/// <summary>
/// A project's routine classes cannot be loaded as declared: two share a name and version, one does not derive from
/// a routine base class, or one declares a policy out of range. The project runs nothing until it is fixed.
/// </summary>
[GenerateSerializer]
public sealed class RoutineDefinitionException(string routineType, string message) : RoutinesException(message)
{
    /// <summary>The full name of the class at fault (the first one, for a duplicate).</summary>
    [Id(0)] public string RoutineType { get; } = routineType;
}
