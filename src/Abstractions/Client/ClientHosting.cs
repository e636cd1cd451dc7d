using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Serialization;

namespace Routines.Client;

/// <summary>Makes a program (a tool, a web app, a test) a client of a Routines cluster with an <see cref="IRoutinesClient"/>.</summary>
public static class ClientHosting
{
    /// <summary>
    /// Registers an Orleans client of the cluster and <see cref="IRoutinesClient"/>; it connects when the host starts.
    /// </summary>
    /// <param name="options">Where the cluster is; when null, bound from the <c>Routines:Cluster</c> configuration section.</param>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it.</exception>
    public static IHostApplicationBuilder UseRoutinesClient(this IHostApplicationBuilder builder, RoutinesClientOptions? options = null)
    {
        if (options is null)
        {
            options = new RoutinesClientOptions();
            builder.Configuration.GetSection(RoutinesClientOptions.Section).Bind(options);
        }

        if (options.Validate() is { } invalid) throw new InvalidOperationException(invalid);
        var tls = options.Tls.Enabled ? ClusterTls.Load(options.Tls) : null;

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId));
            client.Services.AddSingleton(options);
            client.Services.AddSingleton<IGatewayListProvider, GatewayLookup>();
            if (tls is not null) client.UseTls(tls.Configure);
            // A program may register its own after this (the console keeps trying, and says so on its pages).
            client.Services.AddSingleton<IClientConnectionRetryFilter, ConnectionRefusals>();
            client.Services.TryAddSingleton(TimeProvider.System);
            // The engine's exceptions reach the caller as themselves, not as a generic wrapper.
            client.Services.Configure<ExceptionSerializationOptions>(o =>
            {
                if (!o.SupportedNamespacePrefixes.Contains("Routines")) o.SupportedNamespacePrefixes.Add("Routines");
            });
        });
        builder.Services.AddSingleton<IRoutinesClient>(sp => new RoutinesClient(sp.GetRequiredService<IClusterClient>(), options.OutageTolerance));
        return builder;
    }
}
