namespace Routines.Silo.Hosting;

/// <summary>
/// Sends items to one destination with one call per batch (<see cref="Batcher{T}"/>): an item sent while no call is in
/// flight goes at once; items sent while one is in flight go together in the next. Each item's task completes when
/// the call carrying it returns, and fails with that call's error.
/// </summary>
internal sealed class BatchingSender<T>
{
    /// <summary>Bounds a call's message: a backlog is sent in several calls, one after another.</summary>
    const int MaxBatchSize = 500;

    readonly Batcher<(T Item, TaskCompletionSource Sent)> _batcher;

    public BatchingSender(Func<IReadOnlyList<T>, Task> send)
        => _batcher = new(async batch =>
        {
            var items = new T[batch.Count];
            for (var i = 0; i < batch.Count; i++) items[i] = batch[i].Item;
            try
            {
                await send(items).ConfigureAwait(false);
                foreach (var (_, sent) in batch) sent.TrySetResult();
            }
            catch (Exception exception)
            {
                foreach (var (_, sent) in batch) sent.TrySetException(exception);
            }
        }, new BatchLimits(MaxBatchSize));

    public Task SendAsync(T item)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _batcher.TryAdd((item, sent));
        return sent.Task;
    }
}
