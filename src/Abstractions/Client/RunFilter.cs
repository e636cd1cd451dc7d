namespace Routines.Client;

/// <summary>Which runs to list. Null fields do not filter.</summary>
[GenerateSerializer, Immutable]
public sealed record RunFilter
{
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

    [Id(8)] public int Take { get; init; } = 50;
}
