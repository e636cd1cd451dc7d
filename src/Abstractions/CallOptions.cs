namespace Routines;

/// <summary>Overrides a routine's declared policies for one call or submission.</summary>
[GenerateSerializer, Immutable]
public sealed record CallOptions
{
    /// <summary>Replaces the routine's retry policy.</summary>
    [Id(0)] public RetryPolicy? Retry { get; init; }

    /// <summary>Replaces the routine's execution timeout (per attempt): more than zero, at most 30 days.</summary>
    [Id(1)] public TimeSpan? Timeout { get; init; }

    /// <summary>False bypasses the task result cache: the task runs even if the same input ran before.</summary>
    [Id(2)] public bool? UseCache { get; init; }

    /// <summary>Where the call runs in a cluster; replaces the routine's declared <see cref="ExecutionAttribute"/>.</summary>
    [Id(3)] public ExecutionPolicy? Execution { get; init; }

    /// <summary>
    /// True accepts the run even when no live worker offers the routine yet: it waits as Pending until one joins.
    /// By default such a submission fails at once with <see cref="RoutineNotFoundException"/>.
    /// </summary>
    [Id(4)] public bool? WaitForWorker { get; init; }
}
