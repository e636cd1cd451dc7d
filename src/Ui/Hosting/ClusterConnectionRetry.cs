namespace Routines.Ui.Hosting;

/// <summary>
/// Keeps the console's Orleans client trying to reach the cluster instead of failing the process at start: the console
/// shows a banner until the service answers.
/// </summary>
internal sealed class ClusterConnectionRetry : IClientConnectionRetryFilter
{
    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return true;
    }
}
