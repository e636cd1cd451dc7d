using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Api;

/// <summary>Who may reach the HTTP API of a service on the embedded store (real processes, a real SQLite file).</summary>
public sealed class ServiceAccessTests : IDisposable
{
    readonly string _directory = Directory.CreateTempSubdirectory("routines-access-").FullName;
    readonly int _httpPort = FreePort.Next();

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    Dictionary<string, string> Settings(bool anyAddress) => new()
    {
        ["Routines__Cluster__SiloPort"] = FreePort.Next().ToString(),
        ["Routines__Cluster__GatewayPort"] = FreePort.Next().ToString(),
        ["Routines__Cluster__ListenOnAnyAddress"] = anyAddress.ToString(),
        ["Routines__Cluster__TrustedNetwork"] = anyAddress.ToString(), // TLS is another test's subject
        ["Routines__Service__HttpPort"] = _httpPort.ToString(),
        ["Routines__Service__StorePath"] = Path.Combine(_directory, "routines.db"),
    };

    TestProcess Service(bool anyAddress, params string[] args)
        => TestProcess.Start(BuildOutput.Dll("src/Silo", "Routines.Silo.dll"), _directory, args, Settings(anyAddress), "service");

    [Fact]
    public async Task BeyondLoopback_TheServiceRefusesToStartWithoutAToken_AndSaysHowToCreateOne()
    {
        using var service = Service(anyAddress: true);

        Assert.Equal(2, await service.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("its HTTP API has no token: create one first with 'dotnet run --project src/Silo -- token create", service.Stderr);
    }

    [Fact]
    public async Task OnLoopback_TheApiAnswersWithoutATokenUntilOneExists_ThenOnlyWithOne()
    {
        using var service = Service(anyAddress: false);
        await service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        using var http = new HttpClient();
        var workers = $"http://127.0.0.1:{_httpPort}/api/v1/workers";
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(workers)).StatusCode);

        using var create = Service(false, "token", "create", "--name", "laptop", "--scope", "read");
        Assert.Equal(0, await create.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        var secret = create.Stdout.Split('\n').Single(l => l.StartsWith("rtk_", StringComparison.Ordinal)).Trim();

        await Eventually.TrueAsync(async () => (await http.GetAsync(workers)).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(10), "the API to want a token once one exists");
        using var request = new HttpRequestMessage(HttpMethod.Get, workers) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", secret) } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task ATokenNameTakenTwice_IsRefusedWithItsExitCode_AndTheFirstTokenStillWorks()
    {
        using var first = Service(false, "token", "create", "--name", "ci", "--scope", "operate");
        Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        using var second = Service(false, "token", "create", "--name", "ci", "--scope", "admin");

        Assert.Equal(2, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("error: There is already a token named 'ci'", second.Stderr);
        Assert.DoesNotContain("rtk_", second.Stdout);
        using var list = Service(false, "token", "list");
        Assert.Equal(0, await list.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.StartsWith("ci\toperate\tcreated ", list.Stdout);
    }

    static async Task<RoutinesUnavailableException> ClientFailsAsync(RoutinesClientOptions options)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseRoutinesClient(options);
        using var host = builder.Build();
        return await Assert.ThrowsAsync<RoutinesUnavailableException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task AClientOfAnotherCluster_IsRefusedAtOnceWithAMessageNamingItsClusterId()
    {
        var settings = Settings(anyAddress: false);
        using var service = TestProcess.Start(BuildOutput.Dll("src/Silo", "Routines.Silo.dll"), _directory, [], settings, "service");
        await service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        var gateway = $"127.0.0.1:{settings["Routines__Cluster__GatewayPort"]}";

        var error = await ClientFailsAsync(new RoutinesClientOptions { GatewayEndpoint = gateway, ClusterId = "staging" });

        Assert.Equal($"The gateway at {gateway} accepted the connection and closed it during the handshake: it serves another cluster "
                   + "than this client's Routines:Cluster:ClusterId 'staging' (check the service's), or it needs TLS.", error.Message);
    }

    /// <summary>Orleans admits a silo by ClusterId alone: the service refuses a worker of another ServiceId by name.</summary>
    [Fact]
    public async Task AWorkerOfAnotherService_IsRefusedAtStart_NamingBothServiceIds()
    {
        var settings = Settings(anyAddress: false);
        using var service = TestProcess.Start(BuildOutput.Dll("src/Silo", "Routines.Silo.dll"), _directory, [], settings, "service");
        await service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));

        using var worker = TestProcess.Start(BuildOutput.Dll("tests/Apps/WorkerAlpha", "WorkerAlpha.dll"), _directory, ["worker"], new Dictionary<string, string>
        {
            ["Routines__Cluster__PrimarySiloEndpoint"] = $"127.0.0.1:{settings["Routines__Cluster__SiloPort"]}",
            ["Routines__Cluster__SiloPort"] = FreePort.Next().ToString(),
            ["Routines__Cluster__GatewayPort"] = "0",
            ["Routines__Cluster__SiloName"] = "stray",
            ["Routines__Cluster__ServiceId"] = "staging",
        }, "worker");

        Assert.Equal(6, await worker.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Contains("error: the worker could not join the cluster: this worker's Routines:Cluster:ServiceId is 'staging', the service's is 'routines'", worker.Stderr);
        using var http = new HttpClient();
        Assert.Equal("[]", await http.GetStringAsync($"http://127.0.0.1:{_httpPort}/api/v1/workers"));
    }

    [Fact]
    public async Task AClientWithNoServiceAtItsGateway_SaysSoOnceItsToleranceIsSpent()
    {
        var gateway = $"127.0.0.1:{FreePort.Next()}";

        var error = await ClientFailsAsync(new RoutinesClientOptions { GatewayEndpoint = gateway, OutageTolerance = TimeSpan.FromSeconds(2) });

        Assert.StartsWith($"No Routines service answers at {gateway} (", error.Message);
        Assert.Contains("waited 2 s. Is it running, and is Routines:Cluster:GatewayEndpoint its gateway?", error.Message);
    }
}
