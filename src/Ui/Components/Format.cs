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

    /// <summary>A size in bytes as people read it: 812 B, 14.2 KB, 3.1 MB, 1.4 GB.</summary>
    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.##} GB",
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

    /// <summary>A trigger's statuses: "Succeeded", "Failed or TimedOut".</summary>
    public static string Statuses(IReadOnlyList<Routines.Client.RunStatus> statuses)
        => statuses.Count == 1 ? statuses[0].ToString() : $"{string.Join(", ", statuses.Take(statuses.Count - 1))} or {statuses[^1]}";

    /// <summary>A routine's declared policies in one line, for the catalog.</summary>
    public static string Policies(Routines.Client.RoutineDescriptor routine)
        => string.Join(" · ", new[]
        {
            $"{routine.Retry.MaxAttempts} attempt(s)", $"timeout {Duration(routine.Timeout)}", routine.Cache ? "cached" : "not cached",
            routine.Priority == 0 ? null : $"priority {routine.Priority}",
        }.Concat(routine.Limits.Select(l => $"at most {l.Max} at once{(l.Key is null ? "" : $" per {l.Key}")}")).OfType<string>());

    /// <summary>A run's policy in one line: "3 attempts, backoff 1.0 s ×2 up to 1 min 0 s · 3 worker losses · timeout 1 h 0 min · cached · remote · priority 0".</summary>
    public static string Policy(Routines.Client.RunPolicy? policy)
    {
        if (policy is null) return "— (recorded before policies were stored)";
        var retry = policy.Retry;
        var attempts = retry.MaxAttempts == 1 ? "1 attempt"
            : $"{retry.MaxAttempts} attempts, backoff {Duration(retry.InitialDelay)} ×{retry.BackoffCoefficient:0.##} up to {Duration(retry.MaxDelay)}";
        return $"{attempts} · {retry.MaxWorkerLosses} worker losses · timeout {Duration(policy.Timeout)} · "
             + $"{(policy.Cache ? "cached" : "not cached")} · {policy.Execution.ToString().ToLowerInvariant()} · priority {policy.Priority}";
    }
}
