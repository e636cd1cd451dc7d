using Routines.Silo.Runs;

namespace Routines.Silo.Tests.Runs;

/// <summary>Which failures of a start mean it never reached its worker (the run is handed back, no retry spent).</summary>
public sealed class UnreachableWorkerTests
{
    [Fact]
    public void PlacementFindingNoSiloForTheWorker_IsUnreachable()
    {
        // What Orleans said when a start went to a worker killed between the grant and the start: replay-chaos saw two
        // workflows fail on it before it was taken for an unreachable worker.
        var placement = new OrleansException("No active nodes are compatible with grain worker and interface Routines.Cluster.IWorkerGrain version 0. "
                                           + "Known nodes with grain type: none. All known nodes compatible with interface version: S127.0.0.1:35435:155442057");

        Assert.True(RunGrain.IsUnreachable(placement));
        Assert.True(RunGrain.IsUnreachable(new AggregateException(placement)));
        Assert.True(RunGrain.IsUnreachable(new SiloUnavailableException()));
    }

    /// <summary>
    /// What a worker answered a start with right after the service restarted (FailoverTests): its manifest did not
    /// know the service's grains yet, and the run spent a retry on it.
    /// </summary>
    [Fact]
    public void AWorkerNotYetKnowingTheServicesGrains_IsUnreachable()
    {
        var manifest = new ArgumentException("Could not find an implementation for interface Routines.Cluster.IRunGrain");

        Assert.True(RunGrain.IsUnreachable(manifest));
        Assert.True(RunGrain.IsUnreachable(new AggregateException(manifest)));
        Assert.False(RunGrain.IsUnreachable(new ArgumentException("Could not find an implementation for interface MyCompany.IThing")));
        Assert.False(RunGrain.IsUnreachable(new ArgumentException("The input is wrong")));
    }

    [Fact]
    public void AnyOtherFailure_IsNot()
    {
        Assert.False(RunGrain.IsUnreachable(new OrleansException("Something else went wrong")));
        Assert.False(RunGrain.IsUnreachable(new InvalidOperationException("No active nodes are compatible with grain worker")));
    }
}
