namespace Routines.Client;

/// <summary>One page of runs and the total count matching the filter.</summary>
[GenerateSerializer, Immutable]
public sealed record RunPage([property: Id(0)] IReadOnlyList<RunInfo> Runs, [property: Id(1)] int Total);
