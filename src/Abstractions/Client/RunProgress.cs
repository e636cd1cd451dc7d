namespace Routines.Client;

/// <summary>The last progress a run reported.</summary>
[GenerateSerializer, Immutable]
public sealed record RunProgress(
    [property: Id(0)] long Current,
    [property: Id(1)] long Total,
    [property: Id(2)] string? Message,
    [property: Id(3)] DateTimeOffset UpdatedAt)
{
    /// <summary>0 to 1, or null when the total is unknown.</summary>
    public double? Fraction => Total > 0 ? Math.Clamp((double)Current / Total, 0, 1) : null;
}
