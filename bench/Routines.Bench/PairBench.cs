using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>One way of running a cluster: extra settings for every process, and the client's TLS when it needs one.</summary>
internal sealed record Variant(string Name, IReadOnlyDictionary<string, string> Settings, RoutinesTlsOptions? ClientTls = null);

/// <summary>
/// What a setting costs: two clusters side by side on one PostgreSQL server, measured in alternating turns —
/// throughput with 1,000 in flight, then sequential latency — so both see the same machine at the same moments.
/// </summary>
internal static class PairBench
{
    sealed record Cluster(Variant Variant, IRoutinesClient Routines, IClusterClient Grains, List<double> Rates, List<double> Latencies);

    public static async Task<int> RunAsync(string title, int rounds, Variant off, Variant on)
    {
        Console.WriteLine($"{title} — two clusters (service + 2 workers each) on one PostgreSQL 15, {Environment.ProcessorCount} cores");
        await using var postgres = await PostgresServer.StartAsync();
        var processes = new List<TestProcess>();
        var hosts = new List<IHost>();
        try
        {
            Cluster[] clusters = [await StartAsync(off), await StartAsync(on)];
            foreach (var cluster in clusters)
            {
                await ClusterBench.WarmUpAsync(cluster.Routines, cluster.Grains);
                Console.Write($"{cluster.Variant.Name}: ");
                await ClusterBench.RawBaselineAsync(cluster.Grains);
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var cluster in clusters)
                {
                    var sw = Stopwatch.StartNew();
                    await ClusterBench.ParallelAsync(10_000, 1_000, i => ClusterBench.ExecuteAsync(cluster.Routines, "noop", new Step(i)));
                    cluster.Rates.Add(10_000 / sw.Elapsed.TotalSeconds);
                }

                for (var i = 0; i < 1_000; i++)
                {
                    foreach (var cluster in clusters)
                    {
                        var one = Stopwatch.StartNew();
                        await ClusterBench.ExecuteAsync(cluster.Routines, "noop", new Step(i));
                        cluster.Latencies.Add(one.Elapsed.TotalMilliseconds);
                    }
                }
            }

            foreach (var c in clusters)
            {
                Console.WriteLine($"{c.Variant.Name}: 10,000 durable no-op runs with 1,000 in flight, median {ClusterBench.Percentile(c.Rates, 50):0} runs/s "
                                + $"(rounds: {string.Join(", ", c.Rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}); sequential submit → result "
                                + $"p50 {ClusterBench.Percentile(c.Latencies, 50):0.00} ms, p99 {ClusterBench.Percentile(c.Latencies, 99):0.00} ms");
            }

            var (a, b) = (clusters[0], clusters[1]);
            Console.WriteLine($"{b.Variant.Name} costs {100 * (1 - ClusterBench.Percentile(b.Rates, 50) / ClusterBench.Percentile(a.Rates, 50)):0} % of throughput "
                            + $"and {ClusterBench.Percentile(b.Latencies, 50) - ClusterBench.Percentile(a.Latencies, 50):+0.00;-0.00} ms at p50");
            return 0;
        }
        finally
        {
            foreach (var host in hosts) await host.StopAsync();
            foreach (var process in processes) process.Dispose();
        }

        async Task<Cluster> StartAsync(Variant variant)
        {
            var cluster = await ClusterBench.StartClusterAsync(postgres, variant.Name.Replace(' ', '_').ToLowerInvariant(), processes, variant.Settings, variant.ClientTls);
            hosts.Add(cluster.Client);
            return new Cluster(variant, cluster.Client.Services.GetRequiredService<IRoutinesClient>(), cluster.Client.Services.GetRequiredService<IClusterClient>(), [], []);
        }
    }
}
