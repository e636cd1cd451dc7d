using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Cluster;
using Routines.Client;
using Routines.Serialization;
using Routines.Tests.Shared;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

public sealed class RunLifecycleTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    static string Key() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task Task_Succeeds_AndIsRecordedWithLogsProgressMetricsAndHistory()
    {
        var run = await fixture.Env.RunAsync("add", new AddInput(2, 40));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":42}""", run.OutputJson);
        var stored = await fixture.Store.GetRunAsync(run.RunId);
        Assert.NotNull(stored);
        Assert.Equal(RunStatus.Succeeded, stored.Status);
        Assert.Equal("tname:add:1.0.0", stored.RoutineId);
        Assert.Equal("""{"a":2,"b":40}""", stored.InputJson);
        Assert.Equal(run.RunId, stored.RootRunId);
        Assert.Equal(1, stored.Attempt);
        Assert.NotNull(stored.StartedAt);
        Assert.NotNull(stored.FinishedAt);
        Assert.Equal(1, stored.Progress?.Current);
        Assert.Equal("added", stored.Progress?.Message);

        var logs = await fixture.Store.GetLogsAsync(run.RunId);
        Assert.Contains(logs, l => l.Message == "adding 2 and 40");
        var metrics = await fixture.Store.GetMetricsAsync(run.RunId);
        Assert.Equal(42, Assert.Single(metrics, m => m.Name == "sum").Value);
        var history = await fixture.Store.GetHistoryAsync(run.RunId);
        Assert.Equal([RunStatus.Pending, RunStatus.Running, RunStatus.Succeeded], history.Select(h => h.Status));
    }

    [Fact]
    public async Task ARunsHandle_FollowsItsLog_UntilTheRunEnds()
    {
        var handle = await fixture.Env.Client.SubmitAsync("add", """{"a":1,"b":2}""");

        var lines = new List<string>();
        await foreach (var line in handle.FollowLogsAsync().WithCancellation(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token))
            lines.Add(line.Message);

        Assert.Contains("adding 1 and 2", lines);
        Assert.Equal(RunStatus.Succeeded, (await handle.WaitAsync()).Status);
    }

    [Fact]
    public async Task Workflow_FansOutInParallel_AndEveryChildIsRecordedUnderItsParent()
    {
        var run = await fixture.Env.RunAsync("sum_pairs", new SumManyInput([100, 200, 300, 400]));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":2000}""", run.OutputJson);
        var children = await fixture.Store.ListChildrenAsync(run.RunId);
        Assert.Equal(4, children.Count);
        Assert.All(children, c =>
        {
            Assert.Equal(run.RunId, c.ParentRunId);
            Assert.Equal(run.RunId, c.RootRunId);
            Assert.Equal(RunStatus.Succeeded, c.Status);
            Assert.StartsWith(run.RunId + ".", c.RunId);
        });
        // {parent}.{12 base32 of SHA-256(routine id as the call writes it + "\n" + canonical input)}
        Assert.Contains($"{run.RunId}.{ChildHash("tname:add:1.0.0", """{"a":100,"b":100}""")}", children.Select(c => c.RunId));
        Assert.All(children, c => Assert.Matches($@"^{run.RunId}\.[a-z2-7]{{12}}$", c.RunId));
        Assert.Equal(4, children.Select(c => c.RunId).Distinct().Count());
    }

    [Fact]
    public async Task Workflows_NestToAnyDepth()
    {
        var run = await fixture.Env.RunAsync("nested", new DepthInput(Depth: 4, Width: 3));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("""{"value":24}""", run.OutputJson); // (1+2+3) per level, 4 levels
        var deepest = await fixture.Store.ListRunsAsync(new() { RootRunId = run.RunId, Take = 100 });
        Assert.Equal(4 + 4 * 3, deepest.Total); // 4 workflow runs, 3 adds each
        Assert.All(deepest.Runs, r => Assert.Equal(run.RunId, r.RootRunId));
    }

    [Fact]
    public async Task SecondRunOfSameTaskInput_IsACacheHit_VisibleInTheRecord()
    {
        var key = Key();
        var first = await fixture.Env.RunAsync("counted", new KeyInput(key));
        var second = await fixture.Env.RunAsync("counted", new { failTimes = 0, key }); // same input, other member order

        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Equal(first.RunId, second.CachedFromRunId);
        Assert.Equal(first.OutputJson, second.OutputJson);
        Assert.Equal(1, fixture.Executions.Count("counted:" + key));
        var history = await fixture.Store.GetHistoryAsync(second.RunId);
        Assert.Contains(history, h => h.Reason?.Contains("cache hit") == true);
    }

    [Fact]
    public async Task NoCache_RunsTheTaskAgain()
    {
        var key = Key();
        await fixture.Env.RunAsync("counted", new KeyInput(key));
        var again = await fixture.Env.RunAsync("counted", new KeyInput(key), new CallOptions { UseCache = false });

        Assert.Null(again.CachedFromRunId);
        Assert.Equal(2, fixture.Executions.Count("counted:" + key));
    }

    [Fact]
    public async Task TaskMarkedUncached_AlwaysRuns()
    {
        var key = Key();
        await fixture.Env.RunAsync("uncached", new KeyInput(key));
        var again = await fixture.Env.RunAsync("uncached", new KeyInput(key));

        Assert.Null(again.CachedFromRunId);
        Assert.Equal(2, fixture.Executions.Count("uncached:" + key));
    }

    [Fact]
    public async Task ThrowingTask_IsRetriedPerPolicy_AndSucceeds()
    {
        var key = Key();
        var run = await fixture.Env.RunAsync("flaky", new KeyInput(key, FailTimes: 2));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(3, run.Attempt);
        Assert.Equal(3, fixture.Executions.Count(key));
        var history = await fixture.Store.GetHistoryAsync(run.RunId);
        Assert.Equal(
            [RunStatus.Pending, RunStatus.Running, RunStatus.Pending, RunStatus.Running, RunStatus.Pending, RunStatus.Running, RunStatus.Succeeded],
            history.Select(h => h.Status));
        Assert.Contains(history, h => h.Reason?.Contains("attempt 1 failed (boom 1); retry 2 of 3") == true);
        var logs = await fixture.Store.GetLogsAsync(run.RunId);
        Assert.Equal([1, 2, 3], logs.Select(l => l.Attempt));
        Assert.True(logs.Select(l => l.Sequence).SequenceEqual(logs.Select(l => l.Sequence).Order()), "log sequences grow across attempts");
    }

    [Fact]
    public async Task TaskThatKeepsThrowing_FailsAfterItsAttempts_WithMessageAndStack()
    {
        var run = await fixture.Env.RunAsync("flaky", new KeyInput(Key(), FailTimes: 10));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(3, run.Attempt);
        Assert.Equal(typeof(InvalidOperationException).FullName, run.Error?.Type);
        Assert.Equal("boom 3", run.Error?.Message);
        Assert.Contains(nameof(Flaky.RunAsync), run.Error?.StackTrace);
    }

    [Fact]
    public async Task NonRetryableError_FailsAtOnce()
    {
        var key = "bad-argument-" + Key();
        var run = await fixture.Env.RunAsync("flaky", new KeyInput(key));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, run.Attempt);
        Assert.Equal(1, fixture.Executions.Count(key));
        Assert.Equal(typeof(ArgumentException).FullName, run.Error?.Type);
    }

    [Fact]
    public async Task WorkflowWhoseChildFails_FailsWithTheChildErrorChained()
    {
        var run = await fixture.Env.RunAsync("parent_of_failure", new KeyInput(Key()));

        Assert.Equal(RunStatus.Failed, run.Status);
        var error = run.Error!;
        Assert.Equal(typeof(RoutineFailedException).FullName, error.Type);
        Assert.Contains("flaky", error.Message);
        Assert.Equal(typeof(ArgumentException).FullName, error.Root.Type);
        Assert.Matches($@"^{run.RunId}\.[a-z2-7]{{12}}$", error.Cause?.RunId);
        Assert.Equal("tname:flaky:1.0.0", error.Cause?.RoutineId);
    }

    [Fact]
    public async Task TaskExceedingItsTimeout_TimesOut()
    {
        var run = await fixture.Env.RunAsync("sleepy", new DelayInput(Key(), Seconds: 30));

        Assert.Equal(RunStatus.TimedOut, run.Status);
        Assert.Contains("exceeded its timeout of 00:00:00.5", run.Error?.Message);
    }

    [Fact]
    public async Task TaskIgnoringItsCancellationToken_StillTimesOut()
    {
        var run = await fixture.Env.RunAsync("stubborn", new DelayInput(Key(), Seconds: 30));

        Assert.Equal(RunStatus.TimedOut, run.Status);
    }

    /// <summary>A timed-out attempt whose code ignores its token still holds a thread: its worker reports it (Workers page).</summary>
    [Fact]
    public async Task TaskIgnoringItsCancellationToken_IsReportedAbandonedByItsWorkerWhileItsCodeRuns()
    {
        var run = await fixture.Env.RunAsync("stubborn", new DelayInput(Key(), Seconds: 30));

        Assert.Equal(RunStatus.TimedOut, run.Status);
        await Eventually.TrueAsync(async () => (await fixture.Env.Client.ListWorkersAsync()).Any(w => w.Abandoned?.Any(r => r.Contains("stubborn")) == true),
            TimeSpan.FromSeconds(20), "the worker to report the abandoned attempt");
    }

    [Fact]
    public async Task AnAttemptWhoseWorkerFallsSilent_IsTimedOutByTheService()
    {
        // The worker reports nothing until released; the service gives up at the timeout (0.3 s) plus its 10 s grace.
        var key = Key();
        var run = await fixture.Env.RunAsync("frozen", new KeyInput(key));
        fixture.Executions.ReleaseSignal(key).TrySetResult();

        Assert.Equal(RunStatus.TimedOut, run.Status);
        Assert.StartsWith("Attempt 1 gave no result within its timeout of 00:00:00.3", run.Error?.Message);
        Assert.Contains("(+10 s grace)", run.Error?.Message);
        var history = await fixture.Store.GetHistoryAsync(run.RunId);
        Assert.Equal([RunStatus.Pending, RunStatus.Running, RunStatus.TimedOut], history.Select(h => h.Status));
    }

    [Fact]
    public async Task PerCallTimeout_OverridesTheDeclaredOne()
    {
        var run = await fixture.Env.RunAsync("sleepy", new DelayInput(Key(), Seconds: 0.8), new CallOptions { Timeout = TimeSpan.FromSeconds(20) });

        Assert.Equal(RunStatus.Succeeded, run.Status);
    }

    [Fact]
    public async Task WaitingOnARun_ReturnsItStillRunningWhenTheWindowCloses_AndFinishedOnceItEnds()
    {
        var key = Key();
        var handle = await fixture.Env.Client.SubmitAsync("sleepy", $$"""{"key":"{{key}}","seconds":1.5}""",
            new CallOptions { Timeout = TimeSpan.FromSeconds(20) });
        await fixture.Executions.StartedSignal(key).Task;
        var grain = fixture.Env.Services.GetRequiredService<IGrainFactory>().Run(handle.RunId);

        var early = await grain.WaitAsync(TimeSpan.FromMilliseconds(100));
        var late = await grain.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RunStatus.Running, early?.Status);
        Assert.Equal(RunStatus.Succeeded, late?.Status);
    }

    [Fact]
    public async Task ExecutingARun_ReturnsItUnfinishedWhenTheWindowCloses_AndItsWaitHoldsNothing()
    {
        var grains = fixture.Env.Services.GetRequiredService<IGrainFactory>();
        RunRequest LongWait(string key) => new() { RoutineId = "long_wait", InputJson = $$"""{"key":"{{key}}","seconds":60}""" };

        var unfinished = await grains.Run(Key()).ExecuteAsync(LongWait(Key()), TimeSpan.FromMilliseconds(100));
        await fixture.Env.Client.CancelAsync(unfinished.RunId, "test is done");

        // A cancel reaches the grain while an execute call waits on it: were the wait holding the grain, the cancel
        // would queue behind it and the call would return the run still running when its window closed.
        var key = Key();
        var runId = Key();
        var executing = grains.Run(runId).ExecuteAsync(LongWait(key), TimeSpan.FromSeconds(20));
        await fixture.Executions.StartedSignal(key).Task;
        await fixture.Env.Client.CancelAsync(runId, "test cancels");
        var cancelled = await executing;

        Assert.False(unfinished.Status.IsTerminal());
        Assert.Equal(RunStatus.Cancelled, cancelled.Status);
    }

    [Fact]
    public async Task AResultForAnAttemptThatIsNotTheCurrentOne_IsIgnored_AndNoResultIsAppliedTwice()
    {
        var run = await fixture.Env.RunAsync("flaky", new KeyInput(Key(), FailTimes: 1));
        var history = await fixture.Env.Client.GetHistoryAsync(run.RunId);
        var grain = fixture.Env.Services.GetRequiredService<IGrainFactory>().Run(run.RunId);

        // Late reports: the failed attempt 1 now claiming success, and attempt 2's result again, as a failure.
        await grain.CompleteAsync(1, new AttemptResult(RunStatus.Succeeded, """{"key":"stale","attempt":1}"""));
        await grain.CompleteAsync(2, new AttemptResult(RunStatus.Failed, Error: new RunError("Late", "a duplicate report")));

        var after = await fixture.Env.Client.GetRunAsync(run.RunId);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(RunStatus.Succeeded, after?.Status);
        Assert.Equal(run.OutputJson, after?.OutputJson);
        Assert.Equal(history.Count, (await fixture.Env.Client.GetHistoryAsync(run.RunId)).Count);
    }

    [Fact]
    public async Task AResultForAnotherAttempt_DoesNotEndTheRunningOne()
    {
        var key = Key();
        var handle = await fixture.Env.Client.SubmitAsync("long_wait", $$"""{"key":"{{key}}","seconds":60}""");
        await fixture.Executions.StartedSignal(key).Task;
        var grain = fixture.Env.Services.GetRequiredService<IGrainFactory>().Run(handle.RunId);

        await grain.CompleteAsync(2, new AttemptResult(RunStatus.Succeeded, $$"""{"key":"{{key}}","attempt":2}"""));
        var running = await fixture.Env.Client.GetRunAsync(handle.RunId);
        await handle.CancelAsync("test is done");

        Assert.Equal(RunStatus.Running, running?.Status);
        Assert.Equal(1, running?.Attempt);
    }

    [Fact]
    public async Task CancellingAWorkflow_CancelsItsRunningChildren()
    {
        var key = Key();
        var handle = await fixture.Env.Client.SubmitAsync("wait_on_children", $$"""{"key":"{{key}}","children":3,"seconds":60}""");
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => fixture.Executions.StartedSignal($"{key}-{i}").Task));

        await handle.CancelAsync("test cancels");
        var run = await handle.WaitAsync();

        Assert.Equal(RunStatus.Cancelled, run.Status);
        foreach (var final in await EndedChildrenAsync(run.RunId, 3)) Assert.Equal(RunStatus.Cancelled, final.Status);
    }

    [Fact]
    public async Task AWorkflowThatEndsWithoutAwaitingAChild_CancelsIt_AndKeepsTheChildrenThatFinished()
    {
        var key = Key();

        var run = await fixture.Env.RunAsync("leave_child_running", new KeyInput(key));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var children = await fixture.Store.ListChildrenAsync(run.RunId);
        var left = await fixture.Env.Client.WaitAsync(Assert.Single(children, c => c.InputJson.Contains("-left")).RunId);
        Assert.Equal(RunStatus.Cancelled, left.Status);
        Assert.Contains($"parent run {run.RunId} ended (Succeeded) without awaiting it", left.Error?.Message);
        Assert.Equal(RunStatus.Succeeded, Assert.Single(children, c => c.InputJson.Contains("-awaited")).Status);
    }

    [Fact]
    public async Task AWorkflowThatThrowsWhileItsCallsRun_CancelsThemAll()
    {
        var key = Key();

        var run = await fixture.Env.RunAsync("throws_with_calls_running", new KeyInput(key));

        Assert.Equal(RunStatus.Failed, run.Status);
        foreach (var ended in await EndedChildrenAsync(run.RunId, 3))
        {
            Assert.Equal(RunStatus.Cancelled, ended.Status);
            // Ended by the service for the failed workflow, or by the worker as the attempt's calls are abandoned: either says why.
            Assert.Contains($"parent run {run.RunId}", ended.Error?.Message);
        }
    }

    /// <summary>The workflow's children, as many as expected, each once it has ended.</summary>
    async Task<RunInfo[]> EndedChildrenAsync(string workflowRunId, int expected)
    {
        var children = await fixture.Store.ListChildrenAsync(workflowRunId);
        Assert.Equal(expected, children.Count);
        return await Task.WhenAll(children.Select(child => fixture.Env.Client.WaitAsync(child.RunId)));
    }

    [Fact]
    public async Task RetriedWorkflow_ReusesChildrenThatSucceeded()
    {
        var key = Key();
        var run = await fixture.Env.RunAsync("fail_after_children", new KeyInput(key));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        for (var i = 0; i < 3; i++) Assert.Equal(1, fixture.Executions.Count($"uncached:{key}-{i}"));
    }

    [Fact]
    public async Task ARetriedWorkflow_RestartsItsFailedChildWorkflow_WhichGoesOnCountingAttemptsAndReusesItsFinishedCall()
    {
        var key = Key();
        var run = await fixture.Env.RunAsync("restarts_child", new KeyInput(key));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        var child = Assert.Single(await fixture.Store.ListChildrenAsync(run.RunId));
        Assert.Equal(RunStatus.Succeeded, child.Status);
        Assert.Equal(2, child.Attempt);
        Assert.Equal(1, fixture.Executions.Count($"uncached:{key}-inner"));
    }

    [Fact]
    public async Task TaskThatCallsARoutine_FailsWithAClearError()
    {
        var run = await fixture.Env.RunAsync("sneaky", new KeyInput(Key()));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("A task must not call routines", run.Error?.Message);
        Assert.Contains("sneaky", run.Error?.Message);
    }

    [Fact]
    public async Task RoutineIds_ResolveByBareNameAndExactForms()
    {
        var bare = await fixture.Env.RunAsync("add", new AddInput(1, 1));
        var exact = await fixture.Env.RunAsync("tname:add:1.0.0", new AddInput(1, 2));
        var workflow = await fixture.Env.RunAsync("wfname:sum_pairs:1.0.0", new SumManyInput([1]));

        Assert.Equal("tname:add:1.0.0", bare.RoutineId);
        Assert.Equal(RunStatus.Succeeded, exact.Status);
        Assert.Equal(RunStatus.Succeeded, workflow.Status);
    }

    [Fact]
    public async Task WorkflowStartingDifferentCallsOnReplay_RunsTheNewCall_AndKeepsTheOldChildAsHistory()
    {
        var key = Key();
        var run = await fixture.Env.RunAsync("shifty", new KeyInput(key));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(1, fixture.Executions.Count($"uncached:{key}"));
        var children = await fixture.Store.ListChildrenAsync(run.RunId);
        Assert.Equal(["counted", "uncached"], children.Select(c => c.RoutineName).Order());
        Assert.All(children, c => Assert.Equal(RunStatus.Succeeded, c.Status));
    }

    [Fact]
    public async Task ACallWhoseInputChangedOnReplay_GetsItsOwnResult_NotTheRecordedOne()
    {
        var key = Key();

        var run = await fixture.Env.RunAsync("drifting", new KeyInput(key));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal($"{key}-attempt2", JsonSerializer.Deserialize<Done>(run.OutputJson!, RoutineJson.Default)!.Key);
        Assert.Equal(1, fixture.Executions.Count($"counted:{key}-attempt1"));
        Assert.Equal(1, fixture.Executions.Count($"counted:{key}-attempt2"));
    }

    [Fact]
    public async Task FoldsWhoseSecondCallsStartInAnotherOrderOnReplay_EachGetTheirOwnResult_AndNothingRunsTwice()
    {
        var key = Key();

        var run = await fixture.Env.RunAsync("folds", new FoldsInput(key, 5));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.Equal(Enumerable.Range(0, 5).Select(f => $"{key}-fold{f}-scored"), JsonSerializer.Deserialize<string[]>(run.OutputJson!, RoutineJson.Default)!);
        Assert.All(Enumerable.Range(0, 5), f => Assert.Equal(1, fixture.Executions.Count($"counted:{key}-fold{f}-scored")));
        Assert.Equal(10, (await fixture.Store.ListChildrenAsync(run.RunId)).Count);
    }

    [Fact]
    public async Task IdenticalCallsInOneAttempt_EachHaveTheirOwnChild()
    {
        var run = await fixture.Env.RunAsync("sum_pairs", new SumManyInput([9100, 9100, 9100, 9100]));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var children = await fixture.Store.ListChildrenAsync(run.RunId);
        var call = $"{run.RunId}.{ChildHash("tname:add:1.0.0", """{"a":9100,"b":9100}""")}";
        Assert.Equal([call, call + "-2", call + "-3", call + "-4"], children.Select(c => c.RunId).Order(StringComparer.Ordinal));
    }

    /// <summary>A call's hash in its child's id, computed apart from the engine: the format must not drift between versions.</summary>
    static string ChildHash(string routineId, string canonicalInput)
    {
        var sha256 = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(routineId + "\n" + canonicalInput));
        var bits = string.Concat(sha256.Take(8).Select(b => Convert.ToString(b, 2).PadLeft(8, '0')))[..60];
        return string.Concat(bits.Chunk(5).Select(five => "abcdefghijklmnopqrstuvwxyz234567"[Convert.ToInt32(new string(five), 2)]));
    }

    [Fact]
    public async Task NoCacheOnAWorkflow_HoldsForItsWholeTree()
    {
        var values = new SumManyInput([7001, 7002]);
        await fixture.Env.RunAsync("sum_pairs", values);
        var again = await fixture.Env.RunAsync("sum_pairs", values, new CallOptions { UseCache = false });

        var children = await fixture.Store.ListChildrenAsync(again.RunId);
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Null(c.CachedFromRunId));
        Assert.All(children, c => Assert.Equal(false, c.Options?.UseCache));
    }

    [Fact]
    public async Task AConstructorDependencyNobodyRegistered_FailsAtOnce_AsADefinitionError()
    {
        var run = await fixture.Env.RunAsync("needs_feature_store", new KeyInput(Key()));

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(1, run.Attempt); // not retried: no attempt can succeed until the project registers the service
        Assert.Equal(typeof(RoutineDefinitionException).FullName, run.Error?.Type);
        Assert.Contains(nameof(NeedsFeatureStore), run.Error?.Message);
        Assert.Contains(nameof(IFeatureStore), run.Error?.Message);
        Assert.Contains("Register the service", run.Error?.Message);
    }

    [Fact]
    public async Task IdenticalCachedCallsInFlightTogether_RunOnce_AndShareTheOutput()
    {
        var key = Key();

        var run = await fixture.Env.RunAsync("repeating", new RepeatInput(key, Calls: 20, Distinct: 5));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"{key}-{i % 5}"), JsonSerializer.Deserialize<string[]>(run.OutputJson!, RoutineJson.Default)!);
        Assert.All(Enumerable.Range(0, 5), d => Assert.Equal(1, fixture.Executions.Count($"counted_slowly:{key}-{d}")));
        var children = await fixture.Store.ListChildrenAsync(run.RunId);
        Assert.Equal(20, children.Count);
        Assert.Equal(15, children.Count(c => c.CachedFromRunId is not null));
    }
}
