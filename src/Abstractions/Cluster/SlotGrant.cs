namespace Routines.Cluster;

/// <summary>The worker that got the run, or why the run waits.</summary>
[GenerateSerializer, Immutable]
public sealed record SlotGrant(
    [property: Id(0)] string? WorkerId,
    [property: Id(1)] string? WaitReason);
