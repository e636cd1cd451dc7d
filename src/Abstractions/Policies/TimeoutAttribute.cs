namespace Routines;

/// <summary>
/// Declares how long one attempt of a routine may run before it is cancelled and counted as timed out: more than
/// zero seconds, at most 30 days (a worker refuses to load a routine declaring anything else).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TimeoutAttribute(double seconds) : Attribute
{
    public double Seconds { get; } = seconds;

    internal TimeSpan Timeout => TimeSpan.FromSeconds(Seconds);

    /// <summary>An attempt's timeout when the routine declares none: an hour for a task, a day for a workflow.</summary>
    internal static TimeSpan DefaultFor(RoutineKind kind) => kind == RoutineKind.Task ? TimeSpan.FromHours(1) : TimeSpan.FromHours(24);

    /// <summary>Why the declaration cannot be used, or null.</summary>
    internal string? Problem() => Seconds > 0 && Seconds <= CallOptions.MaxTimeout.TotalSeconds
        ? null
        : $"[Timeout] must be more than zero seconds and at most {CallOptions.MaxTimeout.TotalDays:0} days; it was {Seconds} s.";
}
