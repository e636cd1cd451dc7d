using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>
/// A real cluster on this machine: PostgreSQL 15 (fsync off, as in the tests), the service silo and two worker
/// processes (this program, run as <c>worker</c>), and an Orleans client here that submits and waits.
/// </summary>
internal static class ClusterBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        _workerSlots = OptionValue(args, "--worker-slots") ?? _workerSlots;
        Console.WriteLine($"Routines cluster benchmarks — service + 2 workers ({_workerSlots} slots each) + PostgreSQL 15 on {System.Environment.ProcessorCount} cores");
        await using var postgres = await PostgresServer.StartAsync();
        var processes = new List<TestProcess>();
        try
        {
            var cluster = await StartClusterAsync(postgres, "bench", processes);
            using var client = cluster.Client;
            var (service, connectionString, httpPort) = (cluster.Service, cluster.ConnectionString, cluster.HttpPort);
            var routines = client.Services.GetRequiredService<IRoutinesClient>();
            var grains = client.Services.GetRequiredService<IClusterClient>();

            await WarmUpAsync(routines, grains);
            await RawBaselineAsync(grains);
            // --rounds N: more throughput rounds, e.g. to give a profiler a steady window.
            var rounds = OptionValue(args, "--rounds") ?? 3;
            var cpu = new CpuMeter([
                ("service", () => [service.Id]),
                ("workers", () => processes.Where(p => p != service).Select(p => p.Id)),
                ("PostgreSQL", () => [postgres.ProcessId, .. CpuMeter.ChildrenOf(postgres.ProcessId)]),
                ("client", () => [System.Environment.ProcessId]),
            ]);
            // --chains N: only the chain, N rounds of a fan-out of 10,000 and then four chains of 100 (what a fan-out leaves
            // behind shows in the first).
            if (OptionValue(args, "--chains") is { } chainRounds)
            {
                await ChainsAfterFanOutAsync(routines, cpu, chainRounds);
                return 0;
            }

            var atOnce = new Load("all submitted at once, ExecuteAsync", 10_000, i => ExecuteAsync(routines, "noop", new Step(i)));
            // --take-turns DIR: rounds in turns with other bench processes (bench/compare-builds.sh), of 10,000 runs at once
            // or, with --fan-out, of a workflow's 10,000 children.
            if (TakingTurns.From(args) is { } turns)
            {
                await turns.RunAsync(rounds, args.Contains("--fan-out")
                    ? () => FanOutRoundAsync(routines, cpu)
                    : () => ThroughputAsync(runs: 10_000, 1, cpu, atOnce));
                return 0;
            }

            await ThroughputAsync(runs: 10_000, rounds, cpu,
                atOnce,
                new Load("1,000 in flight, ExecuteAsync", 1_000, i => ExecuteAsync(routines, "noop", new Step(i))),
                new Load("all submitted at once, SubmitAsync then WaitAsync", 10_000, i => SubmitThenWaitAsync(routines, "noop", new Step(i))));
            await LatencyAsync(routines, runs: 1_000);
            await TimedRunAsync(routines, "fan-out of 10,000 children, end to end", "fan_out", new Shape(10_000));
            var chain = await TimedRunAsync(routines, "chain of 100 sequential no-op tasks", "sequence", new Shape(100));
            Console.WriteLine($"  = {chain.TotalMilliseconds / 100:0.00} ms per step");
            if (args.Contains("--children-100k"))
                await TimedRunAsync(routines, "fan-out of 100,000 children, end to end", "fan_out", new Shape(100_000), TimeSpan.FromMinutes(10));
            // After the fan-out and the chain, so that they follow the same loads as in builds before the HTTP API.
            await HttpBench.RunAsync($"http://127.0.0.1:{httpPort}/api/v1", routines);
            await FailoverAsync(routines, processes, connectionString);
            await DatabaseRestartAsync(routines, postgres, connectionString);
            return 0;
        }
        finally
        {
            foreach (var process in processes) process.Dispose();
        }
    }

    /// <summary>A service, its two workers and a client connected to it.</summary>
    internal sealed record BenchCluster(TestProcess Service, IHost Client, string ConnectionString, int HttpPort);

    /// <summary>
    /// Starts a service and two workers on a new database of <paramref name="postgres"/> (its name also names the
    /// processes, unless it is "bench"), with extra settings on every process, and connects a client; every process
    /// joins <paramref name="processes"/>.
    /// </summary>
    internal static async Task<BenchCluster> StartClusterAsync(PostgresServer postgres, string database, List<TestProcess> processes,
        IReadOnlyDictionary<string, string>? settings = null, RoutinesTlsOptions? clientTls = null)
    {
        var suffix = database == "bench" ? "" : $"-{database}";
        var connectionString = await postgres.CreateDatabaseAsync(database);
        var gatewayPort = FreePort.Next();
        var httpPort = FreePort.Next();
        var environment = ProcessEnvironment(connectionString, $"service{suffix}", gatewayPort, gen0Budget: "0x10000000");
        environment["Routines__Service__HttpPort"] = httpPort.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var service = TestProcess.Start(Dll("src/Silo", "Routines.Silo.dll"), Directory.GetCurrentDirectory(), [], environment, $"service{suffix}");
        processes.Add(service);
        await service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
        var client = await ConnectAsync(gatewayPort, clientTls);
        foreach (var worker in new[] { "worker-1", "worker-2" }) processes.Add(StartWorker($"{worker}{suffix}", connectionString, settings: settings));
        var routines = client.Services.GetRequiredService<IRoutinesClient>();
        await Eventually.TrueAsync(async () => (await routines.ListWorkersAsync()).Count == 2, TimeSpan.FromSeconds(60), $"two workers{suffix}");
        return new BenchCluster(service, client, connectionString, httpPort);
    }

    internal static async Task WarmUpAsync(IRoutinesClient routines, IClusterClient grains)
    {
        // Long enough for the JIT to finish its tiers in every process: the numbers are for a service that has been up a while.
        await Task.WhenAll(Enumerable.Range(0, 2_000).Select(_ => Baseline(grains)));
        await ParallelAsync(20_000, 1_000, i => ExecuteAsync(routines, "noop", new Step(i)));
        // And the path of a run that waits in line for a slot, which 1,000 in flight barely takes.
        await ParallelAsync(10_000, 10_000, i => ExecuteAsync(routines, "noop", new Step(i)));
        for (var i = 0; i < 300; i++) await ExecuteAsync(routines, "noop", new Step(i));
        await TimedRunAsync(routines, "(warm-up) fan-out of 1,000", "fan_out", new Shape(1_000), quiet: true);
    }

    /// <summary>
    /// Orleans' own cost, which the other figures are read against: five rounds of 20,000 calls, 1,000 in flight, their
    /// median (the first rounds come while the warm-up's last writes and deactivations finish), then 2,000 one at a time.
    /// </summary>
    internal static async Task RawBaselineAsync(IClusterClient grains)
    {
        var rounds = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var sw = Stopwatch.StartNew();
            await ParallelAsync(20_000, 1_000, _ => Baseline(grains));
            rounds.Add(20_000 / sw.Elapsed.TotalSeconds);
        }

        var latencies = new List<double>();
        for (var i = 0; i < 2_000; i++)
        {
            var one = Stopwatch.StartNew();
            await Baseline(grains);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine($"raw Orleans grain call (client → service silo, a call that does nothing): {Percentile(rounds, 50):0} calls/s with 1,000 in flight "
                        + $"(rounds: {string.Join(", ", rounds.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}); "
                        + $"sequential p50 {Percentile(latencies, 50):0.000} ms, p99 {Percentile(latencies, 99):0.000} ms");
    }

    /// <summary>
    /// A call that does nothing (the dispatcher has started): what it costs is Orleans' alone, the same in every build
    /// and whatever the workers offer. The worker list it used to be grows with the routines a bench worker offers.
    /// </summary>
    static Task Baseline(IClusterClient grains) => grains.GetGrain<Routines.Cluster.IDispatcherGrain>(0).StartAsync();

    /// <summary>One way of keeping runs in flight: how many at a time, and the call that runs one.</summary>
    sealed record Load(string Name, int InFlight, Func<int, Task> RunOne);

    /// <summary>
    /// Several rounds of each load (three by default), the loads taking turns round by round: two cores shared by five
    /// processes make one round noisy, and a machine that speeds up or slows down meanwhile affects every load alike.
    /// </summary>
    static async Task ThroughputAsync(int runs, int rounds, CpuMeter cpu, params Load[] loads)
    {
        var rates = loads.Select(_ => new List<double>()).ToArray();
        var none = cpu.Read().Select(p => (p.Part, Cpu: TimeSpan.Zero)).ToList();
        var spent = loads.Select(_ => none).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < loads.Length; i++)
            {
                var before = cpu.Read();
                var sw = Stopwatch.StartNew();
                await ParallelAsync(runs, loads[i].InFlight, loads[i].RunOne);
                rates[i].Add(runs / sw.Elapsed.TotalSeconds);
                var after = cpu.Read();
                spent[i] = [.. spent[i].Select((s, p) => (s.Part, s.Cpu + after[p].Cpu - before[p].Cpu))];
            }
        }

        for (var i = 0; i < loads.Length; i++)
        {
            Console.WriteLine($"durable no-op task runs, {runs:N0} a round, {loads[i].Name}, submit to recorded result: "
                            + $"median {Percentile(rates[i], 50):0} runs/s (rounds: {string.Join(", ", rates[i].Select(r => r.ToString("0")))})");
            Console.WriteLine($"  {CpuMeter.PerRun(none, spent[i], runs * rounds)}");
        }
    }

    /// <summary>Sequential runs, alternating ExecuteAsync (one call) and SubmitAsync then WaitAsync (two), so both see the same machine.</summary>
    static async Task LatencyAsync(IRoutinesClient routines, int runs)
    {
        var oneCall = new List<double>();
        var twoCalls = new List<double>();
        for (var i = 0; i < 2 * runs; i++)
        {
            var one = Stopwatch.StartNew();
            if (i % 2 == 0) await ExecuteAsync(routines, "noop", new Step(i));
            else await SubmitThenWaitAsync(routines, "noop", new Step(i));
            (i % 2 == 0 ? oneCall : twoCalls).Add(one.Elapsed.TotalMilliseconds);
        }

        foreach (var (how, latencies) in new[] { ("ExecuteAsync", oneCall), ("SubmitAsync then WaitAsync", twoCalls) })
        {
            Console.WriteLine($"sequential submit → result, {runs:N0} runs, {how}: p50 {Percentile(latencies, 50):0.00} ms, p99 {Percentile(latencies, 99):0.00} ms"
                            + $" (p10 {Percentile(latencies, 10):0.00}, p25 {Percentile(latencies, 25):0.00}, p75 {Percentile(latencies, 75):0.00}, p90 {Percentile(latencies, 90):0.00})");
        }
    }

    /// <summary>A fan-out of 10,000 children, end to end, read as children per second, with the CPU each child cost.</summary>
    static async Task FanOutRoundAsync(IRoutinesClient routines, CpuMeter cpu)
    {
        const int children = 10_000;
        var before = cpu.Read();
        var rate = children / (await TimedRunAsync(routines, "fan-out", "fan_out", new Shape(children), quiet: true)).TotalSeconds;
        Console.WriteLine($"fan-out of {children:N0} children, end to end: median {rate:0} runs/s (rounds: {rate:0})");
        Console.WriteLine($"  {CpuMeter.PerRun(before, cpu.Read(), children, "child")}");
    }

    static async Task<TimeSpan> TimedRunAsync(IRoutinesClient routines, string what, string routine, object input, TimeSpan? timeout = null, bool quiet = false)
    {
        var sw = Stopwatch.StartNew();
        await ExecuteAsync(routines, routine, input).WaitAsync(timeout ?? TimeSpan.FromMinutes(5));
        if (!quiet) Console.WriteLine($"{what}: {sw.Elapsed.TotalSeconds:0.00} s");
        return sw.Elapsed;
    }

    /// <summary>
    /// Rounds of a 10,000-child fan-out followed by four 100-step chains, each chain's time per step printed: the first
    /// chain runs while the service and the database finish what the fan-out left (deactivations, its end's writes), the
    /// others in a quiet cluster. One chain's CPU per step shows how many wake-ups a step costs more than its work.
    /// </summary>
    static async Task ChainsAfterFanOutAsync(IRoutinesClient routines, CpuMeter cpu, int rounds)
    {
        var (firsts, others) = (new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            var fanOut = await TimedRunAsync(routines, "fan-out", "fan_out", new Shape(10_000), quiet: true);
            var before = cpu.Read();
            var steps = new List<double>();
            for (var chain = 0; chain < 4; chain++)
                steps.Add((await TimedRunAsync(routines, "chain", "sequence", new Shape(100), quiet: true)).TotalMilliseconds / 100);
            firsts.Add(steps[0]);
            others.AddRange(steps.Skip(1));
            Console.WriteLine($"fan-out of 10,000 {fanOut.TotalSeconds:0.00} s, then chains of 100: {string.Join(" / ", steps.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))} ms per step; "
                            + CpuMeter.PerRun(before, cpu.Read(), 400, unit: "step"));
        }

        Console.WriteLine($"chain of 100 right after a fan-out of 10,000: p50 {Percentile(firsts, 50):0.00} ms per step; later chains p50 {Percentile(others, 50):0.00} ms per step");
    }

    /// <summary>
    /// kill -9 of the worker running a task, to the task's next attempt running on the other worker; five times, the
    /// killed worker started again in between, since detection depends on where the probe cycle stands.
    /// </summary>
    static async Task FailoverAsync(IRoutinesClient routines, List<TestProcess> processes, string connectionString)
    {
        var times = new List<double>();
        for (var round = 0; round < 5; round++)
        {
            var handle = await routines.SubmitAsync("noop", Json(new Step(-1, Milliseconds: 60_000)));
            var running = await Eventually.ReturnsAsync(async () => await routines.GetRunAsync(handle.RunId) is { Status: RunStatus.Running } r ? r : null,
                TimeSpan.FromSeconds(30), "the long task to run");
            var workers = await routines.ListWorkersAsync();
            var victimName = workers.Single(w => w.WorkerId == running.Worker).Name;
            var victim = processes.Single(p => p.Name == victimName);
            var sw = Stopwatch.StartNew();
            victim.KillHard();
            await Eventually.ReturnsAsync(async () => await routines.GetRunAsync(handle.RunId) is { Status: RunStatus.Running, Attempt: 2 } r ? r : null,
                TimeSpan.FromSeconds(60), "attempt 2 on the other worker");
            times.Add(sw.Elapsed.TotalSeconds);
            await handle.CancelAsync("benchmark done");

            processes.Remove(victim);
            victim.Dispose();
            processes.Add(StartWorker(victimName, connectionString));
            await Eventually.TrueAsync(async () => (await routines.ListWorkersAsync()).Count(w => w.Status != WorkerStatus.Initializing) == 2,
                TimeSpan.FromSeconds(60), "the worker back");
        }

        Console.WriteLine($"failover: kill -9 of a worker to its task running again on the other worker: median {Percentile(times, 50):0.0} s, "
                        + $"max {times.Max():0.0} s (rounds: {string.Join(", ", times.Select(t => t.ToString("0.0")))})");
    }

    /// <summary>
    /// PostgreSQL stopped for two seconds, as a restart does, in the middle of 10,000 runs submitted at once, then
    /// started again: every run must succeed and no history event be stored twice (decision #31).
    /// </summary>
    static async Task DatabaseRestartAsync(IRoutinesClient routines, PostgresServer postgres, string connectionString)
    {
        const int runs = 10_000;
        var ids = new string[runs];
        var sw = Stopwatch.StartNew();
        var round = ParallelAsync(runs, runs, async i =>
        {
            var run = await routines.ExecuteAsync("noop", Json(new Step(i)));
            EnsureSucceeded(run);
            ids[i] = run.RunId;
        });
        await Task.Delay(TimeSpan.FromSeconds(1));
        await postgres.StopAsync();
        var down = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await postgres.StartAgainAsync();
        var downFor = down.Elapsed;
        var back = Stopwatch.StartNew();
        await round;
        var drained = back.Elapsed;
        var total = sw.Elapsed;

        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var twice = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM (SELECT 1 FROM run_events WHERE run_id = ANY($1) GROUP BY run_id, status, attempt, reason HAVING count(*) > 1) d", connection);
        twice.Parameters.Add(new Npgsql.NpgsqlParameter { Value = ids });
        var duplicated = (long)(await twice.ExecuteScalarAsync())!;
        Console.WriteLine($"database restart (stopped {downFor.TotalSeconds:0.0} s) with {runs:N0} runs submitted at once: all succeeded, "
                        + $"{duplicated} history events stored twice; round {total.TotalSeconds:0.0} s, the last result {drained.TotalSeconds:0.0} s after the database was back");
    }

    internal static async Task ExecuteAsync(IRoutinesClient routines, string routine, object input)
        => EnsureSucceeded(await routines.ExecuteAsync(routine, Json(input)));

    static async Task SubmitThenWaitAsync(IRoutinesClient routines, string routine, object input)
        => EnsureSucceeded(await (await routines.SubmitAsync(routine, Json(input))).WaitAsync());

    static void EnsureSucceeded(RunInfo run)
    {
        if (run.Status != RunStatus.Succeeded) throw new InvalidOperationException($"{run.RoutineId} {run.Status}: {run.Error?.Message}");
    }

    internal static async Task ParallelAsync(int count, int inFlight, Func<int, Task> action)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next)) await action(i);
        }));
    }

    internal static double Percentile(List<double> values, double percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    internal static int? OptionValue(string[] args, string option)
        => args.SkipWhile(a => a != option).Skip(1).Select(v => (int?)int.Parse(v, CultureInfo.InvariantCulture)).FirstOrDefault();

    internal static string Json(object input) => JsonSerializer.Serialize(input, RoutineJson.Default);

    /// <summary>Each worker's slots: 64 unless <c>--worker-slots N</c> says otherwise.</summary>
    static int _workerSlots = 64;

    internal static TestProcess StartWorker(string name, string connectionString, string? journal = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var environment = ProcessEnvironment(connectionString, name, 0, gen0Budget: "0x4000000");
        if (journal is not null) environment["ROUTINES_TEST_JOURNAL"] = journal;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        return TestProcess.Start(typeof(ClusterBench).Assembly.Location, Directory.GetCurrentDirectory(),
            ["worker", "--slots", _workerSlots.ToString(CultureInfo.InvariantCulture)], environment, name);
    }

    internal static Dictionary<string, string> ProcessEnvironment(string connectionString, string name, int gatewayPort, string gen0Budget) => new()
    {
        ["Routines__Cluster__Provider"] = "Postgres",
        ["Routines__Cluster__ConnectionString"] = connectionString,
        ["Routines__Cluster__SiloPort"] = FreePort.Next().ToString(),
        ["Routines__Cluster__GatewayPort"] = gatewayPort.ToString(),
        ["Routines__Cluster__SiloName"] = name,
        ["DOTNET_gcServer"] = "0",
        // As k8s/base deploys them: a 256 MB gen0 budget for the service, 64 MB for workers (docs/cluster.md, "How fast").
        ["DOTNET_GCgen0size"] = gen0Budget,
    };

    internal static async Task<IHost> ConnectAsync(int gatewayPort, RoutinesTlsOptions? tls = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.UseRoutinesClient(new RoutinesClientOptions { GatewayEndpoint = $"127.0.0.1:{gatewayPort}", Tls = tls ?? new() });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>The service's build output, Release preferred.</summary>
    internal static string Dll(string project, string dll)
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var path = Path.Combine(BuildOutput.RepositoryRoot, project, "bin", configuration, "net10.0", dll);
            if (File.Exists(path)) return path;
        }

        throw new FileNotFoundException($"Build {project} first (dotnet build -c Release {project}).");
    }
}
