using System.Text.Json;
using Routines.Client;
using Routines.Rendering;

namespace Routines.Cli.Connection;

// The HTTP API's resources as this tool reads them (docs/api.md); the service's own records are internal to it.

/// <summary>One run.</summary>
internal sealed record RunResource(
    string RunId, string RoutineId, string RoutineName, string RoutineVersion, RoutineKind Kind, RunStatus Status,
    int Attempt, int MaxAttempts, JsonElement Input, JsonElement? Output, RunError? Error, string? ParentRunId, string RootRunId,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Worker, string? CachedFromRunId,
    string? WaitReason, RunProgress? Progress, JsonElement? Options)
{
    public TimeSpan? Duration => StartedAt is { } start && FinishedAt is { } end ? end - start : null;

    public RunView View() => new(RunId, ParentRunId, RoutineId, RoutineName, RoutineVersion, Status, Attempt, MaxAttempts, WaitReason,
        CachedFromRunId, Duration, Error, Progress);
}

/// <summary>One page of runs and how many match.</summary>
internal sealed record RunList(IReadOnlyList<RunResource> Runs, int Total);

/// <summary>A run with its children, down the whole tree.</summary>
internal sealed record RunTree(RunResource Run, IReadOnlyList<RunTree> Children)
{
    public IEnumerable<RunResource> All() => Children.SelectMany(c => c.All()).Prepend(Run);
}

/// <summary>One routine version of the catalog.</summary>
internal sealed record RoutineResource(
    string Id, string Name, string Version, RoutineKind Kind, string? Description, JsonElement InputSchema, JsonElement OutputSchema,
    TimeSpan Timeout, bool Cache, IReadOnlyList<string> Workers);
