using Routines.Silo.Hosting;

namespace Routines.Silo.Tests.Runs;

/// <summary>The link that carries the service's starts and the workers' results, many per call.</summary>
public sealed class BatchingSenderTests
{
    /// <summary>A destination whose calls stay in flight until the test lets each one return.</summary>
    sealed class HeldCalls
    {
        public List<IReadOnlyList<int>> Batches { get; } = [];

        public List<TaskCompletionSource> Returns { get; } = [];

        public Task Send(IReadOnlyList<int> batch)
        {
            var returned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (Batches)
            {
                Batches.Add(batch);
                Returns.Add(returned);
            }

            return returned.Task;
        }

        public async Task WaitForCallsAsync(int count)
        {
            for (var i = 0; i < 500 && Count < count; i++) await Task.Delay(10);
            Assert.Equal(count, Count);
        }

        int Count
        {
            get { lock (Batches) return Batches.Count; }
        }
    }

    /// <summary>A sender whose first call, carrying <paramref name="item"/>, is in flight.</summary>
    static async Task<(HeldCalls Calls, BatchingSender<int> Sender, Task First)> FirstCallInFlightAsync(int item)
    {
        var calls = new HeldCalls();
        var sender = new BatchingSender<int>(calls.Send);
        var first = sender.SendAsync(item);
        await calls.WaitForCallsAsync(1);
        return (calls, sender, first);
    }

    [Fact]
    public async Task AnIdleLinkSendsAtOnce_ItemsSentMeanwhileGoTogetherInTheNextCall()
    {
        var (calls, sender, first) = await FirstCallInFlightAsync(1);
        var rest = Enumerable.Range(2, 5).Select(sender.SendAsync).ToList();
        Assert.Equal([1], calls.Batches[0]);
        Assert.False(first.IsCompleted); // an item is sent when the call carrying it returns, not when it is queued

        calls.Returns[0].SetResult();
        await first;
        await calls.WaitForCallsAsync(2);
        Assert.Equal([2, 3, 4, 5, 6], calls.Batches[1]);
        Assert.All(rest, t => Assert.False(t.IsCompleted));

        calls.Returns[1].SetResult();
        await Task.WhenAll(rest);
    }

    [Fact]
    public async Task AFailedCallFailsOnlyItsOwnItems_WithItsError()
    {
        var (calls, sender, first) = await FirstCallInFlightAsync(1);
        var second = sender.SendAsync(2);
        var third = sender.SendAsync(3);

        calls.Returns[0].SetException(new InvalidOperationException("the worker's silo is gone"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        Assert.Equal("the worker's silo is gone", error.Message);

        await calls.WaitForCallsAsync(2); // the link goes on with what was queued behind the failed call
        Assert.Equal([2, 3], calls.Batches[1]);
        calls.Returns[1].SetResult();
        await Task.WhenAll(second, third);

        var later = sender.SendAsync(4); // and is idle again: the next item goes at once
        await calls.WaitForCallsAsync(3);
        Assert.Equal([4], calls.Batches[2]);
        calls.Returns[2].SetResult();
        await later;
    }

    [Fact]
    public async Task ABacklogIsSentInBoundedCalls_InOrder()
    {
        var (calls, sender, first) = await FirstCallInFlightAsync(0);
        var backlog = Enumerable.Range(1, 1_200).Select(sender.SendAsync).ToList();

        calls.Returns[0].SetResult();
        for (var call = 1; call <= 3; call++)
        {
            await calls.WaitForCallsAsync(call + 1);
            calls.Returns[call].SetResult();
        }

        await Task.WhenAll(backlog.Append(first));
        Assert.Equal([1, 500, 500, 200], calls.Batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 1_201), calls.Batches.SelectMany(b => b));
    }
}
