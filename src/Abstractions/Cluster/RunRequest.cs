namespace Routines.Cluster;

/// <summary>A request to run a routine: a root submission, or a workflow's call with a deterministic child id.</summary>
[GenerateSerializer, Immutable]
internal sealed record RunRequest
{
    /// <summary>As given by the caller: bare name or exact id.</summary>
    [Id(0)] public required string RoutineId { get; init; }

    [Id(1)] public required string InputJson { get; init; }

    [Id(2)] public CallOptions? Options { get; init; }

    [Id(3)] public string? ParentRunId { get; init; }

    [Id(4)] public string? RootRunId { get; init; }

    /// <summary>The parent's attempt making the call: a newer attempt restarts a child that did not succeed.</summary>
    [Id(5)] public int ParentAttempt { get; init; }

    /// <summary>The worker of the calling workflow, for the Local and PreferLocal execution policies.</summary>
    [Id(6)] public string? CallerWorker { get; init; }

    /// <summary>The caller's span (W3C <c>traceparent</c>): the run's span is its child.</summary>
    [Id(7)] public string? TraceParent { get; init; }

    /// <summary>The trigger and finished run that start it, for a triggered run.</summary>
    [Id(8)] public Client.RunCause? Cause { get; init; }
}
