namespace Routines;

/// <summary>Marks a class as a routine and gives it the name and version it is called and recorded by.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RoutineAttribute(string name) : Attribute
{
    /// <summary>The routine's name, unique within a project: lower_snake_case by convention.</summary>
    public string Name { get; } = name;

    /// <summary>Semantic version (task) or revision (workflow). Bump it when the output for the same input changes.</summary>
    public string Version { get; init; } = "1.0.0";

    /// <summary>One sentence shown by <c>list</c> and in the console's catalog.</summary>
    public string? Description { get; init; }
}
