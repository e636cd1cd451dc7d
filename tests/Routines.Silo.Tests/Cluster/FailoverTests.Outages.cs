using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Cluster;

// Calls made while the database is stopped or the service has just restarted: they wait, or fail with an error the caller can read.
public sealed partial class FailoverTests
{
    /// <summary>The exception a call ended with, or null when it succeeded.</summary>
    static async Task<Exception?> FailureOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    /// <summary>
    /// A submit that reads the cache, and a read of a run the service has not loaded, used to fail with
    /// CodecNotFoundException (Npgsql's exception cannot be serialized). The submit (not keyed, so not sent again)
    /// succeeds or says the store is unavailable; the read, which the client repeats, answers once the database is back.
    /// </summary>
    [Fact]
    public async Task DatabaseStopped_ASubmitFailsWithAClearError_AndAReadWaitsForTheDatabase()
    {
        using var worker = await StartReadyWorkerAsync("outage-read-a");

        Task<Exception?> submit, read;
        await cluster.Postgres.StopAsync();
        try
        {
            submit = FailureOfAsync(() => cluster.Client.SubmitAsync("step", Json(new { key = Key(), milliseconds = 1 }), new CallOptions { UseCache = true }));
            read = FailureOfAsync(() => cluster.Client.GetRunAsync($"never-submitted-{Key()}"));
            await submit;
            await Task.Delay(TimeSpan.FromSeconds(2)); // the read keeps asking meanwhile
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }

        var (submitted, readOnce) = (await submit, await read);
        output.WriteLine($"submit: {submitted}\nread: {readOnce}");
        Assert.True(submitted is null || submitted is RoutinesUnavailableException && submitted.Message.Contains("store"), $"the submit failed with {submitted}");
        Assert.Null(readOnce);
    }

    /// <summary>
    /// A workflow whose calls are submitted while the database is away (cached calls, whose submits read the store)
    /// used to fail with the submit's error; the submits now wait the outage out.
    /// </summary>
    [Fact]
    public async Task DatabaseRestart_AWorkflowWhoseCallsReadTheStore_Succeeds()
    {
        using var worker = await StartReadyWorkerAsync("outage-wf-a", slots: 2);
        var key = Key();
        var workflow = await cluster.Client.SubmitAsync("staggered_cached_fan", Json(new { key, children = 24, milliseconds = 500 }));
        await Eventually.TrueAsync(async () => (await cluster.Client.ListChildrenAsync(workflow.RunId)).Any(c => c.Status == RunStatus.Succeeded),
            TimeSpan.FromSeconds(60), "the workflow's first step to finish");

        await RestartDatabaseAsync(TimeSpan.FromSeconds(5));

        var done = await Eventually.ReturnsAsync(async () => await workflow.WaitAsync(), TimeSpan.FromSeconds(90), "the workflow to finish");
        Assert.True(done.Status == RunStatus.Succeeded, $"{done.Status}: {done.Error?.Message}");
        Assert.Equal(1, done.Attempt);
    }

    /// <summary>
    /// A restarted service knows no routine until a worker reports: a submit then used to fail with "No worker
    /// advertises any routine yet". It waits for the first report, within the recovery delay.
    /// </summary>
    [Fact]
    public async Task ServiceRestart_ASubmitBeforeAnyWorkerReports_WaitsForTheWorker()
    {
        await RestartServiceAsync(TimeSpan.Zero, recoveryDelay: TimeSpan.FromSeconds(25));
        // The client reconnects to the new silo before the submit is sent.
        await Eventually.ReturnsAsync(async () => await cluster.Client.ListWorkersAsync(), TimeSpan.FromSeconds(30), "the client to reach the service");

        var submit = cluster.Client.SubmitAsync("step", Json(new { key = Key(), milliseconds = 1 }));
        using var worker = cluster.StartWorker("outage-late-a", "WorkerAlpha");

        var handle = await submit;
        var done = await handle.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(RunStatus.Succeeded, done.Status);
    }

    /// <summary>
    /// A client that cannot tell whether its submit landed, because the service died under it, sends it again with
    /// the same idempotency key: it gets the first run, which ran once. Its wait, sent during the restart, answers.
    /// </summary>
    [Fact]
    public async Task ServiceRestart_AKeyedSubmitSentAgain_ReturnsTheFirstRun_AndTheWaitOutlastsTheRestart()
    {
        using var worker = await StartReadyWorkerAsync("outage-key-a", slots: 1);
        var key = Key();
        var options = new CallOptions { IdempotencyKey = $"nightly-{key}" };
        var input = Json(new { key, milliseconds = 3000 });
        var first = await cluster.Client.SubmitAsync("step", input, options);

        cluster.Service.KillHard();
        await cluster.Service.WaitForExitAsync();
        var again = cluster.Client.SubmitAsync("step", input, options);
        var wait = first.WaitAsync();
        var restarted = cluster.StartService();
        await restarted.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));

        var second = await again.WaitAsync(TimeSpan.FromSeconds(90));
        var done = await wait.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(1, cluster.Executions().GetValueOrDefault(key));

        var other = await Assert.ThrowsAsync<ArgumentException>(() => cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 1 }), options));
        Assert.Contains("its input differs from the recorded input", other.Message);
    }
}
