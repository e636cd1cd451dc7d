using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Silo.Hosting;
using Routines.Silo.Telemetry;
using Routines.Telemetry;

namespace Routines.Hosting;

/// <summary>A worker silo joining a Routines cluster (<c>dotnet run -- worker</c>): it hosts and runs the project's routines.</summary>
internal static class WorkerHost
{
    public static IHost Build(ProjectSetup project, RoutinesClusterOptions cluster, int? slots)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddConfiguration(project.Configuration);
        foreach (var service in project.Services) builder.Services.Add(service);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddRoutinesFilters();
        var orleansSpans = builder.Services.AddRoutinesTelemetry(builder.Configuration, "routines-worker", prometheus: false);

        builder.UseOrleans(silo =>
        {
            silo.UseRoutinesClustering(cluster, SiloRole.Worker);
            silo.AddRoutinesWorker(project.Assemblies, o => { if (slots is { } n) o.Slots = n; });
            if (orleansSpans) silo.AddActivityPropagation();
        });
        return builder.Build();
    }

    /// <summary>
    /// The worker's HTTP listener — <c>/healthz/live</c>, <c>/healthz/ready</c>, <c>/metrics</c> — in a small web host
    /// of its own, started before the worker and stopped after it: a worker's host stops its web server first, and a
    /// TERMINATING worker must still answer (live, not ready) while it finishes or hands back its attempts.
    /// </summary>
    public static async Task<WebApplication> StartProbesAsync(IServiceProvider worker, IConfiguration configuration, RoutinesClusterOptions cluster, int port,
        CancellationToken cancellationToken)
    {
        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        var address = cluster.ListenOnAnyAddress ? IPAddress.Any : IPAddress.Parse(cluster.AdvertisedAddress);
        web.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
        });
        web.Services.AddRoutingCore();
        web.Services.AddRoutinesMetricsEndpoint(configuration);
        web.Services.AddHealthChecks().AddSiloCheck(worker).AddReadyCheck("worker",
            (_, _) => Task.FromResult(worker.GetRequiredService<WorkerHeartbeats>().NotServing));
        var app = web.Build();
        app.MapRoutinesProbes();
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The cluster settings of a worker: like the service's, but a free silo port and no gateway by default.</summary>
    public static RoutinesClusterOptions ClusterOptions(IConfiguration configuration, out string? invalid)
    {
        var options = new RoutinesClusterOptions { SiloPort = 0, GatewayPort = 0 };
        configuration.GetSection("Routines:Cluster").Bind(options);
        options.SiloName ??= $"{System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name}-{Environment.MachineName}-{Environment.ProcessId}";
        invalid = options.Validate();
        return options;
    }
}
