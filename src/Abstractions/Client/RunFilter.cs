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

    /// <summary>Case-insensitive substring of the run id or routine name.</summary>
    [Id(6)] public string? Search { get; init; }

    [Id(7)] public int Skip { get; init; }

    /// <summary>How many runs to return: 1 to <see cref="MaxTake"/>.</summary>
    [Id(8)] public int Take { get; init; } = 50;

    /// <summary>Why this filter cannot be used, naming the field and the limit, or null.</summary>
    internal string? Problem()
        => Take is < 1 or > MaxTake ? $"RunFilter.Take must be from 1 to {MaxTake} (got {Take})."
            : Skip < 0 ? $"RunFilter.Skip must not be negative (got {Skip})." : null;
}
