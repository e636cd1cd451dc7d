using System.Diagnostics;
using System.Text.Json;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Silo.Storage;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;
using Xunit.Abstractions;

namespace Routines.Silo.Tests.Cluster;

/// <summary>Workers killed with kill -9, stopped with SIGTERM, the service and the database restarted, with runs in flight.</summary>
public sealed partial class FailoverTests(EmptyClusterFixture cluster, ITestOutputHelper output) : IClassFixture<EmptyClusterFixture>, IDisposable
{
    public void Dispose() => output.WriteLine(cluster.Logs());

    static string Key() => Guid.NewGuid().ToString("N")[..12];

    static string Json(object input) => JsonSerializer.Serialize(input, RoutineJson.Default);

    async Task<RunInfo> WaitForAsync(string runId, Func<RunInfo, bool> condition, string what, int seconds = 60)
        => await Eventually.ReturnsAsync(async () => await cluster.Client.GetRunAsync(runId) is { } run && condition(run) ? run : null,
            TimeSpan.FromSeconds(seconds), what);

    async Task<(TestProcess A, TestProcess B)> StartTwoWorkersAsync(string prefix)
    {
        var a = cluster.StartWorker($"{prefix}-a", "WorkerAlpha");
        var b = cluster.StartWorker($"{prefix}-b", "WorkerAlpha");
        await cluster.WaitForWorkersAsync(2, ws => ws.Any(w => w.Name == $"{prefix}-a") && ws.Any(w => w.Name == $"{prefix}-b"));
        return (a, b);
    }

    /// <summary>A WorkerAlpha worker, started and listed ready.</summary>
    async Task<TestProcess> StartReadyWorkerAsync(string name, int slots = 2)
    {
        var worker = cluster.StartWorker(name, "WorkerAlpha", slots);
        await cluster.WaitForWorkersAsync(1, ws => ws.Any(w => w.Name == name));
        return worker;
    }

    /// <summary>
    /// The step's run once the step has begun on its worker: a Running record says only that its start was sent (the
    /// submit does not wait for the worker to take it, decision #78), and these tests kill or stop what runs it.
    /// </summary>
    async Task<RunInfo> WaitForStepToBeginAsync(RunHandle handle, string key)
    {
        await Eventually.TrueAsync(() => Task.FromResult(cluster.Began(key)), TimeSpan.FromSeconds(60), $"step {key} to begin");
        return (await cluster.Client.GetRunAsync(handle.RunId))!;
    }

    static async Task<string> WorkerIdOfAsync(IRoutinesClient client, string name)
        => (await client.ListWorkersAsync()).Single(w => w.Name == name).WorkerId;

    /// <summary>kill -9 of the service, away for <paramref name="away"/>, then started again and serving.</summary>
    async Task RestartServiceAsync(TimeSpan away, TimeSpan? recoveryDelay = null)
    {
        cluster.Service.KillHard();
        await cluster.Service.WaitForExitAsync();
        await Task.Delay(away);
        var restarted = cluster.StartService(recoveryDelay);
        await restarted.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
    }

    /// <summary>PostgreSQL stopped as a restart does, away for <paramref name="away"/>, then started again.</summary>
    async Task RestartDatabaseAsync(TimeSpan away)
    {
        await cluster.Postgres.StopAsync();
        try
        {
            await Task.Delay(away);
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }
    }

    /// <summary>A run's history in the test's output, for a failure to explain where an attempt came from.</summary>
    async Task PrintHistoryAsync(string runId)
    {
        foreach (var h in await cluster.Client.GetHistoryAsync(runId))
            output.WriteLine($"history: {h.Timestamp:HH:mm:ss.fff} {h.Status} attempt {h.Attempt} {h.Worker} {h.Reason}");
    }

