namespace Routines.Cluster;

/// <summary>
/// What the service sends a worker to execute one attempt of a run. <see cref="BypassCache"/> passes a run's
/// <c>UseCache = false</c> down to the calls of a workflow, so <c>--no-cache</c> holds for the whole tree;
/// <see cref="TraceParent"/> is the run's span, the parent of the attempt's; <see cref="Priority"/> is the priority a
/// run's call set (or inherited), which a workflow's calls inherit in turn.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ExecutionRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] RoutineId Routine,
    [property: Id(3)] string InputJson,
    [property: Id(4)] string RootRunId,
    [property: Id(5)] TimeSpan Timeout,
    [property: Id(6)] bool BypassCache = false,
    [property: Id(7)] string? TraceParent = null,
    [property: Id(8)] int? Priority = null);
