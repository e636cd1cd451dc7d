using System.Collections.Concurrent;
using Routines.Client;
using Routines.Cluster;
using Routines.Silo.Hosting;

namespace Routines.Silo.Dispatch;

/// <summary>
/// The service's starts, sent to each worker in batches: the run grains of a busy queue start their attempts on a
/// worker with one call between them rather than one each. Nobody waits for a start's delivery (a frozen worker would
/// hold its caller until membership declares it dead); a batch that fails tells each of its runs.
/// </summary>
internal sealed class WorkerStarts(IGrainFactory grains)
{
    /// <summary>Bounds a call's message: a backlog is sent in several calls, one after another.</summary>
    const int MaxBatchSize = 500;

    readonly ConcurrentDictionary<string, Batcher<ExecutionRequest>> _links = new();

    /// <summary>Queues the start; if it cannot be delivered, the run hears it through <see cref="IRunGrain.StartFailedAsync"/>.</summary>
    public void Send(string workerId, ExecutionRequest request)
    {
        if (!_links.TryGetValue(workerId, out var link))
            link = _links.GetOrAdd(workerId, id => new Batcher<ExecutionRequest>(batch => DeliverAsync(id, batch), new BatchLimits(MaxBatchSize)));
        link.TryAdd(request);
    }

    async Task DeliverAsync(string workerId, IReadOnlyList<ExecutionRequest> batch)
    {
        try
        {
            await grains.Worker(workerId).StartAsync(batch).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            var failure = Classify(exception);
            var error = new RunError(exception.GetType().FullName!, exception.Message, exception.StackTrace);
            foreach (var request in batch) grains.Run(request.RunId).StartFailedAsync(request.Attempt, failure, error).Ignore();
        }
    }

    /// <summary>The worker is gone for good (a worker that comes back has a new id).</summary>
    public void Forget(string workerId) => _links.TryRemove(workerId, out _);

    internal static StartFailure Classify(Exception exception)
        => IsUnreachable(exception) ? StartFailure.Unreachable
            : exception is TimeoutException || exception.InnerException is TimeoutException ? StartFailure.Unanswered
            : StartFailure.Refused;

    /// <summary>Failures that mean a message could not reach its silo, as opposed to the call failing there.</summary>
    static bool IsUnreachable(Exception exception) => exception switch
    {
        WorkerNotLiveException or OrleansMessageRejectionException => true, // the latter includes SiloUnavailableException
        // Placement's word for a target silo that has left (or whose grain types it no longer knows): a worker killed
        // between the grant and the start. Orleans gives it no type of its own (DESIGN.md, "no compatible silo").
        OrleansException { Message: var message } when message.StartsWith("No active nodes are compatible with grain", StringComparison.Ordinal) => true,
        // A worker whose cluster manifest does not know the service's grain types yet (it just joined, or the service
        // just restarted) cannot take the start: it throws resolving IRunGrain. The routine never ran.
        ArgumentException { Message: var message } when message.StartsWith("Could not find an implementation for interface Routines.", StringComparison.Ordinal) => true,
        { InnerException: { } inner } => IsUnreachable(inner),
        _ => false,
    };
}
