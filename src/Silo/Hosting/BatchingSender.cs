namespace Routines.Silo.Hosting;

/// <summary>
/// Sends items to one destination with one call per batch, the way the run store commits writes: an item sent while
/// no call is in flight goes at once; items sent while one is in flight go together in the next. An idle link adds no
/// delay, a busy one carries many items per call. Each item's task completes when the call carrying it returns, and
/// fails with that call's error.
/// </summary>
internal sealed class BatchingSender<T>(Func<IReadOnlyList<T>, Task> send)
{
    /// <summary>Bounds a call's message: a backlog is sent in several calls, one after another.</summary>
    const int MaxBatchSize = 500;

    readonly Lock _lock = new();
    List<(T Item, TaskCompletionSource Sent)> _waiting = [];
    bool _sending;

    public Task SendAsync(T item)
    {
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _waiting.Add((item, sent));
            if (_sending) return sent.Task;
            _sending = true;
        }

        // The first call goes out from the caller's thread; the loop continues off any grain's context (the call
        // carries other senders' items, so its continuation must not queue behind the grain that happened to start it).
        _ = SendLoopAsync();
        return sent.Task;
    }

    async Task SendLoopAsync()
    {
        while (true)
        {
            List<(T Item, TaskCompletionSource Sent)> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _sending = false;
                    return;
                }

                if (_waiting.Count <= MaxBatchSize)
                {
                    batch = _waiting;
                    _waiting = [];
                }
                else
                {
                    batch = _waiting[..MaxBatchSize];
                    _waiting.RemoveRange(0, MaxBatchSize);
                }
            }

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
        }
    }
}
