namespace Routines;

/// <summary>Declares how long one attempt of a routine may run before it is cancelled and counted as timed out.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TimeoutAttribute(double seconds) : Attribute
{
    public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(seconds);
}
