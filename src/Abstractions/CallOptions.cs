namespace Routines;

/// <summary>Overrides a routine's declared policies for one call or submission.</summary>
[GenerateSerializer, Immutable]
public sealed record CallOptions
{
    /// <summary>Replaces the routine's retry policy.</summary>
    [Id(0)] public RetryPolicy? Retry { get; init; }

    /// <summary>Replaces the routine's execution timeout (per attempt).</summary>
    [Id(1)] public TimeSpan? Timeout { get; init; }

    /// <summary>False bypasses the task result cache: the task runs even if the same input ran before.</summary>
    [Id(2)] public bool? UseCache { get; init; }
}
