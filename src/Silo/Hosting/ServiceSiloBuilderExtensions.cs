using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Routines.Silo.Artifacts;
using Routines.Silo.Dispatch;
using Routines.Silo.Runs;
using Routines.Silo.Scheduling;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Storage.Sqlite;

namespace Routines.Silo.Hosting;

/// <summary>Adds the service role (run records, dispatch, retries, timeouts, cache) to a silo.</summary>
internal static class ServiceSiloBuilderExtensions
{
    public static ISiloBuilder AddRoutinesService(this ISiloBuilder silo, Action<RoutinesServiceOptions>? configure = null)
    {
        var services = silo.Services;
        services.AddOptions<RoutinesServiceOptions>().BindConfiguration("Routines:Service")
            .Validate(o => o.MaxInputBytes > 0, "Routines:Service:MaxInputBytes must be at least 1.").ValidateOnStart();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RoutineCatalog>();
        services.TryAddSingleton<RunEventHub>();
        services.TryAddSingleton<WorkerStarts>();
        services.TryAddSingleton<Dispatcher>();
        services.AddMetrics();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Telemetry.DispatcherGauges>();
        services.TryAddSingleton<AttemptWatchdog>();
        services.TryAddSingleton<IdenticalRuns>();
        services.TryAddSingleton<IRunStore>(CreateStore);
        services.TryAddSingleton(ScheduleStoreFor);
        services.TryAddSingleton(LineageStoreFor);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, StoreInitializer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, DispatcherStarter>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value.Retention);
        services.TryAddSingleton<RetentionSweep>();
        services.TryAddSingleton<ArtifactSweep>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RetentionSweeper>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(s => s.GetRequiredService<AttemptWatchdog>());
        services.AddRoutinesCommon();
        return silo;
    }

    static IRunStore CreateStore(IServiceProvider services) => StoreFor(
        services.GetRequiredService<IOptions<RoutinesClusterOptions>>().Value, services.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value);

    static IScheduleStore ScheduleStoreFor(IServiceProvider services) => ScheduleStoreFor(
        services.GetRequiredService<IOptions<RoutinesClusterOptions>>().Value, services.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value);

    /// <summary>Schedules live beside the runs: in PostgreSQL's database, or in the embedded SQLite file.</summary>
    public static IScheduleStore ScheduleStoreFor(RoutinesClusterOptions cluster, RoutinesServiceOptions service)
        => cluster.Provider == ClusterProvider.Postgres
            ? new PostgresScheduleStore(cluster.ConnectionString!)
            : new SqliteScheduleStore(StorePathOf(service));

    static ILineageStore LineageStoreFor(IServiceProvider services) => LineageStoreFor(
        services.GetRequiredService<IOptions<RoutinesClusterOptions>>().Value, services.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value);

    /// <summary>Lineage lives beside the runs: in PostgreSQL's database, or in the embedded SQLite file.</summary>
    public static ILineageStore LineageStoreFor(RoutinesClusterOptions cluster, RoutinesServiceOptions service)
        => cluster.Provider == ClusterProvider.Postgres ? new PostgresLineageStore(cluster.ConnectionString!) : new SqliteLineageStore(StorePathOf(service));

    /// <summary>PostgreSQL in a PostgreSQL cluster; otherwise the embedded SQLite file.</summary>
    public static IRunStore StoreFor(RoutinesClusterOptions cluster, RoutinesServiceOptions service)
    {
        if (cluster.Provider == ClusterProvider.Postgres)
        {
            return new PostgresRunStore(new PostgresRunStoreOptions
            {
                ConnectionString = cluster.ConnectionString!, MigrateOnStart = cluster.MigrateOnStart,
                OutageTolerance = cluster.StoreOutageTolerance,
            });
        }

        return new SqliteRunStore(new SqliteRunStoreOptions { Path = StorePathOf(service) });
    }

    /// <summary>The embedded store's SQLite file: the configured path, or <c>.routines/routines.db</c>.</summary>
    public static string StorePathOf(RoutinesServiceOptions service)
        => service.StorePath is { Length: > 0 } path ? path : Path.Combine(".routines", "routines.db");

    /// <summary>What every silo of a Routines cluster needs, whatever its role.</summary>
    public static IServiceCollection AddRoutinesCommon(this IServiceCollection services)
    {
        services.AddRoutinesArtifacts();
        services.Configure<ExceptionSerializationOptions>(o =>
        {
            if (!o.SupportedNamespacePrefixes.Contains("Routines")) o.SupportedNamespacePrefixes.Add("Routines");
        });
        if (services.All(d => d.ServiceType != typeof(WorkerPlacementDirector)))
        {
            services.AddSingleton<WorkerPlacementDirector>();
            services.AddPlacementDirector<WorkerPlacement, WorkerPlacementDirector>();
            services.AddGrainDirectory(ServiceGrainDirectory.Name, (_, _) => new ServiceGrainDirectory());
        }

        return services;
    }
}
