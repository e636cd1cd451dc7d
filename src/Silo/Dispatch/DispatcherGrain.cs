using Orleans.Concurrency;
using Routines.Cluster;

namespace Routines.Silo.Dispatch;

/// <summary>
/// Capability-aware dispatch: a run goes only to a worker hosting its exact routine; a task takes a slot on the
/// capable worker with the most free slots, or waits in that routine's queue. Workflows only orchestrate, so they
/// take no task slot (otherwise workflows waiting on children could hold every slot and starve their own children).
/// </summary>
[Reentrant]
internal sealed class DispatcherGrain(RoutineCatalog catalog) : Grain, IDispatcherGrain
{
    readonly Dictionary<string, WorkerState> _workers = [];
    readonly Dictionary<RoutineId, Queue<QueuedRun>> _queues = [];
    readonly HashSet<string> _forgotten = [];
    long _sequence;

    public Task RegisterWorkerAsync(WorkerRegistration registration)
    {
        var worker = new WorkerState(registration.WorkerId, registration.Slots,
            registration.Routines.Select(r => r.Id).ToHashSet());
        if (_workers.Remove(registration.WorkerId, out var previous)) worker.BusySlots = previous.BusySlots;
        _workers[registration.WorkerId] = worker;
        catalog.Register(registration);
        DrainQueuesOnto(worker);
        return Task.CompletedTask;
    }

    public Task<RoutineDescriptor> ResolveAsync(string routineId) => Task.FromResult(catalog.Resolve(routineId));

    public Task<SlotGrant> AcquireAsync(SlotRequest request)
    {
        var capable = _workers.Values.Where(w => w.Routines.Contains(request.Routine)).ToList();
        if (request.Routine.Kind == RoutineKind.Workflow && capable.Count > 0)
        {
            var chosen = capable.MinBy(w => w.Workflows)!;
            chosen.Workflows++;
            return Task.FromResult(new SlotGrant(chosen.Id, null));
        }

        var free = capable.Where(w => w.FreeSlots > 0).MaxBy(w => w.FreeSlots);
        var queue = QueueOf(request.Routine);
        if (free is not null && queue.Count == 0)
        {
            free.BusySlots++;
            return Task.FromResult(new SlotGrant(free.Id, null));
        }

        var reason = capable.Count == 0
            ? $"no live worker advertises {request.Routine.Display}"
            : $"all {capable.Count} capable worker{(capable.Count == 1 ? " is" : "s are")} busy, {queue.Count} ahead";
        queue.Enqueue(new QueuedRun(request.RunId, ++_sequence, request.Routine.Kind!.Value));
        return Task.FromResult(new SlotGrant(null, reason));
    }

    public Task ReleaseAsync(string workerId, RoutineKind kind)
    {
        if (!_workers.TryGetValue(workerId, out var worker)) return Task.CompletedTask;
        if (kind == RoutineKind.Workflow) worker.Workflows = Math.Max(0, worker.Workflows - 1);
        else worker.BusySlots = Math.Max(0, worker.BusySlots - 1);
        DrainQueuesOnto(worker);
        return Task.CompletedTask;
    }

    public Task ForgetAsync(string runId)
    {
        _forgotten.Add(runId);
        return Task.CompletedTask;
    }

    /// <summary>Gives the worker's free slots to the oldest queued runs it can execute.</summary>
    void DrainQueuesOnto(WorkerState worker)
    {
        while (NextRunFor(worker) is { } run)
        {
            if (run.Kind == RoutineKind.Workflow) worker.Workflows++;
            else worker.BusySlots++;
            GrainFactory.GetGrain<IRunGrain>(run.RunId).AssignAsync(worker.Id).Ignore();
        }
    }

    QueuedRun? NextRunFor(WorkerState worker)
    {
        Queue<QueuedRun>? oldest = null;
        foreach (var routine in worker.Routines)
        {
            if (routine.Kind == RoutineKind.Task && worker.FreeSlots == 0) continue;
            if (!_queues.TryGetValue(routine, out var queue)) continue;
            while (queue.TryPeek(out var head) && _forgotten.Remove(head.RunId)) queue.Dequeue();
            if (queue.Count > 0 && (oldest is null || queue.Peek().Sequence < oldest.Peek().Sequence)) oldest = queue;
        }

        return oldest?.Dequeue();
    }

    Queue<QueuedRun> QueueOf(RoutineId routine)
    {
        if (!_queues.TryGetValue(routine, out var queue)) _queues[routine] = queue = new Queue<QueuedRun>();
        return queue;
    }

    sealed class WorkerState(string id, int slots, HashSet<RoutineId> routines)
    {
        public string Id { get; } = id;

        public HashSet<RoutineId> Routines { get; } = routines;

        public int BusySlots { get; set; }

        public int Workflows { get; set; }

        public int FreeSlots => slots - BusySlots;
    }

    sealed record QueuedRun(string RunId, long Sequence, RoutineKind Kind);
}
