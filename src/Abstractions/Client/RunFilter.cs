namespace Routines.Client;

/// <summary>Which runs to list. Null fields do not filter.</summary>
[GenerateSerializer, Immutable]
public sealed record RunFilter
{
    /// <summary>The most runs one list call returns (and log lines one read): a larger page is refused.</summary>
    public const int MaxTake = 1000;

    [Id(0)] public RunStatus? Status { get; init; }

    /// <summary>Routine name (not id): all versions of it.</summary>
    [Id(1)] public string? RoutineName { get; init; }

    [Id(2)] public string? RootRunId { get; init; }

    /// <summary>True lists only root runs (no parent).</summary>
    [Id(3)] public bool RootsOnly { get; init; }

    [Id(4)] public DateTimeOffset? CreatedAfter { get; init; }

    [Id(5)] public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>The start of a run id, or a part of a routine name, in any case.</summary>
    [Id(6)] public string? Search { get; init; }

    [Id(7)] public int Skip { get; init; }

    /// <summary>How many runs to return: 0 (only the count) to <see cref="MaxTake"/>.</summary>
    [Id(8)] public int Take { get; init; } = 50;

    /// <summary>
    /// True when the store counts this filter's runs exactly at any size (it keeps counts by status, routine and
    /// roots-only); a tree, a time range or a search is counted up to <see cref="RunPage.CountLimit"/>.
    /// </summary>
    internal bool HasKeptCount => string.IsNullOrEmpty(RootRunId) && CreatedAfter is null && CreatedBefore is null && string.IsNullOrEmpty(Search);

    /// <summary>Why this filter cannot be used, naming the field and the limit, or null.</summary>
    internal string? Problem()
        => Take is < 0 or > MaxTake ? $"RunFilter.Take must be from 0 to {MaxTake} (got {Take})."
            : Skip < 0 ? $"RunFilter.Skip must not be negative (got {Skip})." : null;
}
