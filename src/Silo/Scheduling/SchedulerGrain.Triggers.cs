using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Cluster;

namespace Routines.Silo.Scheduling;

// Triggers: when a run ends, each trigger watching its routine for that status starts its target once. The mapping
// from the finished run to the target's input is the project's C# code, so a worker offering the source routine runs
// it; the triggered run's id is the trigger's and the source run's, so a trigger fired twice starts one run.
internal sealed partial class SchedulerGrain
{
    /// <summary>How long a trigger that cannot fire yet (no worker offers its source, the service is busy) is tried again.</summary>
    static readonly TimeSpan TriggerPatience = TimeSpan.FromMinutes(10);

    /// <summary>After a restart, the runs created this recently are checked for the triggered runs they lack.</summary>
    static readonly TimeSpan TriggerRecovery = TimeSpan.FromHours(1);

    readonly List<(RunInfo Run, TriggerDescriptor Trigger, DateTimeOffset Since)> _unfired = [];
    bool _recovered;

    public async Task RunEndedAsync(RunInfo run)
    {
        foreach (var trigger in TriggersFor(run)) await FireOrKeepAsync(run, trigger, clock.GetUtcNow());
        Arm();
    }

    IEnumerable<TriggerDescriptor> TriggersFor(RunInfo run)
        => run.Status.IsTerminal() && catalog.TryGet(run.RoutineId) is { } routine ? routine.TriggersOn(run.Status) : [];

    /// <summary>Fires the trigger; one that cannot fire yet is kept and tried at the next wakes, for a while.</summary>
    async Task FireOrKeepAsync(RunInfo run, TriggerDescriptor trigger, DateTimeOffset since)
    {
        try
        {
            await FireAsync(run, trigger);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            if (clock.GetUtcNow() - since < TriggerPatience)
            {
                _unfired.Add((run, trigger, since));
                LogTriggerDeferred(trigger.Name, run.RunId, exception.Message);
            }
            else
            {
                await NoteAsync(run, $"trigger {trigger.Name} did not fire within {TriggerPatience.TotalMinutes:0} minutes: {exception.Message}");
            }
        }
    }

    async Task FireAsync(RunInfo run, TriggerDescriptor trigger)
    {
        var cause = new RunCause(trigger.Name, run.RunId, run.RoutineName, run.Status);
        var runId = cause.TriggeredRunId;
        if (await runs.GetRunAsync(runId) is not null) return;

        var worker = dispatcher.WorkerOffering(RoutineId.Parse(run.RoutineId))
                     ?? throw new RoutinesUnavailableException($"no live worker offers {run.RoutineId}, whose project holds trigger {trigger.Name}");
        string? input;
        try
        {
            input = await GrainFactory.Worker(worker).MapTriggerAsync(trigger.Name, run);
        }
        catch (RoutineFailedException failed)
        {
            await NoteAsync(run, $"trigger {trigger.Name} failed: {failed.Error.Root.Type}: {failed.Error.Root.Message}");
            return;
        }

        if (input is null)
        {
            await NoteAsync(run, $"trigger {trigger.Name} started nothing: its InputFor returned null");
            return;
        }

        try
        {
            await GrainFactory.Run(runId).SubmitAsync(new RunRequest
            {
                RoutineId = trigger.Target, InputJson = input, Cause = cause,
                Options = new CallOptions { IdempotencyKey = runId, WaitForWorker = true },
            });
        }
        catch (Exception exception) when (exception is RoutineNotFoundException or InvalidRoutineInputException or ArgumentException)
        {
            await NoteAsync(run, $"trigger {trigger.Name} could not start {trigger.Target}: {exception.Message}");
            return;
        }

        await NoteAsync(run, $"trigger {trigger.Name} started run {runId} of {trigger.Target}");
    }

    Task NoteAsync(RunInfo run, string reason) => GrainFactory.Run(run.RunId).NoteAsync(reason);

    /// <summary>Tries the triggers kept for later; after a restart first, the recent runs whose triggers may not have fired.</summary>
    async Task FireUnfiredAsync()
    {
        if (!_recovered)
        {
            _recovered = true;
            await RecoverTriggersAsync();
        }

        var due = _unfired.ToList();
        _unfired.Clear();
        foreach (var (run, trigger, since) in due) await FireOrKeepAsync(run, trigger, since);
    }

    /// <summary>
    /// The service may have died between a run's end and its triggers' firing: the recent runs of routines with
    /// triggers are looked at once after a start, and each trigger whose run is missing fires (or finds its run).
    /// </summary>
    async Task RecoverTriggersAsync()
    {
        var since = clock.GetUtcNow() - TriggerRecovery;
        foreach (var routine in catalog.Live.Where(r => r.Triggers.Count > 0).DistinctBy(r => r.Id.Name))
        {
            var page = await runs.ListRunsAsync(new RunFilter { RoutineName = routine.Id.Name, CreatedAfter = since, Take = RunFilter.MaxTake });
            foreach (var run in page.Runs)
            foreach (var trigger in TriggersFor(run))
                await FireOrKeepAsync(run, trigger, clock.GetUtcNow());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trigger {Trigger} could not fire for run {RunId} yet ({Reason}); it is tried again in a few seconds.")]
    partial void LogTriggerDeferred(string trigger, string runId, string reason);
}
