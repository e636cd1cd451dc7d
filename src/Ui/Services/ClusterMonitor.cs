namespace Routines.Ui.Services;

/// <summary>
/// Probes the cluster every two seconds, so the unreachable banner appears even on a page that is not refreshing
/// and clears on its own when the service answers again.
/// </summary>
internal sealed class ClusterMonitor(ConsoleData data, TimeProvider time, ILogger<ClusterMonitor> logger) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await data.ProbeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // ConsoleData has already told ClusterHealth; this is only for the console's own log.
                logger.LogDebug(exception, "Cluster probe failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
