using System.Collections.Concurrent;
using Orleans.GrainDirectory;

namespace Routines.Silo.Hosting;

/// <summary>
/// Where the service's grains (run records, the dispatcher) are found: an in-memory directory kept by the one service
/// silo. Orleans' default directory spreads its entries over every silo, workers included, and deactivates the grains
/// whose entries a dead silo held, so a killed worker would take the dispatcher's state and run grains' timers with
/// it. A worker silo holds an empty one: it never hosts these grains, so a lookup there finds nothing, the call is
/// placed on the service silo, and that silo hands it to the live activation.
/// </summary>
internal sealed class ServiceGrainDirectory : IGrainDirectory
{
    public const string Name = "routines-service";

    readonly ConcurrentDictionary<GrainId, GrainAddress> _entries = new();

    public Task<GrainAddress?> Register(GrainAddress address) => Task.FromResult<GrainAddress?>(_entries.GetOrAdd(address.GrainId, address));

    public Task Unregister(GrainAddress address)
    {
        // Only the registration of this very activation: a newer one for the same grain stays.
        _entries.TryRemove(KeyValuePair.Create(address.GrainId, address));
        return Task.CompletedTask;
    }

    public Task<GrainAddress?> Lookup(GrainId grainId) => Task.FromResult(_entries.GetValueOrDefault(grainId));

    public Task UnregisterSilos(List<SiloAddress> siloAddresses)
    {
        foreach (var entry in _entries)
        {
            if (entry.Value.SiloAddress is { } silo && siloAddresses.Contains(silo)) _entries.TryRemove(entry);
        }

        return Task.CompletedTask;
    }
}
