using Routines.Client;

namespace Routines.Cluster;

/// <summary>How one attempt ended on its worker.</summary>
[GenerateSerializer, Immutable]
public sealed record AttemptResult(
    [property: Id(0)] RunStatus Status,
    [property: Id(1)] string? OutputJson = null,
    [property: Id(2)] RunError? Error = null);
