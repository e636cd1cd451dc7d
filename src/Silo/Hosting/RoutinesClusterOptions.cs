using System.Net;
using Routines.Client;
using Routines.Silo.Storage.Postgres;

namespace Routines.Silo.Hosting;

/// <summary>
/// How a service or a worker joins a Routines cluster (a client needs only <see cref="Routines.Client.RoutinesClientOptions"/>); bound from the <c>Routines:Cluster</c> configuration
/// section (environment: <c>Routines__Cluster__Provider=Postgres</c>, …).
/// </summary>
internal sealed class RoutinesClusterOptions
{
    public ClusterProvider Provider { get; set; } = ClusterProvider.Localhost;

    public string ClusterId { get; set; } = "routines";

    public string ServiceId { get; set; } = "routines";

    /// <summary>PostgreSQL connection string (Provider = Postgres): membership, reminders and run records.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Applies the database migrations when the service starts (otherwise run <c>migrate</c> first).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long the service's writes wait for a PostgreSQL server that went away (a restart, a failover) before they
    /// fail; meanwhile they queue and land in order, each once, when it is back.
    /// </summary>
    public TimeSpan StoreOutageTolerance { get; set; } = PostgresRunStoreOptions.DefaultOutageTolerance;

    /// <summary>The silo-to-silo port; 0 picks a free one (workers).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients connect to; 0 means no gateway (workers take no client connections).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at (a pod IP in Kubernetes).</summary>
    public string AdvertisedAddress { get; set; } = IPAddress.Loopback.ToString();

    /// <summary>Listen on every interface while advertising <see cref="AdvertisedAddress"/> (containers, pods).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>Localhost provider: the service silo's silo-to-silo endpoint, which workers join.</summary>
    public string PrimarySiloEndpoint { get; set; } = "127.0.0.1:11111";

    /// <summary>TLS with certificates on every silo-to-silo and client-to-gateway connection.</summary>
    public RoutinesTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Lets a silo listen beyond loopback without TLS: only for a network nobody else can reach (a test rig, a mesh
    /// that encrypts and authenticates every connection itself).
    /// </summary>
    public bool TrustedNetwork { get; set; }

    /// <summary>The silo's name in membership and in the console (a pod name in Kubernetes).</summary>
    public string? SiloName { get; set; }

    /// <summary>A clear sentence for the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (Provider == ClusterProvider.Postgres && string.IsNullOrWhiteSpace(ConnectionString))
            return "Routines:Cluster:ConnectionString is required when Routines:Cluster:Provider is Postgres.";
        if (StoreOutageTolerance < TimeSpan.Zero)
            return $"Routines:Cluster:StoreOutageTolerance must not be negative (got {StoreOutageTolerance}).";
        if (SiloPort is < 0 or > 65535) return $"Routines:Cluster:SiloPort must be a port number (got {SiloPort}).";
        if (GatewayPort is < 0 or > 65535) return $"Routines:Cluster:GatewayPort must be a port number (got {GatewayPort}).";
        if (!IPAddress.TryParse(AdvertisedAddress, out var advertised))
            return $"Routines:Cluster:AdvertisedAddress must be an IP address (got '{AdvertisedAddress}').";
        if (Tls.Validate("Routines:Cluster") is { } tls) return tls;
        if (!Tls.Enabled && !TrustedNetwork && (ListenOnAnyAddress || !IPAddress.IsLoopback(advertised)))
        {
            return "This silo would listen beyond loopback without TLS: set Routines:Cluster:Tls:CertificatePath, KeyPath and CaPath "
                 + "(docs/cluster.md, \"TLS\"), or Routines:Cluster:TrustedNetwork=true if nobody else can reach this network.";
        }
        if (Provider == ClusterProvider.Localhost && !IPEndPoint.TryParse(PrimarySiloEndpoint, out _))
            return $"Routines:Cluster:PrimarySiloEndpoint must be host:port (got '{PrimarySiloEndpoint}').";
        return null;
    }
}
