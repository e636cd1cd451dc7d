namespace Routines;

/// <summary>Overrides a routine's declared policies for one call or submission.</summary>
public sealed record CallOptions
{
    /// <summary>Replaces the routine's retry policy.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Replaces the routine's execution timeout (per attempt).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>False bypasses the task result cache: the task runs even if the same input ran before.</summary>
    public bool? UseCache { get; init; }
}
