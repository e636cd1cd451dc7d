using Orleans.Concurrency;
using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// Knows the live workers, what they host and their free slots; hands a slot to a run or queues the run, and gives
/// the runs of a lost worker back to be dispatched again. One per cluster (key 0), on the service.
/// </summary>
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the dispatcher at service start, which recovers unfinished runs from the store.</summary>
    Task StartAsync();

    /// <summary>A worker's periodic report; the first one registers it.</summary>
    Task HeartbeatAsync(WorkerHeartbeat heartbeat);

    /// <summary>
    /// A worker for the run, or no worker and the reason the run waits; the dispatcher then calls
    /// <see cref="IRunGrain.AssignAsync"/> when a slot frees.
    /// </summary>
    Task<SlotGrant> AcquireAsync(SlotRequest request);

    /// <summary>The run's attempt on that worker ended (its run grain heard the result): the slot is free again.</summary>
    [OneWay]
    Task ReleaseAsync(string workerId, string runId);

    /// <summary>Drops a queued run (cancelled while Pending).</summary>
    [OneWay]
    Task ForgetAsync(string runId);

    [AlwaysInterleave]
    Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync();

    [AlwaysInterleave]
    Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync();
}
