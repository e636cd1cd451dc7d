using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Dispatch;
using Routines.Testing;
using Routines.Worker.Tests.Routines;

namespace Routines.Worker.Tests;

/// <summary>The dispatcher's picture of workers and of the line of waiting runs, fed the way workers and run grains feed it.</summary>
public sealed class DispatcherTests
{
    [Fact]
    public async Task LateInitializingHeartbeat_DoesNotTakeAReadyWorkerOutOfService()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()));
        var dispatcher = env.Services.GetRequiredService<IGrainFactory>().Dispatcher();
        var slots = env.Services.GetRequiredService<Dispatcher>();
        var worker = Assert.Single(await env.Client.ListWorkersAsync());
        Assert.Equal(WorkerStatus.Idle, worker.Status);

        // The INITIALIZING beat a worker sends while its silo starts can land after its first ready beat.
        var routines = await dispatcher.ListRoutinesAsync();
        await dispatcher.HeartbeatAsync(new WorkerHeartbeat(worker.WorkerId, worker.Name, worker.Slots, routines, [], Terminating: false, Initializing: true));

        Assert.Equal(WorkerStatus.Idle, Assert.Single(await env.Client.ListWorkersAsync()).Status);
        var grant = slots.Acquire(new SlotRequest("late-beat-probe", routines[0].Id));
        Assert.Equal(worker.WorkerId, grant.WorkerId);
    }

    [Fact]
    public async Task RunAskingAgainWhileInLine_KeepsOnePlace()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()), slots: 1);
        var dispatcher = env.Services.GetRequiredService<Dispatcher>();
        var task = dispatcher.ListRoutines().First(r => r.Id.Kind == RoutineKind.Task).Id;
        Assert.NotNull(dispatcher.Acquire(new SlotRequest("holds-the-slot", task)).WorkerId);

        // A Pending run is asked for again when the dispatcher recovers after a restart, while it may still be in line.
        Assert.Null(dispatcher.Acquire(new SlotRequest("in-line", task)).WorkerId);
        Assert.Null(dispatcher.Acquire(new SlotRequest("in-line", task)).WorkerId);
        var next = dispatcher.Acquire(new SlotRequest("next", task));

        Assert.EndsWith("busy, 1 ahead in line at priority 0", next.WaitReason);
    }

    [Fact]
    public async Task AWorkerWhoseSiloIsNotInTheCluster_IsGivenNothing()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()), slots: 1);
        var dispatcher = env.Services.GetRequiredService<IGrainFactory>().Dispatcher();
        var real = Assert.Single(await env.Client.ListWorkersAsync());

        // A worker whose silo has left the cluster, still listed until the dispatcher's next check drops it, with
        // far more free slots than the live one: the dispatcher must not pick it.
        var gone = "127.0.0.1:9@1";
        await dispatcher.HeartbeatAsync(new WorkerHeartbeat(gone, "gone", 64, await dispatcher.ListRoutinesAsync(), [], Terminating: false));
        var run = await env.RunAsync("add", new AddInput(1, 2));

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal(1, run.Attempt);
        Assert.Equal(real.WorkerId, run.Worker);
    }

    [Fact]
    public async Task AWorkflowReportedAfterARestart_FreesAWorkflowPlace_NotATaskSlot()
    {
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Add).Assembly], s => s.AddSingleton(new Executions()), slots: 1);
        var dispatcher = env.Services.GetRequiredService<Dispatcher>();
        var worker = "127.0.0.1:9@2";

        // A restarted service learns what a surviving worker runs from its first heartbeat: one workflow, one task.
        dispatcher.Heartbeat(new WorkerHeartbeat(worker, "survivor", 1, dispatcher.ListRoutines(),
            [new RunningAttempt("surviving-workflow", 1, RoutineKind.Workflow), new RunningAttempt("surviving-task", 1, RoutineKind.Task)], Terminating: false));
        dispatcher.Release(worker, "surviving-workflow");

        var survivor = Assert.Single(dispatcher.ListWorkers(), w => w.WorkerId == worker);
        Assert.Equal(1, survivor.BusySlots); // the task still runs: its slot stays taken
        Assert.Equal(0, survivor.RunningWorkflows); // and the workflow's place is free, so the worker is not HANGING for good
        Assert.Equal(WorkerStatus.Working, survivor.Status);
    }
}
