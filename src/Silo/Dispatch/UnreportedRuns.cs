namespace Routines.Silo.Dispatch;

/// <summary>
/// Running runs a restarted service found on workers still in the cluster that had not reported since the restart. A
/// worker's heartbeat can be held up on the old service's silo until membership declares it dead, so such a run is
/// not handed back at once (it would run twice): it waits for its worker's first heartbeat, which says whether the
/// worker still runs it, for the worker to leave the cluster, or for the timeout, whichever comes first.
/// </summary>
/// <remarks>Not thread-safe: the <see cref="Dispatcher"/> calls it under its lock.</remarks>
internal sealed class UnreportedRuns(TimeSpan timeout)
{
    readonly Dictionary<string, (string WorkerId, DateTimeOffset Since)> _runs = []; // by run id

    public void Add(string runId, string workerId, DateTimeOffset now) => _runs[runId] = (workerId, now);

    /// <summary>The worker's first heartbeat since the restart: its awaited runs it does not report, to hand back.</summary>
    public List<string> Reported(string workerId, Func<string, bool> reportsRun)
    {
        var ofWorker = _runs.Where(r => r.Value.WorkerId == workerId).Select(r => r.Key).ToList();
        foreach (var runId in ofWorker) _runs.Remove(runId);
        return ofWorker.Where(runId => !reportsRun(runId)).ToList();
    }

    /// <summary>Awaited runs whose worker left the cluster or that waited past the timeout, to hand back, with the reason.</summary>
    public List<(string RunId, string WorkerId, string Reason)> Overdue(Func<string, bool> workerIsLive, DateTimeOffset now)
    {
        var overdue = new List<(string, string, string)>();
        foreach (var (runId, (workerId, since)) in _runs)
        {
            var reason = !workerIsLive(workerId) ? "its worker left the cluster without reporting it after the service restarted"
                : now - since > timeout ? $"its worker did not report it within {timeout.TotalSeconds:0} s of the service's restart"
                : null;
            if (reason is not null) overdue.Add((runId, workerId, reason));
        }

        foreach (var (runId, _, _) in overdue) _runs.Remove(runId);
        return overdue;
    }
}
