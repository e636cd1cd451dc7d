using Orleans.Runtime;
using Routines.Silo.Storage;

namespace Routines.Silo.Hosting;

/// <summary>Opens and checks the run store before the silo takes calls, so a broken store fails start-up clearly.</summary>
internal sealed class StoreInitializer(IRunStore store) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe<StoreInitializer>(ServiceLifecycleStage.RuntimeInitialize, store.InitializeAsync);
}
