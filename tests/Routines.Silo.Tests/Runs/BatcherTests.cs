using Routines.Silo.Hosting;

namespace Routines.Silo.Tests.Runs;

/// <summary>The loop both run stores and the batching link share: limits, closing, a flush that throws, blocking flushes.</summary>
public sealed class BatcherTests
{
    [Fact]
    public async Task ABacklog_IsFlushedWithinTheCountAndSizeLimits_InOrder_AndCloseWaitsForAllOfIt()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new List<int[]>();
        var batcher = new Batcher<int>(async batch =>
        {
            lock (batches) batches.Add([.. batch]);
            await gate.Task;
        }, new BatchLimits(MaxCount: 3, MaxSize: 10), sizeOf: item => item);

        batcher.TryAdd(1); // flushed at once, and held there
        foreach (var item in new[] { 2, 3, 4, 5, 6, 20, 7 }) batcher.TryAdd(item);
        var closed = batcher.CloseAsync();
        Assert.False(batcher.TryAdd(8));
        Assert.False(closed.IsCompleted);

        gate.SetResult();
        await closed.WaitAsync(TimeSpan.FromSeconds(10));
        // Three at most, ten in size at most, but always at least one item (20 alone).
        Assert.Equal([[1], [2, 3, 4], [5], [6], [20], [7]], batches);
    }

    [Fact]
    public async Task AFlushThatThrows_DoesNotEndTheLoop()
    {
        var flushed = new List<int>();
        var batcher = new Batcher<int>(batch =>
        {
            lock (flushed) flushed.AddRange(batch);
            return batch.Contains(1) ? throw new InvalidOperationException("broken") : Task.CompletedTask;
        }, new BatchLimits(MaxCount: 1));

        batcher.TryAdd(1);
        batcher.TryAdd(2);
        await batcher.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal([1, 2], flushed);
    }

    [Fact]
    public async Task OffTheCallersThread_AddingReturnsWhileABlockingFlushIsStillBlocked()
    {
        using var release = new ManualResetEventSlim();
        var batcher = new Batcher<int>(_ =>
        {
            release.Wait(); // SQLite's commit blocks its thread
            return Task.CompletedTask;
        }, new BatchLimits(MaxCount: 100, OffCallerThread: true));

        // On the caller's thread the first add would block here until the flush is released, which never comes.
        var added = Task.Factory.StartNew(() => batcher.TryAdd(1), TaskCreationOptions.LongRunning);
        Assert.True(await added.WaitAsync(TimeSpan.FromSeconds(10)));

        release.Set();
        await batcher.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
    }
}
