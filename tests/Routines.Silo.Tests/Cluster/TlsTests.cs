using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Cluster;

/// <summary>
/// A cluster that speaks TLS on every connection, authenticated at both ends: real service and worker processes,
/// certificates from a throwaway authority. Only processes holding a current certificate of that authority get in.
/// </summary>
public sealed class TlsTests(TlsTests.Cluster cluster, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<TlsTests.Cluster>, IDisposable
{
    /// <summary>Every process has a certificate of the cluster's authority, except those the tests start without one.</summary>
    public sealed class Cluster : ClusterFixture, IAsyncLifetime
    {
        public TestCertificates Certificates { get; } = new();

        /// <summary>Workers started under these names get no certificate, or one the cluster must refuse.</summary>
        public Dictionary<string, Func<Dictionary<string, string>>> Intruders { get; } = [];

        protected override bool StartsWorkers => false;

        protected override Dictionary<string, string> Settings(string name)
            => Intruders.TryGetValue(name, out var intruder) ? intruder() : Certificates.Settings(Certificates.Trusted(name));

        public override RoutinesClientOptions ClientOptions() => With(Certificates.Trusted("client"));

        public RoutinesClientOptions With((string Certificate, string Key)? certificate) => new()
        {
            GatewayEndpoint = $"127.0.0.1:{GatewayPort}", OutageTolerance = TimeSpan.Zero,
            Tls = certificate is { } c ? new() { CertificatePath = c.Certificate, KeyPath = c.Key, CaPath = Certificates.CaPath } : new(),
        };

        public new async Task DisposeAsync()
        {
            await base.DisposeAsync();
            Certificates.Dispose();
        }
    }

    public void Dispose() => output.WriteLine(cluster.Logs());

    [Fact]
    public async Task ATrustedWorkerAndClient_RunRoutinesOverTls()
    {
        cluster.StartWorker("trusted-worker", "WorkerAlpha");
        await cluster.WaitForWorkersAsync(1, workers => workers.Any(w => w.Name == "trusted-worker"));

        var run = await cluster.Client.ExecuteAsync("echo", """{"key": "over-tls", "milliseconds": 0}""");

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("over-tls", JsonDocument.Parse(run.OutputJson!).RootElement.GetProperty("key").GetString());
    }

    public static TheoryData<string> Refused => ["none", "untrusted", "expired"];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AClientWithoutACurrentCertificateOfTheCluster_IsRefused_AndRecordsNothing(string certificate)
    {
        var before = (await cluster.Client.ListRunsAsync(new RunFilter { Take = 1 })).Total;
        var options = cluster.With(certificate switch
        {
            "untrusted" => cluster.Certificates.Untrusted("client"),
            "expired" => cluster.Certificates.Expired("client"),
            _ => null,
        });
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseRoutinesClient(options);
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await host.Services.GetRequiredService<IRoutinesClient>().SubmitAsync("echo", """{"key": "intruder", "milliseconds": 0}""");
        });

        Assert.IsType<RoutinesUnavailableException>(error);
        Assert.Contains("closed it during the handshake", error.Message);
        Assert.Equal(before, (await cluster.Client.ListRunsAsync(new RunFilter { Take = 1 })).Total);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task AWorkerWithoutACurrentCertificateOfTheCluster_CannotJoin(string certificate)
    {
        var name = $"intruder-{certificate}";
        cluster.Intruders[name] = () => certificate switch
        {
            "untrusted" => cluster.Certificates.Settings(cluster.Certificates.Untrusted(name)),
            "expired" => cluster.Certificates.Settings(cluster.Certificates.Expired(name)),
            _ => [],
        };
        using var intruder = cluster.StartWorker(name, "WorkerBeta");
        // A trusted worker started after it joins, so the intruder had the same time to.
        cluster.StartWorker($"trusted-after-{certificate}", "WorkerBeta");
        await cluster.WaitForWorkersAsync(1, w => w.Any(x => x.Name == $"trusted-after-{certificate}"));

        // And for ten seconds more, the time a slow join could take here, it never shows up.
        for (var watch = System.Diagnostics.Stopwatch.StartNew(); watch.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(500))
            Assert.DoesNotContain(await cluster.Client.ListWorkersAsync(), w => w.Name == name);
    }
}
