using System.Text.Json;
using Routines.Client;
using Routines.Rendering;

namespace Routines.Cli.Connection;

/// <summary>One run, as the HTTP API shows it (docs/api.md); the service's own records are internal to it.</summary>
internal sealed record RunResource(
    string RunId, string RoutineId, string RoutineName, string RoutineVersion, RoutineKind Kind, RunStatus Status,
    int Attempt, int MaxAttempts, JsonElement Input, JsonElement? Output, RunError? Error, string? ParentRunId, string RootRunId,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Worker, string? CachedFromRunId,
    string? WaitReason, RunProgress? Progress, JsonElement? Options, string? TraceId = null, RunCause? Cause = null)
{
    public TimeSpan? Duration => StartedAt is { } start && FinishedAt is { } end ? end - start : null;

    public RunView View() => new(RunId, ParentRunId, RoutineId, RoutineName, RoutineVersion, Status, Attempt, MaxAttempts, WaitReason,
        CachedFromRunId, Duration, Error, Progress);
}
