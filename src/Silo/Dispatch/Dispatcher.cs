using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Storage;

namespace Routines.Silo.Dispatch;

/// <summary>
/// Capability-aware dispatch: a run goes only to a worker hosting its exact routine; a task takes a slot on the
/// capable worker with the most free slots, or waits in its routine's line, by priority (<see cref="RunLine"/>).
/// Workflows only orchestrate, so they take no task slot (otherwise workflows waiting on children could hold every slot
/// and starve their own children). A run whose concurrency limit is full is parked on that limit until a run counted
/// against it ends.
/// Workers report by heartbeat; a worker that membership declares dead (or that falls silent) is dropped and its
/// runs are handed back to be dispatched again.
/// </summary>
/// <remarks>
/// One per service silo (there is one, decision #12), called directly by the run grains there: a slot costs a lock,
/// not two messages through a grain's queue (decision #26). <see cref="DispatcherGrain"/> is its address for workers
/// and clients. Every call takes the lock for its whole length; the messages sent under it (a queued run's
/// assignment, a lost worker's hand-backs) are only enqueued, so no grain code runs while it is held.
/// </remarks>
internal sealed partial class Dispatcher(
    RoutineCatalog catalog,
    IRunStore store,
    WorkerStarts starts,
    IClusterMembershipService membership,
    IGrainFactory grains,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<Hosting.RoutinesServiceOptions> options,
    ILogger<Dispatcher> logger)
{
    // Liveness (a worker's silence, a grant never reported) is measured on the machine's clock, not the engine's
    // TimeProvider: a test clock advanced by an hour says nothing about whether a process is still there.

    /// <summary>A worker silent this long is considered gone even if membership has not said so yet.</summary>
    static readonly TimeSpan HeartbeatTimeout = TimeSpan.FromSeconds(20);

    /// <summary>A grant its worker has not reported running for this long is taken as finished (a lost release).</summary>
    static readonly TimeSpan UnreportedGrant = TimeSpan.FromSeconds(10);

    readonly Lock _gate = new();
    readonly Dictionary<string, WorkerState> _workers = [];
    readonly Dictionary<QueueKey, RunLine> _lines = [];
    // Runs of every routine held back by a full concurrency limit, by the limit's key, best first.
    readonly Dictionary<string, PriorityQueue<(QueuedRun Run, QueueKey Line), RunLine.Standing>> _parked = new(StringComparer.Ordinal);
    static readonly IComparer<RunLine.Standing> BestFirst = Comparer<RunLine.Standing>.Create((a, b) => b.CompareTo(a));
    // Runs granted against each limit, counted from the grants.
    readonly Dictionary<string, int> _limitCounts = new(StringComparer.Ordinal);
    // The one record of who runs what: a grant from Acquire (or a worker's report after a restart) to its release. A
    // worker's busy slots and running workflows are counted from its own grants, so the two cannot disagree.
    readonly Dictionary<string, SlotHold> _grants = [];
    readonly HashSet<string> _forgotten = [];
    readonly HashSet<string> _queued = [];
    readonly UnreportedRuns _unreported = new(HeartbeatTimeout);
    long _sequence;

    /// <summary>A worker's periodic report; the first one registers it.</summary>
    public void Heartbeat(WorkerHeartbeat heartbeat)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (!_workers.TryGetValue(heartbeat.WorkerId, out var worker))
            {
                worker = new WorkerState(heartbeat.WorkerId);
                _workers[heartbeat.WorkerId] = worker;
                // A restarted service learns what survived from the workers themselves.
                foreach (var running in heartbeat.Running.Where(r => !_grants.ContainsKey(r.RunId))) Grant(worker, running.RunId, running.Kind, running.Limits ?? []);

                foreach (var runId in _unreported.Reported(worker.Id, _grants.ContainsKey))
                    HandBack(runId, worker.Id, $"worker {heartbeat.Name} did not report it after the service restarted");

                LogWorkerJoined(heartbeat.Name, heartbeat.WorkerId, heartbeat.Slots, heartbeat.Routines.Count);
            }

            var routinesChanged = !worker.Routines.SetEquals(heartbeat.Routines.Select(r => r.Id));
            worker.Name = heartbeat.Name;
            worker.Slots = heartbeat.Slots;
            worker.Descriptors = heartbeat.Routines;
            worker.Routines = heartbeat.Routines.Select(r => r.Id).ToHashSet();
            worker.LastHeartbeat = now;
            worker.HeardAt = Stopwatch.GetTimestamp();
            worker.Abandoned = heartbeat.Abandoned ?? [];
            // Beats are separate messages and can arrive out of order (a worker's INITIALIZING beat has been seen to land
            // after its first ready one): a worker that reported ready, or stopping, never goes back.
            worker.Terminating |= heartbeat.Terminating;
            worker.Ready |= !heartbeat.Initializing;
            if (routinesChanged)
            {
                catalog.Update(_workers.Values.SelectMany(w => w.Descriptors));
                DeclareSchedules(heartbeat.Routines);
            }

            ReleaseUnreported(worker, heartbeat.Running);
            DrainQueuesOnto(worker);
        }
    }

    /// <summary>
    /// A worker for the run, or no worker and the reason the run waits; the run's grain is then told by
    /// <see cref="IRunGrain.AssignAsync"/> when a slot frees.
    /// </summary>
    public SlotGrant Acquire(SlotRequest request)
    {
        lock (_gate)
        {
            // A run asking again (a retry, a hand-back) no longer uses the slot it was granted before.
            if (_grants.TryGetValue(request.RunId, out var held) && FreeSlot(held.WorkerId, request.RunId) is { } freed) DrainQueuesOnto(freed);
            var limits = request.Limits ?? [];
            var full = FullLimit(limits);
            var capable = _workers.Values.Where(w => w.CanTake(request.Routine) && IsLive(w.Silo)).ToList();
            var key = new QueueKey(request.Routine, null);
            if (request.Execution != ExecutionPolicy.Remote && request.CallerWorker is { } caller)
            {
                var local = capable.FirstOrDefault(w => w.Id == caller);
                if (local is not null && full is null && (request.Routine.Kind == RoutineKind.Workflow || local.FreeSlots > 0) && Waiting(new(request.Routine, caller)) == 0)
                    return Grant(local, request.RunId, request.Routine.Kind, limits);
                if (request.Execution == ExecutionPolicy.Local)
                {
                    if (local is null) return new SlotGrant(null, $"the calling worker does not host {request.Routine.Display} (execution policy Local)");
                    capable = [local];
                    key = key with { Worker = caller };
                }
            }

            if (request.Routine.Kind == RoutineKind.Workflow && capable.Count > 0 && full is null)
                return Grant(capable.MinBy(w => w.Workflows)!, request.RunId, RoutineKind.Workflow, limits);

            var free = capable.Where(w => w.FreeSlots > 0).MaxBy(w => w.FreeSlots);
            if (free is not null && Waiting(key) == 0 && full is null) return Grant(free, request.RunId, RoutineKind.Task, limits);

            var reason = full is not null ? $"held by a concurrency limit: {full.Description}, {_limitCounts.GetValueOrDefault(full.Key)} running"
                : capable.Count == 0 ? $"no live worker advertises {request.Routine.Display}"
                : $"all {capable.Count} capable worker{(capable.Count == 1 ? " is" : "s are")} busy, {Ahead(key, request.Priority)} ahead in line at priority {request.Priority}";
            // A run already in line (one resumed by recovery, say) keeps its place: queued twice, it would be granted twice.
            if (_queued.Add(request.RunId))
            {
                var run = new QueuedRun(request.RunId, ++_sequence, request.Routine.Kind!.Value, request.Priority, clock.GetUtcNow(), limits);
                if (full is not null) Park(full, run, key);
                else LineOf(key).Enqueue(run);
            }

            return new SlotGrant(null, reason);
        }
    }

    /// <summary>The run's attempt on that worker ended (its run grain heard the result): the slot is free again.</summary>
    public void Release(string workerId, string runId)
    {
        lock (_gate)
        {
            if (FreeSlot(workerId, runId) is { } worker) DrainQueuesOnto(worker);
        }
    }

    /// <summary>
    /// Holds the run's slot on that worker again: its result freed the slot but could not be recorded, so the run is
    /// still Running there until the worker delivers the result again.
    /// </summary>
    public void Restore(string workerId, string runId, RoutineKind kind, IReadOnlyList<LimitSlot> limits)
    {
        lock (_gate)
        {
            if (!_grants.ContainsKey(runId) && _workers.TryGetValue(workerId, out var worker)) Grant(worker, runId, kind, limits);
        }
    }

    /// <summary>Drops a queued run (cancelled while Pending).</summary>
    public void Forget(string runId)
    {
        lock (_gate) _forgotten.Add(runId);
    }

    public IReadOnlyList<WorkerInfo> ListWorkers()
    {
        lock (_gate)
        {
            return _workers.Values.OrderBy(w => w.Name, StringComparer.Ordinal).Select(w => new WorkerInfo(
                w.Id, w.Name, w.Status, w.Slots, w.BusySlots, w.Workflows,
                w.Routines.Select(r => r.ToString()).Order().ToList(), w.LastHeartbeat, w.Abandoned)).ToList();
        }
    }

    public IReadOnlyList<RoutineDescriptor> ListRoutines() => catalog.Live;

    /// <summary>A live worker, not stopping, that offers this exact routine (and so declares its triggers), or null.</summary>
    public string? WorkerOffering(RoutineId routine)
    {
        lock (_gate) return _workers.Values.FirstOrDefault(w => w.Ready && !w.Terminating && w.Routines.Contains(routine))?.Id;
    }

    /// <summary>The name a worker gives itself, or its id when it is not (or no longer) known.</summary>
    public string NameOf(string workerId)
    {
        lock (_gate) return _workers.TryGetValue(workerId, out var worker) ? worker.Name : workerId;
    }

    /// <summary>Drops workers membership declares dead or that stopped sending heartbeats, and hands back their runs.</summary>
    public void CheckWorkers()
    {
        lock (_gate)
        {
            var snapshot = membership.CurrentSnapshot;
            var now = clock.GetUtcNow();
            foreach (var worker in _workers.Values.ToList())
            {
                var status = snapshot.GetSiloStatus(worker.Silo);
                // A worker that announced it was stopping (SIGTERM) and whose silo then left stopped; it was not lost.
                if (status == SiloStatus.Dead && worker.Terminating) Remove(worker, "it stopped", stopped: true);
                else if (status == SiloStatus.Dead) Remove(worker, "membership declared its silo dead");
                else if (Stopwatch.GetElapsedTime(worker.HeardAt) > HeartbeatTimeout) Remove(worker, $"no heartbeat for {HeartbeatTimeout.TotalSeconds:0} s");
            }

            foreach (var (runId, workerId, reason) in _unreported.Overdue(IsLive, now)) HandBack(runId, workerId, reason);
        }
    }

    /// <summary>
    /// After a service restart: dispatch Pending runs again, and hand back Running runs no live worker reports; a run
    /// whose worker is in the cluster but has not reported yet waits for it (<see cref="UnreportedRuns"/>).
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.ListUnfinishedRunsAsync(cancellationToken);
        var resumed = 0;
        var lost = 0;
        var awaiting = 0;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            foreach (var run in unfinished)
            {
                if (run.Status == RunStatus.Pending)
                {
                    grains.Run(run.RunId).ResumeAsync().Ignore();
                    resumed++;
                }
                else if (_grants.ContainsKey(run.RunId))
                {
                    // reported by its worker: nothing to recover
                }
                else if (run.Worker is { } worker && !_workers.ContainsKey(worker) && IsLive(worker))
                {
                    _unreported.Add(run.RunId, worker, now);
                    awaiting++;
                }
                else
                {
                    HandBack(run.RunId, run.Worker ?? "?", "no live worker reported it after the service restarted");
                    lost++;
                }
            }
        }

        if (unfinished.Count > 0) LogRecovered(resumed, lost, awaiting);
    }

    /// <summary>Tells the run's grain its attempt on that worker is gone, to dispatch it again (only enqueued: safe under the lock).</summary>
    void HandBack(string runId, string workerId, string reason) => grains.Run(runId).WorkerLostAsync(workerId, reason).Ignore();

    /// <summary>Frees the slot of a run's grant; a late release of an earlier attempt leaves the current one alone.</summary>
    WorkerState? FreeSlot(string workerId, string runId)
    {
        if (!_grants.TryGetValue(runId, out var hold) || hold.WorkerId != workerId) return null;
        _grants.Remove(runId);
        ReleaseLimits(hold.Limits);
        if (!_workers.TryGetValue(workerId, out var worker)) return null;
        worker.Drop(runId);
        return worker;
    }

    /// <summary>
    /// The worker is the authority on what it runs: grants it has not reported for a while ended without their release
    /// reaching us (the service restarted between grant and start, say), so their slots are freed.
    /// </summary>
    void ReleaseUnreported(WorkerState worker, IReadOnlyList<RunningAttempt> running)
    {
        var reported = running.Select(r => r.RunId).ToHashSet();
        var stale = worker.Granted.Where(runId => !reported.Contains(runId) && Stopwatch.GetElapsedTime(_grants[runId].GrantedAt) > UnreportedGrant).ToList();
        foreach (var runId in stale) FreeSlot(worker.Id, runId);
    }

    SlotGrant Grant(WorkerState worker, string runId, RoutineKind? kind, IReadOnlyList<LimitSlot> limits)
    {
        _grants[runId] = new SlotHold(worker.Id, Stopwatch.GetTimestamp(), limits);
        foreach (var limit in limits) _limitCounts[limit.Key] = _limitCounts.GetValueOrDefault(limit.Key) + 1;
        worker.Hold(runId, kind == RoutineKind.Workflow ? RoutineKind.Workflow : RoutineKind.Task);
        return new SlotGrant(worker.Id, null);
    }

    /// <summary>Hands the scheduler the schedules declared on a worker's routines: of a routine's versions, the newest one's.</summary>
    void DeclareSchedules(IReadOnlyList<RoutineDescriptor> routines)
    {
        var declared = routines.GroupBy(r => r.Id.Name, StringComparer.Ordinal)
            .SelectMany(g => g.MaxBy(r => r.Id.Version!, VersionComparer.Instance)!.Schedules)
            .ToList();
        if (declared.Count > 0) grains.Scheduler().DeclareAsync(declared).Ignore();
    }

    /// <summary>The worker left the cluster: its runs are handed back to be dispatched again.</summary>
    void Remove(WorkerState worker, string reason, bool stopped = false)
    {
        _workers.Remove(worker.Id);
        starts.Forget(worker.Id);
        catalog.Update(_workers.Values.SelectMany(w => w.Descriptors));
        if (stopped) LogWorkerStopped(worker.Name, worker.Id, worker.Granted.Count);
        else LogWorkerLost(worker.Name, worker.Id, reason, worker.Granted.Count);
        foreach (var runId in worker.Granted)
        {
            if (_grants.Remove(runId, out var hold)) ReleaseLimits(hold.Limits);
            HandBack(runId, worker.Id, stopped ? $"worker {worker.Name} stopped" : $"worker {worker.Name} was lost ({reason})");
        }
    }

    /// <summary>
    /// Membership can know a worker's silo is gone a moment before the check above drops the worker (it runs every
    /// second): such a worker is given nothing, or its runs would be sent to a silo Orleans no longer places on.
    /// </summary>
    bool IsLive(SiloAddress silo) => membership.CurrentSnapshot.GetSiloStatus(silo) == SiloStatus.Active;

    /// <summary>Whether membership counts the worker's silo active. A worker's id is its silo's address (<see cref="WorkerState.Silo"/>).</summary>
    public bool IsLive(string workerId) => IsLive(SiloAddress.FromParsableString(workerId));

    /// <summary>Gives the worker's free slots to the queued runs it can execute, best first.</summary>
    void DrainQueuesOnto(WorkerState worker)
    {
        if (worker.Terminating || worker.Initializing || !IsLive(worker.Silo)) return;
        while (NextRunFor(worker) is { } run)
        {
            Grant(worker, run.RunId, run.Kind, run.Limits);
            grains.Run(run.RunId).AssignAsync(worker.Id).Ignore();
        }
    }

    QueuedRun? NextRunFor(WorkerState worker)
    {
        // Every run in a line (or parked on a limit) is in _queued: with none waiting, no line is looked at.
        if (_queued.Count == 0) return null;
        var now = clock.GetUtcNow();
        while (true)
        {
            // Only lines that hold runs are kept, so this looks at what waits, not at every routine the worker offers.
            (QueuedRun Run, RunLine.Standing Standing, RunLine Line, QueueKey Key)? best = null;
            foreach (var (key, line) in _lines)
            {
                if (key.Worker is { } only && only != worker.Id) continue;
                if (key.Routine.Kind == RoutineKind.Task && worker.FreeSlots <= 0) continue;
                if (!worker.Routines.Contains(key.Routine)) continue;
                if (line.Peek(now, Dropped) is not { } head)
                {
                    _lines.Remove(key); // every run in it was cancelled; removing while enumerating is allowed since .NET Core 3.0
                    continue;
                }

                if (best is null || head.Standing.CompareTo(best.Value.Standing) > 0) best = (head.Run, head.Standing, line, key);
            }

            if (best is not { } next) return null;
            next.Line.Dequeue(next.Run);
            if (next.Line.Count == 0) _lines.Remove(next.Key);
            if (FullLimit(next.Run.Limits) is { } full)
            {
                Park(full, next.Run, next.Key); // still queued, on the limit now; the next best may run
                continue;
            }

            _queued.Remove(next.Run.RunId);
            return next.Run;
        }
    }

    /// <summary>A run cancelled while it waited: forgotten as it comes up.</summary>
    bool Dropped(QueuedRun run)
    {
        if (!_forgotten.Remove(run.RunId)) return false;
        _queued.Remove(run.RunId);
        return true;
    }

    /// <summary>The first of the limits that has as many runs as it allows, or null.</summary>
    LimitSlot? FullLimit(IReadOnlyList<LimitSlot> limits)
    {
        foreach (var limit in limits)
        {
            if (_limitCounts.GetValueOrDefault(limit.Key) >= limit.Max) return limit;
        }

        return null;
    }

    void Park(LimitSlot limit, QueuedRun run, QueueKey line)
    {
        if (!_parked.TryGetValue(limit.Key, out var parked)) _parked[limit.Key] = parked = new(BestFirst);
        parked.Enqueue((run, line), new RunLine.Standing(run.Priority, run.Sequence));
    }

    /// <summary>
    /// A run counted against these limits ended: as many runs parked on each as it now has room for go back to their
    /// lines, and the workers able to take them are given them.
    /// </summary>
    void ReleaseLimits(IReadOnlyList<LimitSlot> limits)
    {
        foreach (var limit in limits)
        {
            var count = _limitCounts.GetValueOrDefault(limit.Key) - 1;
            if (count > 0) _limitCounts[limit.Key] = count;
            else _limitCounts.Remove(limit.Key);
            if (!_parked.TryGetValue(limit.Key, out var parked)) continue;

            var returned = new List<RoutineId>();
            for (var room = limit.Max - count; room > 0 && parked.TryDequeue(out var waiting, out _);)
            {
                if (Dropped(waiting.Run)) continue;
                LineOf(waiting.Line).Enqueue(waiting.Run);
                returned.Add(waiting.Line.Routine);
                room--;
            }

            if (parked.Count == 0) _parked.Remove(limit.Key);
            foreach (var worker in _workers.Values.Where(w => returned.Any(w.CanTake)).ToList()) DrainQueuesOnto(worker);
        }
    }

    int Waiting(QueueKey key) => _lines.TryGetValue(key, out var line) ? line.Count : 0;

    int Ahead(QueueKey key, int priority) => _lines.TryGetValue(key, out var line) ? line.AtOrAbove(priority) : 0;

    /// <summary>The line for the key, made when a run joins it; a line is removed once empty.</summary>
    RunLine LineOf(QueueKey key)
    {
        if (!_lines.TryGetValue(key, out var line)) _lines[key] = line = new RunLine(options.Value.PriorityAging);
        return line;
    }

    sealed class WorkerState(string id)
    {
        public string Id { get; } = id;

        public SiloAddress Silo { get; } = SiloAddress.FromParsableString(id);

        public string Name { get; set; } = id;

        public int Slots { get; set; }

        public HashSet<RoutineId> Routines { get; set; } = [];

        public IReadOnlyList<RoutineDescriptor> Descriptors { get; set; } = [];

        /// <summary>The routines of attempts the worker gave up on that still run (they ignore their token).</summary>
        public IReadOnlyList<string> Abandoned { get; set; } = [];

        readonly Dictionary<string, RoutineKind> _granted = [];

        /// <summary>This worker's share of the dispatcher's grants; only <see cref="Hold"/> and <see cref="Drop"/> change it and the counts.</summary>
        public IReadOnlyCollection<string> Granted => _granted.Keys;

        public int BusySlots { get; private set; }

        public int Workflows => _granted.Count - BusySlots;

        public void Hold(string runId, RoutineKind kind)
        {
            Drop(runId);
            _granted[runId] = kind;
            if (kind == RoutineKind.Task) BusySlots++;
        }

        public void Drop(string runId)
        {
            if (_granted.Remove(runId, out var kind) && kind == RoutineKind.Task) BusySlots--;
        }

        public DateTimeOffset LastHeartbeat { get; set; }

        /// <summary>When the last heartbeat came, on the machine's clock (<see cref="Stopwatch"/>), not the engine's.</summary>
        public long HeardAt { get; set; }

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

    /// <param name="GrantedAt">A <see cref="Stopwatch"/> timestamp.</param>
    readonly record struct SlotHold(string WorkerId, long GrantedAt, IReadOnlyList<LimitSlot> Limits);
}
