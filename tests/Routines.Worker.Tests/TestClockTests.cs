using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Dispatch;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>A test environment on a fake clock: a minute's backoff or a 30 s timeout passes when the test says so.</summary>
public sealed class TestClockTests
{
    [Fact]
    public async Task ARetryDelayOfAMinute_PassesWhenTheClockIsAdvanced()
    {
        var (clock, executions) = (new FakeTimeProvider(DateTimeOffset.UtcNow), new Executions());
        await using var env = await StartAsync(clock, executions);
        var watch = Stopwatch.StartNew();

        var handle = await env.Client.SubmitAsync("patient_retry", JsonSerializer.Serialize(new KeyInput("patient"), RoutineJson.Default));
        var waiting = await WaitForAsync(env, handle.RunId, r => r is { Status: RunStatus.Pending, Attempt: 1 });
        Assert.Contains("retry 2 of 2 in 60 s", waiting.WaitReason);

        clock.Advance(TimeSpan.FromSeconds(61));
        var run = await env.Client.WaitAsync(handle.RunId);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(2, run.Attempt);
        Assert.True(run.FinishedAt - run.CreatedAt >= TimeSpan.FromSeconds(60), "the record's times are the test clock's");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task AnAttemptsTimeout_PassesWhenTheClockIsAdvanced()
    {
        var (clock, executions) = (new FakeTimeProvider(DateTimeOffset.UtcNow), new Executions());
        await using var env = await StartAsync(clock, executions);

        var handle = await env.Client.SubmitAsync("waits_for_timeout", JsonSerializer.Serialize(new KeyInput("timeout"), RoutineJson.Default));
        await executions.StartedSignal("timeout").Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(TimeSpan.FromSeconds(31));
        var run = await env.Client.WaitAsync(handle.RunId);

        Assert.Equal(RunStatus.TimedOut, run.Status);
    }

    [Fact]
    public async Task AdvancingTheClock_WhileAnAttemptRuns_DoesNotLoseItsWorker()
    {
        var (clock, executions) = (new FakeTimeProvider(DateTimeOffset.UtcNow), new Executions());
        await using var env = await StartAsync(clock, executions);
        var handle = await env.Client.SubmitAsync("gate", JsonSerializer.Serialize(new KeyInput("advanced"), RoutineJson.Default));
        await executions.StartedSignal("advanced").Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Five minutes of engine time with no heartbeat in it: the worker's silence is judged on the machine's clock.
        clock.Advance(TimeSpan.FromMinutes(5));
        env.Services.GetRequiredService<Dispatcher>().CheckWorkers();
        executions.ReleaseSignal("advanced").TrySetResult();
        var run = await env.Client.WaitAsync(handle.RunId);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(1, run.Attempt);
        Assert.DoesNotContain(await env.Client.GetHistoryAsync(handle.RunId), e => e.Reason?.Contains("lost") == true);
    }

    static Task<RoutineTestEnvironment> StartAsync(FakeTimeProvider clock, Executions executions)
        => RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(executions), clock: clock);

    static async Task<RunInfo> WaitForAsync(RoutineTestEnvironment env, string runId, Func<RunInfo, bool> condition)
    {
        for (var tries = 0; ; tries++)
        {
            if (await env.Client.GetRunAsync(runId) is { } run && condition(run)) return run;
            if (tries > 200) throw new TimeoutException($"run {runId} never reached the state the test waits for");
            await Task.Delay(50);
        }
    }
}
