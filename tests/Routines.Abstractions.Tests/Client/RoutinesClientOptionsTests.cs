using Routines.Client;

namespace Routines.Abstractions.Tests.Client;

public sealed class RoutinesClientOptionsTests
{
    [Theory]
    [InlineData("127.0.0.1:30000")]
    [InlineData("routines-gateway:30000")]
    [InlineData("localhost:30000, 10.0.0.7:30001")]
    [InlineData("[::1]:30000")]
    public void AGatewayAsHostAndPort_IsValid(string gateway)
        => Assert.Null(new RoutinesClientOptions { GatewayEndpoint = gateway }.Validate());

    [Theory]
    [InlineData("", "must name the service's gateway")]
    [InlineData("routines-gateway", "(got 'routines-gateway')")]
    [InlineData("routines-gateway:0", "a port from 1 to 65535")]
    [InlineData("localhost:30000,host:port", "(got 'host:port')")]
    [InlineData("bad host:30000", "(got 'bad host:30000')")]
    public void AnInvalidGateway_IsNamedWithTheKey(string gateway, string expected)
    {
        var error = new RoutinesClientOptions { GatewayEndpoint = gateway }.Validate();

        Assert.NotNull(error);
        Assert.StartsWith("Routines:Cluster:GatewayEndpoint must", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void ANegativeOutageTolerance_IsRefused()
        => Assert.Contains("OutageTolerance must not be negative", new RoutinesClientOptions { OutageTolerance = TimeSpan.FromSeconds(-1) }.Validate());

    [Fact]
    public void SeveralGateways_AreEachTried()
        => Assert.Equal([("localhost", 30000), ("10.0.0.7", 30001), ("::1", 3)],
            new RoutinesClientOptions { GatewayEndpoint = "localhost:30000, 10.0.0.7:30001,[::1]:3" }.Gateways());
}
