using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Silo.Hosting;

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

        builder.UseOrleans(silo =>
        {
            silo.UseRoutinesClustering(cluster, SiloRole.Worker);
            silo.AddRoutinesWorker(project.Assemblies, o => { if (slots is { } n) o.Slots = n; });
        });
        return builder.Build();
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
