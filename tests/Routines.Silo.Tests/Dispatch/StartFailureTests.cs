using Routines.Cluster;
using Routines.Silo.Dispatch;

namespace Routines.Silo.Tests.Dispatch;

/// <summary>
/// Which failures of a start mean it never reached its worker or may not have (the run is handed back, no retry spent),
/// and which are the start refused (an attempt that failed).
/// </summary>
public sealed class StartFailureTests
{
    [Fact]
    public void PlacementFindingNoSiloForTheWorker_IsUnreachable()
    {
        // What Orleans said when a start went to a worker killed between the grant and the start: replay-chaos saw two
        // workflows fail on it before it was taken for an unreachable worker.
        var placement = new OrleansException("No active nodes are compatible with grain worker and interface Routines.Cluster.IWorkerGrain version 0. "
                                           + "Known nodes with grain type: none. All known nodes compatible with interface version: S127.0.0.1:35435:155442057");

        Assert.Equal(StartFailure.Unreachable, WorkerStarts.Classify(placement));
        Assert.Equal(StartFailure.Unreachable, WorkerStarts.Classify(new AggregateException(placement)));
        Assert.Equal(StartFailure.Unreachable, WorkerStarts.Classify(new SiloUnavailableException()));
    }

    /// <summary>
    /// What a worker answered a start with right after the service restarted (FailoverTests): its manifest did not
    /// know the service's grains yet, and the run spent a retry on it.
    /// </summary>
    [Fact]
    public void AWorkerNotYetKnowingTheServicesGrains_IsUnreachable()
    {
        var manifest = new ArgumentException("Could not find an implementation for interface Routines.Cluster.IRunGrain");

        Assert.Equal(StartFailure.Unreachable, WorkerStarts.Classify(manifest));
        Assert.Equal(StartFailure.Unreachable, WorkerStarts.Classify(new AggregateException(manifest)));
        Assert.Equal(StartFailure.Refused, WorkerStarts.Classify(new ArgumentException("Could not find an implementation for interface MyCompany.IThing")));
        Assert.Equal(StartFailure.Refused, WorkerStarts.Classify(new ArgumentException("The input is wrong")));
    }

    /// <summary>The call's response timeout: the worker may have the start, so it is neither a retry spent nor unreachable.</summary>
    [Fact]
    public void ATimedOutStart_IsUnanswered()
    {
        var timeout = new TimeoutException("Response did not arrive on time in 00:00:30 for message: Request [...] Routines.Cluster.IWorkerGrain.StartAsync");

        Assert.Equal(StartFailure.Unanswered, WorkerStarts.Classify(timeout));
        Assert.Equal(StartFailure.Unanswered, WorkerStarts.Classify(new AggregateException(timeout)));
    }

    [Fact]
    public void AnyOtherFailure_IsRefused()
    {
        Assert.Equal(StartFailure.Refused, WorkerStarts.Classify(new OrleansException("Something else went wrong")));
        Assert.Equal(StartFailure.Refused, WorkerStarts.Classify(new InvalidOperationException("No active nodes are compatible with grain worker")));
    }
}
