using Orleans.Runtime;
using Routines.Cluster;

namespace Routines.Silo.Hosting;

/// <summary>
/// Activates the dispatcher and the scheduler when the service starts, so unfinished runs are recovered and missed
/// ticks caught up without waiting for a caller.
/// </summary>
internal sealed class DispatcherStarter(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe<DispatcherStarter>(ServiceLifecycleStage.Active, _ => Task.WhenAll(grains.Dispatcher().StartAsync(), grains.Scheduler().StartAsync()));
}
