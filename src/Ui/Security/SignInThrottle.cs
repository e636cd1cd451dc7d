using Routines.Ui.Hosting;

namespace Routines.Ui.Security;

/// <summary>
/// Slows down and then locks sign-in for a user name, and for an address, after repeated failures. An attempt reserves
/// its place before the password is checked, so parallel guesses count as much as sequential ones. Locks and their
/// ends are logged.
/// </summary>
internal sealed partial class SignInThrottle(UiOptions options, TimeProvider time, ILogger<SignInThrottle> logger)
{
    readonly Dictionary<string, Failures> _failures = [];
    readonly Lock _lock = new();

    sealed class Failures
    {
        public int Count;
        public int InFlight;
        public DateTimeOffset LastFailure;
        public DateTimeOffset? LockedUntil;
        public ITimer? LogsUnlock; // held, or the timer could be collected before it fires
    }

    /// <summary>The keys one attempt counts against: the user name given and the caller's address.</summary>
    public static (string User, string Address) Keys(string? userName, HttpContext http)
        => ($"user '{userName}'", $"address {http.Connection.RemoteIpAddress}");

    /// <summary>
    /// Reserves an attempt: null when it may go on, else when the lock that refuses it ends. The caller reports the
    /// attempt's outcome with <see cref="Succeeded"/> or <see cref="FailedAsync"/>.
    /// </summary>
    public DateTimeOffset? TryBegin((string User, string Address) keys)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_failures.Count > 10_000) Forget(now); // names an attacker made up
            foreach (var (key, limit) in Limits(keys))
            {
                var entry = Entry(key, now);
                if (entry.LockedUntil is { } until) return until;
                if (entry.Count + entry.InFlight >= limit) return now + options.SignIn.LockDuration; // a burst already spends the rest
            }

            foreach (var (key, _) in Limits(keys)) Entry(key, now).InFlight++;
            return null;
        }
    }

    public void Succeeded((string User, string Address) keys)
    {
        lock (_lock)
        {
            _failures.Remove(keys.User);
            if (_failures.TryGetValue(keys.Address, out var address)) address.InFlight = Math.Max(0, address.InFlight - 1);
        }
    }

    /// <summary>Counts a failure, locks a key that reached its limit, and waits the growing delay before the answer.</summary>
    public async Task FailedAsync((string User, string Address) keys)
    {
        var delay = TimeSpan.Zero;
        lock (_lock)
        {
            var now = time.GetUtcNow();
            foreach (var (key, limit) in Limits(keys))
            {
                var entry = Entry(key, now);
                entry.InFlight = Math.Max(0, entry.InFlight - 1);
                entry.Count++;
                entry.LastFailure = now;
                if (entry.Count >= limit && entry.LockedUntil is null) Lock(key, entry, now);
                delay = TimeSpan.FromTicks(Math.Max(delay.Ticks, Delay(entry.Count).Ticks));
            }
        }

        if (delay > TimeSpan.Zero) await Task.Delay(delay, time);
    }

    IEnumerable<(string Key, int Limit)> Limits((string User, string Address) keys)
        => [(keys.User, options.SignIn.MaxFailuresPerUser), (keys.Address, options.SignIn.MaxFailuresPerAddress)];

    /// <summary>The key's failures, forgotten once <see cref="Stale"/>.</summary>
    Failures Entry(string key, DateTimeOffset now)
    {
        if (_failures.TryGetValue(key, out var entry) && !Stale(entry, now)) return entry;
        entry?.LogsUnlock?.Dispose();
        return _failures[key] = new Failures { InFlight = entry?.InFlight ?? 0 };
    }

    /// <summary>A lock that has ended, or failures after which none came for a lock's duration (beyond the longest delay).</summary>
    bool Stale(Failures entry, DateTimeOffset now)
        => entry.LockedUntil is { } until ? until <= now : entry.InFlight == 0 && now - entry.LastFailure >= options.SignIn.LockDuration + MaxDelay;

    /// <summary>The longest a failed sign-in's answer waits.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    void Forget(DateTimeOffset now)
    {
        foreach (var (key, entry) in _failures.Where(f => Stale(f.Value, now)).ToList())
        {
            entry.LogsUnlock?.Dispose();
            _failures.Remove(key);
        }
    }

    void Lock(string key, Failures entry, DateTimeOffset now)
    {
        var until = now + options.SignIn.LockDuration;
        entry.LockedUntil = until;
        LogLocked(key, entry.Count, until);
        entry.LogsUnlock = time.CreateTimer(_ => Unlock(key, entry), null, options.SignIn.LockDuration, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Ends the lock when its timer fires, so that what the log says and what sign-in does agree to the moment.</summary>
    void Unlock(string key, Failures entry)
    {
        lock (_lock)
        {
            if (_failures.TryGetValue(key, out var current) && current == entry) _failures.Remove(key);
        }

        LogUnlocked(key);
    }

    /// <summary>None for the first failures, then doubling from a quarter second up to <see cref="MaxDelay"/>.</summary>
    TimeSpan Delay(int failures)
    {
        var beyond = failures - options.SignIn.FreeFailures;
        return beyond <= 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, 250 * Math.Pow(2, beyond - 1)));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in locked for {Key} after {Failures} failed attempts, until {Until:u}.")]
    partial void LogLocked(string key, int failures, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sign-in lock for {Key} ended.")]
    partial void LogUnlocked(string key);
}
