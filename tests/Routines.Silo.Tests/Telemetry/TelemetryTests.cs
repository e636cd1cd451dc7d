using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Telemetry;

/// <summary>Traces across processes, the Prometheus endpoints and the health probes of a real cluster.</summary>
public sealed class TelemetryTests(TelemetryClusterFixture cluster) : IClassFixture<TelemetryClusterFixture>
{
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task AWorkflowOnTwoWorkers_IsOneConnectedTrace_WithTheTraceIdStoredWithTheRun()
    {
        // The test's own client records its submit span, as a traced .NET program would.
        var exported = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(RoutinesTelemetry.ActivitySourceName).AddInMemoryExporter(exported).Build())
        {
            var handle = await cluster.Client.SubmitAsync("fan", JsonSerializer.Serialize(new { key = $"trace-{Guid.NewGuid():N}", children = 6, milliseconds = 400 }));
            var root = await handle.WaitAsync();
            Assert.True(root.Status == RunStatus.Succeeded, cluster.Logs());
            tracing.ForceFlush();

            var submit = Assert.Single(exported, a => a.DisplayName == "submit fan");
            Assert.Equal(submit.TraceId.ToHexString(), root.TraceId);
            var children = await cluster.Client.ListChildrenAsync(root.RunId);
            Assert.Equal(6, children.Count);

            // Spans from the service and both workers, all in the run's trace, each under the one it belongs to.
            var spans = await Eventually.ReturnsAsync(() =>
            {
                var trace = cluster.Collector.Spans.Where(s => s.TraceId == root.TraceId).ToList();
                // The workflow's attempt ends after its children's: its span may reach the collector in a later export.
                return Task.FromResult(trace.Count(s => s.Name == "step work") == 6 && trace.Count(s => s.Name == "attempt step") == 6
                                       && trace.Any(s => s.Name == "attempt fan") ? trace : null);
            }, TimeSpan.FromSeconds(20), "the trace's spans at the collector");

            var run = Assert.Single(spans, s => s.Name == "run fan");
            Assert.Equal("routines-service", run.Service);
            Assert.Equal(submit.SpanId.ToHexString(), run.ParentSpanId);
            Assert.Equal(SpanIdOf(root.TraceParent), run.SpanId);
            var attempt = Assert.Single(spans, s => s.Name == "attempt fan");
            Assert.Equal(run.SpanId, attempt.ParentSpanId);
            Assert.Equal("routines-worker", attempt.Service);
            Assert.Equal(root.RunId, attempt.Tags["routines.run.id"]);

            var workers = new HashSet<string>();
            foreach (var child in children)
            {
                Assert.Equal(root.TraceId, child.TraceId);
                var childRun = Assert.Single(spans, s => s.Name == "run step" && s.Tags["routines.run.id"] == child.RunId);
                Assert.Equal(attempt.SpanId, childRun.ParentSpanId); // a call nests under its workflow's attempt
                Assert.Equal(SpanIdOf(child.TraceParent), childRun.SpanId);
                var childAttempt = Assert.Single(spans, s => s.Name == "attempt step" && s.Tags["routines.run.id"] == child.RunId);
                Assert.Equal(childRun.SpanId, childAttempt.ParentSpanId);
                Assert.Equal("1", childAttempt.Tags["routines.run.attempt"]);
                Assert.Single(spans, s => s.Name == "step work" && s.ParentSpanId == childAttempt.SpanId); // the routine's own span
                workers.Add(childAttempt.Tags["routines.worker"]);
            }

            Assert.True(workers.Count == 2, $"the children ran on {workers.Count} worker(s): {string.Join(", ", workers)}");
        }
    }

    [Fact]
    public async Task TheServicesMetrics_CountTheRunsMade_ByStatus_AndTheWorkersTimeTheirAttempts()
    {
        var service = $"http://127.0.0.1:{cluster.HttpPort}/metrics";
        var workers = new[] { "alpha", "beta" }.Select(w => $"http://127.0.0.1:{cluster.WorkerHttpPort(w)}/metrics").ToList();
        var finishedBefore = await ScrapeAsync(service);
        var attemptsBefore = await SumAsync(workers, "routines_attempt_duration_seconds_count", ("routine", "hostile"), ("status", "Failed"));

        var runs = Enumerable.Range(0, 5).Select(i => cluster.Client.ExecuteAsync("step", Json(new { key = $"metrics-{Guid.NewGuid():N}", milliseconds = 10 })))
            .Concat(Enumerable.Range(0, 3).Select(i => cluster.Client.ExecuteAsync("hostile", Json(new { key = $"metrics-{i}-{Guid.NewGuid():N}", milliseconds = 0 }))));
        var results = await Task.WhenAll(runs);
        Assert.Equal(5, results.Count(r => r.Status == RunStatus.Succeeded));
        Assert.Equal(3, results.Count(r => r.Status == RunStatus.Failed));

        // A scrape answers from a cache of up to 300 ms (the exporter's default): look again until the counts move.
        var finishedAfter = await Eventually.ReturnsAsync(async () =>
        {
            var scrape = await ScrapeAsync(service);
            return Value(scrape, "routines_runs_finished_total") >= Value(finishedBefore, "routines_runs_finished_total") + 8 ? scrape : null;
        }, TimeSpan.FromSeconds(10), "the service's counts after the runs");
        double Delta(string routine, string status)
            => Value(finishedAfter, "routines_runs_finished_total", ("routine", routine), ("status", status))
             - Value(finishedBefore, "routines_runs_finished_total", ("routine", routine), ("status", status));
        Assert.Equal(5, Delta("step", "Succeeded"));
        Assert.Equal(3, Delta("hostile", "Failed"));
        Assert.Equal(0, Delta("step", "Failed"));
        double Submitted(string routine)
            => Value(finishedAfter, "routines_runs_submitted_total", ("routine", routine)) - Value(finishedBefore, "routines_runs_submitted_total", ("routine", routine));
        Assert.Equal((5, 3), (Submitted("step"), Submitted("hostile")));

        // Gauges from the dispatcher: both workers' slots, and the workers by status.
        Assert.Equal(2, Value(finishedAfter, "routines_worker_slots_total", ("worker", "alpha")));
        Assert.True(Value(finishedAfter, "routines_workers", ("status", "Idle")) + Value(finishedAfter, "routines_workers", ("status", "Working")) >= 2);
        Assert.Contains("orleans_", finishedAfter); // Orleans' own meter, opted into (Routines:Telemetry:Meters), beside Routines'

        // Every metric docs/operations.md lists is exported by the service or a worker (a cache hit makes the last one).
        var echo = Json(new { key = $"metrics-cached-{Guid.NewGuid():N}", milliseconds = 0 });
        await cluster.Client.ExecuteAsync("echo", echo);
        Assert.NotNull((await cluster.Client.ExecuteAsync("echo", echo)).CachedFromRunId);
        var everything = await Eventually.ReturnsAsync(async () =>
        {
            var all = await ScrapeAsync(service) + string.Concat(await Task.WhenAll(workers.Select(ScrapeAsync)));
            return all.Contains("routines_cache_hits_total{") ? all : null;
        }, TimeSpan.FromSeconds(10), "a cache hit counted");
        foreach (var metric in Deployment.KubernetesManifestTests.ExportedMetrics())
            Assert.Matches($@"(?m)^{metric}(_total|_bucket)?\{{", everything);

        var attemptsAfter = await Eventually.ReturnsAsync(async () =>
        {
            var sum = await SumAsync(workers, "routines_attempt_duration_seconds_count", ("routine", "hostile"), ("status", "Failed"));
            return sum >= attemptsBefore + 3 ? new StrongBox<double>(sum) : null;
        }, TimeSpan.FromSeconds(10), "the workers' attempt counts");
        Assert.Equal(3, attemptsAfter.Value - attemptsBefore);
    }

    [Fact]
    public async Task EveryProcess_AnswersItsProbes_AndTheServiceIsNotReadyWithoutItsDatabase()
    {
        var service = $"http://127.0.0.1:{cluster.HttpPort}";
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"{service}/healthz/live")).StatusCode);
        var ready = await ReadyAsync(service);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (ready.Status, ready.Checks["store"]));
        Assert.Equal("Healthy", ready.Checks["silo"]);
        foreach (var worker in new[] { "alpha", "beta" })
        {
            var answer = await ReadyAsync($"http://127.0.0.1:{cluster.WorkerHttpPort(worker)}");
            Assert.Equal((HttpStatusCode.OK, "Healthy", "Healthy"), (answer.Status, answer.Checks["silo"], answer.Checks["worker"]));
        }

        await cluster.Postgres.StopAsync();
        try
        {
            var down = await ReadyAsync(service);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (down.Status, down.Checks["store"]));
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"{service}/healthz/live")).StatusCode); // alive: no restart for an outage
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }

        await Eventually.ReturnsAsync(async () => (await ReadyAsync(service)).Status == HttpStatusCode.OK ? "ready" : null,
            TimeSpan.FromSeconds(30), "the service ready again");
    }

    /// <summary>
    /// The probes ask no token store: with the database stopped for longer than the API's token recheck (2 s), the
    /// readiness answer still names its checks (it was a 500 from the failed token lookup).
    /// </summary>
    [Fact]
    public async Task TheReadinessProbe_AnswersWithItsChecks_WhileTheDatabaseIsAwayLongerThanTheTokenRecheck()
    {
        var service = $"http://127.0.0.1:{cluster.HttpPort}";
        await cluster.Postgres.StopAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var down = await ReadyAsync(service);
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), (down.Status, down.Checks["store"]));
        }
        finally
        {
            await cluster.Postgres.StartAgainAsync();
        }

        await Eventually.ReturnsAsync(async () => (await ReadyAsync(service)).Status == HttpStatusCode.OK ? "ready" : null,
            TimeSpan.FromSeconds(30), "the service ready again");
    }

    /// <summary>A stopping worker is no longer ready (it takes no runs) but stays live while it finishes its attempt.</summary>
    [Fact]
    public async Task ATerminatingWorker_IsLiveButNotReady_UntilItHasFinished()
    {
        // More free slots than the fixture's two workers together: the dispatcher gives it the next task.
        using var worker = cluster.StartWorker("terminating", "WorkerAlpha", slots: 8, shutdownGrace: "00:00:20");
        await cluster.WaitForWorkersAsync(3, ws => ws.Any(w => w.Name == "terminating"));
        var probes = $"http://127.0.0.1:{cluster.WorkerHttpPort("terminating")}";
        await Eventually.TrueAsync(async () => (await ReadyAsync(probes)).Status == HttpStatusCode.OK, TimeSpan.FromSeconds(10), "the worker ready");

        var key = $"terminating-{Guid.NewGuid():N}";
        var step = await cluster.Client.SubmitAsync("step", Json(new { key, milliseconds = 4000 }));
        await Eventually.TrueAsync(async () => cluster.Began(key) && (await cluster.Client.GetRunAsync(step.RunId)) is { Status: RunStatus.Running, Worker: { } on }
                                               && (await cluster.Client.ListWorkersAsync()).Single(w => w.Name == "terminating").WorkerId == on,
            TimeSpan.FromSeconds(10), "the step running on the new worker");
        worker.Terminate();

        var stopping = await Eventually.ReturnsAsync(async () => await ReadyAsync(probes) is { Status: HttpStatusCode.ServiceUnavailable } answer ? answer.Checks : null,
            TimeSpan.FromSeconds(3), "the stopping worker unready");
        Assert.Equal("Unhealthy", stopping["worker"]);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync($"{probes}/healthz/live")).StatusCode);
        Assert.Equal(RunStatus.Succeeded, (await step.WaitAsync()).Status); // it finished its attempt before leaving
    }

    static async Task<(HttpStatusCode Status, Dictionary<string, string> Checks)> ReadyAsync(string baseAddress)
    {
        using var response = await Http.GetAsync($"{baseAddress}/healthz/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!);
        return (response.StatusCode, checks);
    }

    static string Json(object value) => JsonSerializer.Serialize(value);

    static string? SpanIdOf(string? traceParent) => traceParent?.Split('-')[2];

    static Task<string> ScrapeAsync(string url) => Http.GetStringAsync(url);

    static async Task<double> SumAsync(IEnumerable<string> urls, string metric, params (string Label, string Value)[] labels)
    {
        var sum = 0.0;
        foreach (var url in urls) sum += Value(await ScrapeAsync(url), metric, labels);
        return sum;
    }

    /// <summary>The sum of a metric's samples in Prometheus text whose labels include all of <paramref name="labels"/>.</summary>
    static double Value(string scrape, string metric, params (string Label, string Value)[] labels)
        => PrometheusText.Sum(scrape, metric, have => labels.All(l => have.GetValueOrDefault(l.Label) == l.Value));
}
