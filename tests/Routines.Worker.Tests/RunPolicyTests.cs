using Routines.Client;
using Routines.Cluster;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>A run's policy is resolved once at submit, stored with it, and what it runs under from then on.</summary>
public sealed class RunPolicyTests(EngineFixture fixture) : IClassFixture<EngineFixture>
{
    static string Key() => Guid.NewGuid().ToString("N");

    [Fact]
    public async Task ACallsOptions_BeatTheRoutinesAttributes_InTheStoredPolicy()
    {
        var options = new CallOptions { Retry = new RetryPolicy { MaxAttempts = 5, InitialDelay = TimeSpan.FromMilliseconds(1) }, UseCache = false };
        var run = await fixture.Env.RunAsync("flaky", new KeyInput(Key(), FailTimes: 4), options);

        var stored = await fixture.Store.GetRunAsync(run.RunId);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(5, run.Attempt); // [Retry(MaxAttempts = 3)] would have given up after 3
        Assert.Equal(5, stored!.Policy!.Retry.MaxAttempts);
        Assert.False(stored.Policy.Cache);
        Assert.Equal(TimeSpan.FromHours(1), stored.Policy.Timeout); // no [Timeout]: a task's default
        Assert.Equal(ExecutionPolicy.Remote, stored.Policy.Execution);
    }

    [Fact]
    public async Task ARoutinesAttributes_AreTheStoredPolicy_WhenTheCallSaysNothing()
    {
        var run = await fixture.Env.RunAsync("sleepy", new DelayInput(Key(), 0));

        var policy = (await fixture.Store.GetRunAsync(run.RunId))!.Policy!;
        Assert.Equal(TimeSpan.FromSeconds(0.5), policy.Timeout); // [Timeout(0.5)]
        Assert.Equal(1, policy.Retry.MaxAttempts);                // [Retry(MaxAttempts = 1)]
        Assert.True(policy.Cache);
    }

    /// <summary>A run recorded (Pending) under a 10 s timeout, then dispatched after its routine came to declare 0.5 s.</summary>
    [Fact]
    public async Task ARun_KeepsItsStoredPolicy_AfterItsRoutinesAttributesChange()
    {
        var run = await RecordedPendingAsync(new RunPolicy(RetryPolicy.None, TimeSpan.FromSeconds(10), Cache: true, ExecutionPolicy.Remote));

        var finished = await ResumeAsync(run);

        Assert.Equal(RunStatus.Succeeded, finished.Status); // sleeping 3 s: the routine's 0.5 s would have timed it out
    }

    [Fact]
    public async Task ARunRecordedWithoutAPolicy_RunsUnderItsRoutinesDeclaration()
    {
        var run = await RecordedPendingAsync(policy: null);

        var finished = await ResumeAsync(run);

        // [Timeout(0.5)] on a 3 s sleep: a margin a loaded machine's timers cannot close (with 1 s, one full-suite run
        // saw the sleep's timer and the timeout's fire together, and the run succeed).
        Assert.Equal(RunStatus.TimedOut, finished.Status);
    }

    async Task<RunInfo> RecordedPendingAsync(RunPolicy? policy)
    {
        var routine = (await fixture.Env.Client.ListRoutinesAsync()).Single(r => r.Id.Name == "sleepy");
        var id = "recorded-" + Key();
        var run = new RunInfo
        {
            RunId = id, RoutineId = routine.Id.ToString(), RoutineName = "sleepy", RoutineVersion = routine.Id.Version!, Kind = RoutineKind.Task,
            Status = RunStatus.Pending, MaxAttempts = 1, InputJson = $$"""{"key":"{{id}}","seconds":3}""", RootRunId = id,
            CreatedAt = DateTimeOffset.UtcNow, Policy = policy,
        };
        await fixture.Store.SaveRunAsync(run, [new RunEvent(id, run.CreatedAt, RunStatus.Pending, 0, null, "recorded by the test")]);
        return run;
    }

    async Task<RunInfo> ResumeAsync(RunInfo run)
    {
        var grains = (IGrainFactory)fixture.Env.Services.GetService(typeof(IGrainFactory))!;
        await grains.GetGrain<IRunGrain>(run.RunId).ResumeAsync();
        return await fixture.Env.Client.WaitAsync(run.RunId).WaitAsync(TimeSpan.FromSeconds(60));
    }
}
