using Orleans.Concurrency;

namespace Routines.Cluster;

/// <summary>
/// Knows the live workers, what they host and their free slots; hands a slot to a run or queues the run.
/// One per cluster (key 0), on the service.
/// </summary>
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    Task RegisterWorkerAsync(WorkerRegistration registration);

    /// <summary>
    /// The exact routine a (possibly bare) routine id names: for a bare name, the newest version a live worker offers.
    /// Throws <see cref="RoutineNotFoundException"/> naming close matches and the versions on offer.
    /// </summary>
    Task<RoutineDescriptor> ResolveAsync(string routineId);

    /// <summary>
    /// A worker for the run, or null when the run must wait; the dispatcher then calls
    /// <see cref="IRunGrain.AssignAsync"/> when a slot frees, and <see cref="SlotGrant.WaitReason"/> is filled.
    /// </summary>
    Task<SlotGrant> AcquireAsync(SlotRequest request);

    /// <summary>A worker finished an attempt and has a slot free again.</summary>
    [OneWay]
    Task ReleaseAsync(string workerId, RoutineKind kind);

    /// <summary>Drops a queued run (cancelled while Pending).</summary>
    [OneWay]
    Task ForgetAsync(string runId);
}
