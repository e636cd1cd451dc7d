namespace Routines.Client;

/// <summary>What a worker advertises about one routine: id, schemas, and declared policies.</summary>
[GenerateSerializer, Immutable]
public sealed record RoutineDescriptor
{
    [Id(0)] public required RoutineId Id { get; init; }

    [Id(1)] public string? Description { get; init; }

    /// <summary>JSON schema of the input type (see <see cref="Serialization.RoutineSchema"/>).</summary>
    [Id(2)] public required string InputSchema { get; init; }

    [Id(3)] public required string OutputSchema { get; init; }

    [Id(4)] public required string InputType { get; init; }

    [Id(5)] public required string OutputType { get; init; }

    [Id(6)] public required RetryPolicy Retry { get; init; }

    /// <summary>Per-attempt execution timeout.</summary>
    [Id(7)] public required TimeSpan Timeout { get; init; }

    /// <summary>True when results are cached (tasks only).</summary>
    [Id(8)] public required bool Cache { get; init; }

    [Id(9)] public ExecutionPolicy Execution { get; init; }

    /// <summary>The priority of its runs in line for a slot (<see cref="PriorityAttribute"/>).</summary>
    [Id(10)] public int Priority { get; init; }

    /// <summary>How many of its runs may run at once (<see cref="ConcurrencyLimitAttribute"/>).</summary>
    [Id(11)] public IReadOnlyList<ConcurrencyLimit> Limits { get; init; } = [];

    /// <summary>The schedules declared on it (<see cref="ScheduleAttribute"/>), which the service creates when it is offered.</summary>
    [Id(12)] public IReadOnlyList<Schedule> Schedules { get; init; } = [];

    /// <summary>The triggers that watch its runs (<see cref="TriggerAttribute"/>): each starts its target when a run of this one ends.</summary>
    [Id(13)] public IReadOnlyList<TriggerDescriptor> Triggers { get; init; } = [];

    public RoutineKind Kind => Id.Kind!.Value;

    /// <summary>The triggers a run of this routine that ended with <paramref name="status"/> fires.</summary>
    internal IEnumerable<TriggerDescriptor> TriggersOn(RunStatus status) => Triggers.Where(t => t.On.Contains(status));
}
