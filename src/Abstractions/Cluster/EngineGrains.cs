using System.Runtime.CompilerServices;

namespace Routines.Cluster;

/// <summary>
/// References to the engine's grains. Orleans' <c>GetGrain&lt;T&gt;</c> works out the interface's Orleans type by
/// formatting its name on every call, about 5 % of each process's CPU at a few thousand runs a second; these resolve
/// it once per process.
/// </summary>
internal static class EngineGrains
{
    static readonly StringKeyed<IRunGrain> Runs = new();
    static readonly StringKeyed<IWorkerGrain> Workers = new();
    static readonly ConditionalWeakTable<IGrainFactory, IDispatcherGrain> Dispatchers = new();
    static readonly ConditionalWeakTable<IGrainFactory, IAttemptResultsGrain> Results = new();
    static readonly ConditionalWeakTable<IGrainFactory, ISchedulerGrain> Schedulers = new();

    public static IRunGrain Run(this IGrainFactory grains, string runId) => Runs.Get(grains, runId);

    public static IWorkerGrain Worker(this IGrainFactory grains, string workerId) => Workers.Get(grains, workerId);

    public static IDispatcherGrain Dispatcher(this IGrainFactory grains) => Dispatchers.GetValue(grains, g => g.GetGrain<IDispatcherGrain>(0));

    public static IAttemptResultsGrain AttemptResults(this IGrainFactory grains) => Results.GetValue(grains, g => g.GetGrain<IAttemptResultsGrain>(0));

    public static ISchedulerGrain Scheduler(this IGrainFactory grains) => Schedulers.GetValue(grains, g => g.GetGrain<ISchedulerGrain>(0));

    sealed class StringKeyed<T> where T : IGrainWithStringKey
    {
        // Resolved on first use, once the cluster manifest names the grain class (a worker does not host run grains).
        // A reference, not a nullable tuple: threads racing on first use must never read half of a struct being
        // written (a torn read gave a default interface type, and an untyped reference that failed the cast).
        Types? _types;

        public T Get(IGrainFactory grains, string key)
        {
            var types = _types ??= Resolve(grains);
            return (T)grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface);
        }

        static Types Resolve(IGrainFactory grains)
        {
            var probe = (GrainReference)(object)grains.GetGrain<T>("type-probe");
            return new Types(probe.InterfaceType, probe.GrainId.Type);
        }

        sealed record Types(GrainInterfaceType Interface, GrainType Grain);
    }
}
