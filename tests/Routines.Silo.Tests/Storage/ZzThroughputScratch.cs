using System.Diagnostics;
using Npgsql;
using Routines.Client;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Tests.Fixtures;
using Xunit.Abstractions;

namespace Routines.Silo.Tests.Storage;

[Collection("postgres")]
public sealed class ZzThroughputScratch(PostgresFixture postgres, ITestOutputHelper output)
{
    static RunInfo Run(string id, DateTimeOffset t, RunStatus s) => new()
    {
        RunId = id, RoutineId = "tname:train_model:1.2.0", RoutineName = (id.GetHashCode() % 5 == 0) ? "evaluate" : "train_model", RoutineVersion = "1.2.0",
        Kind = RoutineKind.Task, Status = s, InputJson = """{"learningRate":0.1,"epochs":3}""", RootRunId = id, CreatedAt = t,
    };

    [Fact]
    public async Task Measure()
    {
        var cs = await postgres.Server.CreateDatabaseAsync();
        await using var store = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = cs });
        await store.InitializeAsync();
        var t0 = DateTimeOffset.UtcNow;
        PostgresRunStore.Stats.Clear();
        for (var round = 0; round < 4; round++)
        {
            var runs = Enumerable.Range(0, 10_000).Select(i => Run($"r{round}-{i:D6}", t0.AddMilliseconds(i), RunStatus.Pending)).ToArray();
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(runs.Select(r => Task.Run(() => store.SaveRunAsync(r, new RunEvent(r.RunId, r.CreatedAt, r.Status, 0, null, "submitted")))));
            sw.Stop();
            lock (PostgresRunStore.Stats) { output.WriteLine($"batches {PostgresRunStore.Stats.Count}, avg size {PostgresRunStore.Stats.Average(x => x.Item1):N0}, avg ms {PostgresRunStore.Stats.Average(x => x.Item2):N1}, sum ms {PostgresRunStore.Stats.Sum(x => x.Item2):N0}"); PostgresRunStore.Stats.Clear(); }
            output.WriteLine($"insert round {round}: 10,000 SaveRunAsync (with transition) in {sw.ElapsedMilliseconds} ms = {10_000 / sw.Elapsed.TotalSeconds:N0}/s");
            sw.Restart();
            await Task.WhenAll(runs.Select(r => Task.Run(() => store.SaveRunAsync(r with { Status = RunStatus.Succeeded, OutputJson = "1" }, new RunEvent(r.RunId, r.CreatedAt, RunStatus.Succeeded, 1, "w", null)))));
            sw.Stop();
            lock (PostgresRunStore.Stats) { output.WriteLine($"batches {PostgresRunStore.Stats.Count}, avg size {PostgresRunStore.Stats.Average(x => x.Item1):N0}, avg ms {PostgresRunStore.Stats.Average(x => x.Item2):N1}, sum ms {PostgresRunStore.Stats.Sum(x => x.Item2):N0}"); PostgresRunStore.Stats.Clear(); }
            output.WriteLine($"update round {round}: 10,000 SaveRunAsync (upsert existing) in {sw.ElapsedMilliseconds} ms = {10_000 / sw.Elapsed.TotalSeconds:N0}/s");
        }
    }
}
