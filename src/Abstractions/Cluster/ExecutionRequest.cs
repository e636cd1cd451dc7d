namespace Routines.Cluster;

/// <summary>What the service sends a worker to execute one attempt of a run.</summary>
[GenerateSerializer, Immutable]
public sealed record ExecutionRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] RoutineId Routine,
    [property: Id(3)] string InputJson,
    [property: Id(4)] string RootRunId,
    [property: Id(5)] TimeSpan Timeout);
