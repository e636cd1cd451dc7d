using System.Text.Json;
using Routines.Client;

namespace Routines.Cli.Connection;

/// <summary>One schedule, as the HTTP API shows it (docs/api.md).</summary>
internal sealed record ScheduleResource(
    string Name, string Routine, JsonElement Input, string? Cron, TimeSpan? Every, string TimeZone, ScheduleOverlap Overlap,
    TimeSpan CatchUpWindow, int? Priority, bool Paused, bool Declared, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    DateTimeOffset? LastTick, string? LastRunId, DateTimeOffset? BufferedTick, IReadOnlyList<DateTimeOffset> NextTicks)
{
    /// <summary>When it ticks, as a person reads it: the cron expression and its zone, or the interval.</summary>
    public string When => Cron is not null ? $"{Cron} ({TimeZone})" : $"every {Every}";
}
