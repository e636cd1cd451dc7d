using Routines.Client;
namespace Routines.Cluster;

/// <summary>
/// What a worker tells the dispatcher every couple of seconds: who it is, what it hosts, and what it is running, so
/// a restarted service rebuilds its picture of the cluster from the workers themselves.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record WorkerHeartbeat(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Name,
    [property: Id(2)] int Slots,
    [property: Id(3)] IReadOnlyList<RoutineDescriptor> Routines,
    [property: Id(4)] IReadOnlyList<RunningAttempt> Running,
    [property: Id(5)] bool Terminating,
    [property: Id(6)] bool Initializing = false,
    [property: Id(7)] IReadOnlyList<string>? Abandoned = null,
    [property: Id(8)] string? ServiceId = null);

/// <summary>An attempt executing on a worker.</summary>
[GenerateSerializer, Immutable]
internal sealed record RunningAttempt(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] RoutineKind Kind,
    [property: Id(3)] IReadOnlyList<LimitSlot>? Limits = null);
