namespace Routines.Cluster;

/// <summary>A run asking for a worker slot: its routine, and the caller's worker when the execution policy is local.</summary>
[GenerateSerializer, Immutable]
public sealed record SlotRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] RoutineId Routine,
    [property: Id(2)] ExecutionPolicy Execution = ExecutionPolicy.Remote,
    [property: Id(3)] string? CallerWorker = null);
