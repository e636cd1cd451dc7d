using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;

namespace Routines.Silo.Hosting;

/// <summary>Makes a process (CLI, console, test) an Orleans client of a Routines cluster with an <see cref="IRoutinesClient"/>.</summary>
public static class ClientHostingExtensions
{
    /// <param name="outageTolerance">How long the client repeats safe calls while the service is away (<see cref="RoutinesClient"/>).</param>
    public static IHostApplicationBuilder UseRoutinesClient(this IHostApplicationBuilder builder, RoutinesClusterOptions options, TimeSpan? outageTolerance = null)
    {
        builder.UseOrleansClient(client => client.UseRoutinesClustering(options));
        builder.Services.AddSingleton<IRoutinesClient>(sp => new RoutinesClient(sp.GetRequiredService<IClusterClient>(), outageTolerance));
        return builder;
    }
}
