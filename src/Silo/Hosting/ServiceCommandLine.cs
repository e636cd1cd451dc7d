using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;

namespace Routines.Silo.Hosting;

/// <summary>The service's verbs: run (default) and <c>migrate</c>. Settings come from appsettings.json and the environment.</summary>
internal static class ServiceCommandLine
{
    public static Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("The Routines service silo. Settings: appsettings.json and environment variables "
                                 + "(Routines__Cluster__Provider=Postgres, Routines__Cluster__ConnectionString=…, Routines__Cluster__SiloPort, …). "
                                 + "Exit codes: 0 stopped cleanly; 2 invalid settings; 5 the store cannot be opened.");
        root.SetAction((_, cancellationToken) => RunAsync(args, cancellationToken));

        var migrate = new Command("migrate", "Apply the PostgreSQL migrations (run store, Orleans membership and reminders) and exit.");
        migrate.SetAction((_, cancellationToken) => MigrateAsync(cancellationToken));
        root.Subcommands.Add(migrate);
        return root.Parse(args).InvokeAsync();
    }

    static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.AddRoutinesFilters();
        var cluster = ClusterOptionsFrom(builder.Configuration, out var invalid);
        if (invalid is not null) return Fail(invalid, 2);

        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(cluster));
        builder.UseOrleans(silo => silo.UseRoutinesClustering(cluster, SiloRole.Service).AddRoutinesService());
        using var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
            var store = host.Services.GetRequiredService<IRunStore>();
            var on = cluster.ListenOnAnyAddress ? $"every interface (advertised as {cluster.AdvertisedAddress})" : cluster.AdvertisedAddress;
            Console.WriteLine($"Routines service listening on {on}: silo port {cluster.SiloPort}, gateway port {cluster.GatewayPort}; run store: {store.Location}.");
            await host.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (Exception exception) when (RunStoreException.FindIn(exception) is { } store)
        {
            return Fail(store.Message, 5);
        }
    }

    static async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build();
        var cluster = ClusterOptionsFrom(configuration, out var invalid);
        if (invalid is not null) return Fail(invalid, 2);
        if (cluster.Provider != ClusterProvider.Postgres)
            return Fail("migrate applies PostgreSQL migrations: set Routines__Cluster__Provider=Postgres and Routines__Cluster__ConnectionString.", 2);
        try
        {
            var applied = await PostgresMigrations.ApplyAsync(cluster.ConnectionString!, cancellationToken);
            Console.WriteLine(applied.Count == 0
                ? $"The database is up to date ({PostgresMigrations.Known.Count} migrations)."
                : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}.");
            return 0;
        }
        catch (RunStoreException exception)
        {
            return Fail(exception.Message, 5);
        }
    }

    internal static RoutinesClusterOptions ClusterOptionsFrom(IConfiguration configuration, out string? invalid)
    {
        var options = new RoutinesClusterOptions();
        try
        {
            configuration.GetSection("Routines:Cluster").Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            invalid = $"Invalid Routines:Cluster settings: {exception.Message}";
            return options;
        }

        invalid = options.Validate();
        return options;
    }

    static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
