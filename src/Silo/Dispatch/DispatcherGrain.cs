using Orleans.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Dispatch;

/// <summary>
/// The <see cref="Dispatcher"/>'s address for workers (heartbeats) and clients (listings), and the clock of its
/// checks: a second's sweep for lost workers and, after a restart, the recovery of unfinished runs.
/// </summary>
[Reentrant]
[GrainDirectory(GrainDirectoryName = ServiceGrainDirectory.Name)]
internal sealed class DispatcherGrain(Dispatcher dispatcher, IOptions<RoutinesServiceOptions> options, IOptions<ClusterOptions> cluster) : CallerSafeGrain, IDispatcherGrain
{
    bool _started;

    public Task StartAsync()
    {
        if (_started) return Task.CompletedTask;
        _started = true;
        this.RegisterGrainTimer(_ =>
        {
            dispatcher.CheckWorkers();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        if (options.Value.RecoverUnfinishedRuns)
        {
            // Give the workers that survived a service restart a few heartbeats to report what they still run.
            this.RegisterGrainTimer(dispatcher.RecoverAsync, new GrainTimerCreationOptions(options.Value.RecoveryDelay, Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    public async Task<string?> HeartbeatAsync(WorkerHeartbeat heartbeat)
    {
        // Orleans admits a silo by ClusterId alone; a worker configured for another service is refused here, by name.
        if (heartbeat.ServiceId is { } serviceId && serviceId != cluster.Value.ServiceId)
            return $"this worker's Routines:Cluster:ServiceId is '{serviceId}', the service's is '{cluster.Value.ServiceId}': set the same on every process of one cluster.";
        await StartAsync();
        dispatcher.Heartbeat(heartbeat);
        return null;
    }

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync() => Task.FromResult(dispatcher.ListWorkers());

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync() => Task.FromResult(dispatcher.ListRoutines());
}
