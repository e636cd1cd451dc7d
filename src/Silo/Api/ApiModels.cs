using System.Text.Json;
using Routines.Client;

namespace Routines.Silo.Api;

/// <summary>A run to start: the routine (a name or an exact id), its input, and anything a .NET <see cref="CallOptions"/> says.</summary>
internal sealed record SubmitRun(string Routine, JsonElement? Input = null, CallOptions? Options = null, bool Wait = false);

/// <summary>A schedule to create or replace (its name is in the path): as a .NET <see cref="Schedule"/> says, the input as JSON.</summary>
internal sealed record SaveSchedule(
    string Routine, JsonElement? Input = null, string? Cron = null, TimeSpan? Every = null, string TimeZone = "UTC",
    ScheduleOverlap Overlap = ScheduleOverlap.Skip, TimeSpan? CatchUpWindow = null, int? Priority = null)
{
    public Schedule ToSchedule(string name) => new()
    {
        Name = name, RoutineId = Routine ?? throw new ArgumentException("A schedule needs its routine (\"routine\": a name or an exact id)."),
        InputJson = Input is { ValueKind: not JsonValueKind.Undefined } input ? input.GetRawText() : "{}", Cron = Cron, Every = Every,
        TimeZone = TimeZone, Overlap = Overlap, CatchUpWindow = CatchUpWindow ?? Schedule.DefaultCatchUpWindow, Priority = Priority,
    };
}

/// <summary>A schedule as the HTTP API shows it: <see cref="ScheduleInfo"/> flattened, its input as JSON.</summary>
internal sealed record ScheduleResource(
    string Name, string Routine, JsonElement Input, string? Cron, TimeSpan? Every, string TimeZone, ScheduleOverlap Overlap,
    TimeSpan CatchUpWindow, int? Priority, bool Paused, bool Declared, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LastTick, string? LastRunId, DateTimeOffset? BufferedTick, IReadOnlyList<DateTimeOffset> NextTicks)
{
    public static ScheduleResource Of(ScheduleInfo info)
    {
        var s = info.Schedule;
        using var input = JsonDocument.Parse(s.InputJson);
        return new(s.Name, s.RoutineId, input.RootElement.Clone(), s.Cron, s.Every, s.TimeZone, s.Overlap, s.CatchUpWindow, s.Priority,
            info.Paused, info.Declared, info.CreatedAt, info.UpdatedAt, info.LastTick, info.LastRunId, info.BufferedTick, info.NextTicks);
    }
}

/// <summary>Why a run is cancelled; optional.</summary>
internal sealed record CancelRun(string? Reason = null);

/// <summary>A token to create: its name and scope (read, operate or admin).</summary>
internal sealed record CreateToken(string Name, TokenScope Scope);

/// <summary>A created token: the secret is shown here once and stored nowhere.</summary>
internal sealed record CreatedToken(string Name, TokenScope Scope, DateTimeOffset CreatedAt, string Token);

/// <summary>A run as the HTTP API shows it: <see cref="RunInfo"/> with its input and output as JSON, not as text.</summary>
internal sealed record RunResource(
    string RunId, string RoutineId, string RoutineName, string RoutineVersion, RoutineKind Kind, RunStatus Status,
    int Attempt, int MaxAttempts, JsonElement Input, JsonElement? Output, RunError? Error, string? ParentRunId, string RootRunId,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Worker, string? CachedFromRunId,
    string? WaitReason, RunProgress? Progress, CallOptions? Options, RunPolicy? Policy, string? TraceId, RunCause? Cause)
{
    public static RunResource Of(RunInfo run) => new(
        run.RunId, run.RoutineId, run.RoutineName, run.RoutineVersion, run.Kind, run.Status, run.Attempt, run.MaxAttempts,
        Json(run.InputJson), run.OutputJson is { } output ? Json(output) : null, run.Error, run.ParentRunId, run.RootRunId,
        run.CreatedAt, run.StartedAt, run.FinishedAt, run.Worker, run.CachedFromRunId, run.WaitReason, run.Progress, run.Options, run.Policy,
        run.TraceId, run.Cause);

    static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>
/// One page of runs, newest first, and how many match in all: exactly for status, routine and roots filters; for a tree,
/// a time range or a search, up to 10,000, and when more match, 10,000 with <c>totalIsLowerBound</c> true.
/// </summary>
internal sealed record RunList(IReadOnlyList<RunResource> Runs, int Total, bool TotalIsLowerBound);

/// <summary>A run with its children, down the whole tree.</summary>
internal sealed record RunTree(RunResource Run, IReadOnlyList<RunTree> Children);

/// <summary>One routine of the catalog, with the workers offering it.</summary>
internal sealed record RoutineResource(
    string Id, string Name, string Version, RoutineKind Kind, string? Description, JsonElement InputSchema, JsonElement OutputSchema,
    RetryPolicy Retry, TimeSpan Timeout, bool Cache, ExecutionPolicy Execution, int Priority, IReadOnlyList<ConcurrencyLimit> Limits,
    IReadOnlyList<TriggerDescriptor> Triggers, IReadOnlyList<TriggerDescriptor> TriggeredBy, IReadOnlyList<string> Workers);
