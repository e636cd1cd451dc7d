using System.Diagnostics;
using Routines.Client;
using Routines.Silo.Storage;
using Routines.Silo.Storage.Postgres;
using Routines.Silo.Storage.Sqlite;
using Routines.Tests.Shared;

namespace Routines.Bench;

/// <summary>
/// The console's queries on 100,000 run records, in both stores: the runs page (newest first, 25 a page) with each
/// filter, a deep page, and the counts by status the page shows at its top.
/// </summary>
internal static class StoreBench
{
    const int Runs = 100_000;
    static readonly string[] Names = ["load_dataset", "split_dataset", "standardize", "train_model", "evaluate_model", "tune_one", "train_and_pick_model"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (ClusterBench.OptionValue(args, "--large") is { } large) return await LargeAsync(large);
        if (args.Contains("--commits")) return await CommitsAsync();

        Console.WriteLine($"Run store queries on {Runs:N0} runs (median of 20 of each)");
        var directory = Directory.CreateTempSubdirectory("routines-store-bench-").FullName;
        await using (var sqlite = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(directory, "runs.db") }))
        {
            await MeasureAsync("SQLite", sqlite);
        }

        await using var postgres = await PostgresServer.StartAsync();
        await using (var store = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = await postgres.CreateDatabaseAsync("store") }))
        {
            await MeasureAsync("PostgreSQL", store);
        }

        Directory.Delete(directory, recursive: true);
        return 0;
    }

    /// <summary>
    /// What a sequential run waits for in PostgreSQL (<c>-- store --commits</c>): its two status changes, each committed
    /// alone on an idle store — Running with its submitted event, then Succeeded — shaped as the service writes them.
    /// Five rounds of 3,000 runs after one of warm-up; the latency of one commit, and commits per second.
    /// </summary>
    static async Task<int> CommitsAsync()
    {
        Console.WriteLine("PostgreSQL run store, a run's status changes committed one at a time (5 rounds of 3,000 runs)");
        await using var postgres = await PostgresServer.StartAsync();
        await using var store = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = await postgres.CreateDatabaseAsync("commits") });
        await store.InitializeAsync();
        var policy = new RunPolicy(new RetryPolicy(), TimeSpan.FromHours(1), Cache: true, ExecutionPolicy.Remote, Priority: 0);
        for (var round = 0; round < 6; round++)
        {
            var latencies = new List<double>();
            var all = Stopwatch.StartNew();
            for (var i = 0; i < 3_000; i++)
            {
                var now = DateTimeOffset.UtcNow;
                var runId = Guid.NewGuid().ToString("N");
                var running = new RunInfo
                {
                    RunId = runId, RoutineId = "noop:1.0.0", RoutineName = "noop", RoutineVersion = "1.0.0", Kind = RoutineKind.Task,
                    Status = RunStatus.Running, Attempt = 1, MaxAttempts = 3, InputJson = $$"""{"i":{{i}}}""", RootRunId = runId,
                    CreatedAt = now, StartedAt = now, Worker = "10.0.0.7:11111@155431601", Policy = policy,
                    TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                };
                var one = Stopwatch.StartNew();
                await store.SaveRunAsync(running, [
                    new RunEvent(runId, now, RunStatus.Pending, 0, null, "submitted"),
                    new RunEvent(runId, now, RunStatus.Running, 1, running.Worker, "attempt 1 started on worker-1")]);
                latencies.Add(one.Elapsed.TotalMilliseconds);
                one.Restart();
                var finished = DateTimeOffset.UtcNow;
                await store.SaveRunAsync(running with { Status = RunStatus.Succeeded, OutputJson = """{"score":1}""", FinishedAt = finished },
                    [new RunEvent(runId, finished, RunStatus.Succeeded, 1, running.Worker, "attempt 1 succeeded")]);
                latencies.Add(one.Elapsed.TotalMilliseconds);
            }

            if (round == 0) continue; // warm-up
            Console.WriteLine($"  one commit: p50 {ClusterBench.Percentile(latencies, 50):0.000} ms, p10 {ClusterBench.Percentile(latencies, 10):0.000}, "
                            + $"p90 {ClusterBench.Percentile(latencies, 90):0.000}; {latencies.Count / all.Elapsed.TotalSeconds:0} commits/s");
        }

        return 0;
    }

    /// <summary>
    /// PostgreSQL at <paramref name="runs"/> runs (<c>-- store --large 10000000</c>): the write path on the empty store,
    /// then the same after seeding the runs straight in SQL (the shape of <see cref="Run"/>, newest now), then the
    /// console's queries. The seed bypasses the store: saving ten million runs one by one would take an hour.
    /// </summary>
    static async Task<int> LargeAsync(int runs)
    {
        Console.WriteLine($"PostgreSQL run store at {runs:N0} runs (median of 5 of each query)");
        await using var postgres = await PostgresServer.StartAsync();
        var connectionString = await postgres.CreateDatabaseAsync("large");
        await using var store = new PostgresRunStore(new PostgresRunStoreOptions { ConnectionString = connectionString });
        await store.InitializeAsync();

        var writes = 100_000;
        var empty = await WriteRateAsync(store, first: runs + 1, writes);
        Console.WriteLine($"  write path on the empty store: {empty:0} saves/s ({writes:N0} runs saved at once)");

        var seed = Stopwatch.StartNew();
        await using (var connection = new Npgsql.NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            for (var from = 0; from < runs; from += 1_000_000)
            {
                await using var insert = new Npgsql.NpgsqlCommand(SeedSql, connection) { CommandTimeout = 0 };
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = from });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Math.Min(runs, from + 1_000_000) - 1 });
                insert.Parameters.Add(new Npgsql.NpgsqlParameter { Value = runs });
                await insert.ExecuteNonQueryAsync();
            }

            // Rows inserted in SQL are not counted: only the store's writer keeps run_counts (decision #73).
            await using var recount = new Npgsql.NpgsqlCommand("""
                TRUNCATE run_counts;
                INSERT INTO run_counts (routine_name, status, root, runs)
                SELECT routine_name, status, parent_run_id IS NULL, count(*) FROM runs GROUP BY 1, 2, 3
                """, connection) { CommandTimeout = 0 };
            await recount.ExecuteNonQueryAsync();
            await using var analyze = new Npgsql.NpgsqlCommand("VACUUM ANALYZE runs", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"  seeded {runs:N0} runs in SQL in {seed.Elapsed.TotalSeconds:0} s");
        var full = await WriteRateAsync(store, first: runs + writes + 1, writes);
        Console.WriteLine($"  write path at {runs:N0} runs: {full:0} saves/s ({100 * (full / empty - 1):+0.0;-0.0} % against the empty store)");
        await QueriesAsync("PostgreSQL", store, runs, repeats: 5);
        return 0;
    }

    static async Task<double> WriteRateAsync(IRunStore store, int first, int count)
    {
        var start = DateTimeOffset.UtcNow;
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(first, count).Select(i => store.SaveRunAsync(Run(i, start) with { CreatedAt = start }, [])));
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary><see cref="Run"/> in SQL: the same ids, routines, statuses and times, the newest created now.</summary>
    const string SeedSql = """
        INSERT INTO runs (run_id, routine_id, routine_name, routine_version, kind, status, attempt, max_attempts, input_json,
                          output_json, parent_run_id, root_run_id, parent_attempt, created_at, started_at, finished_at)
        SELECT CASE WHEN i % 8 = 0 THEN root_id || lpad(to_hex(i), 6, '0') ELSE root_id || lpad(to_hex(i - i % 8), 6, '0') || '.' || (i % 8) END,
               'tname:' || name || ':1.0.0', name, '1.0.0', 'Task', status, 1, 1, '{"seed":' || i || '}',
               CASE WHEN status = 'Succeeded' THEN '{"accuracy":0.9}' END,
               CASE WHEN i % 8 = 0 THEN NULL ELSE root_id || lpad(to_hex(i - i % 8), 6, '0') END,
               root_id || lpad(to_hex(i - i % 8), 6, '0'), 0, created, created,
               CASE WHEN status IN ('Succeeded', 'Failed', 'Cancelled') THEN created + interval '2 seconds' END
        FROM (SELECT i, lpad(to_hex(i - i % 8), 8, '0') || 'abc' AS root_id,
                     (ARRAY['load_dataset','split_dataset','standardize','train_model','evaluate_model','tune_one','train_and_pick_model'])[CASE WHEN i % 8 = 0 THEN 7 ELSE i % 6 + 1 END] AS name,
                     CASE i % 50 WHEN 0 THEN 'Failed' WHEN 1 THEN 'Cancelled' WHEN 2 THEN 'Pending' WHEN 3 THEN 'Running' ELSE 'Succeeded' END AS status,
                     now() - make_interval(secs => ($3 - i) * 6) AS created
              FROM generate_series($1::int, $2::int) AS i) AS shaped
        """;

    static async Task MeasureAsync(string name, IRunStore store)
    {
        await store.InitializeAsync();
        var start = DateTimeOffset.UtcNow.AddDays(-7);

        // What a run's status change waits for on an idle store: its record and history event, committed alone.
        var next = Runs;
        var oneSave = await MedianAsync(() =>
        {
            var run = Run(next++, start);
            return store.SaveRunAsync(run, [new RunEvent(run.RunId, run.CreatedAt, run.Status, run.Attempt, run.Worker, "bench")]);
        });
        Console.WriteLine($"{name}: one status change committed alone (record + history event) {oneSave:0.00} ms");

        var seed = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Runs).Select(i => store.SaveRunAsync(Run(i, start), [])));
        Console.WriteLine($"{name}: seeded {Runs:N0} runs in {seed.Elapsed.TotalSeconds:0.0} s ({Runs / seed.Elapsed.TotalSeconds:0} saves/s)");

        await QueriesAsync(name, store, Runs);
    }

    static async Task QueriesAsync(string name, IRunStore store, int runs, int repeats = 20)
    {
        var middle = Run(runs / 2, DateTimeOffset.UtcNow).RootRunId;
        var queries = new (string What, RunFilter Filter)[]
        {
            ("newest page", new RunFilter { Take = 25 }),
            ("status = Failed", new RunFilter { Status = RunStatus.Failed, Take = 25 }),
            ("routine = train_model", new RunFilter { RoutineName = "train_model", Take = 25 }),
            ("roots only", new RunFilter { RootsOnly = true, Take = 25 }),
            ("last 24 hours", new RunFilter { CreatedAfter = DateTimeOffset.UtcNow.AddDays(-1), Take = 25 }),
            ($"search '{middle[..12]}' (a tree's id)", new RunFilter { Search = middle[..12], Take = 25 }),
            ("search 'train' (routines)", new RunFilter { Search = "train", Take = 25 }),
            ("search '0000' (the oldest ids)", new RunFilter { Search = "0000", Take = 25 }),
            ("page at offset 50,000", new RunFilter { Skip = 50_000, Take = 25 }),
        };
        foreach (var (what, filter) in queries)
            Console.WriteLine($"  {what,-34} {await MedianAsync(() => store.ListRunsAsync(filter), repeats),7:0.0} ms");

        // What the console's runs page asks for above its table: the total and each status's count, roots only.
        foreach (var rootsOnly in new[] { false, true })
        {
            var counts = await MedianAsync(() => Task.WhenAll(Enum.GetValues<RunStatus>().Select(s => (RunStatus?)s).Append(null)
                .Select(status => store.ListRunsAsync(new RunFilter { Status = status, RootsOnly = rootsOnly, Take = 0 }))), repeats);
            Console.WriteLine($"  {(rootsOnly ? "counts by status, roots (7)" : "counts by status (7)"),-34} {counts,7:0.0} ms");
        }
    }

    static async Task<double> MedianAsync(Func<Task> query, int repeats = 20)
    {
        await query();
        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            await query();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Runs shaped like the sample's trees: one root per eight, statuses mostly Succeeded.</summary>
    static RunInfo Run(int i, DateTimeOffset start)
    {
        var root = i - i % 8;
        var routine = Names[i % 8 == 0 ? 6 : i % 6];
        var status = (i % 50) switch { 0 => RunStatus.Failed, 1 => RunStatus.Cancelled, 2 => RunStatus.Pending, 3 => RunStatus.Running, _ => RunStatus.Succeeded };
        var created = start.AddSeconds(i * 6);
        return new RunInfo
        {
            RunId = i % 8 == 0 ? $"{root:x8}abc{i:x6}" : $"{root:x8}abc{root:x6}.{i % 8}",
            RoutineId = $"tname:{routine}:1.0.0",
            RoutineName = routine,
            RoutineVersion = "1.0.0",
            Kind = RoutineKind.Task,
            Status = status,
            Attempt = 1,
            InputJson = $$"""{"seed":{{i}}}""",
            OutputJson = status == RunStatus.Succeeded ? """{"accuracy":0.9}""" : null,
            ParentRunId = i % 8 == 0 ? null : $"{root:x8}abc{root:x6}",
            RootRunId = $"{root:x8}abc{root:x6}",
            CreatedAt = created,
            StartedAt = created,
            FinishedAt = status.IsTerminal() ? created.AddSeconds(2) : null,
        };
    }
}
