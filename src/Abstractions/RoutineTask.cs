namespace Routines;

/// <summary>
/// The smallest unit of work. A task must not call other routines and should be pure (same input, same output),
/// so its result can be cached. Created through dependency injection for each attempt.
/// </summary>
public abstract class RoutineTask<TInput, TOutput> : IRoutine<TOutput>
{
    /// <summary>Does the work. Honour <see cref="RoutineContext.CancellationToken"/>.</summary>
    public abstract Task<TOutput> RunAsync(TInput input, RoutineContext ctx);
}
