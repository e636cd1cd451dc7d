using System.Diagnostics;
using System.Text.Json;
using Routines.Serialization;
using Routines.Testing;

namespace Routines.Bench;

/// <summary>
/// What priorities and concurrency limits cost the dispatcher: the embedded engine (4 slots) runs 10,000 no-op tasks
/// submitted at once, plain, and with random priorities (-5 to 5) under a limit of 2 per group (16 groups), in
/// alternating rounds of the same process.
/// </summary>
internal static class DispatchBench
{
    const int Runs = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine($"Dispatch with priorities and limits off and on: {Runs:N0} no-op tasks submitted at once, 4 slots, embedded engine");
        await using var env = await RoutineTestEnvironment.StartAsync([typeof(Noop).Assembly], slots: 4);
        var random = new Random(5);
        var plain = Enumerable.Range(0, Runs).Select(i => ("noop", Json(new Step(i)), (CallOptions?)null)).ToArray();
        var ordered = Enumerable.Range(0, Runs).Select(i => ("noop_limited", Json(new GroupStep(i, i % 16)), (CallOptions?)new CallOptions { Priority = random.Next(-5, 6) })).ToArray();
        await RoundAsync(env, plain[..1000]);
        await RoundAsync(env, ordered[..1000]);

        var (off, on) = (new List<double>(), new List<double>());
        for (var round = 0; round < 3; round++)
        {
            off.Add(await RoundAsync(env, plain));
            on.Add(await RoundAsync(env, ordered));
        }

        Console.WriteLine($"  off: median {Median(off):0} runs/s (rounds: {string.Join(", ", off.Select(r => r.ToString("0")))})");
        Console.WriteLine($"  on:  median {Median(on):0} runs/s (rounds: {string.Join(", ", on.Select(r => r.ToString("0")))}), "
                        + $"{100 * (Median(on) / Median(off) - 1):+0.0;-0.0} %");
        return 0;
    }

    static string Json(object input) => JsonSerializer.Serialize(input, RoutineJson.Default);

    static async Task<double> RoundAsync(RoutineTestEnvironment env, (string Routine, string Input, CallOptions? Options)[] runs)
    {
        var sw = Stopwatch.StartNew();
        var handles = await Task.WhenAll(runs.Select(r => env.Client.SubmitAsync(r.Routine, r.Input, r.Options)));
        await Task.WhenAll(handles.Select(h => env.Client.WaitAsync(h.RunId)));
        return runs.Length / sw.Elapsed.TotalSeconds;
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
