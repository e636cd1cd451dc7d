namespace Routines.Cluster;

/// <summary>How one attempt of a run ended, as a worker reports it among others.</summary>
[GenerateSerializer, Immutable]
internal sealed record AttemptReport(
    [property: Id(0)] string RunId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] AttemptResult Result);
