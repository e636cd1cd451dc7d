using Routines.Silo.Hosting;
using Routines.Silo.Tests.Fixtures;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Telemetry;

/// <summary>
/// The real cluster (service and two workers in their own processes) exporting its spans over OTLP to a collector
/// in the test, its workers serving <c>/healthz</c> and <c>/metrics</c>, the test apps' own span source recorded.
/// </summary>
public sealed class TelemetryClusterFixture : ClusterFixture
{
    readonly Dictionary<string, int> _workerPorts = [];

    public OtlpReceiver Collector { get; private set; } = null!;

    /// <summary>The port a worker process serves its probes and metrics on.</summary>
    public int WorkerHttpPort(string name) => _workerPorts[name];

    public override async Task InitializeAsync()
    {
        Collector = await OtlpReceiver.StartAsync();
        await base.InitializeAsync();
    }

    protected override Dictionary<string, string> Settings(string name)
    {
        var settings = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200", // spans reach the collector within a moment, not the default 5 s
            ["Routines__Telemetry__Sources"] = "Routines.Tests.Apps",
            ["Routines__Telemetry__Meters"] = "Microsoft.Orleans", // opted in, as an operator would
        };
        if (name is not ("service" or "verb"))
        {
            if (!_workerPorts.TryGetValue(name, out var port)) _workerPorts[name] = port = FreePort.Next();
            settings["Routines__Worker__HttpPort"] = port.ToString();
        }

        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }
}
