namespace Routines.Client;

/// <summary>How a run touched an artifact.</summary>
public enum ArtifactRole
{
    /// <summary>Its input named the artifact.</summary>
    Input,

    /// <summary>It read the artifact's bytes.</summary>
    Read,

    /// <summary>It stored the artifact: its producer.</summary>
    Produced,

    /// <summary>Its output named the artifact.</summary>
    Output,
}

/// <summary>One line of lineage: a run, an artifact and what the run did with it.</summary>
[GenerateSerializer, Immutable]
public sealed record RunArtifact(
    [property: Id(0)] string RunId,
    [property: Id(1)] string RoutineId,
    [property: Id(2)] Artifact Artifact,
    [property: Id(3)] ArtifactRole Role,
    [property: Id(4)] DateTimeOffset RecordedAt);
