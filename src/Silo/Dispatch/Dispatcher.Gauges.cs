using System.Diagnostics.Metrics;
using Routines.Client;

namespace Routines.Silo.Dispatch;

internal sealed partial class Dispatcher
{
    /// <summary>Runs in line for a slot, by routine name (a cancelled run still in line is not counted).</summary>
    public IEnumerable<Measurement<int>> PendingByRoutine()
    {
        lock (_gate)
        {
            return _queues.GroupBy(q => q.Key.Routine.Name, q => q.Value)
                .Select(g => new Measurement<int>(g.Sum(queue => queue.Count(r => !_forgotten.Contains(r.RunId))), new KeyValuePair<string, object?>("routine", g.Key)))
                .ToList();
        }
    }

    /// <summary>Workers by status; every status is reported, at zero too, so a dashboard's series never vanish.</summary>
    public IEnumerable<Measurement<int>> WorkersByStatus()
    {
        lock (_gate)
        {
            return Enum.GetValues<WorkerStatus>()
                .Select(s => new Measurement<int>(_workers.Values.Count(w => w.Status == s), new KeyValuePair<string, object?>("status", s.ToString())))
                .ToList();
        }
    }

    /// <summary>Each worker's task slots: busy (<paramref name="busy"/>) or all of them.</summary>
    public IEnumerable<Measurement<int>> SlotsByWorker(bool busy)
    {
        lock (_gate)
            return _workers.Values.Select(w => new Measurement<int>(busy ? w.BusySlots : w.Slots, new KeyValuePair<string, object?>("worker", w.Name))).ToList();
    }
}
