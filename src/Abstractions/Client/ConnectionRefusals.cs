using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace Routines.Client;

/// <summary>
/// Decides, when a client cannot connect at start, whether to try again: a gateway that closes the connection during
/// Orleans' handshake belongs to another cluster, which no waiting mends, so that fails at once with a message saying
/// so; a gateway that is not there yet (a service still starting) is tried again for the outage tolerance.
/// </summary>
internal sealed class ConnectionRefusals(RoutinesClientOptions options, TimeProvider clock, ILogger<ConnectionRefusals> logger)
    : IClientConnectionRetryFilter
{
    DateTimeOffset? _firstFailure;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (Chain(exception).Any(e => e is ConnectionAbortedException || e.Message == "Connection terminated prematurely"))
        {
            throw new RoutinesUnavailableException(
                $"The gateway at {options.GatewayEndpoint} accepted the connection and closed it during the handshake: it serves another "
              + $"cluster than this client's Routines:Cluster:ClusterId '{options.ClusterId}' (check the service's), or it needs TLS.");
        }

        var tolerance = options.OutageTolerance ?? ServiceOutage.ClientTolerance;
        _firstFailure ??= clock.GetUtcNow();
        if (clock.GetUtcNow() - _firstFailure >= tolerance || exception is not ConnectionFailedException)
        {
            throw new RoutinesUnavailableException(
                $"No Routines service answers at {options.GatewayEndpoint} ({Chain(exception).Last().Message}); waited {tolerance.TotalSeconds:0} s. "
              + "Is it running, and is Routines:Cluster:GatewayEndpoint its gateway?");
        }

        logger.LogWarning("No Routines service answers at {Gateway} yet; trying again for up to {Seconds:0} s.", options.GatewayEndpoint, tolerance.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(1), clock, cancellationToken);
        return true;
    }

    static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) yield return e;
    }
}
