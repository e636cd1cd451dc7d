using Routines.Client;

namespace Routines;

/// <summary>
/// Names a trigger (<see cref="RoutineTrigger{TSource,TSourceOutput,TTarget,TTargetInput}"/>) and the ends of its
/// source's runs that start its target: <see cref="RunStatus.Succeeded"/> unless <see cref="On"/> says otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TriggerAttribute(string name) : Attribute
{
    /// <summary>Its identity: the triggered run's id and record name it. Letters, digits, '_', '-' and '.'.</summary>
    public string Name { get; } = name;

    /// <summary>The terminal statuses of a source run that start the target.</summary>
    public RunStatus[] On { get; init; } = [RunStatus.Succeeded];
}

/// <summary>A run that ended, as a trigger sees it: its output when it succeeded, its error otherwise.</summary>
public sealed record FinishedRun<TOutput>(string RunId, RunStatus Status, string InputJson, TOutput? Output, RunError? Error);

/// <summary>
/// Starts <typeparamref name="TTarget"/> when a run of <typeparamref name="TSource"/> ends with a status the class's
/// <see cref="TriggerAttribute"/> names, with the input <see cref="InputFor"/> builds from the finished run. Every run
/// of the source counts, a workflow's calls included. Declare it in a project that holds both routines; it is created
/// through dependency injection on a worker each time it fires. A trigger that would start its own source again, here
/// or through other triggers, stops the project loading.
/// </summary>
/// <example>
/// <code>
/// [Trigger("evaluate_after_training")]
/// public sealed class EvaluateAfterTraining : RoutineTrigger&lt;TrainModel, TrainedModel, EvaluateModel, EvaluationRequest&gt;
/// {
///     public override EvaluationRequest? InputFor(FinishedRun&lt;TrainedModel&gt; run) => new(run.Output!.Weights);
/// }
/// </code>
/// </example>
public abstract class RoutineTrigger<TSource, TSourceOutput, TTarget, TTargetInput>
    where TSource : IRoutine<TSourceOutput>
    where TTarget : class
{
    /// <summary>The target's input for this finished run, or null to start nothing this time.</summary>
    public abstract TTargetInput? InputFor(FinishedRun<TSourceOutput> run);
}
