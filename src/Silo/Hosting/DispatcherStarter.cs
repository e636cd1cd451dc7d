using Orleans.Runtime;
using Routines.Cluster;

namespace Routines.Silo.Hosting;

/// <summary>Activates the dispatcher when the service starts, so unfinished runs are recovered without waiting for a caller.</summary>
internal sealed class DispatcherStarter(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe<DispatcherStarter>(ServiceLifecycleStage.Active, _ => grains.Dispatcher().StartAsync());
}
