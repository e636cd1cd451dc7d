namespace Routines.Silo.Runs;

/// <summary>
/// Cacheable task runs in flight, by cache key: a run identical to one that is Pending or Running waits for it and
/// takes its output, rather than computing it again (decision #37). One per service silo, in memory: after a service
/// restart the waiting runs are dispatched like any Pending run, and at worst compute their output themselves.
/// </summary>
internal sealed class IdenticalRuns
{
    readonly Lock _gate = new();
    readonly Dictionary<string, (string Leader, List<string> Followers)> _inFlight = [];

    /// <summary>Null when the run leads (no identical run is in flight), else the id of the run it follows.</summary>
    public string? Join(string cacheKey, string runId)
    {
        lock (_gate)
        {
            if (_inFlight.TryGetValue(cacheKey, out var flight) && flight.Leader != runId)
            {
                if (!flight.Followers.Contains(runId)) flight.Followers.Add(runId);
                return flight.Leader;
            }

            _inFlight[cacheKey] = (runId, flight.Followers ?? []);
            return null;
        }
    }

    /// <summary>The leader ended: the runs that waited for it.</summary>
    public IReadOnlyList<string> End(string cacheKey, string leader)
    {
        lock (_gate)
        {
            if (!_inFlight.TryGetValue(cacheKey, out var flight) || flight.Leader != leader) return [];
            _inFlight.Remove(cacheKey);
            return flight.Followers;
        }
    }
}
