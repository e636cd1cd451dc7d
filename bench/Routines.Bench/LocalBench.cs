using System.Diagnostics;
using Routines.Client;
using Routines.Testing;

namespace Routines.Bench;

/// <summary>The local (embedded) engine: one process playing service and worker, SQLite store.</summary>
internal static class LocalBench
{
    public static async Task RunAsync(string[] args)
    {
        var skipSample = args.Contains("--skip-sample");
        Console.WriteLine($"Routines local-engine benchmarks — {Environment.ProcessorCount} cores, .NET {Environment.Version}");

        await using (var env = await RoutineTestEnvironment.StartAsync([typeof(Noop).Assembly], slots: Environment.ProcessorCount * 4))
        {
            // Warm up JIT, grains and the store.
            await Run(env, "sequence", new Shape(200));
            await Run(env, "fan_out", new Shape(500));

            // 1. A direct method call versus the same no-op task run through a workflow, one call after another.
            var direct = new Noop();
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < 10_000; i++) await direct.RunAsync(new Step(i), null!); // no-op: never touches its context
            var directPerCall = sw.Elapsed.TotalMicroseconds / 10_000;
            // Bytes allocated per run barely move with the machine's speed, unlike times: a build-to-build measure of the engine's work.
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var sequential = await Run(env, "sequence", new Shape(10_000));
            var allocatedPerRun = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 10_000.0;
            Console.WriteLine($"sequential 10,000 no-op tasks in a workflow: {sequential.TotalSeconds:0.00} s total, "
                            + $"{sequential.TotalMicroseconds / 10_000:0} µs per task run vs {directPerCall:0.000} µs per direct call; "
                            + $"{allocatedPerRun / 1024:0.0} KB allocated per task run (service, worker and store in this one process)");

            // 2. Fan-out/fan-in of 10,000 children.
            var fan = await Run(env, "fan_out", new Shape(10_000));
            Console.WriteLine($"fan-out of 10,000 children, end to end: {fan.TotalSeconds:0.00} s ({10_000 / fan.TotalSeconds:0} children/s)");

            // 3. The workflow-engine benchmark shape: 40 sequential tasks of 10 ms each.
            sw.Restart();
            for (var i = 0; i < 40; i++) await Task.Delay(TimeSpan.FromMilliseconds(10));
            var floor = sw.Elapsed.TotalMilliseconds;
            var chain = await Run(env, "sequence", new Shape(40, Milliseconds: 10));
            Console.WriteLine($"chain of 40 sequential 10 ms tasks: {chain.TotalMilliseconds:0} ms total, "
                            + $"{(chain.TotalMilliseconds - floor) / 40:0.00} ms overhead per step (the same 40 sleeps called directly: {floor:0} ms)");
        }

        // 4. run-routine of the sample, as a user runs it: process start to result.
        if (!skipSample)
        {
            var sample = SampleBinary();
            if (sample is null)
            {
                Console.WriteLine("sample run-routine: skipped (build samples/MLPipeline first: dotnet build -c Release samples/MLPipeline)");
            }
            else
            {
                var store = Path.Combine(Path.GetTempPath(), $"routines-bench-{Guid.NewGuid():N}.db");
                var times = new List<double>();
                for (var i = 0; i < 5; i++)
                {
                    var sw = Stopwatch.StartNew();
                    using var process = Process.Start(new ProcessStartInfo("dotnet", [sample, "run-routine", "train_and_pick_model", "--json", "--no-cache", "--store", store])
                    {
                        RedirectStandardOutput = true, RedirectStandardError = true,
                    })!;
                    await process.StandardOutput.ReadToEndAsync();
                    await process.WaitForExitAsync();
                    times.Add(sw.Elapsed.TotalSeconds);
                    if (process.ExitCode != 0) throw new InvalidOperationException($"the sample exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
                }

                times.Sort();
                Console.WriteLine($"sample run-routine train_and_pick_model, process start to result: median {times[2]:0.00} s (min {times[0]:0.00}, max {times[^1]:0.00}, 5 runs)");
            }
        }
    }

    static async Task<TimeSpan> Run(RoutineTestEnvironment env, string routine, Shape shape)
    {
        var sw = Stopwatch.StartNew();
        var run = await env.RunAsync(routine, shape);
        if (run.Status != RunStatus.Succeeded) throw new InvalidOperationException($"{routine} {run.Status}: {run.Error?.Message}");
        return sw.Elapsed;
    }

    static string? SampleBinary()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var config in new[] { "Release", "Debug" })
            {
                var dll = Path.Combine(dir.FullName, "samples", "MLPipeline", "bin", config, "net10.0", "MLPipeline.dll");
                if (File.Exists(dll)) return dll;
            }
        }

        return null;
    }
}
