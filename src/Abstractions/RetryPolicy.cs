namespace Routines;

/// <summary>How often and how fast a failed run is retried.</summary>
[GenerateSerializer, Immutable]
public sealed record RetryPolicy
{
    /// <summary>No retries: one attempt.</summary>
    public static readonly RetryPolicy None = new() { MaxAttempts = 1 };

    /// <summary>Attempts in all, the first included. 1 means no retry.</summary>
    [Id(0)] public int MaxAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry; each further retry multiplies it by <see cref="BackoffCoefficient"/>.</summary>
    [Id(1)] public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    [Id(2)] public double BackoffCoefficient { get; init; } = 2.0;

    [Id(3)] public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Full names of exception types that fail the run at once (a bug, bad data), without retrying.</summary>
    [Id(4)] public IReadOnlyList<string> NonRetryableErrors { get; init; } = [];

    /// <summary>
    /// How many times the run may lose its worker while it runs (the process killed, out of memory, stopped) before it
    /// fails with <see cref="RoutineWorkerLostException"/>. A lost attempt does not count against <see cref="MaxAttempts"/>;
    /// this bounds a routine that takes its worker down with it.
    /// </summary>
    [Id(5)] public int MaxWorkerLosses { get; init; } = 3;

    /// <summary>Why the policy cannot be used, naming the field and its value, or null; <paramref name="whose"/> prefixes the field's name.</summary>
    internal string? Problem(string whose)
    {
        if (MaxAttempts < 1) return $"{whose}MaxAttempts must be at least 1; it was {MaxAttempts}.";
        if (MaxWorkerLosses < 1) return $"{whose}MaxWorkerLosses must be at least 1; it was {MaxWorkerLosses}.";
        if (InitialDelay < TimeSpan.Zero) return $"{whose}InitialDelay must be zero or more; it was {InitialDelay}.";
        if (MaxDelay < TimeSpan.Zero) return $"{whose}MaxDelay must be zero or more; it was {MaxDelay}.";
        if (!(BackoffCoefficient >= 1 && double.IsFinite(BackoffCoefficient)))
            return $"{whose}BackoffCoefficient must be a finite number, at least 1; it was {BackoffCoefficient}.";
        return null;
    }

    /// <summary>The delay before attempt <paramref name="nextAttempt"/> (2 = first retry).</summary>
    public TimeSpan DelayBefore(int nextAttempt)
    {
        var factor = Math.Pow(BackoffCoefficient, Math.Max(0, nextAttempt - 2));
        var delay = TimeSpan.FromTicks((long)Math.Min(InitialDelay.Ticks * factor, MaxDelay.Ticks));
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }
}
