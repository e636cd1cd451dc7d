namespace Routines.Client;

/// <summary>One point of a metric series a routine logged with <see cref="RoutineContext.LogMetric"/>.</summary>
[GenerateSerializer, Immutable]
public sealed record MetricPoint(
    [property: Id(0)] string RunId,
    [property: Id(1)] string Name,
    [property: Id(2)] long Step,
    [property: Id(3)] double Value,
    [property: Id(4)] DateTimeOffset Timestamp);