    [Fact]
    public async Task KilledWorker_RunIsRetriedOnAnotherWorker()
    {
        var (a, b) = await StartTwoWorkersAsync("kill-task");
        using (a)
        using (b)
        {
            var key = Key();
            var handle = await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 4000 }));
            var running = await WaitForStepToBeginAsync(handle, key);
            var victim = running.Worker == await WorkerIdOfAsync(cluster.Client, "kill-task-a") ? a : b;

            var clock = Stopwatch.StartNew();
            victim.KillHard();
            var moved = await WaitForAsync(handle.RunId, r => r is { Status: RunStatus.Running, Attempt: 2 }, "attempt 2 to run elsewhere", 30);
            output.WriteLine($"failover: kill -9 to attempt 2 running on another worker in {clock.Elapsed.TotalSeconds:0.0} s");

            Assert.NotEqual(running.Worker, moved.Worker);
            var done = await handle.WaitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            Assert.Equal(RunStatus.Succeeded, done.Status);
            Assert.Equal(2, done.Attempt);
            Assert.Equal(1, cluster.Executions().GetValueOrDefault(key));
            var history = await cluster.Client.GetHistoryAsync(handle.RunId);
            Assert.Contains(history, h => h is { Status: RunStatus.Pending, Attempt: 1 } && h.Reason?.Contains("lost with its worker") == true);
        }
    }

    /// <summary>
    /// A frozen worker (SIGSTOP: a hung pod, a partition) looks live until membership declares it dead. A submit granted
    /// to it returns at once instead of waiting for the start's delivery, and the run then runs elsewhere without
    /// spending a retry. Before, the submit returned only once the worker was declared dead (or timed out after 30 s,
    /// which failed the attempt: replay-chaos saw a client's submit time out).
    /// </summary>
    [Fact]
    public async Task FrozenWorker_ASubmitGrantedToItReturnsAtOnce_AndTheRunMovesOnWithoutSpendingARetry()
    {
        using var frozen = await StartReadyWorkerAsync("frozen-a");
        await cluster.WaitForWorkersAsync(1, ws => ws is [{ Name: "frozen-a" }]); // the only worker: the run is granted to it
        var frozenId = await WorkerIdOfAsync(cluster.Client, "frozen-a");
        frozen.Freeze();

        var key = Key();
        var handle = await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 1 }),
            new CallOptions { Retry = new RetryPolicy { MaxAttempts = 1 } });
        var submitted = (await cluster.Client.GetRunAsync(handle.RunId))!;
        Assert.Equal((RunStatus.Running, frozenId), (submitted.Status, submitted.Worker));

        using var other = await StartReadyWorkerAsync("frozen-b");
        var done = await handle.WaitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        await PrintHistoryAsync(handle.RunId);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(await WorkerIdOfAsync(cluster.Client, "frozen-b"), done.Worker);
        Assert.Equal(1, cluster.Executions().GetValueOrDefault(key));
    }

    /// <summary>
    /// Submits a workflow on two workers, kill -9s the one running it once <paramref name="enough"/> of its children
    /// that pass <paramref name="finishedEnough"/> have succeeded, checks that none of the children finished before the
    /// kill ran again, and returns the workflow's end.
    /// </summary>
    async Task<RunInfo> KillTheWorkflowsWorkerAsync(
        string prefix, string routine, object input, Func<RunInfo, bool> finishedEnough, int enough, string what)
    {
        var (a, b) = await StartTwoWorkersAsync(prefix);
        using (a)
        using (b)
        {
            var handle = await cluster.Client.SubmitAsync(routine, Json(input));
            var before = await Eventually.ReturnsAsync(async () =>
            {
                var children = await cluster.Client.ListChildrenAsync(handle.RunId);
                return children.Count(c => c.Status == RunStatus.Succeeded && finishedEnough(c)) >= enough ? children : null;
            }, TimeSpan.FromSeconds(60), what);
            var parent = (await cluster.Client.GetRunAsync(handle.RunId))!;
            var victim = parent.Worker == await WorkerIdOfAsync(cluster.Client, $"{prefix}-a") ? a : b;

            victim.KillHard();
            var done = await handle.WaitAsync().WaitAsync(TimeSpan.FromSeconds(90));

            await PrintHistoryAsync(handle.RunId);
            var executions = cluster.Executions();
            foreach (var finished in before.Where(c => c.Status == RunStatus.Succeeded))
            {
                var stepKey = JsonDocument.Parse(finished.InputJson).RootElement.GetProperty("key").GetString()!;
                Assert.Equal(1, executions.GetValueOrDefault(stepKey));
            }

            return done;
        }
    }

    [Fact]
    public async Task KilledWorkflowHost_WorkflowResumesElsewhere_AndFinishedChildrenRunExactlyOnce()
    {
        var key = Key();

        var done = await KillTheWorkflowsWorkerAsync("kill-wf", "pipeline", new { key, steps = 6, milliseconds = 600 }, _ => true, 2, "two finished steps");

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempt);
        var executions = cluster.Executions();
        Assert.All(Enumerable.Range(0, 6), i => Assert.True(executions.GetValueOrDefault($"{key}-{i}") >= 1));
        Assert.Equal(6, (await cluster.Client.ListChildrenAsync(done.RunId)).Count);
    }

    [Fact]
    public async Task KilledCrossValidationHost_EveryFoldKeepsItsOwnResult_AndNoFinishedStepRunsAgain()
    {
        var key = Key();

        var done = await KillTheWorkflowsWorkerAsync("kill-cv", "cross_validate", new { key, folds = 5, milliseconds = 500 },
            c => c.InputJson.Contains("-scored"), 2, "two folds scored");

        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(2, done.Attempt);
        Assert.Equal(Enumerable.Range(0, 5).Select(f => $"{key}-fold{f}-scored"), JsonSerializer.Deserialize<string[]>(done.OutputJson!, RoutineJson.Default)!);
    }

    [Fact]
    public async Task ARoutineThatEndsItsWorkersProcess_FailsAfterTheLossLimit_AndTheWorkersServeOtherRuns()
    {
        // Each worker is started again when it dies, as Kubernetes would; a short shutdown grace keeps each loss quick.
        var names = new[] { "poison-a", "poison-b" };
        var workers = names.ToDictionary(n => n, n => cluster.StartWorker(n, "WorkerAlpha", shutdownGrace: "00:00:02"));
        using var stop = new CancellationTokenSource();
        var restarts = 0;
        var keeper = Task.WhenAll(names.Select(async name =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await workers[name].WaitForExitAsync(TimeSpan.FromSeconds(1));
                }
                catch (OperationCanceledException)
                {
                    continue; // still running
                }

                if (stop.IsCancellationRequested) return;
                workers[name].Dispose();
                workers[name] = cluster.StartWorker(name, "WorkerAlpha", shutdownGrace: "00:00:02");
                Interlocked.Increment(ref restarts);
            }
        }));
        try
        {
            await cluster.WaitForWorkersAsync(2, ws => names.All(n => ws.Any(w => w.Name == n)));
            var key = Key();

            var run = await (await cluster.Client.SubmitAsync("exit_process", Json(new { key, exitCode = 3 }))).WaitAsync().WaitAsync(TimeSpan.FromMinutes(3));

            await PrintHistoryAsync(run.RunId);
            Assert.Equal(RunStatus.Failed, run.Status);
            Assert.Equal(typeof(RoutineWorkerLostException).FullName, run.Error?.Type);
            Assert.Contains("lost its worker 3 times", run.Error?.Message);
            Assert.Contains("MaxWorkerLosses = 3", run.Error?.Message);
            Assert.Contains("poison-", run.Error?.Message); // the workers by name
            Assert.Equal(3, cluster.Executions().GetValueOrDefault(key));
            var history = await cluster.Client.GetHistoryAsync(run.RunId);
            Assert.Equal(3, history.Count(h => h.Reason?.Contains("lost with its worker") == true));

            await cluster.WaitForWorkersAsync(2, ws => names.All(n => ws.Any(w => w.Name == n)));
            var after = await cluster.Client.ExecuteAsync("step", Json(new { key = Key(), milliseconds = 1 }));
            Assert.Equal(RunStatus.Succeeded, after.Status);
            Assert.True(restarts >= 3, $"{restarts} restarts");
        }
        finally
        {
            await stop.CancelAsync();
            await keeper;
            foreach (var worker in workers.Values) worker.Dispose();
        }
    }

    [Fact]
    public async Task ASubmitDuringADatabaseRestart_WaitsForIt_AndOneBeyondTheOutageTolerance_GetsTheStoresError()
    {
        using var worker = cluster.StartWorker("outage-submit", "WorkerAlpha");
        await cluster.WaitForWorkersAsync(1, ws => ws.Any(w => w.Name == "outage-submit"));

        // A cached routine: its submit reads the task cache first, a read that used to fail at once with a
        // CodecNotFoundException for Npgsql's exception.
        await cluster.Postgres.StopAsync();
        var during = cluster.Client.ExecuteAsync("echo", Json(new { key = Key(), milliseconds = 0 }));
        await Task.Delay(TimeSpan.FromSeconds(2));
        await cluster.Postgres.StartAgainAsync();
        Assert.Equal(RunStatus.Succeeded, (await during).Status);

        await cluster.Postgres.StopAsync();
        try
        {
            var error = await Assert.ThrowsAsync<RoutinesUnavailableException>(() => cluster.Client.SubmitAsync("echo", Json(new { key = Key(), milliseconds = 0 })));
            Assert.Contains("kept trying", error.Message);
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }
    }

    [Fact]
    public async Task KilledWorker_LeavesTheServicesGrainsActive()
    {
        // Orleans' default grain directory keeps each entry on the silo its hash picks, workers included, and deactivates
        // the grains whose entries a dead silo held: a killed worker would take run grains' timers and the dispatcher's
        // state with it. Sixty runs wait in line while a bystander worker is killed; none of their grains may go.
        using var busy = cluster.StartWorker("directory-a", "WorkerAlpha", slots: 1);
        var bystander = cluster.StartWorker("directory-b", "WorkerBeta", slots: 1);
        await cluster.WaitForWorkersAsync(2, ws => ws.Any(w => w.Name == "directory-a") && ws.Any(w => w.Name == "directory-b"));
        var occupying = new List<RunHandle>();
        for (var i = 0; i < 2; i++) occupying.Add(await cluster.Client.SubmitAsync("step", Json(new { key = Key(), milliseconds = 60_000 })));
        foreach (var handle in occupying) await WaitForAsync(handle.RunId, r => r.Status == RunStatus.Running, "both slots to be taken");
        var waiting = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => cluster.Client.SubmitAsync("step", Json(new { key = Key(), milliseconds = 1 }))));
        var runType = cluster.Grains.GetGrain<IRunGrain>(waiting[0].RunId).GetGrainId().Type;
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        async Task<int> StillActiveAsync()
        {
            var active = (await management.GetActiveGrains(runType)).Select(g => g.Key.ToString()).ToHashSet();
            return waiting.Count(h => active.Contains(h.RunId));
        }

        try
        {
            Assert.Equal(60, await StillActiveAsync());
            bystander.KillHard();
            await Eventually.TrueAsync(async () => (await cluster.Client.ListWorkersAsync()).All(w => w.Name != "directory-b"),
                TimeSpan.FromSeconds(30), "the service to drop the killed worker");

            // The service learnt of the death; a deactivation it started then would finish within moments.
            for (var check = 0; check < 6; check++)
            {
                Assert.Equal(60, await StillActiveAsync());
                await Task.Delay(500);
            }
        }
        finally
        {
            await Task.WhenAll(waiting.Concat(occupying).Select(h => h.CancelAsync("test done")));
            bystander.Dispose();
        }
    }

    [Fact]
    public async Task GracefulStop_FinishesRunningWork_ThenHandsBackWhatOutlastsTheGrace()
    {
        using var patient = cluster.StartWorker("graceful-a", "WorkerAlpha", shutdownGrace: "00:00:20");
        await cluster.WaitForWorkersAsync(1, ws => ws.Any(w => w.Name == "graceful-a"));
        var patientKey = Key();
        var handle = await cluster.Client.SubmitAsync("step", Json(new { key = patientKey, milliseconds = 1500 }));
        await WaitForStepToBeginAsync(handle, patientKey);

        patient.Terminate();
        await Eventually.TrueAsync(async () => (await cluster.Client.ListWorkersAsync()).Any(w => w is { Name: "graceful-a", Status: WorkerStatus.Terminating }),
            TimeSpan.FromSeconds(10), "the worker to report TERMINATING");
        var finished = await handle.WaitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.Equal(RunStatus.Succeeded, finished.Status);
        Assert.Equal(1, finished.Attempt);
        Assert.Equal(0, await patient.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        // Told apart from a worker that died: the service says it stopped.
        await Eventually.TrueAsync(() => Task.FromResult(cluster.Service.Stdout.Split('\n').Any(line => line.Contains("Worker graceful-a (") && line.Contains("stopped and left the cluster"))),
            TimeSpan.FromSeconds(30), "the service to log the stop");
        Assert.DoesNotContain(cluster.Service.Stdout.Split('\n'), line => line.Contains("Worker graceful-a (") && line.Contains("was lost"));

        using var hasty = cluster.StartWorker("graceful-b", "WorkerAlpha", shutdownGrace: "00:00:01");
        await cluster.WaitForWorkersAsync(1, ws => ws.Any(w => w.Name == "graceful-b"));
        var key = Key();
        var long_ = await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 8000 }));
        await WaitForStepToBeginAsync(long_, key);

        hasty.Terminate();
        // The heir starts once the stop is under way: the handed-back step waits in line for it. (Started before, a heir
        // that took longer to join than the step takes to run let the step finish on the hasty worker.)
        using var heir = cluster.StartWorker("graceful-c", "WorkerAlpha");
        var handedBack = await long_.WaitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var history = await cluster.Client.GetHistoryAsync(long_.RunId);
        output.WriteLine(string.Join("\n", history.Select(h => $"{h.Status} {h.Attempt} {h.Worker} {h.Reason}")));
        Assert.Equal(RunStatus.Succeeded, handedBack.Status);
        Assert.Equal(2, handedBack.Attempt);
        Assert.Equal(await WorkerIdOfAsync(cluster.Client, "graceful-c"), handedBack.Worker);
        Assert.Contains(history, h => h.Reason?.Contains("stopped before attempt 1 finished") == true);
    }

    [Fact]
    public async Task ServiceRestart_LosesNoRun_PendingRunsDispatchAfterwards()
        => await ServiceRestartAsync("restart-a", recoveryDelay: null);

    /// <summary>
    /// A worker's heartbeat can be held up on the dead service's silo past the restarted service's recovery: the run
    /// it still runs is then waited for, not handed back and run a second time.
    /// </summary>
    [Fact]
    public async Task ServiceRestart_RecoveryBeforeTheWorkerReports_TheRunningStepIsNotRunAgain()
        => await ServiceRestartAsync("early-recovery-a", recoveryDelay: TimeSpan.FromMilliseconds(100));

    async Task ServiceRestartAsync(string workerName, TimeSpan? recoveryDelay)
    {
        using var worker = await StartReadyWorkerAsync(workerName, slots: 1);
        var runningKey = Key();
        var running = await cluster.Client.SubmitAsync("step", Json(new { key = runningKey, milliseconds = 4000 }));
        var pending = await cluster.Client.SubmitAsync("step", Json(new { key = Key(), milliseconds = 10 }));
        await WaitForStepToBeginAsync(running, runningKey);
        await WaitForAsync(pending.RunId, r => r.Status == RunStatus.Pending && r.WaitReason is not null, "the second step to wait");

        await RestartServiceAsync(TimeSpan.Zero, recoveryDelay);

        var first = await Eventually.ReturnsAsync(async () => await running.WaitAsync(), TimeSpan.FromSeconds(90), "the running step to finish");
        var second = await Eventually.ReturnsAsync(async () => await pending.WaitAsync(), TimeSpan.FromSeconds(90), "the pending step to finish");
        await PrintHistoryAsync(running.RunId);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(1, cluster.Executions().GetValueOrDefault(runningKey));
        Assert.Equal(RunStatus.Succeeded, second.Status);
    }

    [Fact]
    public async Task DatabaseRestart_LosesNoRun_AndWhatFinishedMeanwhileIsRecordedOnce()
    {
        using var worker = await StartReadyWorkerAsync("db-restart-a", slots: 3);
        var key = Key();
        var workflow = await cluster.Client.SubmitAsync("pipeline", Json(new { key, steps = 6, milliseconds = 500 }));
        var tasks = new List<RunHandle>();
        for (var i = 0; i < 2; i++) tasks.Add(await cluster.Client.SubmitAsync("step", Json(new { key = $"{key}-task-{i}", milliseconds = 1500 })));
        await Eventually.TrueAsync(async () => (await cluster.Client.ListChildrenAsync(workflow.RunId)).Any(c => c.Status == RunStatus.Succeeded),
            TimeSpan.FromSeconds(60), "the workflow's first step to finish");

        // Steps finish, and the workflow calls new ones, while the database is away: their writes wait for it.
        await RestartDatabaseAsync(TimeSpan.FromSeconds(2));

        foreach (var run in tasks.Append(workflow))
        {
            var done = await Eventually.ReturnsAsync(async () => await run.WaitAsync(), TimeSpan.FromSeconds(90), $"run {run.RunId} to finish");
            Assert.Equal(RunStatus.Succeeded, done.Status);
            Assert.Equal(1, done.Attempt); // the outage cost no attempt
            var history = await cluster.Client.GetHistoryAsync(run.RunId);
            Assert.Equal(history.Count, history.DistinctBy(h => (h.Status, h.Attempt, h.Reason)).Count()); // no event stored twice
        }

        var executions = cluster.Executions();
        Assert.All(Enumerable.Range(0, 6), i => Assert.Equal(1, executions.GetValueOrDefault($"{key}-{i}")));
        Assert.All(Enumerable.Range(0, 2), i => Assert.Equal(1, executions.GetValueOrDefault($"{key}-task-{i}")));
        Assert.Equal(6, (await cluster.Client.ListChildrenAsync(workflow.RunId)).Count);
    }

    [Fact]
    public async Task DatabaseAwayLongerThanTheServiceWaits_ResultsReportedMeanwhileAreRecordedWhenItIsBack()
    {
        using var worker = await StartReadyWorkerAsync("db-away-a", slots: 2);
        var keys = new[] { Key(), Key() };
        var runs = new List<RunHandle>();
        foreach (var key in keys) runs.Add(await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 1000 })));
        foreach (var (run, key) in runs.Zip(keys)) await WaitForStepToBeginAsync(run, key);

        // The results come while the database is away; the service gives up storing them after its tolerance, and the
        // worker, delivering again, finds it back.
        await RestartDatabaseAsync(ClusterFixture.StoreOutageTolerance + TimeSpan.FromSeconds(4));

        foreach (var run in runs)
        {
            var done = await Eventually.ReturnsAsync(async () => await run.WaitAsync(), TimeSpan.FromSeconds(90), $"run {run.RunId} to finish");
            Assert.Equal(RunStatus.Succeeded, done.Status);
            Assert.Equal(1, done.Attempt);
            var history = await cluster.Client.GetHistoryAsync(run.RunId);
            Assert.Single(history, h => h.Status == RunStatus.Succeeded);
        }

        Assert.All(keys, key => Assert.Equal(1, cluster.Executions().GetValueOrDefault(key)));
    }

    /// <summary>
    /// A worker used to stop delivering a result after about 70 s of failed tries; a service away longer than that
    /// then found the run without a report and ran it again. It now delivers for as long as the service is away.
    /// </summary>
    [Fact]
    public async Task ServiceAwayLongerThanAMinute_TheResultReportedMeanwhileIsRecordedWhenItIsBack()
    {
        using var worker = await StartReadyWorkerAsync("service-away-a", slots: 1);
        var key = Key();
        var run = await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 1000 }));
        await WaitForStepToBeginAsync(run, key);

        await RestartServiceAsync(TimeSpan.FromSeconds(80));

        var done = await Eventually.ReturnsAsync(async () => await run.WaitAsync(), TimeSpan.FromSeconds(90), "the step to finish");
        await PrintHistoryAsync(run.RunId);
        Assert.Equal(RunStatus.Succeeded, done.Status);
        Assert.Equal(1, done.Attempt);
        Assert.Equal(1, cluster.Executions().GetValueOrDefault(key));
    }
}
