using System.Runtime.CompilerServices;

namespace Routines.Cluster;

/// <summary>
/// References to the engine's grains. Orleans' <c>GetGrain&lt;T&gt;</c> works out the interface's Orleans type by
/// formatting its name on every call, about 5 % of each process's CPU at a few thousand runs a second; these resolve
/// it once per process.
/// </summary>
public static class EngineGrains
{
    static readonly StringKeyed<IRunGrain> Runs = new();
    static readonly StringKeyed<IWorkerGrain> Workers = new();
    static readonly ConditionalWeakTable<IGrainFactory, IDispatcherGrain> Dispatchers = new();
    static readonly ConditionalWeakTable<IGrainFactory, IAttemptResultsGrain> Results = new();

    public static IRunGrain Run(this IGrainFactory grains, string runId) => Runs.Get(grains, runId);

    public static IWorkerGrain Worker(this IGrainFactory grains, string workerId) => Workers.Get(grains, workerId);

    public static IDispatcherGrain Dispatcher(this IGrainFactory grains) => Dispatchers.GetValue(grains, g => g.GetGrain<IDispatcherGrain>(0));

    public static IAttemptResultsGrain AttemptResults(this IGrainFactory grains) => Results.GetValue(grains, g => g.GetGrain<IAttemptResultsGrain>(0));

    sealed class StringKeyed<T> where T : IGrainWithStringKey
    {
        // Resolved on first use, once the cluster manifest names the grain class (a worker does not host run grains).
        (GrainInterfaceType Interface, GrainType Grain)? _types;

        public T Get(IGrainFactory grains, string key)
        {
            var (interfaceType, grainType) = _types ??= Resolve(grains);
            return (T)grains.GetGrain(GrainId.Create(grainType, key), interfaceType);
        }

        static (GrainInterfaceType, GrainType) Resolve(IGrainFactory grains)
        {
            var probe = (GrainReference)(object)grains.GetGrain<T>("type-probe");
            return (probe.InterfaceType, probe.GrainId.Type);
        }
    }
}
