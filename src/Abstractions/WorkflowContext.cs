using System.Collections.Concurrent;

namespace Routines;

/// <summary>The context of a workflow: everything a <see cref="RoutineContext"/> offers, plus calling routines.</summary>
public abstract class WorkflowContext : RoutineContext
{
    /// <summary>
    /// Runs <typeparamref name="TRoutine"/> as a child of this run and returns its output. The child goes through the
    /// whole run lifecycle (record, retries, timeout, cache) and may run on another worker.
    /// </summary>
    /// <exception cref="RoutineFailedException">The child failed after its retries; carries the child's error chain.</exception>
    public Task<TOutput> CallAsync<TRoutine, TOutput>(object input, CallOptions? options = null)
        where TRoutine : IRoutine<TOutput>
        => CallAsync<TOutput>(TypedIds.GetOrAdd(typeof(TRoutine), type => Routines.RoutineId.Of(type).ToString()), input, options);

    // A routine class's id is read from its attribute once, not by reflection on every call (a fan-out makes thousands).
    static readonly ConcurrentDictionary<Type, string> TypedIds = new();

    /// <summary>
    /// Runs the routine named by <paramref name="routineId"/> (a bare name, <c>tname:…</c> or <c>wfname:…</c>) as a
    /// child of this run. Use this form for routines defined in another project of the cluster.
    /// </summary>
    public abstract Task<TOutput> CallAsync<TOutput>(string routineId, object? input, CallOptions? options = null);

    /// <summary>Calls the routine a reference in the input names (<see cref="RoutineRef{TInput,TOutput}"/>), as any other call.</summary>
    public Task<TOutput> CallAsync<TInput, TOutput>(RoutineRef<TInput, TOutput> routine, TInput input, CallOptions? options = null)
        => CallAsync<TOutput>(routine.Id ?? throw new ArgumentException("The routine reference is empty: it names no routine.", nameof(routine)), input, options);
}
