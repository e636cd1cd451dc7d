namespace Routines.Ui.Components;

/// <summary>
/// A page's live refresh: runs its tick at every interval until disposed, one tick at a time (a slow refresh delays
/// the next tick instead of overlapping it). The page's own calls use <see cref="Stopping"/>, cancelled on dispose.
/// </summary>
internal sealed class LiveRefresh : IDisposable
{
    readonly PeriodicTimer _timer;
    readonly CancellationTokenSource _stop = new();

    LiveRefresh(TimeSpan interval, TimeProvider time) => _timer = new PeriodicTimer(interval, time);

    public CancellationToken Stopping => _stop.Token;

    public static LiveRefresh Start(TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> tick)
    {
        var live = new LiveRefresh(interval, time);
        _ = live.LoopAsync(tick);
        return live;
    }

    async Task LoopAsync(Func<CancellationToken, Task> tick)
    {
        try
        {
            while (await _timer.WaitForNextTickAsync(_stop.Token)) await tick(_stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
            // The page (or its circuit) went away during a tick.
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _timer.Dispose();
        _stop.Dispose();
    }
}
