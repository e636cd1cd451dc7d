using Routines.Silo.Hosting;
using Orleans.Concurrency;
using Routines.Cluster;

namespace Routines.Silo.Runs;

/// <summary>Hands a worker's batch of results to the run grains, on the service silo where they live.</summary>
[StatelessWorker, Reentrant]
internal sealed class AttemptResultsGrain : CallerSafeGrain, IAttemptResultsGrain
{
    public Task DeliverAsync(IReadOnlyList<AttemptReport> reports)
    {
        var delivered = new Task[reports.Count];
        for (var i = 0; i < reports.Count; i++) delivered[i] = GrainFactory.Run(reports[i].RunId).CompleteAsync(reports[i].Attempt, reports[i].Result);
        return Task.WhenAll(delivered);
    }
}
