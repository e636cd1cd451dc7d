using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Serialization;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>A cancel that reaches the worker before its attempt's start (starts travel in batches, a cancel on its own).</summary>
public sealed class CancelBeforeStartTests
{
    [Fact]
    public async Task AnAttemptCancelledBeforeItStarts_StartsCancelled_AndFreesItsSlot()
    {
        var executions = new Executions();
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(executions), slots: 1);
        var holding = await env.Client.SubmitAsync("gate", JsonSerializer.Serialize(new KeyInput("holds-the-slot"), RoutineJson.Default));
        await executions.StartedSignal("holds-the-slot").Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = await env.Client.SubmitAsync("gate", JsonSerializer.Serialize(new KeyInput("never-released"), RoutineJson.Default));

        // The cancel of its first attempt reaches the worker while the run still waits for the slot.
        var worker = Assert.Single(await env.Client.ListWorkersAsync()).WorkerId;
        await env.Services.GetRequiredService<IGrainFactory>().GetGrain<IWorkerGrain>(worker).CancelAsync(waiting.RunId, 1);
        executions.ReleaseSignal("holds-the-slot").TrySetResult();

        // Its gate is never released: only the remembered cancel ends it.
        var ended = await env.Client.WaitAsync(waiting.RunId).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(RunStatus.Cancelled, ended.Status);
        Assert.Equal(RunStatus.Succeeded, (await env.Client.WaitAsync(holding.RunId)).Status);
        Assert.Equal(0, (await env.Client.ListWorkersAsync()).Single().BusySlots);
    }
}
