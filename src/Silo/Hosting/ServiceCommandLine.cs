using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Silo.Api;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Telemetry;
using Routines.Telemetry;

namespace Routines.Silo.Hosting;

/// <summary>The service's verbs: run (default) and <c>migrate</c>. Settings come from appsettings.json and the environment.</summary>
internal static class ServiceCommandLine
{
    public static Task<int> InvokeAsync(string[] args)
    {
        var root = new RootCommand("The Routines service silo. Settings: appsettings.json and environment variables "
                                 + "(Routines__Cluster__Provider=Postgres, Routines__Cluster__ConnectionString=…, Routines__Cluster__SiloPort, …). "
                                 + "Exit codes: 0 stopped cleanly (or the verb did its work); 2 invalid settings; 5 the store cannot be opened.");
        root.SetAction((_, cancellationToken) => RunAsync(args, cancellationToken));

        var migrate = new Command("migrate", "Apply the PostgreSQL migrations (run store, Orleans membership and reminders) and exit.");
        migrate.SetAction((_, cancellationToken) => MigrateAsync(cancellationToken));
        root.Subcommands.Add(migrate);
        root.Subcommands.Add(TokenCommand());

        var prune = new Command("prune", "Remove now the finished runs older than the retention policy (Routines:Service:Retention), "
                                       + "with their history, logs and metrics, then the artifacts no kept run references, and exit; "
                                       + "the service also does it every SweepInterval.");
        prune.SetAction((_, cancellationToken) => PruneAsync(cancellationToken));
        root.Subcommands.Add(prune);
        return root.Parse(args).InvokeAsync();
    }

