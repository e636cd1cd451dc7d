namespace Routines.Cluster;

/// <summary>A worker announcing itself to the dispatcher: its id, execution slots, and the routines it hosts.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerRegistration(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] int Slots,
    [property: Id(2)] IReadOnlyList<RoutineDescriptor> Routines);
