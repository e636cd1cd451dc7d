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
    /// <param name="httpPort">Serves <c>/healthz/live</c>, <c>/healthz/ready</c> and <c>/metrics</c> on this port; none when null.</param>
    public static IHost Build(ProjectSetup project, RoutinesClusterOptions cluster, int? slots, int? httpPort = null)
    {
        if (httpPort is not { } port)
        {
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
            Configure(builder, project, cluster, slots, prometheus: false);
            return builder.Build();
        }

        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        Configure(web, project, cluster, slots, prometheus: true);
        var address = cluster.ListenOnAnyAddress ? IPAddress.Any : IPAddress.Parse(cluster.AdvertisedAddress);
        web.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
        });
        web.Services.AddRoutingCore();
        web.Services.AddHealthChecks().AddSiloCheck().AddReadyCheck("worker",
            (services, _) => Task.FromResult(services.GetRequiredService<WorkerHeartbeats>().NotServing));
        var app = web.Build();
        app.MapRoutinesProbes();
        return app;
    }

    static void Configure(IHostApplicationBuilder builder, ProjectSetup project, RoutinesClusterOptions cluster, int? slots, bool prometheus)
    {
        builder.Configuration.AddConfiguration(project.Configuration);
        foreach (var service in project.Services) builder.Services.Add(service);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddRoutinesFilters();
        var orleansSpans = builder.Services.AddRoutinesTelemetry(builder.Configuration, "routines-worker", prometheus);

        builder.UseOrleans(silo =>
        {
            silo.UseRoutinesClustering(cluster, SiloRole.Worker);
            silo.AddRoutinesWorker(project.Assemblies, o => { if (slots is { } n) o.Slots = n; });
            if (orleansSpans) silo.AddActivityPropagation();
        });
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
