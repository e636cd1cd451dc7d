using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Silo.Dispatch;
using Routines.Silo.Hosting;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>Runs wait in line by priority, aged so none starves, and run no more at once than their limits allow.</summary>
public sealed class PriorityAndLimitTests
{
    static Task<RoutineTestEnvironment> StartAsync(Executions executions, int slots, TimeSpan? aging = null)
        => RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s =>
        {
            s.AddSingleton(executions);
            s.Configure<RoutinesServiceOptions>(o => o.PriorityAging = aging ?? TimeSpan.Zero);
        }, slots);

    static Task<RunHandle> SubmitAsync(RoutineTestEnvironment env, string routine, object input, CallOptions? options = null)
        => env.Client.SubmitAsync(routine, JsonSerializer.Serialize(input, RoutineJson.Default), options);

    /// <summary>A gate run holding the only slot, started: runs submitted after it wait in line until it is released.</summary>
    static async Task<RunHandle> HoldTheSlotAsync(RoutineTestEnvironment env, Executions executions, string key)
    {
        var gate = await SubmitAsync(env, "gate", new KeyInput(key));
        await executions.StartedSignal(key).Task.WaitAsync(TimeSpan.FromSeconds(30));
        return gate;
    }

    [Fact]
    public async Task UnderFullSlots_AThousandRunsOfMixedPriority_StartInPriorityOrder_AndInSubmitOrderWithinOne()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 1);
        var gate = await HoldTheSlotAsync(env, executions, "line-gate");

        var random = new Random(20261205);
        var priorities = Enumerable.Range(0, 1000).Select(_ => random.Next(-5, 6)).ToArray();
        var handles = new List<RunHandle>();
        for (var tag = 0; tag < priorities.Length; tag++)
            handles.Add(await SubmitAsync(env, "in_line", new TagInput("line", tag), new CallOptions { Priority = priorities[tag] }));
        executions.ReleaseSignal("line-gate").TrySetResult();
        foreach (var handle in handles.Append(gate)) Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(handle.RunId)).Status);

        var order = executions.Order("line").ToArray();
        var expected = Enumerable.Range(0, priorities.Length).OrderByDescending(tag => priorities[tag]).ThenBy(tag => tag);
        Assert.Equal(expected, order);
    }

    [Fact]
    public async Task RunsOfTwoRoutines_StartInPriorityOrderAcrossBothLines_AndThoseCancelledInLineNeverStart()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 1);
        var gate = await HoldTheSlotAsync(env, executions, "lines-gate");

        var random = new Random(20261206);
        var priorities = Enumerable.Range(0, 300).Select(_ => random.Next(-3, 4)).ToArray();
        var handles = new List<RunHandle>();
        for (var tag = 0; tag < priorities.Length; tag++)
            handles.Add(await SubmitAsync(env, tag % 2 == 0 ? "in_line" : "in_line_too", new TagInput("lines", tag), new CallOptions { Priority = priorities[tag] }));
        var cancelled = Enumerable.Range(0, priorities.Length).Where(tag => tag % 7 == 3).ToHashSet();
        foreach (var tag in cancelled) await env.Client.CancelAsync(handles[tag].RunId);
        executions.ReleaseSignal("lines-gate").TrySetResult();
        foreach (var handle in handles.Append(gate)) await env.Client.WaitAsync(handle.RunId);

        var expected = Enumerable.Range(0, priorities.Length).Where(tag => !cancelled.Contains(tag))
            .OrderByDescending(tag => priorities[tag]).ThenBy(tag => tag);
        Assert.Equal(expected, executions.Order("lines"));
        foreach (var tag in cancelled) Assert.Equal(RunStatus.Cancelled, (await env.Client.GetRunAsync(handles[tag].RunId))!.Status);
    }

    [Fact]
    public async Task ARunWaitingInLine_SaysItsPlaceAndPriority()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 1);
        await HoldTheSlotAsync(env, executions, "place-gate");

        await SubmitAsync(env, "in_line", new TagInput("place", 1), new CallOptions { Priority = 3 });
        await SubmitAsync(env, "in_line", new TagInput("place", 2), new CallOptions { Priority = -1 });
        var third = await SubmitAsync(env, "in_line", new TagInput("place", 3), new CallOptions { Priority = 3 });

        var run = await env.Client.GetRunAsync(third.RunId);
        Assert.Equal(RunStatus.Pending, run!.Status);
        Assert.Equal("all 1 capable worker is busy, 1 ahead in line at priority 3", run.WaitReason);
        Assert.Equal(3, run.Policy!.Priority);
        executions.ReleaseSignal("place-gate").TrySetResult();
    }

    [Fact]
    public async Task AConcurrencyLimitOfTwo_IsNeverExceeded_InTheHistoryOfAThousandRuns()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 8);
        var handles = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => SubmitAsync(env, "limited_training", new TrainingInput("limit", "m", i))));
        var runs = await Task.WhenAll(handles.Select(h => env.Client.WaitAsync(h.RunId)));
        Assert.All(runs, run => Assert.Equal(RunStatus.Succeeded, run.Status));

        // Each run's span from its history: Running to its end; at an equal instant an end comes before a start.
        var spans = new List<(DateTimeOffset At, int Change)>();
        foreach (var run in runs)
        {
            var history = await env.Client.GetHistoryAsync(run.RunId);
            spans.Add((history.Single(e => e.Status == RunStatus.Running).Timestamp, +1));
            spans.Add((history.Single(e => e.Status == RunStatus.Succeeded).Timestamp, -1));
        }

        var running = 0;
        var most = 0;
        foreach (var (_, change) in spans.OrderBy(s => s.At).ThenBy(s => s.Change)) most = Math.Max(most, running += change);
        Assert.Equal(2, most);
        Assert.Equal(2, executions.MostAtOnce("limit")); // and on the worker itself
    }

    [Fact]
    public async Task AWorkflowsParallelCalls_AreHeldToTheirRoutinesLimit()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 8);

        var run = await env.RunAsync("trains_in_parallel", new FanOutInput("fan-limit", 20));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(20, (await env.Client.ListChildrenAsync(run.RunId)).Count);
        Assert.Equal(2, executions.MostAtOnce("fan-limit"));
    }

    [Fact]
    public async Task APerKeyLimit_HoldsOneRunPerModel_SaysWhich_AndLetsTheNextGoWhenItEnds()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 4);
        var first = await SubmitAsync(env, "per_model_training", new TrainingInput("key", "resnet", 1, WaitForTest: true));
        await executions.StartedSignal("key-resnet-1").Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await SubmitAsync(env, "per_model_training", new TrainingInput("key", "resnet", 2));
        var other = await SubmitAsync(env, "per_model_training", new TrainingInput("key", "vit", 3));

        Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(other.RunId)).Status); // another model is not held
        var held = await env.Client.GetRunAsync(second.RunId);
        Assert.Equal(RunStatus.Pending, held!.Status);
        Assert.Equal("""held by a concurrency limit: at most 1 run of per_model_training at once per model (model = "resnet"), 1 running""", held.WaitReason);

        executions.ReleaseSignal("key-resnet-1").TrySetResult();
        Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(second.RunId)).Status);
        Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(first.RunId)).Status);
    }

    [Fact]
    public async Task AWorkflowsCalls_InheritThePriorityItsCallSet()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 2);
        var run = await env.Client.ExecuteAsync("calls_in_line", JsonSerializer.Serialize(new PrioritizedInput("inherit"), RoutineJson.Default),
            new CallOptions { Priority = 7 });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var child = Assert.Single(await env.Client.ListChildrenAsync(run.RunId));
        Assert.Equal(7, child.Policy!.Priority);
    }

    [Fact]
    public async Task APriorityOutOfRange_IsRefusedAtSubmit()
    {
        await using var env = await StartAsync(new Executions(), slots: 1);

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => SubmitAsync(env, "in_line", new TagInput("range", 1), new CallOptions { Priority = 101 }));
        Assert.StartsWith("CallOptions.Priority must be from -100 to 100; it was 101.", error.Message);
    }

    [Fact]
    public async Task ARestartedServiceCounts_TheLimitsOfRunsWorkersReport()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 4);
        var dispatcher = env.Services.GetRequiredService<Dispatcher>();
        var routine = dispatcher.ListRoutines().Single(r => r.Id.Name == "per_model_training");
        var slot = Assert.Single(ConcurrencyLimit.SlotsOf(routine, """{"model":"resnet"}"""));

        // A surviving worker reports a training of resnet that a restarted service has no grant for.
        dispatcher.Heartbeat(new WorkerHeartbeat("127.0.0.1:9@3", "survivor", 4, dispatcher.ListRoutines(),
            [new RunningAttempt("surviving-training", 1, RoutineKind.Task, [slot])], Terminating: false));
        var grant = dispatcher.Acquire(new SlotRequest("another-resnet", routine.Id, Limits: [slot]));

        Assert.Null(grant.WorkerId);
        Assert.StartsWith("held by a concurrency limit: at most 1 run of per_model_training at once per model", grant.WaitReason);
    }

    [Fact]
    public void ARunWaitingLong_GoesBeforeNewArrivalsOfHigherPriority()
    {
        var t0 = DateTimeOffset.UnixEpoch;
        var line = new RunLine(TimeSpan.FromSeconds(30)); // one level per 30 s waited
        line.Enqueue(new QueuedRun("low", 1, RoutineKind.Task, 0, t0, []));

        line.Enqueue(new QueuedRun("urgent-at-4-min", 2, RoutineKind.Task, 10, t0.AddMinutes(4), []));
        var next = line.Peek(t0.AddMinutes(4), _ => false)!.Value.Run;
        Assert.Equal("urgent-at-4-min", next.RunId); // "low" has gained 8 levels: not yet
        line.Dequeue(next);

        line.Enqueue(new QueuedRun("urgent-at-5-min", 3, RoutineKind.Task, 10, t0.AddMinutes(5), []));
        Assert.Equal("low", line.Peek(t0.AddMinutes(5), _ => false)!.Value.Run.RunId); // 10 gained: equal, and in line first

        var unaged = new RunLine(TimeSpan.Zero);
        unaged.Enqueue(new QueuedRun("low", 1, RoutineKind.Task, 0, t0, []));
        unaged.Enqueue(new QueuedRun("urgent", 2, RoutineKind.Task, 10, t0.AddHours(9), []));
        Assert.Equal("urgent", unaged.Peek(t0.AddHours(9), _ => false)!.Value.Run.RunId); // aging off: priority alone
    }
}
