using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>
/// What telemetry costs: a cluster exporting nothing (Prometheus <c>/metrics</c> only, as always) against one exporting
/// traces, metrics and logs over OTLP, with default sampling, to a sink in this process that reads and drops them.
/// </summary>
internal static class TelemetryBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        await using var sink = await OtlpReceiver.StartAsync(keepSpans: false);
        return await PairBench.RunAsync("Telemetry off and on", ClusterBench.OptionValue(args, "--rounds") ?? 3,
            new Variant("telemetry off", new Dictionary<string, string>()),
            new Variant("telemetry on", new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = sink.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            }));
    }
}
