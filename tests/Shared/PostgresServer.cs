using System.Diagnostics;
using Routines.Silo.Hosting;

namespace Routines.Tests.Shared;

/// <summary>
/// A real PostgreSQL 15 server for tests: a fresh cluster in a temp directory on a free loopback port, started from
/// the binaries in /usr/lib/postgresql/15/bin (as the postgres user when the tests run as root, which initdb refuses).
/// Each test class creates its own database with <see cref="CreateDatabaseAsync"/>.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    const string BinDirectory = "/usr/lib/postgresql/15/bin";
    const string User = "routines";

    readonly string _dataDirectory;
    readonly string _options;
    int _databases;

    PostgresServer(string dataDirectory, int port)
    {
        _dataDirectory = dataDirectory;
        Port = port;
        _options = $"-p {port} -k {Path.GetDirectoryName(dataDirectory)} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
    }

    public int Port { get; }

    /// <summary>The server's main process (postmaster); every connection is a child of it.</summary>
    public int ProcessId => int.Parse(File.ReadLines(Path.Combine(_dataDirectory, "postmaster.pid")).First());

    /// <summary>The connection string of the maintenance database.</summary>
    public string AdminConnectionString => ConnectionString("postgres");

    public string ConnectionString(string database)
        => $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Pooling=true;Maximum Pool Size=50;Timeout=15";

    public static async Task<PostgresServer> StartAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({BinDirectory}/initdb is missing): apt-get install -y postgresql");

        var directory = Directory.CreateTempSubdirectory("routines-pg-").FullName;
        var data = Path.Combine(directory, "data");
        var port = FreePort.Next();
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", directory]);

        await RunAsync(Tool("initdb", asRoot), [.. Prefix("initdb", asRoot), "-D", data, "-U", User, "--auth=trust", "--encoding=UTF8", "--no-sync"]);
        var server = new PostgresServer(data, port);
        await server.RunServerAsync();
        return server;
    }

    /// <summary>Stops the server as a restart does: open transactions are rolled back and every connection is cut.</summary>
    public Task StopAsync() => PgCtlAsync("-m", "fast", "-w", "stop");

    /// <summary>Starts the stopped server again, on the same port with the same data.</summary>
    public async Task StartAgainAsync()
    {
        await RunServerAsync();
        Npgsql.NpgsqlConnection.ClearAllPools(); // the tests' own pooled connections did not survive the stop
    }

    Task RunServerAsync() =>
        PgCtlAsync("-o", _options, "-l", Path.Combine(Path.GetDirectoryName(_dataDirectory)!, "server.log"), "-w", "-t", "60", "start");

    Task PgCtlAsync(params string[] args)
    {
        var asRoot = Environment.UserName == "root";
        return RunAsync(Tool("pg_ctl", asRoot), [.. Prefix("pg_ctl", asRoot), "-D", _dataDirectory, .. args]);
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new Npgsql.NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE DATABASE \"{name}\"";
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try { await PgCtlAsync("-m", "immediate", "-w", "stop"); }
        catch (InvalidOperationException) when (!File.Exists(Path.Combine(_dataDirectory, "postmaster.pid"))) { } // already stopped
        try { Directory.Delete(Path.GetDirectoryName(_dataDirectory)!, recursive: true); }
        catch (IOException) { }
    }

    static string Tool(string name, bool asRoot) => asRoot ? "runuser" : Path.Combine(BinDirectory, name);

    static string[] Prefix(string name, bool asRoot) => asRoot ? ["-u", "postgres", "--", Path.Combine(BinDirectory, name)] : [];

    static async Task RunAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
    }
}
