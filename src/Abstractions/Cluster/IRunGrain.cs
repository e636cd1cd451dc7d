using Orleans.Concurrency;
using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// One run, owned by the service: its record, state machine, retries and timeout. Keyed by run id. Every call returns
/// at once; a run's completion reaches its parent as a message, and clients long-poll with <see cref="WaitAsync"/>.
/// </summary>
internal interface IRunGrain : IGrainWithStringKey
{
    /// <summary>
    /// Validates, records and dispatches the run, or attaches to the existing run with this id (a keyed submit, a
    /// schedule's tick or a trigger's start sent again) and returns its record: a terminal record carries the output
    /// or error.
    /// </summary>
    Task<RunInfo> SubmitAsync(RunRequest request);

    /// <summary>
    /// A workflow's call: <see cref="SubmitAsync"/>, answered with the child's outcome when it has ended already (a cache
    /// hit, a child an earlier attempt finished), else null; its end then comes through <see cref="IWorkerGrain.ChildFinishedAsync"/>.
    /// </summary>
    Task<ChildOutcome?> CallAsync(RunRequest request);

    /// <summary>
    /// <see cref="SubmitAsync"/>, then waits like <see cref="WaitAsync"/>: one call where a client that submits and
    /// waits would make two. Interleaved, so the wait holds nothing; the submit runs alone, like any other call (decision #74).
    /// </summary>
    [AlwaysInterleave]
    Task<RunInfo> ExecuteAsync(RunRequest request, TimeSpan maxWait);

    /// <summary>Adds a line to the run's history without changing it (what became of a trigger it fired, say).</summary>
    Task NoteAsync(string reason);

    /// <summary>The record, or null when no run has this id.</summary>
    [AlwaysInterleave]
    Task<RunInfo?> GetAsync();

    /// <summary>Returns when the run is terminal or after <paramref name="maxWait"/> (keep it under the call timeout).</summary>
    [AlwaysInterleave]
    Task<RunInfo?> WaitAsync(TimeSpan maxWait);

    /// <summary>Cancels the run and its unfinished children. No-op on a terminal run.</summary>
    Task CancelAsync(string reason);

    /// <summary>The dispatcher granted a worker slot to this Pending run.</summary>
    [OneWay]
    Task AssignAsync(string workerId);

    /// <summary>
    /// The attempt's start did not reach its worker. A submit does not wait for the start's delivery (invariant 3: a
    /// frozen worker would hold it until membership declares it dead), so its failure comes back as this message.
    /// </summary>
    [OneWay]
    Task StartFailedAsync(int attempt, StartFailure failure, RunError error);

    /// <summary>A worker reports logs, metrics and progress of an attempt.</summary>
    Task ReportAsync(int attempt, RunTelemetry telemetry);

    /// <summary>A worker reports the end of an attempt. Results of a stale attempt are ignored.</summary>
    Task CompleteAsync(int attempt, AttemptResult result);

    /// <summary>The attempt's worker gave no result by its timeout and grace: the service times the attempt out.</summary>
    [OneWay]
    Task AttemptOverdueAsync(int attempt);

    /// <summary>After a service restart: a Pending run asks for a worker again.</summary>
    [OneWay]
    Task ResumeAsync();

    /// <summary>The worker executing this run is gone: dispatch the run again, without using up a retry.</summary>
    [OneWay]
    Task WorkerLostAsync(string workerId, string reason);

    /// <summary>The identical run this Pending run waited for ended: take its output, or run (decision #37).</summary>
    [OneWay]
    Task IdenticalRunEndedAsync(RunInfo leader);

    /// <summary>A child of this workflow reached a terminal status.</summary>
    [OneWay]
    Task ChildFinishedAsync(RunInfo child);
}