    static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Logging.AddRoutinesFilters();
        var cluster = ClusterOptionsFrom(builder.Configuration, out var invalid);
        var service = ServiceOptionsFrom(builder.Configuration, ref invalid);
        if (invalid is not null) return Fail(invalid, 2);

        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(cluster));
        var orleansSpans = builder.Services.AddRoutinesTelemetry(builder.Configuration, "routines-service", prometheus: true);
        builder.Services.AddHealthChecks().AddSiloCheck().AddStoreCheck();
        builder.UseOrleans(silo =>
        {
            silo.UseRoutinesClustering(cluster, SiloRole.Service).AddRoutinesService();
            if (orleansSpans) silo.AddActivityPropagation();
        });
        builder.AddRoutinesApi(cluster, service);
        await using var app = builder.Build();
        app.MapRoutinesProbes();
        app.MapRoutinesApi();
        try
        {
            // Beyond this machine, nobody may use the HTTP API without a token: refuse to start rather than serve it open.
            if (!ApiHosting.IsLoopbackOnly(cluster) && !await app.Services.GetRequiredService<ApiTokens>().AnyActiveAsync(cancellationToken))
            {
                return Fail("the service listens beyond loopback, and its HTTP API has no token: create one first with "
                          + "'dotnet run --project src/Silo -- token create --name NAME --scope admin' (same settings as the service).", 2);
            }

            await app.StartAsync(cancellationToken);
            var store = app.Services.GetRequiredService<IRunStore>();
            var artifacts = app.Services.GetRequiredService<Artifacts.ArtifactStore>();
            var on = cluster.ListenOnAnyAddress ? $"every interface (advertised as {cluster.AdvertisedAddress})" : cluster.AdvertisedAddress;
            Console.WriteLine($"Routines service listening on {on}: silo port {cluster.SiloPort}, gateway port {cluster.GatewayPort}, "
                            + $"HTTP API port {service.HttpPort}; run store: {store.Location}; artifact store: {artifacts.Location}.");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (Exception exception) when (RunStoreException.FindIn(exception) is { } store)
        {
            return Fail(store.Message, 5);
        }
    }

    /// <summary><c>token create|list|revoke</c>: the HTTP API's bearer tokens, in the store the service uses.</summary>
    static Command TokenCommand()
    {
        var token = new Command("token", "Create, list and revoke the HTTP API's bearer tokens (in the service's store; same settings as the service).");
        var name = new Option<string>("--name") { Description = "The token's name, e.g. ci (letters, digits, '.', '_', '-').", Required = true };
        var scope = new Option<TokenScope>("--scope")
        {
            Description = "read: read runs, logs, workers; operate: also submit, cancel, retry; admin: also manage tokens.", DefaultValueFactory = _ => TokenScope.Read,
        };
        var create = new Command("create", "Create a token and print its secret, once: the store keeps only its hash.") { name, scope };
        create.SetAction((parse, cancellationToken) => WithTokensAsync(async tokens =>
        {
            var (created, secret) = await tokens.CreateAsync(parse.GetValue(name)!, parse.GetValue(scope), cancellationToken);
            Console.WriteLine($"Created token '{created.Name}' with scope {created.Scope.ToString().ToLowerInvariant()}. It is shown this once:");
            Console.WriteLine(secret);
            return 0;
        }, cancellationToken));

        var list = new Command("list", "List the tokens: name, scope, created, revoked.");
        list.SetAction((_, cancellationToken) => WithTokensAsync(async tokens =>
        {
            foreach (var t in await tokens.ListAsync(cancellationToken))
                Console.WriteLine($"{t.Name}\t{t.Scope.ToString().ToLowerInvariant()}\tcreated {t.CreatedAt:u}{(t.RevokedAt is { } at ? $"\trevoked {at:u}" : "")}");
            return 0;
        }, cancellationToken));

        var revokedName = new Argument<string>("name") { Description = "The token to revoke." };
        var revoke = new Command("revoke", "Revoke a token: requests carrying it are refused from now on.") { revokedName };
        revoke.SetAction((parse, cancellationToken) => WithTokensAsync(async tokens =>
        {
            var revokeName = parse.GetValue(revokedName)!;
            if (await tokens.RevokeAsync(revokeName, cancellationToken))
            {
                Console.WriteLine($"Revoked token '{revokeName}'.");
                return 0;
            }

            return Fail($"there is no active token named '{revokeName}'.", 3);
        }, cancellationToken));

        token.Subcommands.Add(create);
        token.Subcommands.Add(list);
        token.Subcommands.Add(revoke);
        return token;
    }

    static Task<int> WithTokensAsync(Func<ApiTokens, Task<int>> action, CancellationToken cancellationToken)
        => WithSettingsAsync(async (cluster, service) =>
        {
            if (cluster.Provider == ClusterProvider.Postgres) await PostgresMigrations.ApplyAsync(cluster.ConnectionString!, cancellationToken);
            var store = ApiHosting.TokenStoreFor(cluster, service);
            try
            {
                return await action(new ApiTokens(store, TimeProvider.System));
            }
            finally
            {
                if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
            }
        });

    static Task<int> PruneAsync(CancellationToken cancellationToken) => WithSettingsAsync(async (cluster, service) =>
    {
        await using var store = ServiceSiloBuilderExtensions.StoreFor(cluster, service);
        await store.InitializeAsync(cancellationToken);
        var sweep = new Runs.RetentionSweep(store, service.Retention, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Runs.RetentionSweep>.Instance);
        var removed = await sweep.RunAsync(cancellationToken);
        var schedules = ServiceSiloBuilderExtensions.ScheduleStoreFor(cluster, service);
        await schedules.ForgetTicksAsync(DateTimeOffset.UtcNow - service.Retention.Runs, cancellationToken);
        if (schedules is IAsyncDisposable disposable) await disposable.DisposeAsync();
        Console.WriteLine($"Removed {removed} runs from {store.Location} ({service.Retention.Describe()}).");
        var artifacts = Artifacts.ArtifactHosting.Create(ArtifactOptionsFrom(new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build()));
        var lineage = ServiceSiloBuilderExtensions.LineageStoreFor(cluster, service);
        var (count, bytes) = await new Artifacts.ArtifactSweep(artifacts, lineage, store, service.Retention, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Artifacts.ArtifactSweep>.Instance).RunAsync(cancellationToken);
        if (lineage is IAsyncDisposable disposableLineage) await disposableLineage.DisposeAsync();
        Console.WriteLine($"Removed {count} artifacts no kept run references ({bytes:N0} bytes) from {artifacts.Location}.");
        return 0;
    });

    /// <summary>A verb with the service's settings (appsettings.json, environment): 2 when they are invalid, 5 when the store cannot be reached.</summary>
    static async Task<int> WithSettingsAsync(Func<RoutinesClusterOptions, RoutinesServiceOptions, Task<int>> verb)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().Build();
        var cluster = ClusterOptionsFrom(configuration, out var invalid);
        var service = ServiceOptionsFrom(configuration, ref invalid);
        if (invalid is not null) return Fail(invalid, 2);
        try
        {
            return await verb(cluster, service);
        }
        catch (ArgumentException exception)
        {
            return Fail(exception.Message, 2);
        }
        catch (RunStoreException exception)
        {
            return Fail(exception.Message, 5);
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

    /// <summary>The artifact store's settings (<c>Routines:Artifacts</c>); an <see cref="ArgumentException"/> saying what is wrong with them.</summary>
    static Artifacts.ArtifactStoreOptions ArtifactOptionsFrom(IConfiguration configuration)
    {
        var options = new Artifacts.ArtifactStoreOptions();
        configuration.GetSection("Routines:Artifacts").Bind(options);
        return options.Problem() is { } problem ? throw new ArgumentException(problem) : options;
    }

    static RoutinesServiceOptions ServiceOptionsFrom(IConfiguration configuration, ref string? invalid)
    {
        var options = new RoutinesServiceOptions();
        try
        {
            configuration.GetSection("Routines:Service").Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            invalid ??= $"Invalid Routines:Service settings: {exception.Message}";
            return options;
        }

        if (options.HttpPort is < 1 or > 65535) invalid ??= $"Routines:Service:HttpPort must be a port number from 1 to 65535 (got {options.HttpPort}).";
        if (options.MaxRequestBytes < 1024) invalid ??= $"Routines:Service:MaxRequestBytes must be at least 1024 (got {options.MaxRequestBytes}).";
        invalid ??= options.Retention.Validate();
        return options;
    }

    static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
