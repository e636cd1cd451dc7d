using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Routines.Cluster;
using Routines.Worker.Catalog;

namespace Routines.Hosting;

/// <summary>Announces this worker's routines and slots to the dispatcher once the silo is active.</summary>
internal sealed class WorkerRegistrar(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    RoutineRegistry registry,
    IOptions<WorkerOptions> options) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
        => lifecycle.Subscribe<WorkerRegistrar>(ServiceLifecycleStage.Active, RegisterAsync);

    Task RegisterAsync(CancellationToken cancellationToken)
        => grains.GetGrain<IDispatcherGrain>(0)
            .RegisterWorkerAsync(new WorkerRegistration(silo.SiloAddress.ToParsableString(), options.Value.Slots, registry.Descriptors))
            .WaitAsync(cancellationToken);
}
