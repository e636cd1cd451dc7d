using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Routines.Client;

namespace Routines.Bench;

/// <summary>
/// The HTTP API beside the Orleans client, in the same run: submit → result (POST /runs with wait), runs per second
/// with 1,000 requests in flight, and how fast the SSE log stream delivers lines to one follower.
/// </summary>
internal static class HttpBench
{
    public static async Task RunAsync(string api, IRoutinesClient routines)
    {
        // One connection per request in flight (HTTP/1.1), as 1,000 separate callers would have.
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1_000 }) { Timeout = TimeSpan.FromMinutes(5) };
        for (var i = 0; i < 2_000; i++) await ExecuteAsync(http, api, i); // warm the HTTP path up

        var latencies = new List<double>();
        for (var i = 0; i < 1_000; i++)
        {
            var one = Stopwatch.StartNew();
            await ExecuteAsync(http, api, i);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"HTTP API, sequential submit → result (POST /api/v1/runs with wait), 1,000 runs: p50 {ClusterBench.Percentile(latencies, 50):0.00} ms, "
                        + $"p99 {ClusterBench.Percentile(latencies, 99):0.00} ms");

        var rates = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var sw = Stopwatch.StartNew();
            await ClusterBench.ParallelAsync(10_000, 1_000, i => ExecuteAsync(http, api, i));
            rates.Add(10_000 / sw.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"HTTP API, 10,000 runs a round with 1,000 requests in flight: median {ClusterBench.Percentile(rates, 50):0} runs/s "
                        + $"(rounds: {string.Join(", ", rates.Select(r => r.ToString("0")))})");

        await LogStreamAsync(http, api, routines, lines: 20_000);
    }

    /// <summary>Lines per second over SSE: following a run while it logs, then reading a finished run's log from the start.</summary>
    static async Task LogStreamAsync(HttpClient http, string api, IRoutinesClient routines, int lines)
    {
        var handle = await routines.SubmitAsync("log_lines", ClusterBench.Json(new Lines(lines)));
        var live = await FollowAsync(http, $"{api}/runs/{handle.RunId}/logs/stream");
        var replay = await FollowAsync(http, $"{api}/runs/{handle.RunId}/logs/stream");
        if (live.Lines != lines || replay.Lines != lines) throw new InvalidOperationException($"expected {lines} lines, got {live.Lines} live and {replay.Lines} replayed");
        Console.WriteLine($"HTTP API, SSE log stream to one follower, {lines:N0} lines: {lines / live.Elapsed.TotalSeconds:0} lines/s following a run "
                        + $"that writes them as fast as it can; {lines / replay.Elapsed.TotalSeconds:0} lines/s reading the finished run's log");
    }

    static async Task<(int Lines, TimeSpan Elapsed)> FollowAsync(HttpClient http, string url)
    {
        var sw = Stopwatch.StartNew();
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var count = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "event: log") count++;
            else if (line == "event: end") break;
        }

        return (count, sw.Elapsed);
    }

    static async Task ExecuteAsync(HttpClient http, string api, int index)
    {
        using var response = await http.PostAsJsonAsync($"{api}/runs", new { routine = "noop", input = new { index }, wait = true });
        var run = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (!response.IsSuccessStatusCode || run?["status"]?.GetValue<string>() != "succeeded")
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode}: {run}");
    }
}
