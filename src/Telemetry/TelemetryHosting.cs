using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Routines.Telemetry;

/// <summary>
/// OpenTelemetry for a Routines process: traces, metrics and logs over OTLP when the standard <c>OTEL_*</c> variables
/// say where, metrics on a Prometheus <c>/metrics</c> where the process serves HTTP, and the health probes. With neither
/// configured nothing is registered, so the spans Routines starts cost one listener check.
/// </summary>
internal static class TelemetryHosting
{
    /// <summary>Tag of the health checks <c>/healthz/ready</c> runs; <c>/healthz/live</c> runs none (the process answers).</summary>
    public const string Ready = "ready";

    /// <summary>Extra ActivitySource names to record, comma-separated, <c>*</c> as a wildcard (a routine's own, <c>Microsoft.Orleans.*</c>).</summary>
    public const string SourcesKey = "Routines:Telemetry:Sources";

    /// <summary>Sources recorded besides Routines' own: the HTTP server and client, and PostgreSQL commands.</summary>
    static readonly string[] Sources = [RoutinesTelemetry.ActivitySourceName, "Microsoft.AspNetCore", "System.Net.Http", "Npgsql"];

    /// <summary>Extra meters to export, comma-separated, <c>*</c> as a wildcard (<c>Microsoft.Orleans</c>, a routine's own).</summary>
    public const string MetersKey = "Routines:Telemetry:Meters";

    /// <summary>
    /// Meters exported besides Routines' own: the .NET runtime, PostgreSQL, the HTTP server and client. Not Orleans':
    /// listened to, its per-message instruments cost a grain call a sixth of its rate (bench/README.md), so it is
    /// exported only when <see cref="MetersKey"/> names it.
    /// </summary>
    static readonly string[] Meters =
    [
        RoutinesTelemetry.MeterName, "System.Runtime", "Npgsql",
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http",
    ];

    static string[] MetersOf(IConfiguration configuration) => [.. Meters, .. NamesIn(configuration, MetersKey)];

    /// <summary>A comma-separated list of names in one setting.</summary>
    static string[] NamesIn(IConfiguration configuration, string key)
        => (configuration[key] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> variable names a collector (and the SDK is not disabled).</summary>
    public static bool ExportsOtlp(IConfiguration configuration)
    {
        if (string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase)) return false;
        return new[] { "", "_TRACES", "_METRICS", "_LOGS" }.Any(signal => !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP{signal}_ENDPOINT"]));
    }

    /// <param name="serviceName">The resource's <c>service.name</c> unless <c>OTEL_SERVICE_NAME</c> gives one.</param>
    /// <param name="prometheus">The process serves <c>/metrics</c> (<see cref="MapRoutinesProbes"/>).</param>
    /// <returns>
    /// Whether Orleans' own spans are recorded, so that its activity propagation belongs on. Routines' spans do not need
    /// it (requests carry their traceparent), and it costs every grain call made inside a span a request context.
    /// </returns>
    public static bool AddRoutinesTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName, bool prometheus)
    {
        var otlp = ExportsOtlp(configuration);
        if (!otlp && !prometheus) return false;

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])) resource.AddService(serviceName);
        });
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(MetersOf(configuration));
            if (prometheus) metrics.AddPrometheusExporter();
        });
        if (!otlp) return false;

        var extra = NamesIn(configuration, SourcesKey);
        telemetry.WithTracing(tracing => tracing.AddSource([.. Sources, .. extra]));
        telemetry.WithLogging();
        telemetry.UseOtlpExporter();
        return extra.Any(source => source.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
    }

    /// <summary>The Prometheus <c>/metrics</c> alone, for a host beside one that exports (a worker's probes).</summary>
    public static void AddRoutinesMetricsEndpoint(this IServiceCollection services, IConfiguration configuration)
        => services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(MetersOf(configuration)).AddPrometheusExporter());

    /// <summary>
    /// <c>/healthz/live</c>, <c>/healthz/ready</c> (the checks tagged <see cref="Ready"/>, each named in a JSON answer) and,
    /// when registered, the Prometheus <c>/metrics</c>: all without credentials, as probes and scrapers come without.
    /// </summary>
    public static void MapRoutinesProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthReports.WriteAsync }).AllowAnonymous();
        endpoints.MapHealthChecks("/healthz/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = HealthReports.WriteAsync }).AllowAnonymous();
        if (endpoints.ServiceProvider.GetService<MeterProvider>() is not null) endpoints.MapPrometheusScrapingEndpoint().AllowAnonymous();
    }

    /// <summary>A readiness check from a function that answers null when ready, or why not.</summary>
    public static IHealthChecksBuilder AddReadyCheck(this IHealthChecksBuilder checks, string name, Func<IServiceProvider, CancellationToken, Task<string?>> problem)
        => checks.Add(new HealthCheckRegistration(name, services => new FunctionCheck(services, problem), HealthStatus.Unhealthy, [Ready]));

    sealed class FunctionCheck(IServiceProvider services, Func<IServiceProvider, CancellationToken, Task<string?>> problem) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await problem(services, cancellationToken) is { } why ? HealthCheckResult.Unhealthy(why) : HealthCheckResult.Healthy();
            }
            catch (Exception exception)
            {
                return HealthCheckResult.Unhealthy(exception.Message);
            }
        }
    }
}
