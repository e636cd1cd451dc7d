using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Routines.Silo.Dispatch;

/// <summary>
/// Places a worker's entry grain on the silo its key names, and nowhere else: the key is the worker silo's address.
/// Registered on every silo, since the silo that first calls a worker grain places it.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class WorkerPlacement : PlacementStrategy
{
    internal static readonly WorkerPlacement Instance = new();
}

/// <summary>Marks a grain keyed by worker id as living on that worker's silo.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class WorkerPlacementAttribute() : PlacementAttribute(WorkerPlacement.Instance);

internal sealed class WorkerPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var workerId = target.GrainIdentity.Key.ToString()!;
        var silo = SiloAddress.FromParsableString(workerId);
        if (context.GetCompatibleSilos(target).Contains(silo)) return Task.FromResult(silo);
        throw new WorkerNotLiveException(workerId);
    }
}

/// <summary>A call addressed to a worker whose silo has left the cluster (or never joined it).</summary>
internal sealed class WorkerNotLiveException : OrleansException
{
    public WorkerNotLiveException(string workerId) : base($"Worker {workerId} is not a live worker silo of this cluster.") { }
}
