namespace Routines.Client;

/// <summary>One page of runs and how many runs match the filter.</summary>
/// <param name="Runs">The page, newest first.</param>
/// <param name="Total">
/// How many runs match. The store keeps counts by status, routine and roots-only, so those filters are counted exactly
/// at any size; a filter with a tree, a time range or a search is counted up to <see cref="CountLimit"/>, and when more
/// match, <paramref name="Total"/> is <see cref="CountLimit"/> and <paramref name="TotalIsLowerBound"/> is true.
/// </param>
/// <param name="TotalIsLowerBound">True when at least <paramref name="Total"/> runs match, possibly more.</param>
[GenerateSerializer, Immutable]
public sealed record RunPage([property: Id(0)] IReadOnlyList<RunInfo> Runs, [property: Id(1)] int Total,
    [property: Id(2)] bool TotalIsLowerBound = false)
{
    /// <summary>How far the runs of a filter the store keeps no count for are counted.</summary>
    public const int CountLimit = 10_000;
}
