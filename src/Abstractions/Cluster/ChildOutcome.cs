using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// What a workflow's call needs of its child's end: the status with the output or the error. The worker gets this
/// rather than the child's whole record (its input, options and policy), once or twice per call.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record ChildOutcome(
    [property: Id(0)] string RunId,
    [property: Id(1)] string RoutineId,
    [property: Id(2)] RunStatus Status,
    [property: Id(3)] string? OutputJson,
    [property: Id(4)] RunError? Error)
{
    public static ChildOutcome Of(RunInfo run) => new(run.RunId, run.RoutineId, run.Status, run.OutputJson, run.Error);
}
