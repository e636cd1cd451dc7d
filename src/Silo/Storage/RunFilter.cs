using Routines.Client;

namespace Routines.Silo.Storage;

/// <summary>Which runs to list. Null fields do not filter.</summary>
internal sealed record RunFilter
{
    public RunStatus? Status { get; init; }

    /// <summary>Routine name (not id): all versions of it.</summary>
    public string? RoutineName { get; init; }

    public string? RootRunId { get; init; }

    /// <summary>True lists only root runs (no parent).</summary>
    public bool RootsOnly { get; init; }

    public DateTimeOffset? CreatedAfter { get; init; }

    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Case-insensitive substring of the run id or routine name.</summary>
    public string? Search { get; init; }

    public int Skip { get; init; }

    public int Take { get; init; } = 50;
}

/// <summary>One page of runs and the total count matching the filter.</summary>
internal sealed record RunPage(IReadOnlyList<RunInfo> Runs, int Total);
