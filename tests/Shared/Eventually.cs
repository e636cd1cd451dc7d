namespace Routines.Tests.Shared;

/// <summary>Waits on a condition by polling it, with a deadline and a message saying what was awaited.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                // A probe that hangs must not outlive the deadline.
                if (await probe().WaitAsync(deadline - DateTime.UtcNow) is { } value) return value;
            }
            catch (Exception exception)
            {
                last = exception;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.", last);
    }

    public static Task TrueAsync(Func<Task<bool>> probe, TimeSpan timeout, string what)
        => ReturnsAsync(async () => await probe() ? "" : null, timeout, what);
}
