namespace Routines.Client;

/// <summary>
/// One live worker as the dispatcher sees it. <see cref="Abandoned"/> holds, once per attempt, the routine of each
/// attempt the worker gave up on (it timed out or was cancelled) whose code still runs because it ignores its
/// cancellation token: each keeps a thread busy until it ends.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record WorkerInfo(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Name,
    [property: Id(2)] WorkerStatus Status,
    [property: Id(3)] int Slots,
    [property: Id(4)] int BusySlots,
    [property: Id(5)] int RunningWorkflows,
    [property: Id(6)] IReadOnlyList<string> Routines,
    [property: Id(7)] DateTimeOffset LastHeartbeat,
    [property: Id(8)] IReadOnlyList<string>? Abandoned = null);
