using Orleans.Concurrency;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Dispatch;

namespace Routines.Worker.Execution;

/// <summary>A worker silo's entry point; hands everything to <see cref="Executions"/>, which outlives activations.</summary>
[WorkerPlacement, Reentrant]
internal sealed class WorkerGrain(Executions executions) : Grain, IWorkerGrain
{
    public Task StartAsync(IReadOnlyList<ExecutionRequest> requests)
    {
        var workerId = this.GetPrimaryKeyString();
        foreach (var request in requests) executions.Start(workerId, request);
        return Task.CompletedTask;
    }

    public Task CancelAsync(string runId, int attempt)
    {
        executions.Cancel(runId, attempt);
        return Task.CompletedTask;
    }

    public Task<string?> MapTriggerAsync(string trigger, RunInfo finished) => executions.MapTriggerAsync(trigger, finished);

    public Task ChildFinishedAsync(string parentRunId, int parentAttempt, ChildOutcome child)
    {
        executions.ChildFinished(parentRunId, parentAttempt, child);
        return Task.CompletedTask;
    }
}
