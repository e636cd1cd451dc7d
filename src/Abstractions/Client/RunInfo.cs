namespace Routines.Client;

/// <summary>One run as recorded: the routine, its status and attempts, input and output JSON, error, and family.</summary>
[GenerateSerializer, Immutable]
public sealed record RunInfo
{
    [Id(0)] public required string RunId { get; init; }

    /// <summary>The exact routine id, for example <c>tname:train_model:1.2.0</c>.</summary>
    [Id(1)] public required string RoutineId { get; init; }

    [Id(2)] public required string RoutineName { get; init; }

    [Id(3)] public required string RoutineVersion { get; init; }

    [Id(4)] public required RoutineKind Kind { get; init; }

    [Id(5)] public RunStatus Status { get; init; }

    /// <summary>The number of the current (or last) attempt; 0 until the first attempt starts.</summary>
    [Id(6)] public int Attempt { get; init; }

    [Id(7)] public int MaxAttempts { get; init; } = 1;

    [Id(8)] public required string InputJson { get; init; }

    [Id(9)] public string? OutputJson { get; init; }

    [Id(10)] public RunError? Error { get; init; }

    [Id(11)] public string? ParentRunId { get; init; }

    /// <summary>The run at the top of this run's tree; equal to <see cref="RunId"/> for a root run.</summary>
    [Id(12)] public required string RootRunId { get; init; }

    [Id(13)] public DateTimeOffset CreatedAt { get; init; }

    [Id(14)] public DateTimeOffset? StartedAt { get; init; }

    [Id(15)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The worker that runs (or last ran) the run.</summary>
    [Id(16)] public string? Worker { get; init; }

    /// <summary>Set when the output came from the task result cache: the run that computed it.</summary>
    [Id(17)] public string? CachedFromRunId { get; init; }

    /// <summary>Why a Pending run waits, in a sentence.</summary>
    [Id(18)] public string? WaitReason { get; init; }

    [Id(19)] public RunProgress? Progress { get; init; }

    /// <summary>The attempt of the parent workflow that last (re)started this child.</summary>
    [Id(20)] public int ParentAttempt { get; init; }

    /// <summary>The per-run overrides it was submitted with.</summary>
    [Id(21)] public CallOptions? Options { get; init; }

    /// <summary>The retry, timeout, cache and execution policies it runs under, fixed at submit (null for runs recorded before 0.1).</summary>
    [Id(22)] public RunPolicy? Policy { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the run's span (or of its caller's, when the service records no spans): its
    /// attempts, and the runs it calls, are spans of this trace. Null when nothing traced the submit.
    /// </summary>
    [Id(23)] public string? TraceParent { get; init; }

    /// <summary>The trigger and finished run that started it, for a triggered run; null for one a caller started.</summary>
    [Id(24)] public RunCause? Cause { get; init; }

    /// <summary>The id of the trace the run belongs to (32 hex digits), as tracing tools show it.</summary>
    public string? TraceId => TraceParent is { Length: 55 } parent ? parent.Substring(3, 32) : null;

    public bool CacheHit => CachedFromRunId is not null;

    public TimeSpan? Duration => StartedAt is { } start && FinishedAt is { } end ? end - start : null;
}
