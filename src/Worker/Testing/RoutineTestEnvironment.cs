using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Client;
using Routines.Hosting;
using Routines.Serialization;

namespace Routines.Testing;

/// <summary>
/// Runs routines in-process inside a test, through the same lifecycle as <c>run-routine</c> and a cluster: records,
/// retries, timeouts, cache and logs, on a throw-away SQLite file.
/// </summary>
public sealed class RoutineTestEnvironment : IAsyncDisposable
{
    readonly IHost _host;
    readonly string _directory;

    RoutineTestEnvironment(IHost host, string directory)
    {
        _host = host;
        _directory = directory;
    }

    /// <summary>Submits runs and reads them back.</summary>
    public IRoutinesClient Client => _host.Services.GetRequiredService<IRoutinesClient>();

    /// <summary>The silo's services (the run store, the live feed…).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The SQLite file holding this environment's runs.</summary>
    public string StorePath => Path.Combine(_directory, "routines.db");

    /// <summary>Starts an environment hosting the routines of <paramref name="assemblies"/>.</summary>
    /// <param name="clock">
    /// The clock the engine runs on: retry delays, attempt timeouts, the service's watchdog and recorded times. A
    /// <c>FakeTimeProvider</c> (Microsoft.Extensions.TimeProvider.Testing) makes a 60 s backoff pass when the test
    /// advances it. Null: the system clock.
    /// </param>
    public static async Task<RoutineTestEnvironment> StartAsync(
        IEnumerable<Assembly> assemblies, Action<IServiceCollection>? services = null, int? slots = null, TimeProvider? clock = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "routines-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var collection = new ServiceCollection();
        if (clock is not null) collection.AddSingleton(clock);
        services?.Invoke(collection);
        var project = new ProjectSetup(assemblies.ToList(), collection, new Microsoft.Extensions.Configuration.ConfigurationManager());
        var host = EmbeddedHost.Build(project, Path.Combine(directory, "routines.db"), slots, LogLevel.Error);
        await host.StartAsync();
        return new RoutineTestEnvironment(host, directory);
    }

    /// <summary>Submits a run and waits for its terminal record.</summary>
    public Task<RunInfo> RunAsync(string routineId, object? input, CallOptions? options = null, CancellationToken cancellationToken = default)
        => Client.ExecuteAsync(routineId, JsonSerializer.Serialize(input, RoutineJson.Default), options, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* a file still open on a slow shutdown is left for the OS temp cleaner */ }
    }
}
