using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>The dispatcher's picture of a worker, fed the way a worker feeds it.</summary>
public sealed class DispatcherHeartbeatTests
{
    [Fact]
    public async Task LateInitializingHeartbeat_DoesNotTakeAReadyWorkerOutOfService()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()));
        var dispatcher = env.Services.GetRequiredService<IGrainFactory>().Dispatcher();
        var worker = Assert.Single(await env.Client.ListWorkersAsync());
        Assert.Equal(WorkerStatus.Idle, worker.Status);

        // The INITIALIZING beat a worker sends while its silo starts can land after its first ready beat.
        var routines = await dispatcher.ListRoutinesAsync();
        await dispatcher.HeartbeatAsync(new WorkerHeartbeat(worker.WorkerId, worker.Name, worker.Slots, routines, [], Terminating: false, Initializing: true));

        Assert.Equal(WorkerStatus.Idle, Assert.Single(await env.Client.ListWorkersAsync()).Status);
        var grant = await dispatcher.AcquireAsync(new SlotRequest("late-beat-probe", routines[0].Id));
        Assert.Equal(worker.WorkerId, grant.WorkerId);
    }
}
