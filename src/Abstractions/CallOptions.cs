namespace Routines;

/// <summary>Overrides a routine's declared policies for one call or submission.</summary>
[GenerateSerializer, Immutable]
public sealed record CallOptions
{
    /// <summary>The longest timeout an attempt may have: a worker's cancellation timer cannot run past about 49 days.</summary>
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(30);

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

    /// <summary>
    /// Makes a client's submit safe to send again: every submit with the same key returns the run the first one
    /// started (the run id derives from the key), so a caller that cannot tell whether its submit landed, during a
    /// service restart say, sends it again. The same key with another routine or input is refused. Calls inside a
    /// workflow ignore it: they are idempotent already.
    /// </summary>
    [Id(5)] public string? IdempotencyKey { get; init; }

    /// <summary>
    /// Replaces the routine's priority (<see cref="PriorityAttribute"/>) in line for a worker slot: from -100 to 100,
    /// higher first. A call inside a workflow without one inherits its workflow's.
    /// </summary>
    [Id(6)] public int? Priority { get; init; }

    /// <summary>Why these options cannot be used, naming the field and its value, or null.</summary>
    internal string? Problem()
    {
        if (Priority is { } priority && PriorityAttribute.Problem(priority, "CallOptions.Priority") is { } badPriority) return badPriority;
        if (Timeout is { } timeout && (timeout <= TimeSpan.Zero || timeout > MaxTimeout))
            return $"CallOptions.Timeout must be more than zero and at most {MaxTimeout.TotalDays:0} days; it was {timeout}.";
        return Retry?.Problem("CallOptions.Retry.");
    }
}
