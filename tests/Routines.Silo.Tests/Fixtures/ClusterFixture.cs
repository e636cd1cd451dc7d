using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Fixtures;

/// <summary>
/// A real cluster in separate processes: PostgreSQL, the service silo (src/Silo) and two worker processes built from
/// two different routine projects (tests/Apps/WorkerAlpha, tests/Apps/WorkerBeta), plus an Orleans client here.
/// Tests that kill or stop processes start their own workers with <see cref="StartWorker"/>.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    /// <summary>Starts the alpha and beta workers with the cluster; a subclass can start none.</summary>
    protected virtual bool StartsWorkers => true;

    readonly List<TestProcess> _processes = [];
    IHost? _client;

    public PostgresServer Postgres { get; private set; } = null!;

    public string ConnectionString { get; private set; } = null!;

    public string Journal { get; } = Path.Combine(Directory.CreateTempSubdirectory("routines-journal-").FullName, "journal.txt");

    public TestProcess Service { get; private set; } = null!;

    /// <summary>The file artifact store every process of the cluster shares.</summary>
    public string ArtifactsDirectory { get; } = Directory.CreateTempSubdirectory("routines-cluster-artifacts-").FullName;

    public IRoutinesClient Client => _client!.Services.GetRequiredService<IRoutinesClient>();

    /// <summary>The raw Orleans client, for what only the runtime can tell (which grains are active).</summary>
    public IClusterClient Grains => _client!.Services.GetRequiredService<IClusterClient>();

    public int GatewayPort { get; } = FreePort.Next();

    /// <summary>The service's HTTP API port; a restarted service listens on it again.</summary>
    public int HttpPort { get; } = FreePort.Next();

    public string ApiBase => $"http://127.0.0.1:{HttpPort}/api/v1";

    public virtual async Task InitializeAsync()
    {
        Postgres = await PostgresServer.StartAsync();
        ConnectionString = await Postgres.CreateDatabaseAsync("cluster");
        StartService();
        await Service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        _client = await ConnectClientAsync();
        if (!StartsWorkers) return;
        StartWorker("alpha", "WorkerAlpha");
        StartWorker("beta", "WorkerBeta");
        await WaitForWorkersAsync(2);
    }

    /// <summary>Starts (or restarts) the service silo on the cluster's gateway port; it becomes <see cref="Service"/>.</summary>
    /// <param name="recoveryDelay">How long a restarted service waits for workers to report before recovering runs (6 s by default).</param>
    public TestProcess StartService(TimeSpan? recoveryDelay = null)
    {
        var environment = Environment("service", GatewayPort);
        environment["Routines__Service__HttpPort"] = HttpPort.ToString();
        if (recoveryDelay is { } delay) environment["Routines__Service__RecoveryDelay"] = delay.ToString();
        Service = TestProcess.Start(BuildOutput.Dll("src/Silo", "Routines.Silo.dll"), BuildOutput.RepositoryRoot, [], environment, "service");
        _processes.Add(Service);
        return Service;
    }

    /// <summary>Runs a verb of the service program (token, migrate) with the cluster's settings: its exit code and output.</summary>
    public Task<(int ExitCode, string Output)> ServiceVerbAsync(params string[] args) => ServiceVerbAsync(args, new Dictionary<string, string>());

    /// <summary>Runs a verb of the service program with the cluster's settings and <paramref name="settings"/> besides.</summary>
    public async Task<(int ExitCode, string Output)> ServiceVerbAsync(string[] args, Dictionary<string, string> settings)
    {
        var environment = Environment("verb", 0);
        foreach (var (key, value) in settings) environment[key] = value;
        using var verb = TestProcess.Start(BuildOutput.Dll("src/Silo", "Routines.Silo.dll"), BuildOutput.RepositoryRoot, args, environment, "verb");
        var exitCode = await verb.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exitCode, verb.Stdout + verb.Stderr);
    }

    /// <summary>Starts a worker process of the given test project (WorkerAlpha or WorkerBeta).</summary>
    public TestProcess StartWorker(string name, string project, int slots = 2, string? shutdownGrace = null)
    {
        var environment = Environment(name, gatewayPort: 0);
        environment["WORKER_NAME"] = name;
        if (shutdownGrace is not null) environment["Routines__Worker__ShutdownGrace"] = shutdownGrace;
        var worker = TestProcess.Start(BuildOutput.Dll($"tests/Apps/{project}", $"{project}.dll"), BuildOutput.RepositoryRoot,
            ["worker", "--slots", slots.ToString()], environment, name);
        _processes.Add(worker);
        return worker;
    }

    /// <summary>Waits until the dispatcher lists at least <paramref name="count"/> ready workers.</summary>
    public async Task<IReadOnlyList<WorkerInfo>> WaitForWorkersAsync(int count, Func<IReadOnlyList<WorkerInfo>, bool>? also = null)
    {
        return await Eventually.ReturnsAsync(async () =>
        {
            // Ready workers only: an INITIALIZING or TERMINATING worker takes no runs.
            var workers = (await Client.ListWorkersAsync())
                .Where(w => w.Status is not (WorkerStatus.Initializing or WorkerStatus.Terminating)).ToList();
            return workers.Count >= count && (also?.Invoke(workers) ?? true) ? workers : null;
        }, TimeSpan.FromSeconds(60), $"{count} live workers");
    }

    /// <summary>Everything the processes printed, for a failing test's output.</summary>
    public string Logs() => string.Join("\n", _processes.Select(p => $"--- {p.Name} ---\n{p.Stdout}{p.Stderr}"));

    /// <summary>How many times each journal key ran.</summary>
    public IReadOnlyDictionary<string, int> Executions()
        => File.Exists(Journal)
            ? File.ReadAllLines(Journal).Select(l => l.Split(' ')[0]).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count())
            : new Dictionary<string, int>();

    /// <summary>Whether a step with this key began on a worker (the "began" line of the test apps' Journal.Began).</summary>
    public bool Began(string key) => Executions().ContainsKey(key + ":began");

    /// <summary>Settings every process of this cluster gets besides the defaults (a subclass's TLS, say).</summary>
    protected virtual Dictionary<string, string> Settings(string name) => [];

    /// <summary>How the test's own client connects.</summary>
    public virtual RoutinesClientOptions ClientOptions() => new() { GatewayEndpoint = $"127.0.0.1:{GatewayPort}" };

    Dictionary<string, string> Environment(string name, int gatewayPort)
    {
        var environment = DefaultEnvironment(name, gatewayPort);
        foreach (var (key, value) in Settings(name)) environment[key] = value;
        return environment;
    }

    Dictionary<string, string> DefaultEnvironment(string name, int gatewayPort) => new()
    {
        ["Routines__Cluster__Provider"] = "Postgres",
        ["Routines__Cluster__ConnectionString"] = ConnectionString,
        ["Routines__Cluster__SiloPort"] = FreePort.Next().ToString(),
        ["Routines__Cluster__GatewayPort"] = gatewayPort.ToString(),
        ["Routines__Cluster__SiloName"] = name,
        ["ROUTINES_TEST_JOURNAL"] = Journal,
        // One artifact directory for every process of the cluster, as a shared volume would be.
        ["Routines__Artifacts__Path"] = ArtifactsDirectory,
        // Short enough for a test to outlast it (FailoverTests), long enough for a restart of the test's server.
        ["Routines__Cluster__StoreOutageTolerance"] = StoreOutageTolerance.ToString(),
    };

    /// <summary>How long the service's writes wait for the database when it is away (60 s outside the tests).</summary>
    public static TimeSpan StoreOutageTolerance { get; } = TimeSpan.FromSeconds(8);

    async Task<IHost> ConnectClientAsync()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseRoutinesClient(ClientOptions());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    public virtual async Task DisposeAsync()
    {
        if (_client is not null)
        {
            try { await _client.StopAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
            _client.Dispose();
        }

        foreach (var process in _processes) process.Dispose();
        await Postgres.DisposeAsync();
    }
}

/// <summary>A cluster whose tests start, kill and stop their own workers.</summary>
public sealed class EmptyClusterFixture : ClusterFixture
{
    protected override bool StartsWorkers => false;
}

[CollectionDefinition("cluster")]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>;
