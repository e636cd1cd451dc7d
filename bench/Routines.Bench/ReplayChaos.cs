using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Routines.Client;
using Routines.Serialization;
using Routines.Silo.Hosting;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>
/// Workflows mixing sequential and parallel children (<see cref="ChaosMix"/>) on a service + 2 workers + PostgreSQL,
/// while a worker is killed with kill -9 at random moments and started again. At the end it prints how many workflows
/// returned a wrong result and how many succeeded children ran again; both must be 0 (DESIGN.md, invariant 5).
/// </summary>
internal static class ReplayChaos
{
    public static async Task<int> RunAsync(string[] args)
    {
        var kills = ClusterBench.OptionValue(args, "--kills") ?? 100;
        var seed = ClusterBench.OptionValue(args, "--seed") ?? Environment.TickCount;
        var random = new Random(seed);
        Console.WriteLine($"replay chaos: {kills} kill -9 of a worker at random moments (seed {seed})");
        var journal = Path.Combine(Directory.CreateTempSubdirectory("routines-chaos-").FullName, "journal.txt");
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("chaos");
        var processes = new List<TestProcess>();
        try
        {
            var gatewayPort = FreePort.Next();
            var service = TestProcess.Start(ClusterBench.Dll("src/Silo", "Routines.Silo.dll"), Directory.GetCurrentDirectory(), [],
                ClusterBench.ProcessEnvironment(connectionString, "service", gatewayPort, gen0Budget: "0x10000000"), "service");
            processes.Add(service);
            await service.WaitForOutputAsync("Application started", TimeSpan.FromSeconds(60));
            using var client = await ClusterBench.ConnectAsync(gatewayPort);
            var routines = client.Services.GetRequiredService<IRoutinesClient>();
            var names = new[] { "chaos-1", "chaos-2" };
            foreach (var name in names) processes.Add(ClusterBench.StartWorker(name, connectionString, journal));
            await WorkersReadyAsync(routines, names);

            // Four workflows in flight at all times until the kills are done; each a different seed, so a swapped result shows.
            var submitted = new List<(RunHandle Handle, ChaosInput Input)>();
            var killing = true;
            var workflows = Task.WhenAll(Enumerable.Range(0, 4).Select(async lane =>
            {
                while (Volatile.Read(ref killing))
                {
                    var input = new ChaosInput($"w{lane}-{Guid.NewGuid():N}"[..16], random.Next(1, 1_000_000), Folds: 4, Milliseconds: 100);
                    var handle = await routines.SubmitAsync("chaos_mix", ClusterBench.Json(input));
                    lock (submitted) submitted.Add((handle, input));
                    await handle.WaitAsync();
                }
            }));

            var clock = Stopwatch.StartNew();
            for (var kill = 1; kill <= kills; kill++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 5_000))); // workflows take about 1.5 s undisturbed
                var name = names[random.Next(names.Length)];
                var victim = processes.Single(p => p.Name == name);
                victim.KillHard();
                await victim.WaitForExitAsync();
                processes.Remove(victim);
                victim.Dispose();
                processes.Add(ClusterBench.StartWorker(name, connectionString, journal));
                await WorkersReadyAsync(routines, names);
                if (kill % 10 == 0) Console.WriteLine($"  {kill} kills, {submitted.Count} workflows submitted, {clock.Elapsed.TotalSeconds:0} s");
            }

            Volatile.Write(ref killing, false);
            await workflows.WaitAsync(TimeSpan.FromMinutes(10));
            await ReportAsync(routines, submitted, journal);
            return 0;
        }
        catch
        {
            // What the service and the workers printed is what tells a hang or a crash apart: kept beside the journal.
            var logs = Path.GetDirectoryName(journal)!;
            foreach (var process in processes) await File.WriteAllTextAsync(Path.Combine(logs, $"{process.Name}.log"), process.Stdout + process.Stderr);
            Console.WriteLine($"the processes' output: {logs}");
            throw;
        }
        finally
        {
            foreach (var process in processes) process.Dispose();
        }
    }

    static Task WorkersReadyAsync(IRoutinesClient routines, string[] names)
        => Eventually.TrueAsync(async () =>
        {
            var ready = (await routines.ListWorkersAsync()).Where(w => w.Status is not (WorkerStatus.Initializing or WorkerStatus.Terminating)).Select(w => w.Name);
            return names.All(ready.Contains);
        }, TimeSpan.FromSeconds(60), "both workers ready");

    static async Task ReportAsync(IRoutinesClient routines, List<(RunHandle Handle, ChaosInput Input)> submitted, string journal)
    {
        var executions = File.ReadAllLines(journal).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        int wrong = 0, notSucceeded = 0, replayed = 0, rerun = 0, children = 0, childrenRetried = 0;
        foreach (var (handle, input) in submitted)
        {
            var run = await handle.WaitAsync();
            if (run.Attempt > 1) replayed++;
            if (run.Status != RunStatus.Succeeded)
            {
                notSucceeded++;
                Console.WriteLine($"  {run.RunId} {run.Status}: {run.Error}");
            }
            else if (JsonSerializer.Deserialize<Count64>(run.OutputJson!, RoutineJson.Default)!.Value != ChaosMix.Expected(input)) wrong++;

            foreach (var child in await routines.ListChildrenAsync(run.RunId))
            {
                children++;
                if (child.Attempt > 1) childrenRetried++;
                var key = JsonDocument.Parse(child.InputJson).RootElement.GetProperty("key").GetString()!;
                // A child runs to its end at most once per attempt the service started (an attempt whose worker died after
                // the step ended, before its result was delivered, is run again: that is not a replay returning twice).
                if (child.Status == RunStatus.Succeeded && executions.GetValueOrDefault(key) > child.Attempt) rerun++;
            }
        }

        Console.WriteLine($"workflows: {submitted.Count} ({replayed} re-dispatched after a kill, {notSucceeded} did not succeed); "
                        + $"children: {children} ({childrenRetried} handed back or retried)");
        Console.WriteLine($"wrong results: {wrong}");
        Console.WriteLine($"succeeded children that ran again: {rerun}");
    }
}
