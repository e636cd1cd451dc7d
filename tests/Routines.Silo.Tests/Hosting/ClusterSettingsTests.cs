using Microsoft.Extensions.Configuration;
using Routines.Silo.Hosting;

namespace Routines.Silo.Tests.Hosting;

/// <summary>The service's Routines:Cluster settings: bound from configuration, refused with a sentence naming the key.</summary>
public sealed class ClusterSettingsTests
{
    static RoutinesClusterOptions Bind(out string? invalid, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)))
            .Build();
        return ServiceCommandLine.ClusterOptionsFrom(configuration, out invalid);
    }

    [Fact]
    public void StoreOutageTolerance_DefaultsToAMinute_AndTakesATimeSpan()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), Bind(out var none).StoreOutageTolerance);
        Assert.Null(none);

        var options = Bind(out var invalid, ("Routines:Cluster:StoreOutageTolerance", "00:02:30"));

        Assert.Null(invalid);
        Assert.Equal(TimeSpan.FromSeconds(150), options.StoreOutageTolerance);
    }

    [Fact]
    public void StoreOutageTolerance_Negative_IsRefusedNamingTheKey()
    {
        Bind(out var invalid, ("Routines:Cluster:StoreOutageTolerance", "-00:00:05"));

        Assert.Equal("Routines:Cluster:StoreOutageTolerance must not be negative (got -00:00:05).", invalid);
    }

    [Fact]
    public void StoreOutageTolerance_NotATime_IsRefusedNamingTheKey()
    {
        Bind(out var invalid, ("Routines:Cluster:StoreOutageTolerance", "a minute"));

        Assert.NotNull(invalid);
        Assert.StartsWith("Invalid Routines:Cluster settings:", invalid);
        Assert.Contains("StoreOutageTolerance", invalid);
    }

    [Theory]
    [InlineData("Routines:Cluster:ListenOnAnyAddress", "true")]
    [InlineData("Routines:Cluster:AdvertisedAddress", "10.1.2.3")]
    public void ASiloBeyondLoopbackWithoutTls_IsRefused_UnlessTheNetworkIsDeclaredTrusted(string key, string value)
    {
        Bind(out var refused, (key, value));
        Bind(out var trusted, (key, value), ("Routines:Cluster:TrustedNetwork", "true"));

        Assert.StartsWith("This silo would listen beyond loopback without TLS: set Routines:Cluster:Tls:CertificatePath", refused);
        Assert.Null(trusted);
    }

    [Fact]
    public void TlsFilesThatDoNotExistOrDoNotHoldACertificate_AreRefusedNamingTheKey()
    {
        Bind(out var noCa, ("Routines:Cluster:Tls:CertificatePath", "/etc/hosts"));
        Bind(out var missing, ("Routines:Cluster:Tls:CertificatePath", "/nowhere/tls.crt"), ("Routines:Cluster:Tls:CaPath", "/etc/hosts"));
        Bind(out var notPem, ("Routines:Cluster:Tls:CertificatePath", "/etc/hosts"), ("Routines:Cluster:Tls:KeyPath", "/etc/hosts"),
            ("Routines:Cluster:Tls:CaPath", "/etc/hosts"));

        Assert.Equal("Routines:Cluster:Tls:CaPath is required with a certificate: it says which peers to trust.", noCa);
        Assert.Equal("Routines:Cluster:Tls:CertificatePath names a file that does not exist: /nowhere/tls.crt.", missing);
        Assert.StartsWith("Routines:Cluster:Tls: Cannot use the TLS certificate /etc/hosts: ", notPem);
    }
}
