using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Hosting;

namespace Routines.Silo.Api;

/// <summary>The HTTP API's JSON: the one dialect of Routines (camelCase, enums as camelCase strings, strict on input).</summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options => RoutineJson.Default;
}

/// <summary>Serves the HTTP API from the service's own host, beside the Orleans gateway.</summary>
internal static class ApiHosting
{
    /// <summary>Kestrel on <see cref="RoutinesServiceOptions.HttpPort"/>, token authentication, OpenAPI and problem details.</summary>
    public static void AddRoutinesApi(this WebApplicationBuilder builder, RoutinesClusterOptions cluster, RoutinesServiceOptions service)
    {
        var address = cluster.ListenOnAnyAddress ? IPAddress.Any : IPAddress.Parse(cluster.AdvertisedAddress);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, service.HttpPort);
            kestrel.Limits.MaxRequestBodySize = service.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });

        var services = builder.Services;
        services.ConfigureHttpJsonOptions(o =>
        {
            foreach (var converter in ApiJson.Options.Converters) o.SerializerOptions.Converters.Add(converter);
        });
        services.AddSingleton<IRoutinesClient>(sp => new RoutinesClient(sp.GetRequiredService<IGrainFactory>(), outageTolerance: TimeSpan.Zero));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => TokenStoreFor(cluster, sp.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value));
        services.AddSingleton<ApiTokens>();
        services.AddSingleton<Accounts.IConsoleUserStore>(sp => ConsoleUserStoreFor(cluster, sp.GetRequiredService<IOptions<RoutinesServiceOptions>>().Value));
        services.AddSingleton(sp => new ApiAccess(sp.GetRequiredService<ApiTokens>(), sp.GetRequiredService<TimeProvider>(), IsLoopbackOnly(cluster)));
        services.AddAuthentication(TokenAuthentication.Name).AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.Name, null);
        services.AddAuthorization(o =>
        {
            foreach (var scope in Enum.GetValues<TokenScope>())
                o.AddPolicy(scope.ToString(), p => p.RequireAssertion(c => TokenAuthentication.ScopeOf(c.User) >= scope));
        });
        services.AddProblemDetails();
        // A query value that does not bind (take=abc) throws, so it gets a problem detail naming it, not a bare 400.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi();
    }

    public static void MapRoutinesApi(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(WriteProblemAsync));
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        ApiEndpoints.MapRoutinesApi(app);
    }

    /// <summary>An exception from an endpoint as its problem detail; anything unexpected as a 500 without a stack trace.</summary>
    static Task WriteProblemAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var problem = exception is null ? null : ApiProblems.Of(exception);
        return ApiProblems.WriteAsync(context, problem ?? ApiProblems.Problem(500, "Internal error", "The service failed to answer; its log has the details."));
    }

    /// <summary>The API answers without a token only when nobody beyond this machine can reach it.</summary>
    public static bool IsLoopbackOnly(RoutinesClusterOptions cluster)
        => !cluster.ListenOnAnyAddress && IPAddress.IsLoopback(IPAddress.Parse(cluster.AdvertisedAddress));

    /// <summary>Tokens live in the service's store: PostgreSQL in a PostgreSQL cluster, otherwise the SQLite file.</summary>
    static Accounts.IConsoleUserStore ConsoleUserStoreFor(RoutinesClusterOptions cluster, RoutinesServiceOptions service)
        => cluster.Provider == ClusterProvider.Postgres
            ? new Accounts.PostgresConsoleUserStore(cluster.ConnectionString!)
            : new Accounts.SqliteConsoleUserStore(ServiceSiloBuilderExtensions.StorePathOf(service));

    public static ITokenStore TokenStoreFor(RoutinesClusterOptions cluster, RoutinesServiceOptions service)
        => cluster.Provider == ClusterProvider.Postgres
            ? new PostgresTokenStore(cluster.ConnectionString!)
            : new SqliteTokenStore(ServiceSiloBuilderExtensions.StorePathOf(service));
}
