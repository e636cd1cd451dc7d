using Routines.Client;

namespace Routines.Cluster;

/// <summary>
/// When runs start without a caller: the service's schedules (kept, fired at their ticks, managed by clients) and the
/// triggers that watch runs end. One per cluster (key 0), on the service.
/// </summary>
internal interface ISchedulerGrain : IGrainWithIntegerKey
{
    /// <summary>Activates the scheduler at service start, which catches up the ticks missed while it was down.</summary>
    Task StartAsync();

    /// <summary>Creates the schedule or replaces the one of that name (its pause and last tick stay).</summary>
    /// <exception cref="ArgumentException">The schedule is invalid; the message says which field and why.</exception>
    Task<ScheduleInfo> SaveAsync(Schedule schedule);

    /// <summary>Creates the schedules workers declare on their routines; those already there take the declaration.</summary>
    Task DeclareAsync(IReadOnlyList<Schedule> schedules);

    Task<IReadOnlyList<ScheduleInfo>> ListAsync();

    Task<ScheduleInfo?> GetAsync(string name);

    /// <summary>Pauses or resumes; null when there is no such schedule.</summary>
    Task<ScheduleInfo?> SetPausedAsync(string name, bool paused);

    /// <summary>False when there is no such schedule.</summary>
    Task<bool> RemoveAsync(string name);

    /// <summary>What became of its ticks, newest first.</summary>
    Task<IReadOnlyList<ScheduleTick>> ListTicksAsync(string name, int take);

    /// <summary>A run of a routine that triggers watch has ended: starts the runs its triggers build, once each.</summary>
    [Orleans.Concurrency.OneWay]
    Task RunEndedAsync(RunInfo run);
}
