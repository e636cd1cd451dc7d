using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Routines.Silo.Hosting;
using Routines.Telemetry;

namespace Routines.Hosting;

/// <summary>
/// The embedded default: one in-process silo that plays both roles (service + worker) on localhost clustering with
/// the SQLite store. <c>run-routine</c> uses it, so a local run takes exactly the cluster's code path.
/// </summary>
internal static class EmbeddedHost
{
    public static IHost Build(ProjectSetup project, string? storePath, int? slots, LogLevel minimumLevel)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Configuration.AddConfiguration(project.Configuration);
        foreach (var service in project.Services) builder.Services.Add(service);

        builder.Logging.AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(minimumLevel);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // A local run exports its trace when OTEL_* names a collector, as a cluster's would.
        var orleansSpans = builder.Services.AddRoutinesTelemetry(builder.Configuration, "routines-local", prometheus: false);
        builder.UseOrleans(silo =>
        {
            if (orleansSpans) silo.AddActivityPropagation();
            // Free ports, so several local runs (and tests) can run side by side.
            silo.UseLocalhostClustering(siloPort: FreePort.Next(), gatewayPort: FreePort.Next(), serviceId: "routines", clusterId: "routines-local");
            silo.Configure<SiloOptions>(o => o.SiloName = $"local-{Environment.ProcessId}");
            silo.AddRoutinesService();
            silo.Services.PostConfigure<RoutinesServiceOptions>(o =>
            {
                // --store wins over configuration; without either, the store sits under the project directory.
                if (storePath is not null) o.StorePath = storePath;
                else if (string.IsNullOrEmpty(o.StorePath)) o.StorePath = ProjectDirectory.DefaultStorePath();
                o.RecoverUnfinishedRuns = false; // this process owns only the runs it is asked for
            });
            // Artifacts sit beside the run records (.routines/artifacts), unless configured elsewhere.
            silo.Services.AddOptions<Silo.Artifacts.ArtifactStoreOptions>().PostConfigure<Microsoft.Extensions.Options.IOptions<RoutinesServiceOptions>>((o, service) =>
            {
                if (string.IsNullOrEmpty(o.Path)) o.Path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(service.Value.StorePath))!, "artifacts");
            });
            silo.AddRoutinesWorker(project.Assemblies, o => { if (slots is { } n) o.Slots = n; });
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, LocalRunOwners>();
        });
        return builder.Build();
    }
}
