using Routines.Client;

namespace Routines;

/// <summary>
/// Declares a schedule of this routine: the service creates it when a worker offering the routine joins, and keeps it
/// as declared (a pause made by a user stays). Give <see cref="Cron"/> or <see cref="Every"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
public sealed class ScheduleAttribute : Attribute
{
    /// <summary>The schedule's name; the routine's name in lowercase by default (two schedules on one routine need names).</summary>
    public string? Name { get; init; }

    /// <summary>A cron expression of five fields, or six with seconds first.</summary>
    public string? Cron { get; init; }

    /// <summary>Instead of <see cref="Cron"/>: an interval as a TimeSpan's text, such as <c>00:05:00</c>.</summary>
    public string? Every { get; init; }

    /// <summary>The time zone of <see cref="Cron"/>, an IANA id.</summary>
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The input of every run, as JSON.</summary>
    public string Input { get; init; } = "{}";

    public ScheduleOverlap Overlap { get; init; } = ScheduleOverlap.Skip;

    /// <summary>How long a missed tick still starts, as a TimeSpan's text; an hour by default.</summary>
    public string? CatchUpWindow { get; init; }

    /// <summary>The schedule this declares for routine <paramref name="routineName"/>, or the problem with it.</summary>
    internal (Schedule? Schedule, string? Problem) ToSchedule(string routineName)
    {
        TimeSpan? every = null;
        if (Every is not null)
        {
            if (!TimeSpan.TryParse(Every, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                return (null, $"[Schedule] Every '{Every}' is not a TimeSpan such as 00:05:00.");
            every = parsed;
        }

        var catchUp = Client.Schedule.DefaultCatchUpWindow;
        if (CatchUpWindow is not null && !TimeSpan.TryParse(CatchUpWindow, System.Globalization.CultureInfo.InvariantCulture, out catchUp))
            return (null, $"[Schedule] CatchUpWindow '{CatchUpWindow}' is not a TimeSpan such as 01:00:00.");

        var schedule = new Schedule
        {
            Name = Name ?? routineName.ToLowerInvariant(), RoutineId = routineName, InputJson = Input, Cron = Cron, Every = every,
            TimeZone = TimeZone, Overlap = Overlap, CatchUpWindow = catchUp,
        };
        return schedule.Problem() is { } problem ? (null, $"[Schedule] {problem}") : (schedule, null);
    }
}
