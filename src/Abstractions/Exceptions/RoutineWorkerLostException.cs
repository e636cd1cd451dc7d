namespace Routines;

/// <summary>
/// Why a run failed that lost its worker more often than its retry policy allows (<see cref="RetryPolicy.MaxWorkerLosses"/>):
/// the routine may be taking its worker down with it (<c>Environment.Exit</c>, a crash, running out of memory). A failed
/// run's <see cref="RunError.Type"/> names this type; the message lists each loss.
/// </summary>
[GenerateSerializer]
public sealed class RoutineWorkerLostException(string message) : RoutinesException(message);
