using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;

namespace Routines.Client;

/// <summary>
/// The client's gateway list: <see cref="RoutinesClientOptions.GatewayEndpoint"/>, with host names looked up on every
/// refresh (Orleans' static list takes IP addresses only, and a pod's address changes when it restarts).
/// </summary>
internal sealed class GatewayLookup(RoutinesClientOptions options, IOptions<GatewayOptions> gateway, ILogger<GatewayLookup> logger)
    : IGatewayListProvider
{
    public TimeSpan MaxStaleness => gateway.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public async Task<IList<Uri>> GetGateways()
    {
        var gateways = new List<Uri>();
        foreach (var (host, port) in options.Gateways())
        {
            foreach (var address in await AddressesOfAsync(host))
                gateways.Add(SiloAddress.New(address, port, 0).ToGatewayUri());
        }

        return gateways;
    }

    async Task<IPAddress[]> AddressesOfAsync(string host)
    {
        if (IPAddress.TryParse(host, out var address)) return [address];
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host);
            // "localhost" also gives ::1, where a service advertising 127.0.0.1 does not listen: IPv4 first when there is any.
            var v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork).ToArray();
            return v4.Length > 0 ? v4 : addresses;
        }
        catch (SocketException exception)
        {
            logger.LogWarning("The gateway host {Host} was not found ({Error}); trying again at the next refresh.", host, exception.Message);
            return [];
        }
    }
}
