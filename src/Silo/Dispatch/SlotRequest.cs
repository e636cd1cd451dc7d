namespace Routines.Silo.Dispatch;

/// <summary>A run asking for a worker slot: its routine, and the caller's worker when the execution policy is local.</summary>
internal sealed record SlotRequest(
    string RunId,
    RoutineId Routine,
    ExecutionPolicy Execution = ExecutionPolicy.Remote,
    string? CallerWorker = null);
