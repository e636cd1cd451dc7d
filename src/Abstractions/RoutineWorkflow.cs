namespace Routines;

/// <summary>
/// Orchestrates tasks and other workflows through <see cref="WorkflowContext.CallAsync{TRoutine,TOutput}"/>,
/// sequentially or in parallel with <c>Task.WhenAll</c>. It does no heavy work itself.
/// </summary>
/// <remarks>
/// A workflow is re-run from the start after a failure; calls whose child run already succeeded return the recorded
/// result instead of running again. Each call is identified by its position, so the order in which a workflow
/// <i>starts</i> its calls must be the same every time for the same input (no branching on time or randomness).
/// </remarks>
public abstract class RoutineWorkflow<TInput, TOutput> : IRoutine<TOutput>
{
    /// <summary>Orchestrates the calls.</summary>
    public abstract Task<TOutput> RunAsync(TInput input, WorkflowContext ctx);
}
