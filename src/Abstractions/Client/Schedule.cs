using System.Buffers;
using System.Text.Json;
using Cronos;

namespace Routines.Client;

/// <summary>What a tick does when the schedule's previous run is still going.</summary>
public enum ScheduleOverlap
{
    /// <summary>The tick is skipped, and recorded as skipped.</summary>
    Skip,

    /// <summary>The tick waits for the previous run to end, then starts; a further tick while one waits is skipped.</summary>
    BufferOne,

    /// <summary>The tick starts a run whatever is still going.</summary>
    AllowAll,

    /// <summary>The previous run is cancelled and the tick starts a run.</summary>
    CancelPrevious,
}

/// <summary>
/// Starts a routine with an input at each tick: on a cron expression in a time zone, or every interval. Each tick starts
/// at most one run, whose id derives from the schedule's name and the tick, so a tick fired twice (a service restarted
/// in between) still has one run.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record Schedule
{
    /// <summary>How long after a missed tick it still starts, by default (the service was down at its time).</summary>
    public static readonly TimeSpan DefaultCatchUpWindow = TimeSpan.FromHours(1);

    /// <summary>Its identity: lowercase letters, digits, '-', '_' and '.', at most 100 characters.</summary>
    [Id(0)] public required string Name { get; init; }

    /// <summary>The routine to start: a bare name (its newest version at each tick) or an exact id.</summary>
    [Id(1)] public required string RoutineId { get; init; }

    /// <summary>The input of every run, as JSON.</summary>
    [Id(2)] public string InputJson { get; init; } = "{}";

    /// <summary>A cron expression of five fields, or six with seconds first (Cronos' syntax, with macros such as <c>@daily</c>).</summary>
    [Id(3)] public string? Cron { get; init; }

    /// <summary>Instead of <see cref="Cron"/>: ticks every interval (whole seconds, at least one), counted from 1970-01-01 UTC.</summary>
    [Id(4)] public TimeSpan? Every { get; init; }

    /// <summary>The time zone <see cref="Cron"/> is read in (an IANA id such as <c>Europe/Paris</c>).</summary>
    [Id(5)] public string TimeZone { get; init; } = "UTC";

    [Id(6)] public ScheduleOverlap Overlap { get; init; } = ScheduleOverlap.Skip;

    /// <summary>
    /// A tick missed while the service was down still starts when the service is back within this long of it; older
    /// missed ticks are recorded as skipped. Zero skips every missed tick.
    /// </summary>
    [Id(7)] public TimeSpan CatchUpWindow { get; init; } = DefaultCatchUpWindow;

    /// <summary>The priority of its runs (from -100 to 100); the routine's own when null.</summary>
    [Id(8)] public int? Priority { get; init; }

    const int MaxNameLength = 100;
    static readonly SearchValues<char> NameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>Why this schedule cannot be used, naming the field and its value, or null.</summary>
    internal string? Problem()
    {
        if (NameProblem(Name) is { } badName) return badName;
        if (!Routines.RoutineId.TryParse(RoutineId ?? "", out _, out var badRoutine)) return $"Schedule.RoutineId: {badRoutine}";
        if (InputJson is null) return "Schedule.InputJson must be JSON; it was null.";
        try
        {
            using var _ = JsonDocument.Parse(InputJson);
        }
        catch (JsonException error)
        {
            return $"Schedule.InputJson is not JSON: {error.Message}";
        }

        if ((Cron is null) == (Every is null)) return "A schedule needs either Cron or Every, not both and not neither.";
        if (Every is { } every && (every < TimeSpan.FromSeconds(1) || every.Ticks % TimeSpan.TicksPerSecond != 0))
            return $"Schedule.Every must be whole seconds, at least one; it was {every}.";
        if (Cron is not null && ParseCron(Cron, out var badCron) is null) return $"Schedule.Cron '{Cron}' is not a cron expression: {badCron}";
        if (ZoneOf(TimeZone) is null) return $"Schedule.TimeZone '{TimeZone}' is not a time zone this machine knows (use an IANA id such as Europe/Paris).";
        if (CatchUpWindow < TimeSpan.Zero) return $"Schedule.CatchUpWindow cannot be negative; it was {CatchUpWindow}.";
        return Priority is { } priority ? PriorityAttribute.Problem(priority, "Schedule.Priority") : null;
    }

    internal static string? NameProblem(string? name)
        => string.IsNullOrEmpty(name) || name.Length > MaxNameLength || name.AsSpan().ContainsAnyExcept(NameChars)
            ? $"A schedule's name must be 1 to {MaxNameLength} lowercase letters, digits, '-', '_' and '.'; it was '{name}'."
            : null;

    /// <summary>The first tick after <paramref name="after"/> (exclusive), in UTC, or null when the expression has no more.</summary>
    internal DateTimeOffset? NextTick(DateTimeOffset after)
    {
        if (Every is { } every)
        {
            var step = (long)every.TotalMilliseconds;
            return DateTimeOffset.FromUnixTimeMilliseconds((after.ToUnixTimeMilliseconds() / step + 1) * step);
        }

        // Parsed once per expression: a catch-up walks every missed tick, and the scheduler asks at every wake.
        return ParsedCrons.GetOrAdd(Cron!, cron => ParseCron(cron, out _)!).GetNextOccurrence(after, ZoneOf(TimeZone)!, inclusive: false)?.ToUniversalTime();
    }

    /// <summary>The next <paramref name="count"/> ticks after <paramref name="after"/>.</summary>
    internal IReadOnlyList<DateTimeOffset> NextTicks(DateTimeOffset after, int count)
    {
        var ticks = new List<DateTimeOffset>(count);
        for (var at = NextTick(after); at is { } tick && ticks.Count < count; at = NextTick(tick)) ticks.Add(tick);
        return ticks;
    }

    /// <summary>The run id of the tick: the same for every fire of it, so the store refuses a second run.</summary>
    internal string RunIdOf(DateTimeOffset tick) => $"schedule-{Name}-{tick.UtcDateTime:yyyyMMdd't'HHmmss'z'}";

    static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CronExpression> ParsedCrons = new(StringComparer.Ordinal);

    static CronExpression? ParseCron(string cron, out string? problem)
    {
        problem = null;
        var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        try
        {
            return CronExpression.Parse(cron, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException error)
        {
            problem = error.Message;
            return null;
        }
    }

    static TimeZoneInfo? ZoneOf(string? id)
    {
        if (string.IsNullOrWhiteSpace(id)) return null;
        if (id is "UTC" or "Etc/UTC") return TimeZoneInfo.Utc;
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : null;
    }
}

/// <summary>A schedule with its state: paused or not, the last tick dealt with, and the next fire times.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleInfo
{
    [Id(0)] public required Schedule Schedule { get; init; }

    /// <summary>A paused schedule starts nothing; ticks during the pause are not caught up on resume.</summary>
    [Id(1)] public bool Paused { get; init; }

    /// <summary>Declared on a routine class (<see cref="ScheduleAttribute"/>) rather than made by a client.</summary>
    [Id(2)] public bool Declared { get; init; }

    [Id(3)] public DateTimeOffset CreatedAt { get; init; }

    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The latest tick started or skipped; ticks after it are to come.</summary>
    [Id(5)] public DateTimeOffset? LastTick { get; init; }

    /// <summary>The run the latest started tick started.</summary>
    [Id(6)] public string? LastRunId { get; init; }

    /// <summary>A tick waiting for the previous run to end (<see cref="ScheduleOverlap.BufferOne"/>).</summary>
    [Id(7)] public DateTimeOffset? BufferedTick { get; init; }

    /// <summary>The next fire times; empty when paused.</summary>
    [Id(8)] public IReadOnlyList<DateTimeOffset> NextTicks { get; init; } = [];
}

public enum ScheduleTickOutcome
{
    /// <summary>The tick started its run.</summary>
    Started,

    /// <summary>The tick started nothing: missed beyond the catch-up window, or the previous run still going.</summary>
    Skipped,

    /// <summary>Starting the run failed (the routine is no longer offered, or the input no longer fits it).</summary>
    Failed,
}

/// <summary>What became of a tick, or of a range of skipped ticks (<see cref="Count"/> of them, through <see cref="LastTickAt"/>).</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleTick(
    [property: Id(0)] DateTimeOffset TickAt,
    [property: Id(1)] ScheduleTickOutcome Outcome,
    [property: Id(2)] string? RunId,
    [property: Id(3)] string? Reason,
    [property: Id(4)] DateTimeOffset RecordedAt,
    [property: Id(5)] int Count = 1,
    [property: Id(6)] DateTimeOffset? LastTickAt = null);
