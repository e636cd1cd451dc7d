using Routines.Client;

namespace Routines.Silo.Dispatch;

/// <summary>
/// A run asking for a worker slot: its routine, the caller's worker when the execution policy is local, its priority
/// in line, and the concurrency limits it counts against while it runs.
/// </summary>
internal sealed record SlotRequest(
    string RunId,
    RoutineId Routine,
    ExecutionPolicy Execution = ExecutionPolicy.Remote,
    string? CallerWorker = null,
    int Priority = 0,
    IReadOnlyList<LimitSlot>? Limits = null);
