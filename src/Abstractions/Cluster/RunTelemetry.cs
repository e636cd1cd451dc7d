using Routines.Client;

namespace Routines.Cluster;

/// <summary>A batch of what a running attempt reported since the last batch.</summary>
[GenerateSerializer, Immutable]
internal sealed record RunTelemetry(
    [property: Id(0)] IReadOnlyList<RunLogLine> Logs,
    [property: Id(1)] IReadOnlyList<MetricPoint> Metrics,
    [property: Id(2)] RunProgress? Progress);
