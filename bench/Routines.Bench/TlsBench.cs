using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Routines.Client;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>
/// What TLS costs: two clusters side by side on one PostgreSQL server, one plain and one with TLS on every silo and
/// gateway connection (the test authority's certificates), measured in turns — throughput with 1,000 in flight and
/// sequential latency — so both see the same machine.
/// </summary>
internal static class TlsBench
{
    sealed record Cluster(string Name, IRoutinesClient Routines, IClusterClient Grains, List<double> Rates, List<double> Latencies);

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = ClusterBench.OptionValue(args, "--rounds") ?? 3;
        Console.WriteLine($"TLS on and off — two clusters (service + 2 workers each) on one PostgreSQL 15, {Environment.ProcessorCount} cores");
        using var certificates = new TestCertificates();
        await using var postgres = await PostgresServer.StartAsync();
        var processes = new List<TestProcess>();
        var hosts = new List<IHost>();
        try
        {
            var tls = certificates.Settings(certificates.Trusted("bench"));
            var clientCertificate = certificates.Trusted("client");
            Cluster[] clusters =
            [
                await StartAsync("TLS off", new Dictionary<string, string>(), null),
                await StartAsync("TLS on", tls, new RoutinesTlsOptions { CertificatePath = clientCertificate.Certificate, KeyPath = clientCertificate.Key, CaPath = certificates.CaPath }),
            ];
            foreach (var cluster in clusters)
            {
                await ClusterBench.WarmUpAsync(cluster.Routines, cluster.Grains);
                Console.Write($"{cluster.Name}: ");
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
                Console.WriteLine($"{c.Name}: 10,000 durable no-op runs with 1,000 in flight, median {ClusterBench.Percentile(c.Rates, 50):0} runs/s "
                                + $"(rounds: {string.Join(", ", c.Rates.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}); sequential submit → result "
                                + $"p50 {ClusterBench.Percentile(c.Latencies, 50):0.00} ms, p99 {ClusterBench.Percentile(c.Latencies, 99):0.00} ms");
            }

            var (off, on) = (clusters[0], clusters[1]);
            Console.WriteLine($"TLS costs {100 * (1 - ClusterBench.Percentile(on.Rates, 50) / ClusterBench.Percentile(off.Rates, 50)):0} % of throughput "
                            + $"and {ClusterBench.Percentile(on.Latencies, 50) - ClusterBench.Percentile(off.Latencies, 50):+0.00;-0.00} ms at p50");
            return 0;
        }
        finally
        {
            foreach (var host in hosts) await host.StopAsync();
            foreach (var process in processes) process.Dispose();
        }

        async Task<Cluster> StartAsync(string name, Dictionary<string, string> settings, RoutinesTlsOptions? clientTls)
        {
            var cluster = await ClusterBench.StartClusterAsync(postgres, name.Replace(' ', '_').ToLowerInvariant(), processes, settings, clientTls);
            hosts.Add(cluster.Client);
            return new Cluster(name, cluster.Client.Services.GetRequiredService<IRoutinesClient>(), cluster.Client.Services.GetRequiredService<IClusterClient>(), [], []);
        }
    }
}
