using System.Globalization;

namespace Routines.Ui.Components;

/// <summary>How the console writes times and durations.</summary>
internal static class Format
{
    public static string Duration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => $"{duration.TotalMilliseconds:0} ms",
        < 60 => $"{duration.TotalSeconds:0.0} s",
        < 3600 => $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
        _ => $"{(int)duration.TotalHours} h {duration.Minutes} min",
    };

    public static string Time(DateTimeOffset? time)
        => time is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";

    /// <summary>How long ago, for heartbeats: "3 s ago".</summary>
    public static string Ago(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        return age < TimeSpan.Zero ? "just now" : $"{Duration(age)} ago";
    }

    /// <summary>A run's duration so far (running) or in total (finished).</summary>
    public static string RunDuration(Routines.Client.RunInfo run, DateTimeOffset now)
        => run.StartedAt is not { } start ? "—" : Duration((run.FinishedAt ?? now) - start);
}
