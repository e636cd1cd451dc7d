using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Testing;
using Routines.Tests.Shared;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>
/// The worker told to drop an attempt: before its start reaches it (starts travel in batches, a cancel on its own), or
/// while it runs one its run gave up on.
/// </summary>
public sealed class AttemptCancelTests
{
    [Fact]
    public async Task AnAttemptCancelledBeforeItStarts_StartsCancelled_AndFreesItsSlot()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 1);
        var holding = await env.Client.SubmitAsync("gate", JsonSerializer.Serialize(new KeyInput("holds-the-slot"), RoutineJson.Default));
        await executions.StartedSignal("holds-the-slot").Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = await env.Client.SubmitAsync("gate", JsonSerializer.Serialize(new KeyInput("never-released"), RoutineJson.Default));

        // The cancel of its first attempt reaches the worker while the run still waits for the slot.
        await Grains(env).GetGrain<IWorkerGrain>(await OnlyWorkerAsync(env)).CancelAsync(waiting.RunId, 1);
        executions.ReleaseSignal("holds-the-slot").TrySetResult();

        // Its gate is never released: only the remembered cancel ends it.
        var ended = await env.Client.WaitAsync(waiting.RunId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RunStatus.Cancelled, ended.Status);
        Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(holding.RunId)).Status);
        Assert.Equal(0, (await env.Client.ListWorkersAsync()).Single().BusySlots);
    }

    /// <summary>
    /// A run handed back while its worker is still alive (the worker did not report it after a service restart): the
    /// worker is told to drop the attempt the run gave up on. Before, it went on running it beside the next attempt
    /// (and a start of it that reached the worker late ran as well: a step run twice).
    /// </summary>
    [Fact]
    public async Task ARunHandedBackFromALiveWorker_CancelsTheAttemptThere_AndRunsAgain()
    {
        var executions = new Executions();
        await using var env = await StartAsync(executions, slots: 2);
        var run = await env.Client.SubmitAsync("held", JsonSerializer.Serialize(new KeyInput("handed-back"), RoutineJson.Default));
        await executions.StartedSignal("handed-back:1").Task.WaitAsync(TimeSpan.FromSeconds(30));

        // What the dispatcher does with a run its live worker did not report after a service restart.
        await Grains(env).GetGrain<IRunGrain>(run.RunId).WorkerLostAsync(await OnlyWorkerAsync(env), "its worker did not report it after the service restarted");

        await executions.StartedSignal("handed-back:2").Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => Task.FromResult(executions.Count("handed-back:cancelled:1") == 1), TimeSpan.FromSeconds(10), "attempt 1 cancelled on its worker");
        executions.ReleaseSignal("handed-back").TrySetResult();
        var done = await env.Client.WaitAsync(run.RunId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((RunStatus.Succeeded, 2), (done.Status, done.Attempt));
        Assert.Equal(0, executions.Count("handed-back:cancelled:2"));
    }

    static Task<RoutineTestEnvironment> StartAsync(Executions executions, int slots)
        => RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(executions), slots: slots);

    static IGrainFactory Grains(RoutineTestEnvironment env) => env.Services.GetRequiredService<IGrainFactory>();

    static async Task<string> OnlyWorkerAsync(RoutineTestEnvironment env) => Assert.Single(await env.Client.ListWorkersAsync()).WorkerId;
}
