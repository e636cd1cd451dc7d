namespace Routines.Silo.Hosting;

/// <summary>
/// The one "at once when idle, together while busy" loop, shared by both run stores and <see cref="BatchingSender{T}"/>:
/// an item added while no flush is in flight is flushed at once; items added meanwhile go together in the next flush,
/// within <see cref="BatchLimits"/>. An idle store or link adds no delay, a busy one carries many items per flush.
/// </summary>
/// <param name="flush">Delivers a batch and completes whatever its items promised; an exception it lets out is dropped
/// (the loop must never end, or every later item would wait forever).</param>
internal sealed class Batcher<T>(Func<IReadOnlyList<T>, Task> flush, BatchLimits limits, Func<T, long>? sizeOf = null)
{
    readonly Lock _lock = new();
    List<T> _waiting = [];
    bool _flushing;
    bool _closed;
    TaskCompletionSource? _drained;

    /// <summary>Queues the item; false once <see cref="CloseAsync"/> was called.</summary>
    public bool TryAdd(T item)
    {
        lock (_lock)
        {
            if (_closed) return false;
            _waiting.Add(item);
            if (_flushing) return true;
            _flushing = true;
        }

        // A flush that blocks (SQLite's commit) must not run on the caller's thread, a grain's; one that awaits I/O
        // starts there and saves a thread hop, continuing off the caller's context after its first await.
        if (limits.OffCallerThread) _ = Task.Run(FlushLoopAsync);
        else _ = FlushLoopAsync();
        return true;
    }

    /// <summary>Takes no more items and completes once every queued one has been flushed.</summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            _closed = true;
            if (!_flushing) return Task.CompletedTask;
            return (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    async Task FlushLoopAsync()
    {
        while (true)
        {
            List<T> batch;
            lock (_lock)
            {
                if (_waiting.Count == 0)
                {
                    _flushing = false;
                    _drained?.TrySetResult();
                    return;
                }

                batch = TakeBatch();
            }

            try
            {
                await flush(batch).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A flush completes its own items; see the parameter's comment.
            }
        }
    }

    /// <summary>The oldest items within the limits; at least one, however large.</summary>
    List<T> TakeBatch()
    {
        var count = 0;
        long size = 0;
        while (count < _waiting.Count && count < limits.MaxCount)
        {
            size += sizeOf?.Invoke(_waiting[count]) ?? 0;
            if (count > 0 && size > limits.MaxSize) break;
            count++;
        }

        if (count == _waiting.Count)
        {
            var all = _waiting;
            _waiting = [];
            return all;
        }

        var batch = _waiting[..count];
        _waiting.RemoveRange(0, count);
        return batch;
    }
}

/// <summary>How much one flush of a <see cref="Batcher{T}"/> carries, and where it runs.</summary>
/// <param name="MaxCount">Items per flush.</param>
/// <param name="MaxSize">Total size per flush, by the batcher's size function (none: unbounded).</param>
/// <param name="OffCallerThread">Start the loop on the thread pool: for a flush that blocks.</param>
internal sealed record BatchLimits(int MaxCount, long MaxSize = long.MaxValue, bool OffCallerThread = false);
