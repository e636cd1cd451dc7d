namespace Routines.Client;

/// <summary>One live worker as the dispatcher sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Name,
    [property: Id(2)] WorkerStatus Status,
    [property: Id(3)] int Slots,
    [property: Id(4)] int BusySlots,
    [property: Id(5)] int RunningWorkflows,
    [property: Id(6)] IReadOnlyList<string> Routines,
    [property: Id(7)] DateTimeOffset LastHeartbeat);
