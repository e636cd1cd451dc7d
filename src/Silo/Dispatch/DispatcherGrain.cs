using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.GrainDirectory;
using Orleans.Runtime;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;
using Routines.Silo.Storage;

namespace Routines.Silo.Dispatch;

/// <summary>
/// Capability-aware dispatch: a run goes only to a worker hosting its exact routine; a task takes a slot on the
/// capable worker with the most free slots, or waits in its routine's queue. Workflows only orchestrate, so they
/// take no task slot (otherwise workflows waiting on children could hold every slot and starve their own children).
/// Workers report by heartbeat; a worker that membership declares dead (or that falls silent) is dropped and its
/// runs are handed back to be dispatched again.
/// </summary>
[Reentrant]
[GrainDirectory(GrainDirectoryName = ServiceGrainDirectory.Name)]
internal sealed partial class DispatcherGrain(
    RoutineCatalog catalog,
    IRunStore store,
    WorkerStarts starts,
    IClusterMembershipService membership,
    IOptions<RoutinesServiceOptions> options,
    TimeProvider clock,
    ILogger<DispatcherGrain> logger) : Grain, IDispatcherGrain
{
    /// <summary>A worker silent this long is considered gone even if membership has not said so yet.</summary>
    static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(20);

    readonly Dictionary<string, WorkerState> _workers = [];
    readonly Dictionary<QueueKey, Queue<QueuedRun>> _queues = [];
    readonly Dictionary<string, string> _assignments = []; // run id → worker id, from grant to release
    readonly Dictionary<string, DateTimeOffset> _grantedAt = [];

    /// <summary>A grant its worker has not reported running for this long is taken as finished (a lost release).</summary>
    static readonly TimeSpan UnreportedGrant = TimeSpan.FromSeconds(10);
    readonly HashSet<string> _forgotten = [];
    readonly HashSet<string> _queued = [];
    long _sequence;
    bool _started;

    public Task StartAsync()
    {
        if (_started) return Task.CompletedTask;
        _started = true;
        this.RegisterGrainTimer(CheckWorkersAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        if (options.Value.RecoverUnfinishedRuns)
        {
            // Give the workers that survived a service restart a few heartbeats to report what they still run.
            this.RegisterGrainTimer(RecoverAsync, new GrainTimerCreationOptions(options.Value.RecoveryDelay, Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    public async Task HeartbeatAsync(WorkerHeartbeat heartbeat)
    {
        await StartAsync();
        var now = clock.GetUtcNow();
        if (!_workers.TryGetValue(heartbeat.WorkerId, out var worker))
        {
            worker = new WorkerState(heartbeat.WorkerId);
            _workers[heartbeat.WorkerId] = worker;
            // A restarted dispatcher learns what survived from the workers themselves.
            foreach (var running in heartbeat.Running)
            {
                if (!_assignments.TryAdd(running.RunId, worker.Id)) continue;
                _grantedAt[running.RunId] = now;
                if (running.Kind == RoutineKind.Workflow) worker.Workflows++;
                else worker.BusySlots++;
            }

            LogWorkerJoined(heartbeat.Name, heartbeat.WorkerId, heartbeat.Slots, heartbeat.Routines.Count);
        }

        var routinesChanged = !worker.Routines.SetEquals(heartbeat.Routines.Select(r => r.Id));
        worker.Name = heartbeat.Name;
        worker.Slots = heartbeat.Slots;
        worker.Descriptors = heartbeat.Routines;
        worker.Routines = heartbeat.Routines.Select(r => r.Id).ToHashSet();
        worker.LastHeartbeat = now;
        // Beats are separate messages and can arrive out of order (a worker's INITIALIZING beat has been seen to land
        // after its first ready one): a worker that reported ready, or stopping, never goes back.
        worker.Terminating |= heartbeat.Terminating;
        worker.Ready |= !heartbeat.Initializing;
        if (routinesChanged) catalog.Update(_workers.Values.SelectMany(w => w.Descriptors));
        ReleaseUnreported(worker, heartbeat.Running, now);
        DrainQueuesOnto(worker);
    }

    public async Task<SlotGrant> AcquireAsync(SlotRequest request)
    {
        await StartAsync();
        // A run asking again (a retry, a hand-back) no longer uses the slot it was granted before.
        if (_assignments.TryGetValue(request.RunId, out var held) && Release(held, request.RunId) is { } freed) DrainQueuesOnto(freed);
        var capable = _workers.Values.Where(w => w.CanTake(request.Routine) && IsLive(w)).ToList();
        var key = new QueueKey(request.Routine, null);
        if (request.Execution != ExecutionPolicy.Remote && request.CallerWorker is { } caller)
        {
            var local = capable.FirstOrDefault(w => w.Id == caller);
            if (local is not null && (request.Routine.Kind == RoutineKind.Workflow || local.FreeSlots > 0) && QueueOf(new(request.Routine, caller)).Count == 0)
                return Grant(local, request);
            if (request.Execution == ExecutionPolicy.Local)
            {
                if (local is null) return new SlotGrant(null, $"the calling worker does not host {request.Routine.Display} (execution policy Local)");
                capable = [local];
                key = key with { Worker = caller };
            }
        }

        if (request.Routine.Kind == RoutineKind.Workflow && capable.Count > 0)
            return Grant(capable.MinBy(w => w.Workflows)!, request);

        var queue = QueueOf(key);
        var free = capable.Where(w => w.FreeSlots > 0).MaxBy(w => w.FreeSlots);
        if (free is not null && queue.Count == 0) return Grant(free, request);

        var reason = capable.Count == 0
            ? $"no live worker advertises {request.Routine.Display}"
            : $"all {capable.Count} capable worker{(capable.Count == 1 ? " is" : "s are")} busy, {queue.Count} ahead";
        // A run already in line (one resumed by recovery, say) keeps its place: queued twice, it would be granted twice.
        if (_queued.Add(request.RunId)) queue.Enqueue(new QueuedRun(request.RunId, ++_sequence, request.Routine.Kind!.Value));
        return new SlotGrant(null, reason);
    }

    public Task ReleaseAsync(string workerId, string runId)
    {
        if (Release(workerId, runId) is { } worker) DrainQueuesOnto(worker);
        return Task.CompletedTask;
    }

    /// <summary>Frees the slot of a run's grant; a late release of an earlier attempt leaves the current one alone.</summary>
    WorkerState? Release(string workerId, string runId)
    {
        if (!_assignments.TryGetValue(runId, out var assigned) || assigned != workerId) return null;
        _assignments.Remove(runId);
        _grantedAt.Remove(runId);
        if (!_workers.TryGetValue(workerId, out var worker)) return null;
        if (worker.RunningWorkflowIds.Remove(runId)) worker.Workflows = Math.Max(0, worker.Workflows - 1);
        else worker.BusySlots = Math.Max(0, worker.BusySlots - 1);
        return worker;
    }

    /// <summary>
    /// The worker is the authority on what it runs: grants it has not reported for a while ended without their release
    /// reaching us (a one-way message is lost on a busy or restarting silo), so their slots are freed.
    /// </summary>
    void ReleaseUnreported(WorkerState worker, IReadOnlyList<RunningAttempt> running, DateTimeOffset now)
    {
        var reported = running.Select(r => r.RunId).ToHashSet();
        var stale = _assignments
            .Where(a => a.Value == worker.Id && !reported.Contains(a.Key) && now - _grantedAt.GetValueOrDefault(a.Key, now) > UnreportedGrant)
            .Select(a => a.Key).ToList();
        foreach (var runId in stale) Release(worker.Id, runId);
    }

    public Task ForgetAsync(string runId)
    {
        _forgotten.Add(runId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WorkerInfo>> ListWorkersAsync() => Task.FromResult<IReadOnlyList<WorkerInfo>>(
        _workers.Values.OrderBy(w => w.Name, StringComparer.Ordinal).Select(w => new WorkerInfo(
            w.Id, w.Name, w.Status, w.Slots, w.BusySlots, w.Workflows,
            w.Routines.Select(r => r.ToString()).Order().ToList(), w.LastHeartbeat)).ToList());

    public Task<IReadOnlyList<RoutineDescriptor>> ListRoutinesAsync() => Task.FromResult(catalog.Live);

    SlotGrant Grant(WorkerState worker, SlotRequest request)
    {
        _assignments[request.RunId] = worker.Id;
        _grantedAt[request.RunId] = clock.GetUtcNow();
        if (request.Routine.Kind == RoutineKind.Workflow)
        {
            worker.Workflows++;
            worker.RunningWorkflowIds.Add(request.RunId);
        }
        else
        {
            worker.BusySlots++;
        }

        return new SlotGrant(worker.Id, null);
    }

    /// <summary>Drops workers membership declares dead or that stopped sending heartbeats, and hands back their runs.</summary>
    Task CheckWorkersAsync(CancellationToken cancellationToken)
    {
        var snapshot = membership.CurrentSnapshot;
        var now = clock.GetUtcNow();
        foreach (var worker in _workers.Values.ToList())
        {
            var status = snapshot.GetSiloStatus(worker.Silo);
            var reason = status == SiloStatus.Dead ? "membership declared its silo dead"
                : now - worker.LastHeartbeat > HeartbeatTimeout ? $"no heartbeat for {HeartbeatTimeout.TotalSeconds:0} s"
                : null;
            if (reason is not null) Lose(worker, reason);
        }

        return Task.CompletedTask;
    }

    void Lose(WorkerState worker, string reason)
    {
        _workers.Remove(worker.Id);
        starts.Forget(worker.Id);
        catalog.Update(_workers.Values.SelectMany(w => w.Descriptors));
        var runs = _assignments.Where(a => a.Value == worker.Id).Select(a => a.Key).ToList();
        LogWorkerLost(worker.Name, worker.Id, reason, runs.Count);
        foreach (var runId in runs)
        {
            _assignments.Remove(runId);
            _grantedAt.Remove(runId);
            GrainFactory.Run(runId).WorkerLostAsync(worker.Id, $"worker {worker.Name} was lost ({reason})").Ignore();
        }
    }

    /// <summary>After a service restart: dispatch Pending runs again, and hand back Running runs no live worker reported.</summary>
    async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.ListUnfinishedRunsAsync(cancellationToken);
        var resumed = 0;
        var lost = 0;
        foreach (var run in unfinished)
        {
            var grain = GrainFactory.Run(run.RunId);
            if (run.Status == RunStatus.Pending)
            {
                grain.ResumeAsync().Ignore();
                resumed++;
            }
            else if (!_assignments.ContainsKey(run.RunId))
            {
                grain.WorkerLostAsync(run.Worker ?? "?", "no live worker reported it after the service restarted").Ignore();
                lost++;
            }
        }

        if (unfinished.Count > 0) LogRecovered(resumed, lost);
    }

    /// <summary>
    /// Membership can know a worker's silo is gone a moment before the check below drops the worker (it runs every
    /// second): such a worker is given nothing, or its runs would be sent to a silo Orleans no longer places on.
    /// </summary>
    bool IsLive(WorkerState worker) => membership.CurrentSnapshot.GetSiloStatus(worker.Silo) == SiloStatus.Active;

    /// <summary>Gives the worker's free slots to the oldest queued runs it can execute.</summary>
    void DrainQueuesOnto(WorkerState worker)
    {
        if (worker.Terminating || worker.Initializing || !IsLive(worker)) return;
        while (NextRunFor(worker) is { } run)
        {
            _assignments[run.RunId] = worker.Id;
            _grantedAt[run.RunId] = clock.GetUtcNow();
            if (run.Kind == RoutineKind.Workflow)
            {
                worker.Workflows++;
                worker.RunningWorkflowIds.Add(run.RunId);
            }
            else
            {
                worker.BusySlots++;
            }

            GrainFactory.Run(run.RunId).AssignAsync(worker.Id).Ignore();
        }
    }

    QueuedRun? NextRunFor(WorkerState worker)
    {
        Queue<QueuedRun>? oldest = null;
        foreach (var routine in worker.Routines)
        {
            if (routine.Kind == RoutineKind.Task && worker.FreeSlots <= 0) continue;
            Consider(new QueueKey(routine, null));
            Consider(new QueueKey(routine, worker.Id));
        }

        if (oldest?.Dequeue() is not { } next) return null;
        _queued.Remove(next.RunId);
        return next;

        void Consider(QueueKey key)
        {
            if (!_queues.TryGetValue(key, out var queue)) return;
            while (queue.TryPeek(out var head) && _forgotten.Remove(head.RunId)) _queued.Remove(queue.Dequeue().RunId);
            if (queue.Count > 0 && (oldest is null || queue.Peek().Sequence < oldest.Peek().Sequence)) oldest = queue;
        }
    }

    Queue<QueuedRun> QueueOf(QueueKey key)
    {
        if (!_queues.TryGetValue(key, out var queue)) _queues[key] = queue = new Queue<QueuedRun>();
        return queue;
    }

    sealed class WorkerState(string id)
    {
        public string Id { get; } = id;

        public SiloAddress Silo { get; } = SiloAddress.FromParsableString(id);

        public string Name { get; set; } = id;

        public int Slots { get; set; }

        public HashSet<RoutineId> Routines { get; set; } = [];

        public IReadOnlyList<RoutineDescriptor> Descriptors { get; set; } = [];

        public int BusySlots { get; set; }

        public int Workflows { get; set; }

        public HashSet<string> RunningWorkflowIds { get; } = [];

        public DateTimeOffset LastHeartbeat { get; set; }

        public bool Terminating { get; set; }

        /// <summary>Has reported ready once: until then the worker is INITIALIZING and takes no runs.</summary>
        public bool Ready { get; set; }

        public bool Initializing => !Ready;

        public int FreeSlots => Slots - BusySlots;

        public bool CanTake(RoutineId routine) => !Terminating && !Initializing && Routines.Contains(routine);

        public WorkerStatus Status => Terminating ? WorkerStatus.Terminating
            : Initializing ? WorkerStatus.Initializing
            : BusySlots > 0 ? WorkerStatus.Working
            : Workflows > 0 ? WorkerStatus.Hanging
            : WorkerStatus.Idle;
    }

    /// <summary>A queue per routine, and per routine and worker for runs that must run on their caller's worker.</summary>
    readonly record struct QueueKey(RoutineId Routine, string? Worker);

    sealed record QueuedRun(string RunId, long Sequence, RoutineKind Kind);
}
