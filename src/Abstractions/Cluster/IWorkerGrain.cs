using Orleans.Concurrency;
using Routines.Client;

namespace Routines.Cluster;

/// <summary>The entry point of one worker silo (keyed by worker id, always activated on that silo).</summary>
internal interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the attempts off the grain scheduler and returns at once; their results go to
    /// <see cref="IAttemptResultsGrain"/>. The service sends the starts for one worker in batches.
    /// </summary>
    Task StartAsync(IReadOnlyList<ExecutionRequest> requests);

    /// <summary>Signals the attempt's cancellation token.</summary>
    [OneWay]
    Task CancelAsync(string runId, int attempt);

    /// <summary>
    /// Runs the trigger's <c>InputFor</c> over the finished run: the target's input as JSON, or null when the trigger
    /// starts nothing this time. Throws <see cref="RoutineFailedException"/> when the trigger's own code throws.
    /// </summary>
    Task<string?> MapTriggerAsync(string trigger, RunInfo finished);

    /// <summary>Delivers a child's end to the workflow attempt awaiting it.</summary>
    [OneWay]
    Task ChildFinishedAsync(string parentRunId, int parentAttempt, ChildOutcome child);
}
