using System.Text.Json;
using System.Text.RegularExpressions;
using Routines.Client;
using Routines.Silo.Tests.Fixtures;
using Routines.Silo.Tests.Telemetry;
using Routines.Tests.Shared;

namespace Routines.Silo.Tests.Deployment;

/// <summary>
/// The prod overlay's KEDA query, evaluated against a real service's <c>/metrics</c> with a known number of runs
/// waiting for two projects: each project's Deployment is given its own demand.
/// </summary>
public sealed class AutoscalingTests(EmptyClusterFixture cluster) : IClassFixture<EmptyClusterFixture>
{
    [Fact]
    public async Task TheScaledObjectsQuery_GivesEachProjectItsOwnWaitingRuns()
    {
        // Both projects' workers report once (the service then knows their routines), then stop: what is submitted
        // next waits in line for them.
        var alpha = cluster.StartWorker("alpha-scaling", "WorkerAlpha");
        var beta = cluster.StartWorker("beta-scaling", "WorkerBeta");
        await cluster.WaitForWorkersAsync(2, ws => ws.Any(w => w.Name == "alpha-scaling") && ws.Any(w => w.Name == "beta-scaling"));
        var routines = await cluster.Client.ListRoutinesAsync();
        string Exact(string name) => routines.Single(r => r.Id.Name == name).Id.ToString();
        alpha.Terminate();
        beta.Terminate();
        await Eventually.TrueAsync(async () => (await cluster.Client.ListWorkersAsync()).Count == 0, TimeSpan.FromSeconds(30), "both workers gone");

        var waiting = new CallOptions { WaitForWorker = true };
        for (var i = 0; i < 3; i++) await cluster.Client.SubmitAsync(Exact("alpha_only"), Json(new { name = $"a{i}" }), waiting);
        for (var i = 0; i < 5; i++) await cluster.Client.SubmitAsync(Exact("beta_only"), Json(new { name = $"b{i}", milliseconds = 1 }), waiting);

        var query = QueryOf(KubernetesManifestTests.Document(await KubernetesManifestTests.RenderAsync("overlays/prod"), "ScaledObject", "routines-worker-mlpipeline"));
        var scrape = await Eventually.ReturnsAsync(async () =>
        {
            using var http = new HttpClient();
            var text = await http.GetStringAsync($"http://127.0.0.1:{cluster.HttpPort}/metrics");
            return Evaluate(For(query, "alpha_only", "alpha-scaling"), text) + Evaluate(For(query, "beta_only", "beta-scaling"), text) == 8 ? text : null;
        }, TimeSpan.FromSeconds(10), "the eight waiting runs in the service's gauges");

        Assert.Equal(3, Evaluate(For(query, "alpha_only", "alpha-scaling"), scrape));
        Assert.Equal(5, Evaluate(For(query, "beta_only", "beta-scaling"), scrape));
        Assert.Equal(0, Evaluate(query, scrape)); // the sample project's own query: none of its routines waits
    }

    /// <summary>The query of the ScaledObject's Prometheus trigger, as rendered (a folded block).</summary>
    static string QueryOf(string scaledObject)
    {
        var lines = scaledObject.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimStart().StartsWith("query:", StringComparison.Ordinal));
        var indent = lines[start].Length - lines[start].TrimStart().Length;
        var rest = lines.Skip(start + 1).TakeWhile(l => l.Length - l.TrimStart().Length > indent).Select(l => l.Trim());
        var inline = lines[start].Trim()["query:".Length..].Trim();
        return string.Join(" ", new[] { inline is ">-" or ">" ? "" : inline }.Concat(rest)).Trim();
    }

    /// <summary>The same query for another project: its routines and its worker pods.</summary>
    static string For(string query, string routines, string workerPrefix)
        => Regex.Replace(Regex.Replace(query, @"routine=~""[^""]*""", $@"routine=~""{routines}"""), @"worker=~""[^""]*""", $@"worker=~""{workerPrefix}.*""");

    /// <summary>
    /// Evaluates the query's form — a sum of <c>(sum(metric{label=~"regex"}) or vector(0))</c> terms — over a scrape,
    /// as Prometheus would over the same samples; any other form fails the test rather than being guessed at.
    /// </summary>
    static double Evaluate(string query, string scrape)
    {
        var terms = Regex.Matches(query, @"\(sum\((?<metric>\w+)\{(?<label>\w+)=~""(?<regex>[^""]*)""\}\) or vector\(0\)\)");
        Assert.True(terms.Count >= 1 && Regex.Replace(query, @"\(sum\(\w+\{\w+=~""[^""]*""\}\) or vector\(0\)\)", "T").Replace(" ", "").Split('+').All(t => t == "T"),
            $"The autoscaling query has a form this test does not evaluate: {query}");
        return terms.Sum(term =>
        {
            var matcher = new Regex($"^(?:{term.Groups["regex"].Value})$");
            return PrometheusText.Sum(scrape, term.Groups["metric"].Value,
                labels => labels.TryGetValue(term.Groups["label"].Value, out var value) && matcher.IsMatch(value));
        });
    }

    static string Json(object value) => JsonSerializer.Serialize(value);
}
