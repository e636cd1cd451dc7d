namespace Routines.Cluster;

/// <summary>A run asking for a worker slot.</summary>
[GenerateSerializer, Immutable]
public sealed record SlotRequest(
    [property: Id(0)] string RunId,
    [property: Id(1)] RoutineId Routine);
