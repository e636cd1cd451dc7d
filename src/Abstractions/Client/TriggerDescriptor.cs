namespace Routines.Client;

/// <summary>A trigger as workers advertise it: when a run of <see cref="Source"/> ends with a status in <see cref="On"/>, <see cref="Target"/> starts.</summary>
[GenerateSerializer, Immutable]
public sealed record TriggerDescriptor(
    [property: Id(0)] string Name,
    [property: Id(1)] string Source,
    [property: Id(2)] string Target,
    [property: Id(3)] IReadOnlyList<RunStatus> On);

/// <summary>What started a run that no one submitted: the trigger, and the run whose end fired it.</summary>
[GenerateSerializer, Immutable]
public sealed record RunCause(
    [property: Id(0)] string Trigger,
    [property: Id(1)] string RunId,
    [property: Id(2)] string Routine,
    [property: Id(3)] RunStatus Status)
{
    /// <summary>The triggered run's id: one per trigger and source run, so a trigger fired twice starts one run.</summary>
    internal string TriggeredRunId => $"{RunId}-then-{Trigger}";

    public override string ToString() => $"trigger {Trigger}, when run {RunId} of {Routine} ended {Status}";
}
