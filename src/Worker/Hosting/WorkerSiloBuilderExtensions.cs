using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Hosting;
using Routines.Worker.Catalog;
using Routines.Worker.Execution;

namespace Routines.Hosting;

/// <summary>Adds the worker role (hosting and executing a project's routines) to a silo.</summary>
internal static class WorkerSiloBuilderExtensions
{
    /// <summary>Hosts the routines defined in <paramref name="assemblies"/>.</summary>
    public static ISiloBuilder AddRoutinesWorker(this ISiloBuilder silo, IEnumerable<Assembly> assemblies, Action<WorkerOptions>? configure = null)
    {
        var services = silo.Services;
        services.AddOptions<WorkerOptions>().BindConfiguration("Routines:Worker")
            .Validate(o => o.Slots > 0, "Routines:Worker:Slots must be at least 1.").ValidateOnStart();
        if (configure is not null) services.Configure(configure);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => RoutineJson.CreateOptions(sp.GetServices<JsonConverter>()));
        var routineAssemblies = assemblies.ToList();
        services.TryAddSingleton(sp => new RoutineRegistry(routineAssemblies, sp.GetRequiredService<JsonSerializerOptions>()));
        services.TryAddSingleton<Executions>();
        services.TryAddSingleton<IRoutinesClient>(sp => new RoutinesClient(sp.GetRequiredService<IGrainFactory>()));
        services.TryAddSingleton<WorkerHeartbeats>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<WorkerHeartbeats>());
        services.AddRoutinesCommon();
        return silo;
    }
}
