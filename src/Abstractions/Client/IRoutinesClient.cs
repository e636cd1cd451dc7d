using Routines.Cluster;

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

    /// <summary>
    /// Submits a run as <see cref="SubmitAsync"/> does and waits until it is terminal: the record carries the output or
    /// the error. One call to the service where submit-then-wait makes two.
    /// </summary>
    /// <exception cref="RoutineNotFoundException">No live worker offers the routine.</exception>
    /// <exception cref="InvalidRoutineInputException">The input does not fit the routine's input type.</exception>
    Task<RunInfo> ExecuteAsync(string routineId, string inputJson, CallOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>Submits the routine and input of an earlier run again, as a new run.</summary>
    Task<RunHandle> RetryAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The run's record, or null when there is no such run.</summary>
    Task<RunInfo?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Cancels a run and its unfinished children.</summary>
    Task CancelAsync(string runId, string reason = "cancelled by a user", CancellationToken cancellationToken = default);

    /// <summary>Waits until the run is terminal and returns its record.</summary>
    Task<RunInfo> WaitAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Runs matching the filter, newest first, with the total count.</summary>
    Task<RunPage> ListRunsAsync(RunFilter filter, CancellationToken cancellationToken = default);

    /// <summary>The direct children of a workflow run, in call order.</summary>
    Task<IReadOnlyList<RunInfo>> ListChildrenAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Stored log lines with a sequence number after <paramref name="afterSequence"/>.</summary>
    Task<IReadOnlyList<RunLogLine>> GetLogsAsync(string runId, long afterSequence = 0, int limit = 1000, CancellationToken cancellationToken = default);

    /// <summary>The run's log lines, then new ones live until the run ends; resume with the last sequence seen.</summary>
    IAsyncEnumerable<RunLogLine> FollowLogsAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The run's status changes, oldest first: time, attempt, worker and reason.</summary>
    Task<IReadOnlyList<RunEvent>> GetHistoryAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>The artifacts the run took, read, produced and returned (its lineage), in the order they were recorded.</summary>
    Task<IReadOnlyList<RunArtifact>> ListArtifactsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Every run that produced, read, took or returned the artifact, oldest first: its producer and its consumers.</summary>
    Task<IReadOnlyList<RunArtifact>> GetLineageAsync(string artifactHash, CancellationToken cancellationToken = default);

    /// <summary>The bytes of an artifact some run recorded, streamed from the service and checked against its hash at the end.</summary>
    /// <exception cref="ArtifactUnavailableException">No run records it, its blob is missing or corrupt, or the store cannot be reached.</exception>
    Task<Stream> OpenArtifactAsync(string artifactHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync(CancellationToken cancellationToken = default);

    /// <summary>The routines live workers offer, with their schemas and policies.</summary>
    Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a schedule, or replaces the one of that name (a pause and the ticks dealt with stay).</summary>
    /// <exception cref="ArgumentException">The schedule is invalid; the message names the field.</exception>
    /// <exception cref="RoutineNotFoundException">No live worker offers its routine.</exception>
    /// <exception cref="InvalidRoutineInputException">Its input does not fit the routine's input type.</exception>
    Task<ScheduleInfo> SaveScheduleAsync(Schedule schedule, CancellationToken cancellationToken = default);

    /// <summary>Every schedule, by name, with its next fire times.</summary>
    Task<IReadOnlyList<ScheduleInfo>> ListSchedulesAsync(CancellationToken cancellationToken = default);

    /// <summary>The schedule, or null when there is none of that name.</summary>
    Task<ScheduleInfo?> GetScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Stops the schedule starting runs until it is resumed; null when there is none of that name.</summary>
    Task<ScheduleInfo?> PauseScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Starts the schedule again from its next tick (ticks during the pause are not caught up); null when there is none.</summary>
    Task<ScheduleInfo?> ResumeScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Removes the schedule (its runs stay); false when there was none of that name.</summary>
    Task<bool> RemoveScheduleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>What became of the schedule's ticks, newest first: started with their run, skipped, or failed, with why.</summary>
    Task<IReadOnlyList<ScheduleTick>> ListScheduleTicksAsync(string name, int take = 100, CancellationToken cancellationToken = default);
}
