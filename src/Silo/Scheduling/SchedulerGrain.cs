using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Dispatch;
using Routines.Silo.Hosting;
using Routines.Silo.Runs;

namespace Routines.Silo.Scheduling;

/// <summary>
/// Keeps the schedules in memory and wakes at the earliest tick due: each tick due since the last one dealt with
/// starts its run (or is skipped, by its overlap policy or for being older than the catch-up window), and the
/// schedule's row records the last tick with what became of it, in one transaction. A tick's run id derives from the
/// schedule and the tick, so a tick fired again (the service died between the run's submit and that write) finds its run.
/// It also fires the triggers of runs that end (SchedulerGrain.Triggers.cs).
/// </summary>
[GrainDirectory(GrainDirectoryName = ServiceGrainDirectory.Name)]
internal sealed partial class SchedulerGrain(
    IScheduleStore store, Storage.IRunStore runs, RoutineCatalog catalog, Dispatcher dispatcher, IOptions<RoutinesServiceOptions> options,
    TimeProvider clock, ILogger<SchedulerGrain> logger)
    : CallerSafeGrain, ISchedulerGrain
{
    /// <summary>How soon a failed wake (the database away) is tried again, and how often a buffered tick looks at the run it waits for.</summary>
    static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);
    static readonly TimeSpan BufferedCheck = TimeSpan.FromSeconds(1);

    /// <summary>The longest a timer is set for: further ticks are looked at again then.</summary>
    static readonly TimeSpan LongestSleep = TimeSpan.FromHours(1);

    const int NextTicksShown = 5;

    Dictionary<string, ScheduleInfo>? _schedules;
    IGrainTimer? _timer;
    bool _failed;

    /// <summary>
    /// Wakes at once, off the silo's start (which waits for this call): the first wake waits for the workers' first
    /// report, so a routine named by a bare name resolves as it will once the cluster is up.
    /// </summary>
    public Task StartAsync()
    {
        if (_timer is null) Arm(TimeSpan.Zero);
        return Task.CompletedTask;
    }

    public async Task<ScheduleInfo> SaveAsync(Schedule schedule)
    {
        if (schedule.Problem() is { } problem) throw new ArgumentException(problem, nameof(schedule));
        RoutineInputs.Validated(catalog, catalog.Resolve(schedule.RoutineId), schedule.InputJson, options.Value.MaxInputBytes);

        var schedules = await LoadAsync();
        var now = clock.GetUtcNow();
        var saved = schedules.TryGetValue(schedule.Name, out var existing)
            ? Replaced(existing, schedule, now)
            : new ScheduleInfo { Schedule = schedule, CreatedAt = now, UpdatedAt = now, LastTick = now };
        await store.SaveAsync(saved, []);
        schedules[schedule.Name] = saved;
        Arm();
        return Shown(saved, now);
    }

    public async Task DeclareAsync(IReadOnlyList<Schedule> declared)
    {
        var schedules = await LoadAsync();
        var now = clock.GetUtcNow();
        foreach (var schedule in declared)
        {
            if (schedules.TryGetValue(schedule.Name, out var existing) && existing.Declared && existing.Schedule == schedule) continue;
            var saved = existing is null
                ? new ScheduleInfo { Schedule = schedule, Declared = true, CreatedAt = now, UpdatedAt = now, LastTick = now }
                : Replaced(existing, schedule, now) with { Declared = true };
            await store.SaveAsync(saved, []);
            schedules[schedule.Name] = saved;
            LogDeclared(schedule.Name, schedule.RoutineId);
        }

        Arm();
    }

    public async Task<IReadOnlyList<ScheduleInfo>> ListAsync()
    {
        var now = clock.GetUtcNow();
        return [.. (await LoadAsync()).Values.OrderBy(s => s.Schedule.Name, StringComparer.Ordinal).Select(s => Shown(s, now))];
    }

    public async Task<ScheduleInfo?> GetAsync(string name)
        => (await LoadAsync()).TryGetValue(name, out var schedule) ? Shown(schedule, clock.GetUtcNow()) : null;

    public async Task<ScheduleInfo?> SetPausedAsync(string name, bool paused)
    {
        var schedules = await LoadAsync();
        if (!schedules.TryGetValue(name, out var schedule)) return null;
        if (schedule.Paused == paused) return Shown(schedule, clock.GetUtcNow());

        // Resumed, it starts from its next tick: the ticks of the pause are not caught up (or recorded).
        var now = clock.GetUtcNow();
        var changed = paused
            ? schedule with { Paused = true, UpdatedAt = now }
            : schedule with { Paused = false, UpdatedAt = now, LastTick = now, BufferedTick = null };
        await store.SaveAsync(changed, []);
        schedules[name] = changed;
        Arm();
        return Shown(changed, now);
    }

    public async Task<bool> RemoveAsync(string name)
    {
        var schedules = await LoadAsync();
        var removed = await store.RemoveAsync(name);
        schedules.Remove(name);
        Arm();
        return removed;
    }

    public Task<IReadOnlyList<ScheduleTick>> ListTicksAsync(string name, int take) => store.ListTicksAsync(name, Math.Clamp(take, 1, 1000));

    async Task<Dictionary<string, ScheduleInfo>> LoadAsync()
        => _schedules ??= (await store.ListAsync()).ToDictionary(s => s.Schedule.Name, StringComparer.Ordinal);

    /// <summary>The timer's callback: never throws, and always sets the timer again.</summary>
    async Task WakeAsync()
    {
        Dictionary<string, ScheduleInfo> schedules;
        try
        {
            await catalog.WaitForFirstReportAsync();
            schedules = await LoadAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogLoadFailed(exception.Message);
            Arm(RetryAfter);
            return;
        }

        _failed = false;
        foreach (var name in schedules.Keys.ToList())
        {
            try
            {
                await AdvanceAsync(schedules, name, clock.GetUtcNow());
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The ticks not recorded are fired again at the next wake, to the same run ids.
                LogAdvanceFailed(name, exception.Message);
                _failed = true;
            }
        }

        try
        {
            await FireUnfiredAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogTriggersFailed(exception.Message);
            _failed = true;
        }

        Arm();
    }

    /// <summary>
    /// Deals with every tick of the schedule due by <paramref name="now"/>, recording each as it goes: a crash then leaves
    /// at most one tick whose run was submitted but not recorded, the one after the last recorded.
    /// </summary>
    async Task AdvanceAsync(Dictionary<string, ScheduleInfo> schedules, string name, DateTimeOffset now)
    {
        var schedule = schedules[name].Schedule;
        if (schedules[name].Paused) return;

        if (schedules[name] is { BufferedTick: { } buffered } waiting && !await IsGoingAsync(waiting.LastRunId))
            await RecordAsync(schedules, await StartRunAsync(waiting with { BufferedTick = null }, buffered, now));

        // Missed beyond the catch-up window: skipped, and recorded as one range. Its first tick may have started its run
        // just before the service died: then it is recorded as started.
        var cutoff = now - schedule.CatchUpWindow;
        if (schedule.NextTick(schedules[name].LastTick ?? schedules[name].CreatedAt) is { } firstMissed && firstMissed < cutoff)
        {
            var runId = schedule.RunIdOf(firstMissed);
            if (await runs.GetRunAsync(runId) is not null)
            {
                await RecordAsync(schedules, (schedules[name] with { LastTick = firstMissed, LastRunId = runId },
                    new ScheduleTick(firstMissed, ScheduleTickOutcome.Started, runId, null, now)));
            }

            var first = schedule.NextTick(schedules[name].LastTick ?? schedules[name].CreatedAt);
            var (count, lastMissed) = (0, first);
            for (var t = first; t is { } tick && tick < cutoff; t = schedule.NextTick(tick)) (count, lastMissed) = (count + 1, tick);
            if (count > 0)
            {
                await RecordAsync(schedules, (schedules[name] with { LastTick = lastMissed }, new ScheduleTick(first!.Value, ScheduleTickOutcome.Skipped, null,
                    $"missed while the service was down, longer ago than the catch-up window ({schedule.CatchUpWindow})", now, count,
                    count > 1 ? lastMissed : null)));
            }
        }

        for (var t = schedule.NextTick(schedules[name].LastTick ?? schedules[name].CreatedAt); t is { } tick && tick <= now; t = schedule.NextTick(tick))
            await RecordAsync(schedules, await FireAsync(schedules[name] with { LastTick = tick }, tick, now));
    }

    async Task RecordAsync(Dictionary<string, ScheduleInfo> schedules, (ScheduleInfo Info, ScheduleTick? Tick) change)
    {
        await store.SaveAsync(change.Info, change.Tick is { } tick ? [tick] : []);
        schedules[change.Info.Schedule.Name] = change.Info;
    }

    /// <summary>One tick, by the schedule's overlap policy when its previous run is still going.</summary>
    async Task<(ScheduleInfo, ScheduleTick?)> FireAsync(ScheduleInfo info, DateTimeOffset tick, DateTimeOffset now)
    {
        var overlap = info.Schedule.Overlap;
        if (overlap == ScheduleOverlap.AllowAll || info.LastRunId is not { } previous || !await IsGoingAsync(previous))
            return await StartRunAsync(info, tick, now);

        switch (overlap)
        {
            case ScheduleOverlap.BufferOne when info.BufferedTick is null:
                return (info with { BufferedTick = tick }, null);
            case ScheduleOverlap.BufferOne:
                return (info, new ScheduleTick(tick, ScheduleTickOutcome.Skipped, null,
                    $"the tick of {info.BufferedTick:u} already waits for run {previous} to end", now));
            case ScheduleOverlap.CancelPrevious:
                await GrainFactory.Run(previous).CancelAsync($"cancelled by schedule {info.Schedule.Name}: its tick of {tick:u} replaces it");
                return await StartRunAsync(info, tick, now);
            default:
                return (info, new ScheduleTick(tick, ScheduleTickOutcome.Skipped, null, $"run {previous} was still going", now));
        }
    }

    async Task<(ScheduleInfo, ScheduleTick?)> StartRunAsync(ScheduleInfo info, DateTimeOffset tick, DateTimeOffset now)
    {
        var schedule = info.Schedule;
        var runId = schedule.RunIdOf(tick);
        try
        {
            // Waits for a worker as a run of a pool scaled to zero must; the key makes a second submit of the tick find the first run.
            await GrainFactory.Run(runId).SubmitAsync(new RunRequest
            {
                RoutineId = schedule.RoutineId, InputJson = schedule.InputJson,
                Options = new CallOptions { IdempotencyKey = runId, Priority = schedule.Priority, WaitForWorker = true },
            });
        }
        catch (Exception exception) when (exception is RoutineNotFoundException or InvalidRoutineInputException or ArgumentException or FormatException)
        {
            return (info, new ScheduleTick(tick, ScheduleTickOutcome.Failed, null, exception.Message, now));
        }

        return (info with { LastRunId = runId }, new ScheduleTick(tick, ScheduleTickOutcome.Started, runId, null, now));
    }

    async Task<bool> IsGoingAsync(string? runId)
    {
        if (runId is null) return false;
        try
        {
            return await GrainFactory.Run(runId).GetAsync() is { } run && !run.Status.IsTerminal();
        }
        catch (RunRemovedException)
        {
            return false;
        }
    }

    /// <summary>Sets the timer for the earliest tick due (or the retry of a failed wake, or a buffered tick's look).</summary>
    void Arm(TimeSpan? after = null)
    {
        var now = clock.GetUtcNow();
        var due = after ?? (_failed || _unfired.Count > 0 || !_recovered ? RetryAfter : LongestSleep);
        foreach (var info in _schedules?.Values ?? Enumerable.Empty<ScheduleInfo>())
        {
            if (info.Paused) continue;
            if (info.BufferedTick is not null) due = TimeSpan.FromTicks(Math.Min(due.Ticks, BufferedCheck.Ticks));
            if (info.Schedule.NextTick(info.LastTick ?? info.CreatedAt) is { } next)
                due = TimeSpan.FromTicks(Math.Min(due.Ticks, Math.Max(0, (next - now).Ticks)));
        }

        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(_ => WakeAsync(), new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>
    /// The schedule with a new definition. Ticking anew (another expression, interval or zone) starts from now: the
    /// new ticks before it were never due, and catching them up would start a burst of runs.
    /// </summary>
    static ScheduleInfo Replaced(ScheduleInfo existing, Schedule schedule, DateTimeOffset now)
    {
        var (before, after) = (existing.Schedule, schedule);
        var sameTicks = before.Cron == after.Cron && before.Every == after.Every && before.TimeZone == after.TimeZone;
        return existing with
        {
            Schedule = schedule, UpdatedAt = now,
            LastTick = sameTicks ? existing.LastTick : now, BufferedTick = sameTicks ? existing.BufferedTick : null,
        };
    }

    static ScheduleInfo Shown(ScheduleInfo info, DateTimeOffset now)
        => info with { NextTicks = info.Paused ? [] : info.Schedule.NextTicks(Max(now, info.LastTick ?? info.CreatedAt), NextTicksShown) };

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} could not fire ({Reason}); its ticks are tried again in a few seconds.")]
    partial void LogAdvanceFailed(string schedule, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The triggers kept for later could not be tried ({Reason}); they are tried again in a few seconds.")]
    partial void LogTriggersFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The scheduler could not read the schedules ({Reason}); it tries again in a few seconds.")]
    partial void LogLoadFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} of {Routine} is declared by a worker's routine and saved.")]
    partial void LogDeclared(string schedule, string routine);
}
