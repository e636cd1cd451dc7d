namespace Routines;

/// <summary>Declares a routine's retry policy. Without it a routine gets <see cref="RetryPolicy"/>'s defaults.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RetryAttribute : Attribute
{
    /// <summary>Attempts in all, the first included. 1 disables retries.</summary>
    public int MaxAttempts { get; init; } = 3;

    public double InitialDelaySeconds { get; init; } = 1;

    public double BackoffCoefficient { get; init; } = 2;

    public double MaxDelaySeconds { get; init; } = 60;

    /// <summary>Exception types that are never retried.</summary>
    public Type[] NonRetryable { get; init; } = [];

    /// <summary>Losses of the run's worker while it runs before the run fails (<see cref="RetryPolicy.MaxWorkerLosses"/>).</summary>
    public int MaxWorkerLosses { get; init; } = 3;

    /// <summary>The declared policy; check <see cref="Problem"/> first.</summary>
    internal RetryPolicy ToPolicy() => new()
    {
        MaxAttempts = MaxAttempts,
        InitialDelay = TimeSpan.FromSeconds(InitialDelaySeconds),
        BackoffCoefficient = BackoffCoefficient,
        MaxDelay = TimeSpan.FromSeconds(MaxDelaySeconds),
        NonRetryableErrors = NonRetryable.Select(t => t.FullName!).ToArray(),
        MaxWorkerLosses = MaxWorkerLosses,
    };

    /// <summary>Why the declaration cannot be used, or null.</summary>
    internal string? Problem()
    {
        // The seconds first: TimeSpan.FromSeconds itself fails on NaN or a huge value, with a message that names neither.
        foreach (var (name, seconds) in new[] { (nameof(InitialDelaySeconds), InitialDelaySeconds), (nameof(MaxDelaySeconds), MaxDelaySeconds) })
        {
            if (!(seconds >= 0 && seconds <= TimeSpan.MaxValue.TotalSeconds))
                return $"[Retry] {name} must be a number of seconds, zero or more; it was {seconds}.";
        }

        return ToPolicy().Problem("[Retry] ");
    }
}
