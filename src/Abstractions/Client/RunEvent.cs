namespace Routines.Client;

/// <summary>One status change in a run's history: when, which attempt, on which worker, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record RunEvent(
    [property: Id(0)] string RunId,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] RunStatus Status,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string? Worker,
    [property: Id(5)] string? Reason);
