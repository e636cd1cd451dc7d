namespace Routines;

/// <summary>
/// Implemented by <see cref="RoutineTask{TInput,TOutput}"/> and <see cref="RoutineWorkflow{TInput,TOutput}"/>;
/// lets <see cref="WorkflowContext.CallAsync{TRoutine,TOutput}"/> check a call's output type at compile time.
/// </summary>
public interface IRoutine<out TOutput>;
