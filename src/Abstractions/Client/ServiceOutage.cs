using System.Diagnostics;

namespace Routines.Client;

/// <summary>
/// What a passing outage looks like to a caller (the service restarting, its database away), and how a call that is
/// safe to repeat waits it out.
/// </summary>
internal static class ServiceOutage
{
    /// <summary>How long the client repeats a read, a wait or a keyed submit while the service is away, by default.</summary>
    public static readonly TimeSpan ClientTolerance = TimeSpan.FromMinutes(2);

    /// <summary>The service could not be reached, did not answer in time, or could not reach its store.</summary>
    public static bool IsPassing(Exception exception)
        => exception is OrleansException or TimeoutException or RoutinesUnavailableException
           || exception.InnerException is { } inner && IsPassing(inner);

    /// <summary>Calls until the call answers, fails for another reason, or the outage outlasts <paramref name="tolerance"/>.</summary>
    public static async Task<T> RepeatAsync<T>(TimeSpan tolerance, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await call().WaitAsync(cancellationToken);
            }
            catch (Exception exception) when (IsPassing(exception) && !cancellationToken.IsCancellationRequested
                                              && Stopwatch.GetElapsedTime(started) < tolerance)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * tries, 2000)), cancellationToken);
            }
        }
    }
}
