using Routines.Silo.Dispatch;

namespace Routines.Silo.Tests.Dispatch;

/// <summary>What a restarted service does with a Running run whose worker is alive but has not reported yet.</summary>
public sealed class UnreportedRunsTests
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    static readonly DateTimeOffset Restart = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    readonly UnreportedRuns _runs = new(Timeout);

    [Fact]
    public void WorkerReportsTheRun_ItIsNotHandedBack_AndNoLongerAwaited()
    {
        _runs.Add("run-1", "worker-a", Restart);

        Assert.Empty(_runs.Reported("worker-a", runId => runId == "run-1"));
        Assert.Empty(_runs.Overdue(_ => false, Restart + 2 * Timeout));
    }

    [Fact]
    public void WorkerReportsWithoutTheRun_ItIsHandedBack_OnlyThatWorkersRuns()
    {
        _runs.Add("run-1", "worker-a", Restart);
        _runs.Add("run-2", "worker-a", Restart);
        _runs.Add("run-3", "worker-b", Restart);

        Assert.Equal(["run-2"], _runs.Reported("worker-a", runId => runId == "run-1"));
        Assert.Empty(_runs.Reported("worker-a", _ => false)); // settled by the first heartbeat
        Assert.Equal(["run-3"], _runs.Reported("worker-b", _ => false));
    }

    [Fact]
    public void WorkerStaysSilent_TheRunWaitsUntilTheTimeout_ThenIsHandedBackSayingWhy()
    {
        _runs.Add("run-1", "worker-a", Restart);

        Assert.Empty(_runs.Overdue(_ => true, Restart + Timeout));
        var overdue = Assert.Single(_runs.Overdue(_ => true, Restart + Timeout + TimeSpan.FromSeconds(1)));

        Assert.Equal(("run-1", "worker-a"), (overdue.RunId, overdue.WorkerId));
        Assert.Equal("its worker did not report it within 20 s of the service's restart", overdue.Reason);
        Assert.Empty(_runs.Overdue(_ => true, Restart + 2 * Timeout)); // handed back once
    }

    [Fact]
    public void WorkerLeavesTheCluster_ItsRunIsHandedBackAtOnce()
    {
        _runs.Add("run-1", "worker-a", Restart);
        _runs.Add("run-2", "worker-b", Restart);

        var overdue = Assert.Single(_runs.Overdue(worker => worker != "worker-a", Restart + TimeSpan.FromSeconds(1)));

        Assert.Equal("run-1", overdue.RunId);
        Assert.Contains("left the cluster", overdue.Reason);
    }
}
