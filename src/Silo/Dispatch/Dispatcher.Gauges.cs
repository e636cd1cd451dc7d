using System.Diagnostics.Metrics;
using Routines.Client;

namespace Routines.Silo.Dispatch;

internal sealed partial class Dispatcher
{
    /// <summary>
    /// Runs in line for a slot, by routine name (a cancelled run still in line is not counted); every routine a live
    /// worker offers is reported, at zero too, so its series exists before anything waits.
    /// </summary>
    public IEnumerable<Measurement<int>> PendingByRoutine()
    {
        lock (_gate)
        {
            var waiting = catalog.Live.Select(r => r.Id.Name).Distinct().ToDictionary(name => name, _ => 0, StringComparer.Ordinal);
            // In a line, or parked on a full concurrency limit.
            var queued = _lines.SelectMany(l => l.Value.Runs.Select(run => (l.Key.Routine, Run: run)))
                .Concat(_parked.Values.SelectMany(p => p.UnorderedItems.Select(i => (i.Element.Line.Routine, i.Element.Run))));
            foreach (var (routine, _) in queued.Where(q => !_forgotten.Contains(q.Run.RunId)))
                waiting[routine.Name] = waiting.GetValueOrDefault(routine.Name) + 1;
            return waiting.Select(w => new Measurement<int>(w.Value, new KeyValuePair<string, object?>("routine", w.Key))).ToList();
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
