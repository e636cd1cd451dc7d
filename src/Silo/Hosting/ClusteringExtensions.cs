using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Routines.Client;
using Routines.Silo.Dispatch;
using Routines.Silo.Runs;

namespace Routines.Silo.Hosting;

/// <summary>Joins silos to a Routines cluster as <see cref="RoutinesClusterOptions"/> say.</summary>
internal static class ClusteringExtensions
{
    /// <summary>Membership, endpoints and failure detection for a silo of the given role.</summary>
    public static ISiloBuilder UseRoutinesClustering(this ISiloBuilder silo, RoutinesClusterOptions options, SiloRole role)
    {
        if (options.Validate() is { } error) throw new InvalidOperationException(error);

        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
        if (options.SiloName is { Length: > 0 } name) silo.Configure<SiloOptions>(o => o.SiloName = name);
        var address = IPAddress.Parse(options.AdvertisedAddress);
        var siloPort = options.SiloPort == 0 ? FreePort.Next() : options.SiloPort;
        var gatewayPort = role.HasFlag(SiloRole.Service) ? options.GatewayPort : 0; // workers take no client connections
        switch (options.Provider)
        {
            case ClusterProvider.Postgres:
                silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", options.ConnectionString!));
                silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = ("Npgsql", options.ConnectionString!));
                silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: options.ListenOnAnyAddress);
                break;
            default:
                var primary = IPEndPoint.Parse(options.PrimarySiloEndpoint);
                silo.UseDevelopmentClustering(role.HasFlag(SiloRole.Service) ? null : primary);
                silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: options.ListenOnAnyAddress);
                break;
        }

        if (options.Tls.Enabled) silo.UseTls(ClusterTls.Load(options.Tls).Configure);

        // Declare a killed worker dead in about six seconds (the defaults take longer): a probe every two seconds, three
        // missed probes, and the default two votes, so one starved silo cannot evict a healthy one on its own.
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });

        // A silo only hosts the grains of its role: workers never activate run records or the dispatcher.
        if (!role.HasFlag(SiloRole.Service))
        {
            // Every grain class of this assembly is the service's (a worker's own grain lives in Routines.Worker).
            silo.Configure<GrainTypeOptions>(o => o.Classes.RemoveWhere(type => type.Assembly == typeof(RunGrain).Assembly));
        }

        return silo;
    }
}
