using Routines.Silo.Hosting;

namespace Routines.Tests.Shared;

/// <summary>
/// Azurite's blob service (Microsoft's Azure Storage emulator, from tests/azurite/node_modules: .ci/run installs it
/// with npm ci) on a free loopback port, keeping its blobs in a temp directory so that a restart loses none.
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    readonly string _directory;
    TestProcess _process;

    AzuriteServer(TestProcess process, string directory, int port)
    {
        (_process, _directory, Port) = (process, directory, port);
    }

    public int Port { get; }

    /// <summary>The development account's connection string, on this server's port.</summary>
    public string ConnectionString
        => $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    static string MainScript => Path.Combine(BuildOutput.RepositoryRoot, "tests", "azurite", "node_modules", "azurite", "dist", "src", "blob", "main.js");

    public static async Task<AzuriteServer> StartAsync()
    {
        await InstallOnceAsync();
        var directory = Directory.CreateTempSubdirectory("routines-azurite-").FullName;
        var port = FreePort.Next();
        return new AzuriteServer(await RunAsync(directory, port), directory, port);
    }

    static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>Installs tests/azurite's packages from its lock file the first time (npm ci), so the test command needs only Node.js and npm.</summary>
    static async Task InstallOnceAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (File.Exists(MainScript)) return;
            using var npm = TestProcess.StartProgram("npm", Path.Combine(BuildOutput.RepositoryRoot, "tests", "azurite"),
                ["ci", "--no-audit", "--no-fund", "--loglevel=error"], name: "npm ci");
            var exitCode = await npm.WaitForExitAsync(TimeSpan.FromMinutes(5));
            if (exitCode != 0 || !File.Exists(MainScript))
                throw new InvalidOperationException($"'npm ci' in tests/azurite failed (Node.js and npm are needed for the artifact store's tests): {npm.Stderr}{npm.Stdout}");
        }
        finally
        {
            Installing.Release();
        }
    }

    static async Task<TestProcess> RunAsync(string directory, int port)
    {
        // --disableTelemetry: without it Azurite calls out to the cloud metadata address.
        var process = TestProcess.StartProgram("node", directory,
            [MainScript, "--blobHost", "127.0.0.1", "--blobPort", port.ToString(), "--location", directory, "--skipApiVersionCheck", "--loose",
             "--disableTelemetry"], name: "azurite");
        await process.WaitForOutputAsync("successfully listens on", TimeSpan.FromSeconds(60));
        return process;
    }

    /// <summary>Stops the server: the store is unreachable until <see cref="StartAgainAsync"/>.</summary>
    public async Task StopAsync()
    {
        _process.Terminate();
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    /// <summary>Starts it again on the same port with the same blobs.</summary>
    public async Task StartAgainAsync() => _process = await RunAsync(_directory, Port);

    public async ValueTask DisposeAsync()
    {
        _process.Dispose();
        await Task.Yield();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
