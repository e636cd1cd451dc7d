namespace Routines;

/// <summary>
/// Declares the priority of this routine's runs in line for a worker slot: a higher one is given a free slot first.
/// From <see cref="Min"/> to <see cref="Max"/>; 0 without it. A call can replace it (<see cref="CallOptions.Priority"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PriorityAttribute(int priority) : Attribute
{
    /// <summary>The lowest priority.</summary>
    public const int Min = -100;

    /// <summary>The highest priority.</summary>
    public const int Max = 100;

    public int Priority { get; } = priority;

    /// <summary>Why <paramref name="priority"/> cannot be used (<paramref name="where"/> names it), or null.</summary>
    internal static string? Problem(int priority, string where)
        => priority is < Min or > Max ? $"{where} must be from {Min} to {Max}; it was {priority}." : null;
}
