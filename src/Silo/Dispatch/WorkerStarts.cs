using System.Collections.Concurrent;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Dispatch;

/// <summary>
/// The service's starts, sent to each worker in batches: the run grains of a busy queue start their attempts on a
/// worker with one call between them rather than one each.
/// </summary>
internal sealed class WorkerStarts(IGrainFactory grains)
{
    readonly ConcurrentDictionary<string, BatchingSender<ExecutionRequest>> _links = new();

    /// <summary>Completes once the worker has the request; fails as the call carrying it failed.</summary>
    public Task SendAsync(string workerId, ExecutionRequest request)
    {
        if (!_links.TryGetValue(workerId, out var link))
            link = _links.GetOrAdd(workerId, id => new BatchingSender<ExecutionRequest>(batch => grains.Worker(id).StartAsync(batch)));
        return link.SendAsync(request);
    }

    /// <summary>The worker is gone for good (a worker that comes back has a new id).</summary>
    public void Forget(string workerId) => _links.TryRemove(workerId, out _);
}
