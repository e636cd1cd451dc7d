namespace Routines;

/// <summary>
/// A re-run workflow started its calls in a different order (or with different inputs) than the recorded run, so
/// recorded results cannot be matched to calls. Workflow code must start calls in the same order for the same input.
/// </summary>
[GenerateSerializer]
public sealed class WorkflowDeterminismException(string childRunId, string message) : RoutinesException(message)
{
    [Id(0)] public string ChildRunId { get; } = childRunId;
}
