using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Routines.Silo.Storage;
using Routines.Telemetry;

namespace Routines.Silo.Telemetry;

/// <summary>The readiness checks of the service and worker silos.</summary>
internal static class SiloProbes
{
    /// <summary>The silo is an active member of the cluster (not joining, not shutting down, not declared dead).</summary>
    /// <param name="silo">The silo's services, when the checks run in another host (a worker's probes).</param>
    public static IHealthChecksBuilder AddSiloCheck(this IHealthChecksBuilder checks, IServiceProvider? silo = null) => checks.AddReadyCheck("silo", (services, _) =>
    {
        services = silo ?? services;
        var local = services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var status = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(local);
        return Task.FromResult(status == SiloStatus.Active ? null : $"the silo is {status}, not an active member of the cluster");
    });

    /// <summary>The run store answers, with every migration this build knows applied.</summary>
    public static IHealthChecksBuilder AddStoreCheck(this IHealthChecksBuilder checks) => checks.AddReadyCheck("store", async (services, cancellationToken) =>
    {
        await services.GetRequiredService<IRunStore>().CheckAsync(cancellationToken);
        return null;
    });
}
