namespace Routines.Client;

/// <summary>Submits runs and reads them back. Works from a client process and from inside a silo alike.</summary>
public interface IRoutinesClient
{
    /// <summary>
    /// Validates and records a run of <paramref name="routineId"/> with the given JSON input, dispatches it, and
    /// returns at once with a handle to follow it.
    /// </summary>
    /// <exception cref="RoutineNotFoundException">No live worker offers the routine.</exception>
    /// <exception cref="InvalidRoutineInputException">The input does not fit the routine's input type.</exception>
    Task<RunHandle> SubmitAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>The run's record, or null when there is no such run.</summary>
    Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a run and its unfinished children.</summary>
    Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default);

    /// <summary>Waits until the run is terminal and returns its record.</summary>
    Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default);
}
