using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// The service's dispatch, as workers and clients reach it: workers report here, clients list workers and routines.
/// One per cluster (key 0), on the service.
/// </summary>
internal interface IDispatcherGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the dispatcher at service start, which recovers unfinished runs from the store.</summary>
    Task StartAsync();

    /// <summary>A worker's periodic report; the first one registers it. Null, or why the worker may not serve this cluster.</summary>
    Task<string?> HeartbeatAsync(WorkerHeartbeat heartbeat);

    Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync();

    Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync();
}
