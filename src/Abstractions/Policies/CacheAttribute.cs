namespace Routines;

/// <summary>
/// Turns a task's result cache on or off. Tasks are cached by default, keyed by name, version and the hash of the
/// canonical input JSON; mark a task that is not pure with <c>[Cache(false)]</c>. Workflows are never cached.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CacheAttribute(bool enabled) : Attribute
{
    public bool Enabled { get; } = enabled;
}
