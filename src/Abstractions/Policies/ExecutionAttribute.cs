namespace Routines;

/// <summary>Declares where calls to this routine run by default (see <see cref="ExecutionPolicy"/>).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ExecutionAttribute(ExecutionPolicy policy) : Attribute
{
    public ExecutionPolicy Policy { get; } = policy;
}
