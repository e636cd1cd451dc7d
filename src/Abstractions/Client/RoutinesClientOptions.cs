namespace Routines.Client;

/// <summary>
/// How a program reaches a Routines cluster: through the service's gateway. Bound from the <c>Routines:Cluster</c>
/// section, which the service and workers read too (a client uses only these keys); environment:
/// <c>Routines__Cluster__GatewayEndpoint=routines-gateway:30000</c>.
/// </summary>
public sealed class RoutinesClientOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Routines:Cluster";

    public string ClusterId { get; set; } = "routines";

    public string ServiceId { get; set; } = "routines";

    /// <summary>
    /// The service's gateway as <c>host:port</c>, several separated by commas. Host names are looked up again each
    /// time the client refreshes its gateway list, so a Kubernetes Service name follows the service's pod.
    /// </summary>
    public string GatewayEndpoint { get; set; } = "127.0.0.1:30000";

    /// <summary>
    /// How long reads, waits, cancels and keyed submits are repeated while the service is away; two minutes when not
    /// set. A program that shows the outage itself (the console) sets zero.
    /// </summary>
    public TimeSpan? OutageTolerance { get; set; }

    /// <summary>The client's certificate and the cluster's authority, when the cluster speaks TLS.</summary>
    public RoutinesTlsOptions Tls { get; set; } = new();

    /// <summary>A clear sentence for the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(ClusterId)) return $"{Section}:ClusterId must not be empty.";
        if (string.IsNullOrWhiteSpace(ServiceId)) return $"{Section}:ServiceId must not be empty.";
        if (OutageTolerance < TimeSpan.Zero) return $"{Section}:OutageTolerance must not be negative (got {OutageTolerance}).";
        if (Tls.Validate(Section) is { } tls) return tls;
        var gateways = GatewayEndpoint.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (gateways.Length == 0) return $"{Section}:GatewayEndpoint must name the service's gateway as host:port.";
        foreach (var gateway in gateways)
        {
            if (ParseGateway(gateway) is null)
                return $"{Section}:GatewayEndpoint must be host:port with a port from 1 to 65535, several separated by commas (got '{gateway}').";
        }

        return null;
    }

    internal IEnumerable<(string Host, int Port)> Gateways()
        => GatewayEndpoint.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(ParseGateway).OfType<(string, int)>();

    /// <summary>host:port, [v6]:port or v4:port; null when it is none of these.</summary>
    static (string Host, int Port)? ParseGateway(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out var port) || port is < 1 or > 65535) return null;
        var host = text[..colon].Trim('[', ']');
        return Uri.CheckHostName(host) == UriHostNameType.Unknown ? null : (host, port);
    }
}
